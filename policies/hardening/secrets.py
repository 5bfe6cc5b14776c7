"""Key and secret policies: KMS keys, Secrets Manager, and secrets in environment literals."""

from __future__ import annotations

import fnmatch
import re

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
    days = 30 if days is None else days
    if days < cfg["minDays"]:
        yield f"deletionWindowInDays is {int(days)}; at least {cfg['minDays']} days leaves time to cancel a deletion"


def _secret_cmk(args, _cfg):
    if not get(args.props, "kmsKeyId"):
        yield "kmsKeyId is not set: the secret uses the AWS-managed key"


def _secret_recovery(args, _cfg):
    if number(get(args.props, "recoveryWindowInDays")) == 0:
        yield "recoveryWindowInDays is 0: deleting the secret destroys it immediately"


_RATE = re.compile(r"rate\(\s*(\d+)\s+(hours?|days?)\s*\)", re.IGNORECASE)
_CRON = re.compile(r"cron\((.+)\)", re.IGNORECASE)


def _month_gap(field: str) -> int:
    """The longest gap, in months, between the months a cron month field selects."""
    if field in ("*", "?"):
        return 1
    step = re.fullmatch(r"(?:\*|\d+)/(\d+)", field)
    if step:
        return int(step.group(1))
    months = sorted({int(m) for m in re.findall(r"\d+", field)}) if "-" not in field else []
    if not months:
        return 12 if "-" not in field else 1
    return max(b - a for a, b in zip(months, [*months[1:], months[0] + 12], strict=True))


def schedule_days(expression: str) -> float | None:
    """The longest interval, in days, between rotations a Secrets Manager schedule expression
    allows (`rate(10 days)`, `rate(4 hours)`, `cron(0 16 1,15 * ? *)`), or None if unreadable."""
    rate = _RATE.fullmatch(expression.strip())
    if rate:
        amount = int(rate.group(1))
        return amount / 24 if rate.group(2).lower().startswith("hour") else float(amount)
    cron = _CRON.fullmatch(expression.strip())
    fields = cron.group(1).split() if cron else []
    if len(fields) != 6:
        return None
    day_of_month, month, day_of_week = fields[2], fields[3], fields[4]
    months = _month_gap(month)
    if months > 1:
        return 31.0 * months
    if day_of_month in ("*", "?") and day_of_week in ("*", "?"):
        return 1.0
    step = re.fullmatch(r"(?:\*|\d+)/(\d+)", day_of_month)
    if step:
        return float(step.group(1))
    if day_of_month in ("*", "?") and "#" not in day_of_week and "L" not in day_of_week:
        return 7.0  # some days of every week
    return 31.0  # some days of every month


def _rotation_interval(args, cfg):
    if get(args.props, "rotationEnabled") is not None and not flag(get(args.props, "rotationEnabled")):
        yield "rotation is disabled"
        return
    rules = get(args.props, "rotationRules")
    days = number(get(rules, "automaticallyAfterDays"))
    expression = text(get(rules, "scheduleExpression"))
    if days is None and expression:
        days = schedule_days(expression)
        if days is None:
            yield f"schedule_expression '{expression}' is neither rate(N days|hours) nor a six-field cron()"
            return
    if days is None:
        yield "rotation_rules sets neither automatically_after_days nor schedule_expression"
    elif days > cfg["maxDays"]:
        shown = f"{days:g} days" if days >= 1 else f"{days * 24:g} hours"
        yield f"the secret rotates only every {shown}; at most every {cfg['maxDays']} days is allowed"


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
        description="Secrets rotate at least every 90 days, by automatically_after_days or a rate()/cron() schedule.",
        severity=HIGH,
        checklist=("SEC-2",),
        remediation="Set rotation_rules={'automatically_after_days': 90} (or fewer), or a schedule_expression such "
        "as 'rate(30 days)' or 'cron(0 3 1 * ? *)' (AWS accepts from every 4 hours to every 1000 days).",
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
