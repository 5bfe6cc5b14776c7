"""SSM Parameter Store policies: secrets are SecureString parameters under a customer-managed key."""

from __future__ import annotations

from . import _secrets_scan as scan
from . import _types as t
from ._helpers import get, text
from ._policy import CRITICAL, MEDIUM, resource_policy


def _leaf(name: str) -> str:
    return name.rstrip("/").rsplit("/", 1)[-1]


def _secret_as_plain_string(args, _cfg):
    kind = text(get(args.props, "type")) or "String"
    if kind == "SecureString":
        return
    name = text(get(args.props, "name")) or args.name
    # `insecure_value` is the provider's plaintext-by-design argument; `value` is what String takes.
    for key in ("value", "insecureValue"):
        value = text(get(args.props, key))
        if value and scan.is_secret_literal(_leaf(name), value):
            # Never echo the value.
            yield f"parameter '{name}' looks like a secret but is type {kind}, stored and shown in plaintext"
            return


def _secure_string_cmk(args, _cfg):
    if text(get(args.props, "type")) != "SecureString":
        return
    key = text(get(args.props, "keyId"))
    if not key or key.endswith("alias/aws/ssm"):
        yield "the SecureString uses the AWS-managed aws/ssm key; set key_id to a customer-managed key"


POLICIES = [
    resource_policy(
        "ssm-parameter-secrets-are-securestring",
        types=t.SSM_PARAMETER,
        description="A parameter whose name says secret (password, token, key…) is a SecureString, never a "
        "plaintext String that anyone with ssm:GetParameter or the console can read.",
        severity=CRITICAL,
        checklist=("SEC-1",),
        remediation="Store the value in Secrets Manager, or use aws.ssm.Parameter(name=..., type='SecureString', "
        "value=pulumi.Output.secret(...), key_id=key.arn).",
        check=_secret_as_plain_string,
    ),
    resource_policy(
        "ssm-parameter-securestring-cmk",
        types=t.SSM_PARAMETER,
        description="SecureString parameters are encrypted with a customer-managed KMS key.",
        severity=MEDIUM,
        checklist=("SEC-1",),
        remediation="Set aws.ssm.Parameter(name=..., type='SecureString', value=..., key_id=key.arn).",
        check=_secure_string_cmk,
    ),
]
