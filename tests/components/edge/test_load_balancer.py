"""The ALB: HTTPS from CloudFront only, blue/green by configured weights (NET-7, NET-8, DEP-1, DEP-2)."""

from __future__ import annotations

import json

from components.edge.load_balancer import target_group_name
from pulumi_offline.program import reveal
from tests.components.variants import canary, rolled_back
from tests.graph import resource

ALB = "aws:lb/loadBalancer:LoadBalancer"
LISTENER = "aws:lb/listener:Listener"
RULE = "aws:lb/listenerRule:ListenerRule"
TARGET_GROUP = "aws:lb/targetGroup:TargetGroup"
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"


def origin_secret(graph, slot: str = "a") -> str:
    name = f"{graph.stack}-origin-secret-value" + ("" if slot == "a" else f"-{slot}")
    return reveal(graph.named(name).outputs["result"])


def listener(graph, port):
    (match,) = [r for r in graph.of_type(LISTENER) if r.inputs["port"] == port]
    return match.inputs


def weights(graph) -> dict[str, int]:
    arns = {graph.named(f"{graph.stack}-lb-{c}").outputs["arn"]: c for c in ("blue", "green")}
    (action,) = graph.named(f"{graph.stack}-lb-forward").inputs["actions"]
    return {arns[tg["arn"]]: tg["weight"] for tg in action["forward"]["targetGroups"]}


def test_alb_is_internet_facing_in_the_public_subnets_behind_the_alb_group(stack):
    alb = stack.named(f"{stack.stack}-lb-alb").inputs
    public = {s.id for s in stack.of_type("aws:ec2/subnet:Subnet") if s.inputs["tags"]["tier"] == "public"}
    assert alb["internal"] is False and alb["loadBalancerType"] == "application"
    assert set(alb["subnets"]) == public
    assert alb["securityGroups"] == [stack.named(f"{stack.stack}-sg-alb").id]


def test_only_cloudfront_reaches_the_alb_and_nothing_is_open_to_the_internet(stack):
    alb_group = stack.named(f"{stack.stack}-sg-alb").id
    (rule,) = [r.inputs for r in stack.of_type(INGRESS) if r.inputs["securityGroupId"] == alb_group]
    assert rule["prefixListId"].startswith("pl-") and (rule["fromPort"], rule["toPort"]) == (443, 443)
    for any_rule in stack.of_type(INGRESS, "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"):
        if any_rule.inputs.get("cidrIpv4") == "0.0.0.0/0":
            assert any_rule.inputs["fromPort"] == any_rule.inputs["toPort"] == 443, any_rule.name
            assert "Egress" in any_rule.type, any_rule.name
        assert any_rule.inputs.get("cidrIpv6") != "::/0", any_rule.name


def test_http_redirects_to_https_permanently(stack):
    (action,) = listener(stack, 80)["defaultActions"]
    assert action["type"] == "redirect"
    assert action["redirect"] == {"protocol": "HTTPS", "port": "443", "statusCode": "HTTP_301"}


def test_https_uses_tls13_and_the_origin_certificate(stack):
    https = listener(stack, 443)
    assert https["protocol"] == "HTTPS"
    assert https["sslPolicy"] == "ELBSecurityPolicy-TLS13-1-2-2021-06"
    assert https["certificateArn"] == stack.named(f"{stack.stack}-alb-cert-cert").outputs["arn"]


def test_requests_without_the_origin_secret_header_get_403(stack):
    (default,) = listener(stack, 443)["defaultActions"]
    assert default["type"] == "fixed-response" and default["fixedResponse"]["statusCode"] == "403"
    rule = stack.named(f"{stack.stack}-lb-forward")
    (condition,) = rule.inputs["conditions"]
    # Both slots' values: CloudFront sends one, and during a rotation its edges move to the other.
    assert condition["httpHeader"] == {
        "httpHeaderName": "X-Origin-Verify",
        "values": [origin_secret(stack, "a"), origin_secret(stack, "b")],
    }
    assert "conditions" in rule.secret_inputs
    assert "conditions" in rule.secret_inputs  # the header value is stored encrypted in state


def test_alb_drops_bad_headers_resists_desync_and_logs_access(stack):
    alb = stack.named(f"{stack.stack}-lb-alb").inputs
    assert alb["dropInvalidHeaderFields"] is True
    assert alb["desyncMitigationMode"] in ("defensive", "strictest")
    assert alb["idleTimeout"] == 30
    assert alb["accessLogs"] == {
        "enabled": True,
        "bucket": stack.named(f"{stack.stack}-edge-logs-bucket").outputs["bucket"],
        "prefix": "alb",
    }


def test_access_log_bucket_admits_elb_delivery_with_sse_s3(stack):
    logs = f"{stack.stack}-edge-logs"
    (rule,) = stack.named(f"{logs}-encryption").inputs["rules"]
    assert rule["applyServerSideEncryptionByDefault"] == {"sseAlgorithm": "AES256"}  # ALB logs can't use SSE-KMS
    statements = {s["Sid"]: s for s in json.loads(stack.named(f"{logs}-policy").inputs["policy"])["Statement"]}
    elb = statements["LoadBalancerWritesAccessLogs"]
    assert elb["Principal"] == {"AWS": "arn:aws:iam::127311923021:root"}  # us-east-1's ELB account
    account = {"staging": "111111111111", "prod": "222222222222"}[stack.stack]
    assert elb["Resource"].endswith(f"/alb/AWSLogs/{account}/*")


def test_deletion_protection_and_protect_only_in_prod(staging, prod):
    assert prod.named("prod-lb-alb").inputs["enableDeletionProtection"] is True and prod.named("prod-lb-alb").protect
    assert staging.named("staging-lb-alb").inputs["enableDeletionProtection"] is False


def test_each_colour_has_a_target_group_checked_on_health_every_10_seconds(stack):
    for color in ("blue", "green"):
        group = resource(stack, TARGET_GROUP, f"{stack.stack}-lb-{color}").inputs
        assert group["port"] == 3000 and group["protocol"] == "HTTP"
        # DEP-2: readiness, which turns 503 while the app stops, so the target drains first.
        assert group["healthCheck"]["path"] == "/ready" and group["healthCheck"]["interval"] == 10
        assert group["loadBalancingAlgorithmType"] == "least_outstanding_requests"
        assert group["name"] == f"platform-{stack.stack}-{color}-3000"


def test_a_new_app_port_gets_target_groups_of_new_names():
    # A port change replaces the target group, the replacement created first: its name must be free.
    names = {target_group_name("platform-prod", "blue", port) for port in (3000, 8080)}
    assert names == {"platform-prod-blue-3000", "platform-prod-blue-8080"}
    # 32 characters at most (AWS), the colour and port kept whole, no doubled hyphen.
    assert target_group_name("a-very-long-project-name-prod", "green", 65535) == "a-very-long-project-green-65535"


def test_listener_forwards_by_the_configured_weights(stack):
    assert weights(stack) == {"blue": 100, "green": 0}
    assert weights(canary()) == {"blue": 90, "green": 10}


def test_rollback_changes_only_the_forward_rule():
    before, after = canary(), rolled_back()
    assert {r.urn for r in after} == {r.urn for r in before}  # nothing created or deleted
    changed = {r.urn for r in after if r.custom and r.inputs != before.by_urn(r.urn).inputs}
    assert changed == {after.named("staging-lb-forward").urn}
    assert weights(after) == {"blue": 100, "green": 0}


def test_regional_web_acl_guards_the_alb(stack):
    association = stack.named(f"{stack.stack}-lb-waf").inputs
    assert association["resourceArn"] == stack.named(f"{stack.stack}-lb-alb").outputs["arn"]
    assert association["webAclArn"] == stack.named(f"{stack.stack}-waf-alb-acl").outputs["arn"]


def test_origin_hostname_aliases_the_alb(stack):
    record = stack.named(f"{stack.stack}-lb-dns-a").inputs
    alb = stack.named(f"{stack.stack}-lb-alb").outputs
    domain = {"staging": "staging.example.com", "prod": "app.example.com"}[stack.stack]
    assert record["name"] == f"origin.{domain}" and record["type"] == "A"
    assert record["aliases"][0]["name"] == alb["dnsName"] and record["aliases"][0]["zoneId"] == alb["zoneId"]
    assert record["aliases"][0]["evaluateTargetHealth"] is True  # no healthy target: Route 53 answers elsewhere
