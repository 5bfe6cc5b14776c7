"""CloudFront: private assets through OAC, `/api/*` to the ALB, TLS and browser hardening (NET-4, NET-8, DB-9)."""

from __future__ import annotations

import json

import pytest

from components.edge.cdn import ALL_VIEWER_EXCEPT_HOST_HEADER, CACHING_DISABLED
from pulumi_offline.program import reveal
from tests.graph import region_of

DOMAIN = {"staging": "staging.example.com", "prod": "app.example.com"}


def distribution(graph):
    return graph.named(f"{graph.stack}-cdn-distribution")


def origin(graph, origin_id):
    (match,) = [o for o in distribution(graph).inputs["origins"] if o["originId"] == origin_id]
    return match


def api_behaviour(graph):
    (behaviour,) = distribution(graph).inputs["orderedCacheBehaviors"]
    return behaviour


def test_assets_bucket_is_private_encrypted_versioned_logged_and_tls_only(stack):
    assets = f"{stack.stack}-cdn-assets"
    block = stack.named(f"{assets}-public-access-block").inputs
    assert all(block[k] for k in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"))
    (rule,) = stack.named(f"{assets}-encryption").inputs["rules"]
    assert rule["applyServerSideEncryptionByDefault"]["sseAlgorithm"] == "aws:kms"
    assert stack.named(f"{assets}-versioning").inputs["versioningConfiguration"]["status"] == "Enabled"
    assert stack.named(f"{assets}-logging").inputs["targetBucket"] == stack.named(f"{stack.stack}-edge-logs-bucket").id
    statements = json.loads(stack.named(f"{assets}-policy").inputs["policy"])["Statement"]
    assert statements[0]["Sid"] == "DenyPlainHttp"


def test_only_this_distribution_reads_the_assets_through_oac(stack):
    policy = json.loads(stack.named(f"{stack.stack}-cdn-assets-policy").inputs["policy"])
    (grant,) = [s for s in policy["Statement"] if s["Effect"] == "Allow"]
    assert grant["Principal"] == {"Service": "cloudfront.amazonaws.com"} and grant["Action"] == "s3:GetObject"
    assert grant["Condition"] == {"StringEquals": {"AWS:SourceArn": distribution(stack).outputs["arn"]}}
    assets = origin(stack, "assets")
    assert assets["originAccessControlId"] == stack.named(f"{stack.stack}-cdn-oac").id
    assert stack.named(f"{stack.stack}-cdn-oac").inputs["signingBehavior"] == "always"


def test_static_assets_are_cached_for_a_week(stack):
    default = distribution(stack).inputs["defaultCacheBehavior"]
    assert default["targetOriginId"] == "assets"
    policy = stack.named(f"{stack.stack}-cdn-static")
    assert default["cachePolicyId"] == policy.id
    assert policy.inputs["defaultTtl"] == 7 * 24 * 3600


def test_api_goes_to_the_alb_over_https_only_with_the_origin_secret(stack):
    api = origin(stack, "api")
    assert api["domainName"] == f"origin.{DOMAIN[stack.stack]}"
    assert api["customOriginConfig"]["originProtocolPolicy"] == "https-only"
    assert api["customOriginConfig"]["originSslProtocols"] == ["TLSv1.2"]
    secret = reveal(stack.named(f"{stack.stack}-origin-secret-value").outputs["result"])
    assert api["customHeaders"] == [{"name": "X-Origin-Verify", "value": secret}]
    assert "origins" in distribution(stack).secret_inputs


def test_api_is_not_cached_and_gets_viewer_headers_except_host(stack):
    behaviour = api_behaviour(stack)
    assert behaviour["pathPattern"] == "/api/*" and behaviour["targetOriginId"] == "api"
    assert behaviour["cachePolicyId"] == CACHING_DISABLED
    assert behaviour["originRequestPolicyId"] == ALL_VIEWER_EXCEPT_HOST_HEADER
    assert {"POST", "PUT", "DELETE"} <= set(behaviour["allowedMethods"])


def test_viewers_get_https_tls12_2021_http2_and_http3(stack):
    inputs = distribution(stack).inputs
    for behaviour in (inputs["defaultCacheBehavior"], api_behaviour(stack)):
        assert behaviour["viewerProtocolPolicy"] == "redirect-to-https"
    assert inputs["viewerCertificate"]["minimumProtocolVersion"] == "TLSv1.2_2021"
    assert inputs["viewerCertificate"]["sslSupportMethod"] == "sni-only"
    assert inputs["httpVersion"] == "http2and3"
    assert inputs["aliases"] == [DOMAIN[stack.stack]]


def test_viewer_certificate_is_the_us_east_1_one(stack):
    certificate = stack.named(f"{stack.stack}-cdn-cert-cert")
    assert region_of(stack, certificate) == "us-east-1"
    assert certificate.inputs["domainName"] == DOMAIN[stack.stack]
    assert distribution(stack).inputs["viewerCertificate"]["acmCertificateArn"] == certificate.outputs["arn"]


def test_response_headers_send_hsts_and_cors_only_for_known_origins(stack):
    policy = stack.named(f"{stack.stack}-cdn-headers")
    hsts = policy.inputs["securityHeadersConfig"]["strictTransportSecurity"]
    assert hsts["accessControlMaxAgeSec"] >= 365 * 24 * 3600 and hsts["override"] is True
    assert policy.inputs["corsConfig"]["accessControlAllowOrigins"]["items"] == [f"https://{DOMAIN[stack.stack]}"]
    inputs = distribution(stack).inputs
    assert inputs["defaultCacheBehavior"]["responseHeadersPolicyId"] == policy.id
    assert api_behaviour(stack)["responseHeadersPolicyId"] == policy.id


@pytest.mark.parametrize(("tier", "price_class"), [("staging", "PriceClass_100"), ("prod", "PriceClass_All")])
def test_price_class_follows_the_tier(staging, prod, tier, price_class):
    assert distribution({"staging": staging, "prod": prod}[tier]).inputs["priceClass"] == price_class


def test_standard_logs_go_to_the_edge_log_bucket(stack):
    logging = distribution(stack).inputs["loggingConfig"]
    bucket = stack.named(f"{stack.stack}-edge-logs-bucket").outputs
    assert logging == {"bucket": bucket["bucketDomainName"], "prefix": "cloudfront/", "includeCookies": False}
    ownership = stack.named(f"{stack.stack}-edge-logs-ownership").inputs["rule"]["objectOwnership"]
    assert ownership == "BucketOwnerPreferred"  # CloudFront standard logging writes through ACLs
    # ... so the distribution is created only once the bucket's ACLs are enabled.
    assert stack.named(f"{stack.stack}-edge-logs-ownership").urn in distribution(stack).dependencies


def test_site_name_aliases_the_distribution_for_ipv4_and_ipv6(stack):
    for record_type in ("a", "aaaa"):
        record = stack.named(f"{stack.stack}-cdn-dns-{record_type}").inputs
        assert record["name"] == DOMAIN[stack.stack]
        assert record["aliases"][0]["name"] == distribution(stack).outputs["domainName"]
        # Route 53 doesn't allow evaluating a CloudFront distribution's health (AliasTarget API).
        assert record["aliases"][0]["evaluateTargetHealth"] is False


def test_data_key_lets_cloudfront_decrypt_assets_of_this_account_only(stack):
    policy = json.loads(stack.named(f"{stack.stack}-keys-data").inputs["policy"])
    (statement,) = [s for s in policy["Statement"] if s["Sid"] == "CloudFrontDecryptsAssets"]
    account = {"staging": "111111111111", "prod": "222222222222"}[stack.stack]
    assert statement["Action"] == "kms:Decrypt"
    assert statement["Condition"] == {"ArnLike": {"aws:SourceArn": f"arn:aws:cloudfront::{account}:distribution/*"}}
