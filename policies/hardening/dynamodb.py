"""DynamoDB table policies: customer-managed encryption, point-in-time recovery, deletion protection."""

from __future__ import annotations

from . import _types as t
from ._helpers import flag, get
from ._policy import HIGH, MEDIUM, resource_policy


def _cmk(args, _cfg):
    # Unset or enabled=false means DynamoDB's AWS-owned key; enabled without an ARN means aws/dynamodb.
    encryption = get(args.props, "serverSideEncryption")
    if not flag(get(encryption, "enabled")):
        yield "server_side_encryption is not enabled: the table uses an AWS-owned key"
    elif not get(encryption, "kmsKeyArn"):
        yield "server_side_encryption has no kms_key_arn: the table uses the AWS-managed aws/dynamodb key"


def _pitr(args, _cfg):
    if not flag(get(args.props, "pointInTimeRecovery", "enabled")):
        yield "point_in_time_recovery is not enabled"


def _deletion_protection(args, _cfg):
    if not flag(get(args.props, "deletionProtectionEnabled")):
        yield "deletion_protection_enabled is not true"


POLICIES = [
    resource_policy(
        "dynamodb-table-cmk",
        types=t.DYNAMODB_TABLE,
        description="Tables are encrypted with a customer-managed KMS key.",
        severity=MEDIUM,
        checklist=("DB-2",),
        remediation="Set aws.dynamodb.Table(attributes=[{'name': 'id', 'type': 'S'}], hash_key='id', "
        "server_side_encryption={'enabled': True, 'kms_key_arn': key.arn}).",
        check=_cmk,
    ),
    resource_policy(
        "dynamodb-table-point-in-time-recovery",
        types=t.DYNAMODB_TABLE,
        description="Point-in-time recovery is on, so the table can be restored to any second of the last 35 days.",
        severity=HIGH,
        checklist=("DB-5",),
        remediation="Set aws.dynamodb.Table(attributes=[{'name': 'id', 'type': 'S'}], hash_key='id', "
        "point_in_time_recovery={'enabled': True}).",
        check=_pitr,
    ),
    resource_policy(
        "dynamodb-table-deletion-protection",
        types=t.DYNAMODB_TABLE,
        description="Deletion protection is on, so the table cannot be deleted by accident.",
        severity=HIGH,
        checklist=("DB-7",),
        remediation="Set aws.dynamodb.Table(attributes=[{'name': 'id', 'type': 'S'}], hash_key='id', "
        "deletion_protection_enabled=True) "
        "and opts=pulumi.ResourceOptions(protect=True).",
        check=_deletion_protection,
    ),
]
