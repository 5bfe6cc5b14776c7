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


def matches(statement: dict, request: dict) -> bool:
    """WAF's verdict for the statement kinds these ACLs use, on `request` = {"path", "headers",
    "labels"} (header names lower-case)."""
    if "andStatement" in statement:
        return all(matches(s, request) for s in statement["andStatement"]["statements"])
    if "notStatement" in statement:
        return not matches(statement["notStatement"]["statement"], request)
    if "labelMatchStatement" in statement:
        return statement["labelMatchStatement"]["key"] in request["labels"]
    byte = statement["byteMatchStatement"]
    field = byte["fieldToMatch"]
    value = request["path"] if "uriPath" in field else request["headers"].get(field["singleHeader"]["name"], "")
    constraint, needle = byte["positionalConstraint"], byte["searchString"]
    return {"CONTAINS": needle in value, "STARTS_WITH": value.startswith(needle)}[constraint]


def request(path="/api/orders", xff="203.0.113.9", labels=()):
    return {"path": path, "headers": {"x-forwarded-for": xff}, "labels": set(labels)}


def rate_rule(graph, where):
    (rate,) = [r for r in acl(graph, where).inputs["rules"] if "rateBasedStatement" in r["statement"]]
    return rate["statement"]["rateBasedStatement"]


def test_alb_acl_counts_only_the_client_address_cloudfront_wrote(stack):
    statement = rate_rule(stack, "alb")
    assert statement["aggregateKeyType"] == "FORWARDED_IP"
    assert statement["forwardedIpConfig"]["headerName"] == "X-Forwarded-For"
    counted = statement["scopeDownStatement"]
    # CloudFront sets X-Forwarded-For to the viewer's address ...
    assert matches(counted, request(xff="203.0.113.9"))
    # ... or appends it to the viewer's own header, whose first (forgeable) entry WAF would read.
    assert not matches(counted, request(xff="198.51.100.1, 203.0.113.9"))
    assert rate_rule(stack, "cdn")["aggregateKeyType"] == "IP"  # CloudFront sees the viewer itself
    assert "scopeDownStatement" not in rate_rule(stack, "cdn")


@pytest.mark.parametrize("where", ACLS)
def test_large_bodies_are_blocked_everywhere_but_the_api(stack, where):
    rules = acl(stack, where).inputs["rules"]
    (common,) = [r for r in rules if r["name"] == "AWSManagedRulesCommonRuleSet"]
    overrides = common["statement"]["managedRuleGroupStatement"]["ruleActionOverrides"]
    # Only the 8 KB body rule is relaxed to count (it still labels); the rest of the set blocks.
    assert overrides == [{"name": "SizeRestrictions_BODY", "actionToUse": {"count": {}}}]
    (large,) = [r for r in rules if r["name"] == "block-large-bodies-outside-api"]
    assert "block" in large["action"] and large["priority"] > common["priority"]  # labels exist by then
    label = ["awswaf:managed:aws:core-rule-set:SizeRestrictions_Body"]
    assert matches(large["statement"], request(path="/index.html", labels=label))
    assert not matches(large["statement"], request(path="/api/uploads", labels=label))
    assert not matches(large["statement"], request(path="/index.html"))


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
