"""Edge policies: load balancers, listeners, target groups, WAF, CloudFront, ACM."""

from __future__ import annotations

import pulumi_aws as aws
import pytest
from conftest import Case, assert_case

ALB_ARN = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/web/1"
CERT = "arn:aws:acm:us-east-1:123456789012:certificate/1"


def _alb(**overrides):
    args = dict(
        load_balancer_type="application",
        subnets=["subnet-1", "subnet-2"],
        drop_invalid_header_fields=True,
        access_logs={"bucket": "logs", "enabled": True},
    )
    return lambda: aws.lb.LoadBalancer("web", **{**args, **overrides})


def _listener(**overrides):
    args = dict(
        load_balancer_arn=ALB_ARN,
        port=443,
        protocol="HTTPS",
        certificate_arn=CERT,
        ssl_policy="ELBSecurityPolicy-TLS13-1-2-2021-06",
        default_actions=[{"type": "forward", "target_group_arn": "arn:tg"}],
    )
    return lambda: aws.lb.Listener("https", **{**args, **overrides})


def _redirect():
    return [{"type": "redirect", "redirect": {"protocol": "HTTPS", "port": "443", "status_code": "HTTP_301"}}]


def _target_group(**health):
    check = {"enabled": True, "path": "/health", "interval": 10, "matcher": "200", **health}
    return lambda: aws.lb.TargetGroup("blue", port=8080, protocol="HTTP", vpc_id="vpc-1", health_check=check)


def _rule(name, priority, statement, action=None, override=None):
    rule = {
        "name": name,
        "priority": priority,
        "statement": statement,
        "visibility_config": {
            "cloudwatch_metrics_enabled": True,
            "metric_name": name,
            "sampled_requests_enabled": True,
        },
    }
    if override:
        rule["override_action"] = override
    else:
        rule["action"] = action or {"block": {}}
    return rule


def _managed_counting():
    """Both required managed groups, but only counting matches (override_action count)."""
    rules = [_rule(m, 10 + i, _managed(m), override={"count": {}}) for i, m in enumerate(MANAGED)]
    return aws.wafv2.WebAcl(
        "waf",
        scope="REGIONAL",
        default_action={"allow": {}},
        rules=rules,
        visibility_config={"cloudwatch_metrics_enabled": True, "metric_name": "waf", "sampled_requests_enabled": True},
    )


def _managed(name):
    return {"managed_rule_group_statement": {"name": name, "vendor_name": "AWS"}}


def _acl(
    limit=6000,
    window=60,
    action=None,
    managed=("AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet"),
    metrics=True,
    scope="REGIONAL",
    name="waf",
):
    rules = [
        _rule(
            "rate",
            1,
            {"rate_based_statement": {"limit": limit, "aggregate_key_type": "IP", "evaluation_window_sec": window}},
            action,
        )
    ]
    rules += [_rule(m, 10 + i, _managed(m), override={"none": {}}) for i, m in enumerate(managed)]
    return aws.wafv2.WebAcl(
        name,
        scope=scope,
        default_action={"allow": {}},
        rules=rules,
        visibility_config={
            "cloudwatch_metrics_enabled": metrics,
            "metric_name": "waf",
            "sampled_requests_enabled": True,
        },
    )


def _distribution(behavior=None, certificate=None, origins=None, **extra):
    behavior = {
        "target_origin_id": "alb",
        "viewer_protocol_policy": "redirect-to-https",
        "allowed_methods": ["GET", "HEAD"],
        "cached_methods": ["GET", "HEAD"],
        "response_headers_policy_id": "rhp-1",
        "cache_policy_id": "cp-1",
        **(behavior or {}),
    }
    certificate = certificate or {
        "acm_certificate_arn": CERT,
        "ssl_support_method": "sni-only",
        "minimum_protocol_version": "TLSv1.2_2021",
    }
    origins = origins or [
        {
            "origin_id": "alb",
            "domain_name": "origin.example.com",
            "custom_origin_config": {
                "http_port": 80,
                "https_port": 443,
                "origin_protocol_policy": "https-only",
                "origin_ssl_protocols": ["TLSv1.2"],
            },
        }
    ]
    return aws.cloudfront.Distribution(
        "cdn",
        enabled=True,
        origins=origins,
        default_cache_behavior=behavior,
        viewer_certificate=certificate,
        restrictions={"geo_restriction": {"restriction_type": "none"}},
        **extra,
    )


def _with_waf(attach: bool):
    def program():
        alb = _alb()()
        acl = _acl()
        if attach:
            aws.wafv2.WebAclAssociation("web-waf", resource_arn=alb.arn, web_acl_arn=acl.arn)

    return program


def _waf_logging(enabled: bool):
    def program():
        acl = _acl()
        if enabled:
            aws.wafv2.WebAclLoggingConfiguration(
                "waf-logs",
                resource_arn=acl.arn,
                log_destination_configs=["arn:aws:logs:eu-west-1:1:log-group:aws-waf-logs-x"],
            )

    return program


def _cdn_waf(scope: str | None):
    def program():
        acl = _acl(scope=scope or "CLOUDFRONT")
        _distribution(web_acl_id=acl.arn if scope else None)

    return program


def _http_listener_with_rule(action: str):
    """An HTTP listener that redirects by default, with a rule that forwards (or redirects) `/*`."""

    def program():
        alb = _alb()()
        listener = aws.lb.Listener("http", load_balancer_arn=alb.arn, port=80, default_actions=_redirect())
        actions = _redirect() if action == "redirect" else [{"type": "forward", "target_group_arn": "arn:tg"}]
        aws.lb.ListenerRule(
            "everything",
            listener_arn=listener.arn,
            priority=10,
            actions=actions,
            conditions=[{"path_pattern": {"values": ["/*"]}}],
        )

    return program


def _unset_protocol(default_actions):
    def program():
        alb = _alb()()
        aws.lb.Listener("http", load_balancer_arn=alb.arn, port=80, default_actions=default_actions)

    return program


def _gateway_listener():
    lb = aws.lb.LoadBalancer("inspection", load_balancer_type="gateway", subnets=["subnet-1"])
    aws.lb.Listener("geneve", load_balancer_arn=lb.arn, default_actions=[{"type": "forward", "target_group_arn": "tg"}])


def _acl_with_group(override=None, scope_down=False):
    """A web ACL whose only rate rule sits in a referenced rule group."""

    def program():
        rate = {"limit": 6000, "aggregate_key_type": "IP", "evaluation_window_sec": 60}
        if scope_down:
            rate["scope_down_statement"] = {
                "byte_match_statement": {
                    "field_to_match": {"uri_path": {}},
                    "positional_constraint": "STARTS_WITH",
                    "search_string": "/login",
                    "text_transformations": [{"priority": 0, "type": "NONE"}],
                }
            }
        group = aws.wafv2.RuleGroup(
            "rate-limits",
            capacity=10,
            scope="REGIONAL",
            rules=[_rule("rate", 1, {"rate_based_statement": rate})],
            visibility_config={
                "cloudwatch_metrics_enabled": True,
                "metric_name": "g",
                "sampled_requests_enabled": True,
            },
        )
        reference = {"rule_group_reference_statement": {"arn": group.arn}}
        rules = [_rule("limits", 0, reference, override=override or {"none": {}})]
        rules += [_rule(m, 10 + i, _managed(m), override={"none": {}}) for i, m in enumerate(MANAGED)]
        aws.wafv2.WebAcl(
            "waf",
            scope="REGIONAL",
            default_action={"allow": {}},
            rules=rules,
            visibility_config={
                "cloudwatch_metrics_enabled": True,
                "metric_name": "waf",
                "sampled_requests_enabled": True,
            },
        )

    return program


def _acl_scoped_rate(negated: bool = False):
    """A rate rule scoped down to one path (narrowed), or to every request but those whose
    X-Forwarded-For holds a comma (NOT: only exempts forged chains)."""
    match = {
        "field_to_match": {"single_header": {"name": "x-forwarded-for"}} if negated else {"uri_path": {}},
        "positional_constraint": "CONTAINS" if negated else "EXACTLY",
        "search_string": "," if negated else "/no-such-path",
        "text_transformations": [{"priority": 0, "type": "NONE"}],
    }
    scope_down = (
        {"not_statement": {"statement": {"byte_match_statement": match}}}
        if negated
        else {"byte_match_statement": match}
    )
    rate = {"limit": 6000, "aggregate_key_type": "IP", "evaluation_window_sec": 60, "scope_down_statement": scope_down}
    rules = [_rule("login-rate", 1, {"rate_based_statement": rate})]
    return aws.wafv2.WebAcl(
        "waf",
        scope="REGIONAL",
        default_action={"allow": {}},
        rules=rules,
        visibility_config={"cloudwatch_metrics_enabled": True, "metric_name": "waf", "sampled_requests_enabled": True},
    )


MANAGED = ("AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet")
S3_ORIGIN = "docs.s3.eu-west-1.amazonaws.com"

CASES = [
    Case(
        "lb-listener-http-redirects-to-https",
        _http_listener_with_rule("forward"),
        _http_listener_with_rule("redirect"),
        "listener rule 'everything'",
    ),
    Case(
        "lb-listener-http-redirects-to-https",
        _unset_protocol([{"type": "forward", "target_group_arn": "arn:tg"}]),
        _unset_protocol(_redirect()),
        "instead of redirecting",
    ),
    Case(
        "lb-listener-tls-policy",
        _listener(ssl_policy="ELBSecurityPolicy-TLS13-1-1-2021-06"),
        _listener(ssl_policy="ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09"),
        "allows TLS below 1.2",
    ),
    Case(
        "lb-listener-tls-policy",
        _listener(ssl_policy="ELBSecurityPolicy-Custom-Unknown"),
        _listener(ssl_policy="ELBSecurityPolicy-TLS13-1-3-FIPS-PQ-2025-09"),
        "is not one of the allowed",
    ),
    Case(
        "lb-listener-tls-policy",
        _listener(protocol=None, ssl_policy=None),
        _listener(protocol=None),
        "ELBSecurityPolicy-2016-08",
    ),
    Case(
        "lb-targetgroup-health-check",
        lambda: aws.lb.TargetGroup("blue", port=8080, protocol="HTTP", vpc_id="vpc-1"),
        _target_group(),
        "AWS's default checks on path '/' every 30 s",
    ),
    Case("lb-targetgroup-health-check", _target_group(enabled=False), _target_group(), "disabled"),
    Case(
        "lb-loadbalancer-access-logs",
        _alb(access_logs=None),
        lambda: aws.lb.LoadBalancer("inspection", load_balancer_type="gateway", subnets=["subnet-1"]),
        "access logs",
    ),
    Case(
        "lb-listener-http-redirects-to-https",
        _unset_protocol([{"type": "forward", "target_group_arn": "arn:tg"}]),
        _gateway_listener,
        "instead of redirecting",
    ),
    Case(
        "wafv2-webacl-managed-rules",
        _managed_counting,
        lambda: _acl(),
        "AWSManagedRulesCommonRuleSet",
    ),
    Case("wafv2-webacl-rate-limit", _acl_with_group(override={"count": {}}), _acl_with_group(), "no blocking"),
    Case("wafv2-webacl-rate-limit", _acl_with_group(scope_down=True), _acl_with_group(), "no blocking"),
    Case("wafv2-webacl-rate-limit", _acl_scoped_rate, lambda: _acl_scoped_rate(negated=True), "every request"),
    Case(
        "cloudfront-distribution-s3-origin-access-control",
        lambda: _distribution(
            origins=[{"origin_id": "s3", "domain_name": S3_ORIGIN}], behavior={"target_origin_id": "s3"}
        ),
        lambda: _distribution(
            origins=[
                {
                    "origin_id": "s3",
                    "domain_name": S3_ORIGIN,
                    "s3_origin_config": {"origin_access_identity": "origin-access-identity/cloudfront/E1"},
                }
            ],
            behavior={"target_origin_id": "s3"},
        ),
        "neither an origin access control",
    ),
    Case(
        "cloudfront-distribution-tls-version",
        lambda: _distribution(
            certificate={
                "acm_certificate_arn": CERT,
                "ssl_support_method": "sni-only",
                "minimum_protocol_version": "TLSv9",
            }
        ),
        lambda: _distribution(),
        "is not one of the allowed",
    ),
    Case(
        "lb-loadbalancer-drop-invalid-headers",
        _alb(drop_invalid_header_fields=False),
        _alb(),
        "dropInvalidHeaderFields",
    ),
    Case("lb-loadbalancer-access-logs", _alb(access_logs={"bucket": "logs", "enabled": False}), _alb(), "access logs"),
    Case("lb-loadbalancer-waf-attached", _with_waf(False), _with_waf(True), "no WAF"),
    Case(
        "lb-listener-http-redirects-to-https",
        _listener(protocol="HTTP", port=80, ssl_policy=None, certificate_arn=None),
        _listener(protocol="HTTP", port=80, ssl_policy=None, certificate_arn=None, default_actions=_redirect()),
        "instead of redirecting",
    ),
    Case(
        "lb-listener-tls-policy",
        _listener(ssl_policy="ELBSecurityPolicy-2016-08"),
        _listener(),
        "ELBSecurityPolicy-2016-08",
    ),
    Case(
        "lb-listener-tls-policy",
        _listener(ssl_policy=None),
        _listener(ssl_policy="ELBSecurityPolicy-TLS13-1-3-2021-06"),
        "unset",
    ),
    Case("lb-targetgroup-health-check", _target_group(interval=30), _target_group(), "every 30 s"),
    Case("lb-targetgroup-health-check", _target_group(path=None), _target_group(), "no path"),
    Case("wafv2-webacl-rate-limit", lambda: _acl(limit=60000, window=60), lambda: _acl(), "1000 requests/second"),
    Case(
        "wafv2-webacl-rate-limit",
        lambda: _acl(action={"count": {}}),
        lambda: _acl(action={"block": {}}),
        "no blocking rate-based rule",
    ),
    Case(
        "wafv2-webacl-managed-rules",
        lambda: _acl(managed=("AWSManagedRulesCommonRuleSet",)),
        lambda: _acl(),
        "AWSManagedRulesKnownBadInputsRuleSet",
    ),
    Case("wafv2-webacl-metrics", lambda: _acl(metrics=False), lambda: _acl(), "cloudwatch_metrics_enabled"),
    Case("wafv2-webacl-logging", _waf_logging(False), _waf_logging(True), "no logging configuration"),
    Case(
        "cloudfront-distribution-viewer-https",
        lambda: _distribution({"viewer_protocol_policy": "allow-all"}),
        lambda: _distribution(),
        "allow-all",
    ),
    Case(
        "cloudfront-distribution-tls-version",
        lambda: _distribution(certificate={"cloudfront_default_certificate": True}),
        lambda: _distribution(),
        "cloudfront.net certificate",
    ),
    Case(
        "cloudfront-distribution-tls-version",
        lambda: _distribution(
            certificate={
                "acm_certificate_arn": CERT,
                "ssl_support_method": "sni-only",
                "minimum_protocol_version": "TLSv1.1_2016",
            }
        ),
        lambda: _distribution(),
        "TLSv1.1_2016",
    ),
    Case(
        "cloudfront-distribution-origin-https",
        lambda: _distribution(
            origins=[
                {
                    "origin_id": "alb",
                    "domain_name": "o.example.com",
                    "custom_origin_config": {
                        "http_port": 80,
                        "https_port": 443,
                        "origin_protocol_policy": "match-viewer",
                        "origin_ssl_protocols": ["TLSv1", "TLSv1.2"],
                    },
                }
            ]
        ),
        lambda: _distribution(),
        "TLSv1",
    ),
    Case(
        "cloudfront-distribution-s3-origin-access-control",
        lambda: _distribution(
            origins=[{"origin_id": "s3", "domain_name": "docs.s3.eu-west-1.amazonaws.com"}],
            behavior={"target_origin_id": "s3"},
        ),
        lambda: _distribution(
            origins=[
                {
                    "origin_id": "s3",
                    "domain_name": "docs.s3.eu-west-1.amazonaws.com",
                    "origin_access_control_id": "oac-1",
                }
            ],
            behavior={"target_origin_id": "s3"},
        ),
        "neither an origin access control",
    ),
    Case(
        "cloudfront-distribution-response-headers",
        lambda: _distribution({"response_headers_policy_id": None}),
        lambda: _distribution(),
        "no response headers policy",
    ),
    Case(
        "cloudfront-responseheaderspolicy-cors-known-origins",
        lambda: aws.cloudfront.ResponseHeadersPolicy(
            "cors",
            cors_config={
                "access_control_allow_credentials": False,
                "access_control_allow_headers": {"items": ["*"]},
                "access_control_allow_methods": {"items": ["GET"]},
                "access_control_allow_origins": {"items": ["*"]},
                "origin_override": True,
            },
        ),
        lambda: aws.cloudfront.ResponseHeadersPolicy(
            "cors",
            cors_config={
                "access_control_allow_credentials": False,
                "access_control_allow_headers": {"items": ["*"]},
                "access_control_allow_methods": {"items": ["GET"]},
                "access_control_allow_origins": {"items": ["https://erp.example.com"]},
                "origin_override": True,
            },
        ),
        "'*'",
    ),
    Case(
        "cloudfront-distribution-access-logging",
        lambda: _distribution(),
        lambda: _distribution(logging_config={"bucket": "logs.s3.amazonaws.com"}),
        "no access logging",
    ),
    Case("cloudfront-distribution-waf-attached", _cdn_waf(None), _cdn_waf("CLOUDFRONT"), "no WAF"),
    Case(
        "cloudfront-distribution-waf-attached", _cdn_waf("REGIONAL"), _cdn_waf("CLOUDFRONT"), "scope is not CLOUDFRONT"
    ),
    Case(
        "acm-certificate-auto-renewal",
        lambda: aws.acm.Certificate("c", domain_name="erp.example.com", validation_method="EMAIL"),
        lambda: aws.acm.Certificate("c", domain_name="erp.example.com", validation_method="DNS"),
        "EMAIL",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_policy_flags_violation_and_passes_compliant(pack, case):
    assert_case(pack, case)


def test_internal_load_balancers_need_no_waf(pack):
    assert pack.violations("lb-loadbalancer-waf-attached", _alb(internal=True)) == []


def test_old_alb_module_tokens_are_checked_too(pack):
    # `aws.alb.LoadBalancer` registers as aws:alb/loadBalancer:LoadBalancer.
    program = lambda: aws.alb.LoadBalancer("web", subnets=["subnet-1"], drop_invalid_header_fields=False)  # noqa: E731
    assert pack.violations("lb-loadbalancer-drop-invalid-headers", program)


def test_listener_tls_policy_list_is_configurable(pack):
    config = {"lb-listener-tls-policy": {"allowedPolicies": ["ELBSecurityPolicy-TLS13-1-3-2021-06"]}}
    assert pack.violations("lb-listener-tls-policy", _listener(), config)


def test_a_listener_rule_unknown_in_preview_leaves_the_other_listeners_judged(pack):
    def program():
        vpc = aws.ec2.Vpc("vpc", cidr_block="10.0.0.0/16")  # dhcpOptionsId is unknown in preview
        alb = _alb()()
        listener = aws.lb.Listener("http", load_balancer_arn=alb.arn, port=80, default_actions=_redirect())
        aws.lb.ListenerRule(
            "later",
            listener_arn=listener.arn,
            priority=10,
            actions=vpc.dhcp_options_id.apply(lambda tg: [{"type": "forward", "target_group_arn": tg}]),
            conditions=[{"path_pattern": {"values": ["/*"]}}],
        )
        aws.lb.Listener(
            "plain",
            load_balancer_arn=alb.arn,
            port=8080,
            default_actions=[{"type": "forward", "target_group_arn": "t"}],
        )

    found = [d.message for d in pack.check(program) if d.policy_name == "lb-listener-http-redirects-to-https"]
    assert not any("can't be known" in m for m in found)
    assert any("'plain' serves traffic" in m for m in found) and not any("'later'" in m for m in found)
