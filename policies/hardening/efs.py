"""EFS policies: file systems encrypted at rest with a customer-managed key."""

from __future__ import annotations

from . import _types as t
from ._helpers import flag, get
from ._policy import HIGH, resource_policy


def _encrypted(args, _cfg):
    # EFS encryption is fixed at creation: an unencrypted file system must be replaced.
    if not flag(get(args.props, "encrypted")):
        yield "encrypted is not true"
    elif not get(args.props, "kmsKeyId"):
        yield "encrypted with the AWS-managed aws/elasticfilesystem key; set kms_key_id to a customer-managed key"


POLICIES = [
    resource_policy(
        "efs-filesystem-encrypted",
        types=t.EFS_FILE_SYSTEM,
        description="EFS file systems are encrypted at rest with a customer-managed KMS key.",
        severity=HIGH,
        checklist=("DB-2",),
        remediation="Set aws.efs.FileSystem(encrypted=True, kms_key_id=key.arn) (replacement required).",
        check=_encrypted,
    ),
]
