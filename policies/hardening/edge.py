"""Edge policies: load balancers, listeners, target groups, WAF, CloudFront, certificates."""

from __future__ import annotations

import re

from . import _types as t
from ._helpers import UNKNOWN, find_keys, flag, get, items, json_document, known, number, strings, text
from ._policy import ADVISORY, HIGH, LOW, MEDIUM, Stack, resource_policy, stack_policy

# Application/Network Load Balancer policies that negotiate TLS 1.2 or newer only (AWS "Security
# policies for your Application Load Balancer", including the 2025-09 hybrid post-quantum ones);
# the ELBSecurityPolicy-2016-08 default (API, CloudFormation, Pulumi) allows TLS 1.0.
TLS12_LISTENER_POLICIES = [
    "ELBSecurityPolicy-TLS13-1-2-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-Ext1-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-Ext2-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-3-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-FIPS-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-Res-FIPS-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-Ext0-FIPS-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-Ext1-FIPS-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-Ext2-FIPS-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-3-FIPS-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-Ext1-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-Ext2-2021-06",
    "ELBSecurityPolicy-TLS13-1-3-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-2-Res-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-2-Ext0-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-2-Ext1-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-2-Ext2-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-3-FIPS-2023-04",
    "ELBSecurityPolicy-TLS-1-2-2017-01",
    "ELBSecurityPolicy-TLS-1-2-Ext-2018-06",
    "ELBSecurityPolicy-FS-1-2-2019-08",
    "ELBSecurityPolicy-FS-1-2-Res-2019-08",
    "ELBSecurityPolicy-FS-1-2-Res-2020-10",
]
# Policies known to accept TLS 1.0 or 1.1: the legacy ones, and the TLS13-1-0/1-1 families.
_BELOW_TLS12_POLICY = re.compile(
    r"^ELBSecurityPolicy-(2015-05|2016-08|FS-2018-06|FS-1-1-2019-08|TLS-1-[01]-\d{4}-\d\d|TLS13-1-[01]-.*)$"
)
# CloudFront viewer security policies with TLS 1.2 as the floor.
TLS12_VIEWER_POLICIES = ["TLSv1.2_2018", "TLSv1.2_2019", "TLSv1.2_2021", "TLSv1.2_2025", "TLSv1.3_2025"]
_BELOW_TLS12_VIEWER = {"SSLv3", "TLSv1", "TLSv1_2016", "TLSv1.1_2016"}
_WEAK_ORIGIN_PROTOCOLS = {"SSLv3", "TLSv1", "TLSv1.1"}
_S3_ORIGIN = re.compile(r"\.s3[.-]([a-z0-9-]+\.)?amazonaws\.com$")


def _is_application(lb) -> bool:
    return text(get(lb.props, "loadBalancerType")) in ("", "application")


def _is_gateway(lb) -> bool:
    return text(get(lb.props, "loadBalancerType")) == "gateway"


def _is_internet_facing(lb) -> bool:
    return not flag(get(lb.props, "internal"))


# ---- load balancers --------------------------------------------------------------------------


def _drop_invalid_headers(args, _cfg):
    if _is_application(args) and not flag(get(args.props, "dropInvalidHeaderFields")):
        yield "dropInvalidHeaderFields is not true: malformed HTTP headers reach the application"


def _access_logs(args, _cfg):
    if _is_gateway(args):
        return  # Gateway Load Balancers have no access logs (AWS: GWLB monitoring)
    logs = get(args.props, "accessLogs")
    if not (flag(get(logs, "enabled")) and get(logs, "bucket")):
        yield "access logs are not enabled (access_logs.enabled with a bucket)"


def _protocol(listener, lb) -> str:
    """The listener's protocol; unset means HTTP on an Application Load Balancer (the provider's
    default), HTTPS when it carries a certificate."""
    protocol = text(known(get, listener.props, "protocol")).upper()
    if protocol:
        return protocol
    if lb is not None and not _is_application(lb):
        return ""
    return "HTTPS" if known(get, listener.props, "certificateArn") else "HTTP"


def _redirects_to_https(actions) -> bool:
    return all(
        text(get(a, "type")) == "fixed-response"
        or (text(get(a, "type")) == "redirect" and text(get(a, "redirect", "protocol")).upper() == "HTTPS")
        for a in items(actions)
    )


def _http_redirects(stack: Stack, _cfg):
    for listener in stack.of(t.LISTENER):
        lb = next(iter(stack.referenced(listener, t.LOAD_BALANCER, "loadBalancerArn")), None)
        if _protocol(listener, lb) != "HTTP":
            continue
        if not known(lambda li=listener: _redirects_to_https(get(li.props, "defaultActions")), default=True):
            yield f"HTTP listener '{listener.name}' serves traffic instead of redirecting it to HTTPS", listener.urn
        # Rules on the listener take precedence over its default action.
        for rule in stack.referrers(t.LISTENER_RULE, listener, "listenerArn"):
            if not known(lambda r=rule: _redirects_to_https(get(r.props, "actions")), default=True):
                yield (
                    f"listener rule '{rule.name}' on HTTP listener '{listener.name}' serves traffic over plain HTTP",
                    rule.urn,
                )


def _listener_tls(args, cfg):
    protocol = text(get(args.props, "protocol")).upper() or ("HTTPS" if get(args.props, "certificateArn") else "")
    if protocol not in ("HTTPS", "TLS"):
        return
    policy = text(get(args.props, "sslPolicy"))
    if policy in cfg["allowedPolicies"]:
        return
    if not policy:
        yield "sslPolicy is unset: AWS applies ELBSecurityPolicy-2016-08, which allows TLS 1.0 and 1.1"
    elif _BELOW_TLS12_POLICY.match(policy):
        yield f"sslPolicy {policy} allows TLS below 1.2"
    else:
        yield f"sslPolicy {policy} is not one of the allowed TLS 1.2+ policies"


def _health_check(args, cfg):
    if text(get(args.props, "targetType")) == "lambda":
        return
    check = get(args.props, "healthCheck")
    if check is not None and not flag(get(check, "enabled"), default=True):
        yield "health checks are disabled (health_check.enabled is false)"
        return
    if check is None:
        # AWS then checks every 30 s, on path '/' for HTTP(S) targets.
        protocol = text(get(args.props, "protocol")).upper()
        where = " on path '/'" if protocol in ("HTTP", "HTTPS", "") else ""
        yield f"no health_check: AWS's default checks{where} every 30 s; point it at /health every 10 s"
        return
    protocol = text(get(check, "protocol") or get(args.props, "protocol")).upper()
    if protocol in ("HTTP", "HTTPS", "") and not text(get(check, "path")):
        yield "the health check has no path (point it at the application's /health endpoint)"
    interval = number(get(check, "interval"))
    # AWS defaults to 30 s when interval is unset.
    if (interval or 30) > cfg["maxIntervalSeconds"]:
        yield f"the health check runs every {int(interval or 30)} s; at most {cfg['maxIntervalSeconds']} s is allowed"


def _lb_waf(stack: Stack, _cfg):
    for lb in stack.of(t.LOAD_BALANCER):
        protected = stack.referrers(t.WEB_ACL_ASSOCIATION, lb, "resourceArn")
        if _is_application(lb) and _is_internet_facing(lb) and not protected:
            yield f"internet-facing load balancer '{lb.name}' has no WAF web ACL association", lb.urn


# ---- WAF -------------------------------------------------------------------------------------


def _waf_rules(props) -> list:
    rules = items(get(props, "rules"))
    document = json_document(get(props, "ruleJson"))
    return rules + items(document)


def _blocks(rule) -> bool:
    action = get(rule, "action") or get(rule, "Action")
    return any(find_keys(action, kind) for kind in ("block", "captcha", "challenge"))


def _counts_only(rule) -> bool:
    """A rule group (managed or referenced) whose override_action is count only counts matches."""
    override = get(rule, "overrideAction") or get(rule, "OverrideAction")
    return bool(find_keys(override, "count"))


def _narrowed(scope_down) -> bool:
    """Whether a scope-down statement confines the limit to a subset of requests (a path, a header
    value, a country): positive statements do, and may match next to nothing; a NOT statement
    only exempts the requests it names (forged X-Forwarded-For chains, health checks)."""
    return bool(scope_down) and get(scope_down, "notStatement") is None and get(scope_down, "NotStatement") is None


def _per_ip_rates(rules) -> list[float]:
    """Requests/second each blocking rate rule allows a client IP; a rule scoped down to a subset
    of requests is not a limit on every request."""
    rates = []
    for rule in rules:
        for statement in find_keys(get(rule, "statement") or get(rule, "Statement"), "rateBasedStatement"):
            key = text(get(statement, "aggregateKeyType") or get(statement, "AggregateKeyType") or "IP")
            limit = number(get(statement, "limit") or get(statement, "Limit"))
            window = number(get(statement, "evaluationWindowSec") or get(statement, "EvaluationWindowSec")) or 300
            scoped = get(statement, "scopeDownStatement") or get(statement, "ScopeDownStatement")
            if key in ("IP", "FORWARDED_IP") and limit is not None and not _narrowed(scoped) and _blocks(rule):
                rates.append(limit / window)
    return rates


def _acl_rates(stack: Stack, acl, rules) -> list[float]:
    rates = _per_ip_rates(rules)
    # Rate rules inside a referenced rule group apply with that group's own actions.
    for rule in rules:
        if _counts_only(rule):
            continue
        for reference in find_keys(get(rule, "statement"), "ruleGroupReferenceStatement"):
            arn = known(get, reference, "arn")
            groups = stack.identified(arn, t.WAF_RULE_GROUP) or stack.referenced(acl, t.WAF_RULE_GROUP, "rules")
            for group in groups:
                rates += known(lambda g=group: _per_ip_rates(_waf_rules(g.props)), default=[])
    return rates


def _rate_limit(stack: Stack, cfg):
    ceiling = cfg["maxRequestsPerSecond"]
    for acl in stack.of(t.WEB_ACL):
        rates = known(lambda a=acl: _acl_rates(stack, a, _waf_rules(a.props)), default=None)
        if rates is None:
            continue  # decided once the ACL's rules are known
        if not rates:
            yield f"web ACL '{acl.name}': no blocking rate-based rule limits every request per client IP", acl.urn
        elif min(rates) > ceiling:
            yield (
                f"web ACL '{acl.name}': the per-IP rate limit allows {min(rates):.0f} requests/second; at most "
                f"{ceiling} is allowed",
                acl.urn,
            )


def _managed_rules(args, cfg):
    present = {
        text(get(s, "name") or get(s, "Name"))
        for rule in _waf_rules(args.props)
        if not _counts_only(rule)
        for s in find_keys(rule, "managedRuleGroupStatement")
    }
    missing = [name for name in cfg["requiredRuleGroups"] if name not in present]
    if missing:
        yield f"missing AWS managed rule groups (or only counting, override_action count): {', '.join(missing)}"


def _waf_metrics(args, _cfg):
    if not flag(get(args.props, "visibilityConfig", "cloudwatchMetricsEnabled")):
        yield "visibility_config.cloudwatch_metrics_enabled is not true"


def _waf_logging(stack: Stack, _cfg):
    for acl in stack.of(t.WEB_ACL):
        if not stack.referrers(t.WEB_ACL_LOGGING, acl, "resourceArn"):
            yield f"web ACL '{acl.name}' has no logging configuration", acl.urn


# ---- CloudFront ------------------------------------------------------------------------------


def _behaviors(args) -> list:
    return [get(args.props, "defaultCacheBehavior"), *items(get(args.props, "orderedCacheBehaviors"))]


def _viewer_https(args, _cfg):
    for behavior in _behaviors(args):
        policy = text(get(behavior, "viewerProtocolPolicy"))
        if policy not in ("redirect-to-https", "https-only"):
            path = text(get(behavior, "pathPattern")) or "default"
            yield f"cache behaviour '{path}' has viewerProtocolPolicy '{policy}'"


def _viewer_tls(args, cfg):
    certificate = get(args.props, "viewerCertificate")
    if flag(get(certificate, "cloudfrontDefaultCertificate")):
        yield "the distribution uses the *.cloudfront.net certificate, which allows TLS 1.0"
        return
    version = text(get(certificate, "minimumProtocolVersion"))
    if version in cfg["allowedProtocolVersions"]:
        return
    if not version or version in _BELOW_TLS12_VIEWER:
        yield f"minimumProtocolVersion {version or '(unset: TLSv1)'} allows TLS below 1.2"
    else:
        yield f"minimumProtocolVersion {version} is not one of the allowed TLS 1.2+ policies"


def _origin_https(args, _cfg):
    for origin in items(get(args.props, "origins")):
        custom = get(origin, "customOriginConfig")
        if custom is None:
            continue
        origin_id = text(get(origin, "originId"))
        if text(get(custom, "originProtocolPolicy")) != "https-only":
            yield f"origin '{origin_id}' is fetched over {text(get(custom, 'originProtocolPolicy'))}, not https-only"
        weak = sorted(_WEAK_ORIGIN_PROTOCOLS & set(strings(get(custom, "originSslProtocols"))))
        if weak:
            yield f"origin '{origin_id}' allows {', '.join(weak)}"


def _s3_origin_access(args, _cfg):
    for origin in items(get(args.props, "origins")):
        # The legacy origin access identity also keeps the bucket private (AWS recommends OAC).
        private = get(origin, "originAccessControlId") or get(origin, "s3OriginConfig", "originAccessIdentity")
        if _S3_ORIGIN.search(text(get(origin, "domainName"))) and not private:
            yield f"S3 origin '{text(get(origin, 'originId'))}' has neither an origin access control nor an identity"


def _response_headers(args, _cfg):
    for behavior in _behaviors(args):
        if not get(behavior, "responseHeadersPolicyId"):
            yield f"cache behaviour '{text(get(behavior, 'pathPattern')) or 'default'}' has no response headers policy"


def _cors_origins(args, _cfg):
    cors = get(args.props, "corsConfig")
    if cors is None:
        return
    origins = strings(get(cors, "accessControlAllowOrigins", "items"))
    if "*" in origins or any(o.startswith("http://") for o in origins):
        yield f"CORS allows origins {origins}; list the application's https:// origins only"


def _distribution_logging(stack: Stack, _cfg):
    for dist in stack.of(t.DISTRIBUTION):
        legacy = known(get, dist.props, "loggingConfig", "bucket", default=UNKNOWN)
        if not legacy and not stack.referrers(t.LOG_DELIVERY_SOURCE, dist, "resourceArn"):
            yield f"distribution '{dist.name}' has no access logging", dist.urn


def _distribution_waf(stack: Stack, _cfg):
    for dist in stack.of(t.DISTRIBUTION):
        acl_ref = known(get, dist.props, "webAclId", default=UNKNOWN)
        if not acl_ref:
            yield f"distribution '{dist.name}' has no WAF web ACL (web_acl_id)", dist.urn
            continue
        acls = stack.referenced(dist, t.WEB_ACL, "webAclId") or stack.identified(text(acl_ref), t.WEB_ACL)
        for acl in acls:
            if text(get(acl.props, "scope")) != "CLOUDFRONT":
                yield f"distribution '{dist.name}' uses web ACL '{acl.name}', whose scope is not CLOUDFRONT", dist.urn


def _certificate_renewal(args, _cfg):
    if get(args.props, "privateKey"):
        yield "the certificate is imported: ACM cannot renew it (request it with validation_method='DNS')"
        return
    method = text(get(args.props, "validationMethod"))
    if method not in ("DNS", "") and not get(args.props, "certificateAuthorityArn"):
        yield f"validationMethod is {method}; DNS validation renews automatically"


_HTTP_POLICY = {"type": "array", "items": {"type": "string"}}

POLICIES = [
    resource_policy(
        "lb-loadbalancer-drop-invalid-headers",
        types=t.LOAD_BALANCER,
        description="Application Load Balancers drop HTTP headers with invalid fields (request smuggling defence).",
        severity=MEDIUM,
        checklist=("NET-8",),
        remediation="Set drop_invalid_header_fields=True on the load balancer.",
        check=_drop_invalid_headers,
    ),
    resource_policy(
        "lb-loadbalancer-access-logs",
        types=t.LOAD_BALANCER,
        description="Application and Network Load Balancers write access logs to S3 (Gateway Load Balancers "
        "have none).",
        severity=MEDIUM,
        checklist=("OBS-2",),
        remediation="Set access_logs={'bucket': <log bucket>, 'enabled': True} (the bucket must use SSE-S3 and "
        "allow the ELB log delivery service).",
        check=_access_logs,
    ),
    stack_policy(
        "lb-loadbalancer-waf-attached",
        description="Every internet-facing Application Load Balancer is protected by a WAF web ACL.",
        severity=HIGH,
        checklist=("NET-1",),
        remediation="Add aws.wafv2.WebAclAssociation(resource_arn=alb.arn, web_acl_arn=<REGIONAL web ACL>.arn).",
        check=_lb_waf,
    ),
    stack_policy(
        "lb-listener-http-redirects-to-https",
        description="Plain-HTTP listeners (protocol HTTP, or unset on an Application Load Balancer) only redirect "
        "to HTTPS, by their default action and every listener rule.",
        severity=HIGH,
        checklist=("NET-8",),
        remediation="Make the HTTP listener's only default action "
        "{'type': 'redirect', 'redirect': {'protocol': 'HTTPS', 'port': '443', 'status_code': 'HTTP_301'}}, and "
        "attach forwarding aws.lb.ListenerRule resources to the HTTPS listener only.",
        check=_http_redirects,
    ),
    resource_policy(
        "lb-listener-tls-policy",
        types=t.LISTENER,
        description="HTTPS/TLS listeners use a security policy that negotiates TLS 1.2 or newer only.",
        severity=HIGH,
        checklist=("NET-8",),
        remediation="Set ssl_policy='ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09' (or another allowed policy).",
        check=_listener_tls,
        config={"allowedPolicies": {**_HTTP_POLICY, "default": TLS12_LISTENER_POLICIES}},
    ),
    resource_policy(
        "lb-targetgroup-health-check",
        types=t.TARGET_GROUP,
        description="Target groups health-check an application endpoint often enough to take failed targets "
        "out of rotation quickly.",
        severity=MEDIUM,
        checklist=("DEP-2", "HOST-6"),
        remediation="Set health_check={'enabled': True, 'path': '/health', 'interval': 10, 'matcher': '200'}.",
        check=_health_check,
        config={"maxIntervalSeconds": {"type": "integer", "minimum": 5, "default": 10}},
    ),
    stack_policy(
        "wafv2-webacl-rate-limit",
        description="Web ACLs block clients that exceed the per-IP request rate, with a rate rule of their own or "
        "in a referenced aws.wafv2.RuleGroup, over every request (a scope-down statement may only exempt "
        "requests, with a NOT statement; one that narrows the limit to a path or header value does not count).",
        severity=HIGH,
        checklist=("NET-2",),
        remediation="Add a rule with action block and statement.rate_based_statement "
        "{'aggregate_key_type': 'IP', 'limit': 100 * evaluation_window_sec, 'evaluation_window_sec': 60}.",
        check=_rate_limit,
        config={"maxRequestsPerSecond": {"type": "number", "exclusiveMinimum": 0, "default": 100}},
    ),
    resource_policy(
        "wafv2-webacl-managed-rules",
        types=t.WEB_ACL,
        description="Web ACLs include AWS managed rule groups for common exploits and known bad inputs, enforcing "
        "(override_action none), not just counting.",
        severity=HIGH,
        checklist=("NET-1",),
        remediation="Add rules with statement.managed_rule_group_statement {'vendor_name': 'AWS', 'name': ...} "
        "and override_action {'none': {}}.",
        check=_managed_rules,
        config={
            "requiredRuleGroups": {
                **_HTTP_POLICY,
                "default": ["AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet"],
            }
        },
    ),
    resource_policy(
        "wafv2-webacl-metrics",
        types=t.WEB_ACL,
        description="Web ACLs publish CloudWatch metrics so blocked traffic can be alarmed on.",
        severity=LOW,
        checklist=("OBS-1",),
        remediation="Set visibility_config.cloudwatch_metrics_enabled=True.",
        check=_waf_metrics,
        enforcement=ADVISORY,
    ),
    stack_policy(
        "wafv2-webacl-logging",
        description="Every web ACL logs its requests.",
        severity=MEDIUM,
        checklist=("OBS-2",),
        remediation="Add aws.wafv2.WebAclLoggingConfiguration(resource_arn=acl.arn, log_destination_configs="
        "[<log group ARN named aws-waf-logs-…>]).",
        check=_waf_logging,
    ),
    resource_policy(
        "cloudfront-distribution-viewer-https",
        types=t.DISTRIBUTION,
        description="Viewers reach CloudFront over HTTPS only.",
        severity=HIGH,
        checklist=("NET-8",),
        remediation="Set viewer_protocol_policy='redirect-to-https' on every cache behaviour.",
        check=_viewer_https,
    ),
    resource_policy(
        "cloudfront-distribution-tls-version",
        types=t.DISTRIBUTION,
        description="Distributions use a custom certificate with TLS 1.2 as the minimum viewer protocol.",
        severity=HIGH,
        checklist=("NET-8",),
        remediation="Set viewer_certificate={'acm_certificate_arn': <us-east-1 cert>, 'ssl_support_method': "
        "'sni-only', 'minimum_protocol_version': 'TLSv1.2_2021'}.",
        check=_viewer_tls,
        config={"allowedProtocolVersions": {**_HTTP_POLICY, "default": TLS12_VIEWER_POLICIES}},
    ),
    resource_policy(
        "cloudfront-distribution-origin-https",
        types=t.DISTRIBUTION,
        description="CloudFront fetches from custom origins over HTTPS with TLS 1.2.",
        severity=HIGH,
        checklist=("NET-8",),
        remediation="Set custom_origin_config.origin_protocol_policy='https-only' and "
        "origin_ssl_protocols=['TLSv1.2'].",
        check=_origin_https,
    ),
    resource_policy(
        "cloudfront-distribution-s3-origin-access-control",
        types=t.DISTRIBUTION,
        description="S3 origins are read through an origin access control (or the legacy origin access "
        "identity), so the bucket stays private.",
        severity=HIGH,
        checklist=("DB-9",),
        remediation="Create aws.cloudfront.OriginAccessControl(signing_behavior='always', signing_protocol='sigv4', "
        "origin_access_control_origin_type='s3') and set origin_access_control_id on the origin.",
        check=_s3_origin_access,
    ),
    resource_policy(
        "cloudfront-distribution-response-headers",
        types=t.DISTRIBUTION,
        description="Every cache behaviour applies a response headers policy (CORS and security headers).",
        severity=MEDIUM,
        checklist=("NET-4",),
        remediation="Set response_headers_policy_id on every cache behaviour.",
        check=_response_headers,
    ),
    resource_policy(
        "cloudfront-responseheaderspolicy-cors-known-origins",
        types=t.RESPONSE_HEADERS_POLICY,
        description="CORS allows only the application's own HTTPS origins, never '*'.",
        severity=MEDIUM,
        checklist=("NET-4",),
        remediation="List the exact origins in cors_config.access_control_allow_origins.items.",
        check=_cors_origins,
    ),
    stack_policy(
        "cloudfront-distribution-access-logging",
        description="Every distribution logs requests (standard logging to S3 or CloudWatch log delivery).",
        severity=MEDIUM,
        checklist=("OBS-2",),
        remediation="Set logging_config={'bucket': <log bucket domain name>} or add an "
        "aws.cloudwatch.LogDeliverySource(log_type='ACCESS_LOGS', resource_arn=distribution.arn).",
        check=_distribution_logging,
    ),
    stack_policy(
        "cloudfront-distribution-waf-attached",
        description="Every distribution is protected by a WAF web ACL of CLOUDFRONT scope.",
        severity=HIGH,
        checklist=("NET-1", "NET-3"),
        remediation="Create an aws.wafv2.WebAcl(scope='CLOUDFRONT', default_action={'allow': {}}, rules=[...], "
        "visibility_config={...}) with a us-east-1 provider and set web_acl_id=acl.arn on the distribution.",
        check=_distribution_waf,
    ),
    resource_policy(
        "acm-certificate-auto-renewal",
        types=t.CERTIFICATE,
        description="Certificates are ACM-issued with DNS validation, so they renew before expiring.",
        severity=MEDIUM,
        checklist=("NET-8",),
        remediation="Request the certificate with validation_method='DNS' and keep the validation records.",
        check=_certificate_renewal,
    ),
]
