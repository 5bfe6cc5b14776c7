"""Lambda policies: who may invoke a function, how its environment is encrypted, its runtime.

Plaintext secrets in a function's environment are checked in `secrets.py`
(`lambda-function-no-plaintext-secrets`).
"""

from __future__ import annotations

import datetime

from . import _types as t
from ._helpers import get, text
from ._policy import CRITICAL, HIGH, MEDIUM, resource_policy

# Lambda's deprecation dates (AWS Lambda Developer Guide, "Lambda runtimes": the supported and
# deprecated runtime tables): after this date the runtime gets no security patches. The Amazon
# Linux 2 Java runtimes (java8.al2, java11, java17) are left out: AWS moved their dates in 2026.
DEPRECATED_RUNTIMES = {
    "nodejs": "2016-10-31",
    "nodejs4.3": "2020-03-05",
    "nodejs4.3-edge": "2019-04-30",
    "nodejs6.10": "2019-08-12",
    "nodejs8.10": "2020-03-06",
    "nodejs10.x": "2021-07-30",
    "nodejs12.x": "2023-03-31",
    "nodejs14.x": "2023-12-04",
    "nodejs16.x": "2024-06-12",
    "nodejs18.x": "2025-09-01",
    "nodejs20.x": "2026-04-30",
    "python2.7": "2021-07-15",
    "python3.6": "2022-07-18",
    "python3.7": "2023-12-04",
    "python3.8": "2024-10-14",
    "python3.9": "2025-12-15",
    "python3.10": "2026-06-30",
    "ruby2.5": "2021-07-30",
    "ruby2.7": "2023-12-07",
    "ruby3.2": "2026-03-31",
    "java8": "2024-01-08",
    "go1.x": "2024-01-08",
    "provided": "2024-01-08",
    "provided.al2": "2026-06-30",
    "dotnetcore1.0": "2019-06-27",
    "dotnetcore2.0": "2019-05-30",
    "dotnetcore2.1": "2022-01-05",
    "dotnetcore3.1": "2023-04-03",
    "dotnet5.0": "2022-05-10",
    "dotnet6": "2024-12-20",
    "dotnet7": "2024-05-14",
    "dotnet8": "2026-11-10",
}
# Conditions that tie a `*` (or service) principal to one caller, per the Permission's arguments.
_NARROWING_ARGS = ("sourceArn", "sourceAccount", "principalOrgId")


def _function_url_auth(args, _cfg):
    mode = text(get(args.props, "authorizationType"))
    if mode != "AWS_IAM":
        yield f"authorizationType is '{mode or 'unset'}': anyone on the internet can invoke the function"


def _public_permission(args, _cfg):
    principal = text(get(args.props, "principal"))
    if any(get(args.props, key) for key in _NARROWING_ARGS):
        return
    if principal.endswith(".amazonaws.com"):
        # A service principal alone lets that service act for any account's resources (confused deputy).
        yield f"principal '{principal}' without source_arn or source_account lets any account's resources invoke it"
    elif principal != "*":
        return
    elif text(get(args.props, "functionUrlAuthType")) == "NONE":
        yield "principal '*' with function_url_auth_type NONE makes the function URL public"
    else:
        yield "principal '*' without source_arn, source_account or principal_org_id lets any account invoke it"


def _environment_cmk(args, _cfg):
    variables = get(args.props, "environment", "variables") or {}
    if len(variables) and not get(args.props, "kmsKeyArn"):
        yield "environment variables are encrypted with the AWS-managed key (kmsKeyArn is not set)"


def _runtime(args, cfg):
    runtime = text(get(args.props, "runtime"))
    deadline = cfg["deprecatedRuntimes"].get(runtime)
    if deadline and datetime.date.fromisoformat(deadline) <= datetime.date.today():
        yield f"runtime {runtime} was deprecated on {deadline} and no longer receives security patches"


POLICIES = [
    resource_policy(
        "lambda-functionurl-iam-auth",
        types=t.LAMBDA_FUNCTION_URL,
        description="Function URLs require IAM (SigV4) authorization: with authorization_type NONE the "
        "function is a public endpoint with no WAF, throttling or authentication in front of it.",
        severity=CRITICAL,
        checklist=("API-2",),
        remediation="Set aws.lambda_.FunctionUrl(function_name=fn.name, authorization_type='AWS_IAM') and grant "
        "callers lambda:InvokeFunctionUrl; put public traffic behind API Gateway or CloudFront with a WAF.",
        check=_function_url_auth,
    ),
    resource_policy(
        "lambda-permission-no-public-invoke",
        types=t.LAMBDA_PERMISSION,
        description="No resource-based permission lets everyone invoke a function: a `*` or service principal is "
        "tied to one caller by source ARN, source account or organisation.",
        severity=CRITICAL,
        checklist=("API-2", "IAM-3"),
        remediation="Name the caller in aws.lambda_.Permission(action='lambda:InvokeFunction', function=fn.name, "
        "principal='s3.amazonaws.com', source_arn=bucket.arn, source_account=<account id>) (or "
        "principal_org_id='o-…'); never principal='*' with function_url_auth_type='NONE'.",
        check=_public_permission,
    ),
    resource_policy(
        "lambda-function-environment-cmk",
        types=t.LAMBDA_FUNCTION,
        description="A function's environment variables are encrypted with a customer-managed KMS key, so "
        "reading the configuration needs kms:Decrypt on a key the team controls and audits.",
        severity=MEDIUM,
        checklist=("SEC-1", "DB-2"),
        remediation="Set aws.lambda_.Function(role=..., kms_key_arn=<CMK ARN>, ...); allow the deploying role "
        "kms:CreateGrant, kms:Encrypt and kms:Decrypt on the key, and the function's role kms:Decrypt with "
        "kms:ViaService lambda.<region>.amazonaws.com, in the key policy or in IAM policies it delegates to.",
        check=_environment_cmk,
    ),
    resource_policy(
        "lambda-function-supported-runtime",
        types=t.LAMBDA_FUNCTION,
        description="Functions run on a runtime Lambda still patches; deprecated runtimes get no security "
        "updates and soon cannot be updated at all.",
        severity=HIGH,
        checklist=("HOST-5",),
        remediation="Set aws.lambda_.Function(runtime=...) to a supported runtime such as 'python3.13', "
        "'nodejs22.x', 'java21', 'dotnet10' or 'provided.al2023'.",
        check=_runtime,
        config={
            "deprecatedRuntimes": {
                "type": "object",
                "description": "Runtime identifier → the date (YYYY-MM-DD) Lambda deprecates it.",
                "additionalProperties": {"type": "string"},
                "default": DEPRECATED_RUNTIMES,
            }
        },
    ),
]
