"""Lambda policies: function URLs, invoke permissions, environment encryption, runtimes."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws
import pytest
from conftest import Case, assert_case

KEY = "arn:aws:kms:eu-west-1:123456789012:key/1"
ROLE = "arn:aws:iam::123456789012:role/fn"


def _function(**overrides):
    args = dict(
        role=ROLE,
        runtime="python3.13",
        handler="index.handler",
        code=pulumi.AssetArchive({"index.py": pulumi.StringAsset("def handler(e, c):\n    return 1\n")}),
        environment={"variables": {"STAGE": "prod"}},
        kms_key_arn=KEY,
    )
    return lambda: aws.lambda_.Function("fn", **{**args, **overrides})


def _permission(**overrides):
    args = dict(action="lambda:InvokeFunction", function="fn", principal="*")
    return lambda: aws.lambda_.Permission("invoke", **{**args, **overrides})


CASES = [
    Case(
        "lambda-functionurl-iam-auth",
        lambda: aws.lambda_.FunctionUrl("url", function_name="fn", authorization_type="NONE"),
        lambda: aws.lambda_.FunctionUrl("url", function_name="fn", authorization_type="AWS_IAM"),
        "authorizationType is 'NONE'",
    ),
    Case(
        "lambda-permission-no-public-invoke",
        _permission(action="lambda:InvokeFunctionUrl", function_url_auth_type="NONE"),
        _permission(principal="s3.amazonaws.com", source_arn="arn:aws:s3:::uploads", source_account="123456789012"),
        "function URL public",
    ),
    Case("lambda-permission-no-public-invoke", _permission(), _permission(principal_org_id="o-abc123"), "any account"),
    Case(
        "lambda-permission-no-public-invoke",
        _permission(principal="s3.amazonaws.com"),
        _permission(principal="s3.amazonaws.com", source_account="123456789012"),
        "any account's resources",
    ),
    Case("lambda-function-environment-cmk", _function(kms_key_arn=None), _function(), "AWS-managed key"),
    Case("lambda-function-supported-runtime", _function(runtime="python3.8"), _function(), "python3.8 was deprecated"),
    Case(
        "lambda-function-supported-runtime",
        _function(runtime="nodejs16.x"),
        _function(runtime="nodejs22.x"),
        "nodejs16.x",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_policy_flags_violation_and_passes_compliant(pack, case):
    assert_case(pack, case)


def test_a_function_without_environment_needs_no_key(pack):
    assert pack.violations("lambda-function-environment-cmk", _function(environment=None, kms_key_arn=None)) == []


def test_runtime_deprecation_is_judged_on_its_date(pack):
    future = {"lambda-function-supported-runtime": {"deprecatedRuntimes": {"python3.13": "2999-01-01"}}}
    assert pack.violations("lambda-function-supported-runtime", _function(), future) == []
    past = {"lambda-function-supported-runtime": {"deprecatedRuntimes": {"python3.13": "2020-01-01"}}}
    assert pack.violations("lambda-function-supported-runtime", _function(), past)
