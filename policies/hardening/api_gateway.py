"""API Gateway policies (REST APIs, v1; HTTP and WebSocket APIs, v2): access logs, throttling, WAF,
TLS on custom domains, and authorization on every route and method.

An HTTP API made by "quick create" (`apigatewayv2.Api(target=...)`) gets a `$default` route and
stage that the program never declares, with no authorizer, logging or throttling; the Api itself
is flagged for them.
"""

from __future__ import annotations

import re

from . import _types as t
from ._helpers import get, number, text
from ._links import Pointers, by_keys, targets_of
from ._policy import CRITICAL, HIGH, MEDIUM, Stack, resource_policy, stack_policy

# Names of the REST (v1) security policies give the minimum version: TLS_1_2, SecurityPolicy_TLS13_1_2_…,
# SecurityPolicy_TLS12_… (API Gateway Developer Guide, "Choose a security policy for your custom domain").
_MIN_TLS = re.compile(r"^(?:TLS_1_(?P<legacy>\d)|SecurityPolicy_TLS1(?P<max>\d)(?:_1_(?P<min>\d))?(?:_.*)?)$")


def _quick_create(args) -> bool:
    return args.resource_type in t.APIGATEWAYV2_API and bool(get(args.props, "target"))


def _v1_access_logs(args, _cfg):
    if not get(args.props, "accessLogSettings", "destinationArn"):
        yield "access_log_settings.destination_arn is not set: requests to the stage are not logged"


def _v2_access_logs(args, _cfg):
    if _quick_create(args):
        yield "quick create (target=...) makes a $default stage without access logging; declare the stage"
    elif args.resource_type in t.APIGATEWAYV2_STAGE and not get(args.props, "accessLogSettings", "destinationArn"):
        yield "access_log_settings.destination_arn is not set: requests to the stage are not logged"


def _v2_throttling(args, _cfg):
    if _quick_create(args):
        yield "quick create (target=...) makes a $default stage without throttling; declare the stage"
        return
    if args.resource_type not in t.APIGATEWAYV2_STAGE:
        return
    settings = get(args.props, "defaultRouteSettings")
    missing = [k for k in ("throttlingRateLimit", "throttlingBurstLimit") if not number(get(settings, k))]
    if missing:
        yield f"default_route_settings does not set {' and '.join(missing)}: clients share the account limit"


def _tls_version(policy: str) -> float | None:
    match = _MIN_TLS.match(policy)
    if not match:
        return None
    if match.group("legacy"):
        return 1 + int(match.group("legacy")) / 10
    return 1 + int(match.group("min") or match.group("max")) / 10


def _v1_domain_tls(args, _cfg):
    policy = text(get(args.props, "securityPolicy"))
    version = _tls_version(policy)
    if not policy:
        yield "security_policy is not set; set it to TLS_1_2 (or a TLS 1.2+ enhanced policy) explicitly"
    elif version is None or version < 1.2:
        yield f"security_policy {policy} accepts TLS below 1.2" if version else f"{policy} is not a known policy"


def _v2_domain_tls(args, _cfg):
    policy = text(get(args.props, "domainNameConfiguration", "securityPolicy"))
    if policy != "TLS_1_2":
        yield f"domain_name_configuration.security_policy is '{policy or 'unset'}'; it must be TLS_1_2"


def _method_authorization(args, _cfg):
    # CORS preflight requests carry no credentials, so OPTIONS methods stay open.
    if text(get(args.props, "httpMethod")).upper() == "OPTIONS":
        return
    if text(get(args.props, "authorization")).upper() in ("", "NONE"):
        yield "authorization is NONE: anyone can call the method (an API key is not authorization)"


def _route_needs_authorizer(route_key: str, protocol: str) -> bool:
    if route_key.upper().startswith("OPTIONS "):
        return False
    # WebSocket APIs authorize the connection once, on $connect.
    return route_key == "$connect" if protocol == "WEBSOCKET" else True


def _route_authorization(stack: Stack, _cfg):
    declared = stack.of(t.APIGATEWAYV2_API)
    apis = by_keys(declared)
    for api in declared:
        if get(api.props, "target") and text(get(api.props, "protocolType")) != "WEBSOCKET":
            yield f"HTTP API '{api.name}' is quick-created (target=...): its $default route has no authorizer", api.urn
    for route in stack.of(t.APIGATEWAYV2_ROUTE):
        api = next(iter(targets_of(route, "apiId", apis)), None)
        protocol = text(get(api.props, "protocolType")) if api else ""
        key = text(get(route.props, "routeKey"))
        if _route_needs_authorizer(key, protocol) and text(get(route.props, "authorizationType")) in ("", "NONE"):
            yield f"route '{key}' ({route.name}) has authorization_type NONE", route.urn


def _stage_waf(stack: Stack, _cfg):
    associations = Pointers(stack, t.WEB_ACL_ASSOCIATION, "resourceArn")
    for stage in stack.of(t.APIGATEWAY_STAGE):
        if not associations.at(stage):
            yield f"REST API stage '{stage.name}' has no WAF web ACL association", stage.urn


def _throttled(settings) -> bool:
    return bool(number(get(settings, "throttlingRateLimit")) or number(get(settings, "rateLimit")))


def _stage_throttling(stack: Stack, _cfg):
    method_settings = Pointers(stack, t.APIGATEWAY_METHOD_SETTINGS, "stageName")
    usage_plans = Pointers(stack, t.APIGATEWAY_USAGE_PLAN, "apiStages")
    for stage in stack.of(t.APIGATEWAY_STAGE):
        by_method = [m for m in method_settings.at(stage) if _throttled(get(m.props, "settings"))]
        by_plan = [p for p in usage_plans.at(stage) if _throttled(get(p.props, "throttleSettings"))]
        if not by_method and not by_plan:
            yield (
                f"REST API stage '{stage.name}' has no throttling (MethodSettings or UsagePlan throttle); "
                "clients share the account-wide limit",
                stage.urn,
            )


_ACCESS_LOG_FIX = (
    "access_log_settings={'destination_arn': log_group.arn, 'format': json.dumps({'requestId': '$context.requestId', "
    "'ip': '$context.identity.sourceIp', 'status': '$context.status'})}"
)

POLICIES = [
    resource_policy(
        "apigateway-stage-access-logging",
        types=t.APIGATEWAY_STAGE,
        description="Every REST API stage writes access logs to CloudWatch Logs, so each request can be traced.",
        severity=MEDIUM,
        checklist=("API-1", "OBS-2"),
        remediation=f"Set aws.apigateway.Stage(rest_api=api.id, deployment=deployment.id, stage_name='prod', "
        f"{_ACCESS_LOG_FIX}).",
        check=_v1_access_logs,
    ),
    resource_policy(
        "apigatewayv2-stage-access-logging",
        types=t.APIGATEWAYV2_STAGE + t.APIGATEWAYV2_API,
        description="Every HTTP/WebSocket API stage writes access logs to CloudWatch Logs.",
        severity=MEDIUM,
        checklist=("API-1", "OBS-2"),
        remediation=f"Declare aws.apigatewayv2.Stage(api_id=api.id, name='$default', auto_deploy=True, "
        f"{_ACCESS_LOG_FIX}) instead of Api(target=...).",
        check=_v2_access_logs,
    ),
    stack_policy(
        "apigateway-stage-waf-attached",
        description="Every REST API stage is protected by a WAF web ACL (HTTP APIs cannot be; put CloudFront with "
        "a WAF in front of them).",
        severity=HIGH,
        checklist=("API-1", "NET-1"),
        remediation="Add aws.wafv2.WebAclAssociation(resource_arn=stage.arn, web_acl_arn=acl.arn) with a REGIONAL "
        "aws.wafv2.WebAcl.",
        check=_stage_waf,
    ),
    stack_policy(
        "apigateway-stage-throttling",
        description="Every REST API stage throttles requests, so one client cannot exhaust the account's limit.",
        severity=MEDIUM,
        checklist=("API-1", "NET-2"),
        remediation="Add aws.apigateway.MethodSettings(rest_api=api.id, stage_name=stage.stage_name, "
        "method_path='*/*', settings={'throttling_rate_limit': 100, 'throttling_burst_limit': 200}) or an "
        "aws.apigateway.UsagePlan(api_stages=[{'api_id': api.id, 'stage': stage.stage_name}], "
        "throttle_settings={'rate_limit': 100, 'burst_limit': 200}).",
        check=_stage_throttling,
    ),
    resource_policy(
        "apigatewayv2-stage-throttling",
        types=t.APIGATEWAYV2_STAGE + t.APIGATEWAYV2_API,
        description="Every HTTP/WebSocket API stage sets default route throttling.",
        severity=MEDIUM,
        checklist=("API-1", "NET-2"),
        remediation="Set aws.apigatewayv2.Stage(api_id=api.id, name='$default', default_route_settings="
        "{'throttling_rate_limit': 100, 'throttling_burst_limit': 200}).",
        check=_v2_throttling,
    ),
    resource_policy(
        "apigateway-domainname-tls12",
        types=t.APIGATEWAY_DOMAIN_NAME,
        description="REST API custom domains accept TLS 1.2 or newer only.",
        severity=HIGH,
        checklist=("API-1", "NET-8"),
        remediation="Set aws.apigateway.DomainName(domain_name=..., regional_certificate_arn=cert.arn, "
        "endpoint_configuration={'types': 'REGIONAL'}, security_policy='TLS_1_2').",
        check=_v1_domain_tls,
    ),
    resource_policy(
        "apigatewayv2-domainname-tls12",
        types=t.APIGATEWAYV2_DOMAIN_NAME,
        description="HTTP/WebSocket API custom domains accept TLS 1.2 or newer only.",
        severity=HIGH,
        checklist=("API-1", "NET-8"),
        remediation="Set aws.apigatewayv2.DomainName(domain_name=..., domain_name_configuration={'certificate_arn': "
        "cert.arn, 'endpoint_type': 'REGIONAL', 'security_policy': 'TLS_1_2'}).",
        check=_v2_domain_tls,
    ),
    resource_policy(
        "apigateway-method-authorization",
        types=t.APIGATEWAY_METHOD,
        description="Every REST API method (except CORS preflight OPTIONS) requires IAM, Cognito or a Lambda "
        "authorizer.",
        severity=CRITICAL,
        checklist=("API-2",),
        remediation="Set aws.apigateway.Method(rest_api=api.id, resource_id=resource.id, http_method='GET', "
        "authorization='AWS_IAM') or authorization='COGNITO_USER_POOLS'/'CUSTOM' with authorizer_id=authorizer.id.",
        check=_method_authorization,
    ),
    stack_policy(
        "apigatewayv2-route-authorization",
        description="Every HTTP API route (except CORS preflight OPTIONS) and every WebSocket $connect route "
        "requires IAM, JWT or a Lambda authorizer.",
        severity=CRITICAL,
        checklist=("API-2",),
        remediation="Set aws.apigatewayv2.Route(api_id=api.id, route_key='GET /items', authorization_type='JWT', "
        "authorizer_id=authorizer.id) (or 'AWS_IAM'/'CUSTOM'); declare routes instead of Api(target=...).",
        check=_route_authorization,
    ),
]
