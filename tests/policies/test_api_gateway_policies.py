"""API Gateway policies: REST (v1) and HTTP/WebSocket (v2) logging, throttling, WAF, TLS, authorization."""

from __future__ import annotations

import pulumi_aws as aws
import pytest
from conftest import Case, assert_case

LOGS = {"destination_arn": "arn:aws:logs:eu-west-1:123456789012:log-group:api", "format": "$context.requestId"}
CERT = "arn:aws:acm:eu-west-1:123456789012:certificate/1"
ACL = "arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/api/1"


def _rest_stage(*, waf: bool = False, throttle: str | None = None, **overrides):
    def program():
        api = aws.apigateway.RestApi("api")
        deployment = aws.apigateway.Deployment("api", rest_api=api.id)
        args = dict(rest_api=api.id, deployment=deployment.id, stage_name="prod", access_log_settings=LOGS)
        stage = aws.apigateway.Stage("prod", **{**args, **overrides})
        if waf:
            aws.wafv2.WebAclAssociation("prod-waf", resource_arn=stage.arn, web_acl_arn=ACL)
        if throttle == "method":
            aws.apigateway.MethodSettings(
                "prod-throttle",
                rest_api=api.id,
                stage_name=stage.stage_name,
                method_path="*/*",
                settings={"throttling_rate_limit": 100, "throttling_burst_limit": 200},
            )
        if throttle == "plan":
            aws.apigateway.UsagePlan(
                "prod-plan",
                api_stages=[{"api_id": api.id, "stage": stage.stage_name}],
                throttle_settings={"rate_limit": 100, "burst_limit": 200},
            )

    return program


def _http_stage(**overrides):
    def program():
        api = aws.apigatewayv2.Api("http", protocol_type="HTTP")
        args = dict(
            api_id=api.id,
            name="$default",
            auto_deploy=True,
            access_log_settings=LOGS,
            default_route_settings={"throttling_rate_limit": 100, "throttling_burst_limit": 200},
        )
        aws.apigatewayv2.Stage("default", **{**args, **overrides})

    return program


def _quick_create():
    aws.apigatewayv2.Api("http", protocol_type="HTTP", target="arn:aws:lambda:eu-west-1:123456789012:function:fn")


def _method(authorization: str, http_method: str = "GET"):
    return lambda: aws.apigateway.Method(
        "get", rest_api="api-1", resource_id="res-1", http_method=http_method, authorization=authorization
    )


def _routes(protocol: str, route_key: str, authorization: str | None):
    def program():
        api = aws.apigatewayv2.Api("api", protocol_type=protocol, route_selection_expression="$request.body.action")
        aws.apigatewayv2.Route("route", api_id=api.id, route_key=route_key, authorization_type=authorization)

    return program


CASES = [
    Case("apigateway-stage-access-logging", _rest_stage(access_log_settings=None), _rest_stage(), "not logged"),
    Case("apigatewayv2-stage-access-logging", _http_stage(access_log_settings=None), _http_stage(), "not logged"),
    Case("apigatewayv2-stage-access-logging", _quick_create, _http_stage(), "quick create"),
    Case("apigateway-stage-waf-attached", _rest_stage(), _rest_stage(waf=True), "no WAF"),
    Case("apigateway-stage-throttling", _rest_stage(), _rest_stage(throttle="method"), "no throttling"),
    Case("apigateway-stage-throttling", _rest_stage(), _rest_stage(throttle="plan"), "no throttling"),
    Case(
        "apigatewayv2-stage-throttling",
        _http_stage(default_route_settings={"throttling_rate_limit": 100}),
        _http_stage(),
        "throttlingBurstLimit",
    ),
    Case(
        "apigateway-domainname-tls12",
        lambda: aws.apigateway.DomainName(
            "api", domain_name="api.example.com", certificate_arn=CERT, security_policy="TLS_1_0"
        ),
        lambda: aws.apigateway.DomainName(
            "api",
            domain_name="api.example.com",
            certificate_arn=CERT,
            security_policy="SecurityPolicy_TLS13_1_2_2021_06",
        ),
        "TLS_1_0 accepts TLS below 1.2",
    ),
    Case(
        "apigateway-domainname-tls12",
        lambda: aws.apigateway.DomainName("api", domain_name="api.example.com", certificate_arn=CERT),
        lambda: aws.apigateway.DomainName(
            "api", domain_name="api.example.com", certificate_arn=CERT, security_policy="TLS_1_2"
        ),
        "not set",
    ),
    Case(
        "apigatewayv2-domainname-tls12",
        lambda: aws.apigatewayv2.DomainName(
            "api",
            domain_name="api.example.com",
            domain_name_configuration={
                "certificate_arn": CERT,
                "endpoint_type": "REGIONAL",
                "security_policy": "TLS_1_0",
            },
        ),
        lambda: aws.apigatewayv2.DomainName(
            "api",
            domain_name="api.example.com",
            domain_name_configuration={
                "certificate_arn": CERT,
                "endpoint_type": "REGIONAL",
                "security_policy": "TLS_1_2",
            },
        ),
        "'TLS_1_0'",
    ),
    Case("apigateway-method-authorization", _method("NONE"), _method("AWS_IAM"), "authorization is NONE"),
    Case(
        "apigatewayv2-route-authorization",
        _routes("HTTP", "GET /items", "NONE"),
        _routes("HTTP", "GET /items", "JWT"),
        "'GET /items'",
    ),
    Case(
        "apigatewayv2-route-authorization",
        _routes("WEBSOCKET", "$connect", None),
        _routes("WEBSOCKET", "$connect", "CUSTOM"),
        "$connect",
    ),
    Case("apigatewayv2-route-authorization", _quick_create, _routes("HTTP", "$default", "AWS_IAM"), "quick-created"),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_policy_flags_violation_and_passes_compliant(pack, case):
    assert_case(pack, case)


@pytest.mark.parametrize(
    "program",
    [
        _method("NONE", http_method="OPTIONS"),
        _routes("HTTP", "OPTIONS /items", "NONE"),
        _routes("WEBSOCKET", "$default", "NONE"),
    ],
)
def test_preflight_and_websocket_message_routes_need_no_authorizer(pack, program):
    policies = ("apigateway-method-authorization", "apigatewayv2-route-authorization")
    assert [d for d in pack.check(program) if d.policy_name in policies] == []
