"""Key and secret policies: KMS keys, Secrets Manager, and secrets in environment literals."""

from __future__ import annotations

import fnmatch

from . import _secrets_scan as scan
from . import _types as t
from ._helpers import flag, get, items, json_document, number, text
from ._policy import ADVISORY, CRITICAL, HIGH, MEDIUM, Stack, resource_policy, stack_policy


def _key_rotation(args, _cfg):
    spec = text(get(args.props, "customerMasterKeySpec")) or "SYMMETRIC_DEFAULT"
    # AWS rotates only symmetric encryption keys.
    symmetric = spec == "SYMMETRIC_DEFAULT" and text(get(args.props, "keyUsage")) in ("", "ENCRYPT_DECRYPT")
    if symmetric and not flag(get(args.props, "enableKeyRotation")):
        yield "enableKeyRotation is not true"


def _key_deletion_window(args, cfg):
    days = number(get(args.props, "deletionWindowInDays"))
    # AWS waits 30 days when unset.
    window = 30 if days is None else days
    if window < cfg["minDays"]:
        yield f"deletionWindowInDays is {int(window)}; at least {cfg['minDays']} days leaves time to cancel a deletion"


def _secret_cmk(args, _cfg):
    if not get(args.props, "kmsKeyId"):
        yield "kmsKeyId is not set: the secret uses the AWS-managed key"


def _secret_recovery(args, _cfg):
    if number(get(args.props, "recoveryWindowInDays")) == 0:
        yield "recoveryWindowInDays is 0: deleting the secret destroys it immediately"


def _rotation_interval(args, cfg):
    if get(args.props, "rotationEnabled") is not None and not flag(get(args.props, "rotationEnabled")):
        yield "rotation is disabled"
        return
    days = number(get(args.props, "rotationRules", "automaticallyAfterDays"))
    if days is None and get(args.props, "rotationRules", "scheduleExpression"):
        return
    if days is None or days > cfg["maxDays"]:
        yield f"secrets rotate every {int(days or 0)} days; at most {cfg['maxDays']} is allowed"


def _secrets_rotated(stack: Stack, cfg):
    # Reviewed exemptions (resource-name glob → reason), like cdk-nag suppressions: kept in the
    # per-stack policy config, next to the enforcement level, where a reviewer sees them.
    exempt = tuple((cfg.get("exemptions") or {}).keys())
    for secret in stack.of(t.SECRET):
        if any(fnmatch.fnmatchcase(secret.name, pattern) for pattern in exempt):
            continue
        if not stack.referrers(t.SECRET_ROTATION, secret, "secretId"):
            yield f"secret '{secret.name}' has no rotation schedule", secret.urn


def _container_environment(args, _cfg):
    for container in items(json_document(get(args.props, "containerDefinitions"))):
        for variable in items(get(container, "environment")):
            name, value = text(get(variable, "name")), text(get(variable, "value"))
            if scan.is_secret_literal(name, value):
                yield (
                    f"container '{text(get(container, 'name'))}' sets {name} as a plaintext environment value; "
                    "use 'secrets' with valueFrom"
                )


def _lambda_environment(args, _cfg):
    variables = get(args.props, "environment", "variables") or {}
    for name in variables:
        if scan.is_secret_literal(name, text(variables[name])):
            yield f"environment variable {name} holds a plaintext secret; read it from Secrets Manager at runtime"


POLICIES = [
    resource_policy(
        "kms-key-rotation",
        types=t.KMS_KEY,
        description="Customer-managed symmetric keys rotate yearly.",
        severity=MEDIUM,
        checklist=("DB-2", "SEC-1"),
        remediation="Set enable_key_rotation=True.",
        check=_key_rotation,
    ),
    resource_policy(
        "kms-key-deletion-window",
        types=t.KMS_KEY,
        description="Scheduled key deletion waits long enough to be noticed and cancelled (deleting a key makes "
        "everything encrypted with it unreadable).",
        severity=HIGH,
        checklist=("DB-7", "DB-2"),
        remediation="Set deletion_window_in_days=30.",
        check=_key_deletion_window,
        config={"minDays": {"type": "integer", "minimum": 7, "maximum": 30, "default": 30}},
    ),
    resource_policy(
        "secretsmanager-secret-cmk",
        types=t.SECRET,
        description="Secrets are encrypted with a customer-managed KMS key.",
        severity=HIGH,
        checklist=("SEC-1",),
        remediation="Set kms_key_id=<CMK ARN> on the secret.",
        check=_secret_cmk,
    ),
    resource_policy(
        "secretsmanager-secret-recovery-window",
        types=t.SECRET,
        description="Deleted secrets stay recoverable for the recovery window.",
        severity=MEDIUM,
        checklist=("SEC-1", "DB-7"),
        remediation="Remove recovery_window_in_days=0 (AWS keeps 30 days by default; 7 is the minimum).",
        check=_secret_recovery,
        enforcement=ADVISORY,
    ),
    stack_policy(
        "secretsmanager-secret-rotation",
        description="Every secret the stack creates has a rotation schedule.",
        severity=HIGH,
        checklist=("SEC-2",),
        remediation="Add aws.secretsmanager.SecretRotation(secret_id=secret.id, rotation_lambda_arn=..., "
        "rotation_rules={'automatically_after_days': 90}); RDS master passwords use manage_master_user_password. "
        "A secret rotated another way may be exempted in the policy config with the reason.",
        check=_secrets_rotated,
        config={
            "exemptions": {
                "type": "object",
                "description": "Pulumi resource-name glob → why this secret rotates outside Secrets Manager.",
                "additionalProperties": {"type": "string", "minLength": 20},
                "default": {},
            }
        },
    ),
    resource_policy(
        "secretsmanager-secretrotation-interval",
        types=t.SECRET_ROTATION,
        description="Secrets rotate at least every 90 days.",
        severity=HIGH,
        checklist=("SEC-2",),
        remediation="Set rotation_rules={'automatically_after_days': 90} (or fewer).",
        check=_rotation_interval,
        config={"maxDays": {"type": "integer", "minimum": 1, "default": 90}},
    ),
    resource_policy(
        "ecs-taskdefinition-no-plaintext-secrets",
        types=t.TASK_DEFINITION,
        description="Container definitions carry no secrets as plaintext environment values.",
        severity=CRITICAL,
        checklist=("SEC-1",),
        remediation="Move the value to Secrets Manager and reference it from the container's 'secrets' list "
        "({'name': ..., 'valueFrom': secret.arn}).",
        check=_container_environment,
    ),
    resource_policy(
        "lambda-function-no-plaintext-secrets",
        types=t.LAMBDA_FUNCTION,
        description="Function environments carry no plaintext secrets.",
        severity=CRITICAL,
        checklist=("SEC-1",),
        remediation="Store the value in Secrets Manager, pass its ARN, and read it at runtime.",
        check=_lambda_environment,
    ),
]
