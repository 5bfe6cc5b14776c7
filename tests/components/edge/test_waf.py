"""Web ACLs on CloudFront and the ALB: managed rules, per-IP rate limit, logging (NET-1, NET-2, OBS-2)."""

from __future__ import annotations

import pytest

from tests.graph import region_of

MANAGED = {
    "AWSManagedRulesCommonRuleSet",
    "AWSManagedRulesKnownBadInputsRuleSet",
    "AWSManagedRulesSQLiRuleSet",
    "AWSManagedRulesAmazonIpReputationList",
}
ACLS = {"alb": "REGIONAL", "cdn": "CLOUDFRONT"}


def acl(graph, where):
    return graph.named(f"{graph.stack}-waf-{where}-acl")


@pytest.mark.parametrize("where", ACLS)
def test_web_acl_runs_the_aws_managed_rule_groups(stack, where):
    rules = acl(stack, where).inputs["rules"]
    groups = {
        r["statement"]["managedRuleGroupStatement"]["name"]
        for r in rules
        if "managedRuleGroupStatement" in r["statement"]
    }
    assert groups == MANAGED
    for rule in rules:
        if "managedRuleGroupStatement" in rule["statement"]:
            assert rule["overrideAction"] == {"none": {}}, rule["name"]  # enforce, don't just count
    assert len({r["priority"] for r in rules}) == len(rules)


@pytest.mark.parametrize("where", ACLS)
def test_each_client_ip_is_limited_to_100_requests_per_second(stack, where):
    (rate,) = [r for r in acl(stack, where).inputs["rules"] if "rateBasedStatement" in r["statement"]]
    statement = rate["statement"]["rateBasedStatement"]
    # 100 req/s (seed) over WAF's shortest window, 60 s: 6000 requests per IP per minute.
    assert (statement["limit"], statement["evaluationWindowSec"]) == (6000, 60)
    assert "block" in rate["action"]


def test_alb_acl_counts_the_client_address_cloudfront_forwards(stack):
    (rate,) = [r for r in acl(stack, "alb").inputs["rules"] if "rateBasedStatement" in r["statement"]]
    statement = rate["statement"]["rateBasedStatement"]
    assert statement["aggregateKeyType"] == "FORWARDED_IP"
    assert statement["forwardedIpConfig"]["headerName"] == "X-Forwarded-For"
    (cdn_rate,) = [r for r in acl(stack, "cdn").inputs["rules"] if "rateBasedStatement" in r["statement"]]
    assert cdn_rate["statement"]["rateBasedStatement"]["aggregateKeyType"] == "IP"


def test_cloudfront_acl_is_global_in_us_east_1_and_attached_to_the_distribution(stack):
    cdn_acl = acl(stack, "cdn")
    assert cdn_acl.inputs["scope"] == "CLOUDFRONT" and region_of(stack, cdn_acl) == "us-east-1"
    assert acl(stack, "alb").inputs["scope"] == "REGIONAL"
    assert stack.named(f"{stack.stack}-cdn-distribution").inputs["webAclId"] == cdn_acl.outputs["arn"]


@pytest.mark.parametrize("where", ACLS)
def test_waf_logs_to_an_encrypted_aws_waf_logs_group_with_retention(stack, where):
    group = stack.named(f"{stack.stack}-waf-{where}-logs")
    assert group.inputs["name"].startswith("aws-waf-logs-")
    assert group.inputs["kmsKeyId"].startswith("arn:aws:kms:us-east-1:")
    assert group.inputs["retentionInDays"] == {"staging": 30, "prod": 365}[stack.stack]
    logging = stack.named(f"{stack.stack}-waf-{where}-logging").inputs
    assert logging["resourceArn"] == acl(stack, where).outputs["arn"]
    assert logging["logDestinationConfigs"] == [group.outputs["arn"]]
    assert region_of(stack, group) == region_of(stack, acl(stack, where))


def test_waf_logs_never_hold_the_origin_secret_or_credentials(stack):
    redacted = {
        f["singleHeader"]["name"] for f in stack.named(f"{stack.stack}-waf-alb-logging").inputs["redactedFields"]
    }
    assert {"x-origin-verify", "authorization", "cookie"} <= redacted
