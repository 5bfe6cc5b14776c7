"""CloudTrail policies: trails that are tamper-evident, encrypted with a CMK and cover every region.

CloudTrail is account level (SEC-3: the stack documents it rather than builds it), but a program
that does declare a trail must declare it properly.
"""

from __future__ import annotations

from . import _types as t
from ._helpers import flag, get
from ._policy import HIGH, MEDIUM, resource_policy


def _validation(args, _cfg):
    if not flag(get(args.props, "enableLogFileValidation")):
        yield "enable_log_file_validation is not true: altered or deleted log files go unnoticed"


def _cmk(args, _cfg):
    if not get(args.props, "kmsKeyId"):
        yield "kms_key_id is not set: log files are encrypted with S3-managed keys only"


def _multi_region(args, _cfg):
    if not flag(get(args.props, "isMultiRegionTrail")):
        yield "is_multi_region_trail is not true: activity in other regions is not recorded"


_TRAIL = "aws.cloudtrail.Trail(s3_bucket_name=bucket.id, "

POLICIES = [
    resource_policy(
        "cloudtrail-trail-log-file-validation",
        types=t.CLOUDTRAIL,
        description="Trails sign digest files, so tampering with the audit log is detectable.",
        severity=HIGH,
        checklist=("SEC-3", "OBS-2"),
        remediation=f"Set {_TRAIL}enable_log_file_validation=True).",
        check=_validation,
    ),
    resource_policy(
        "cloudtrail-trail-cmk",
        types=t.CLOUDTRAIL,
        description="Trail log files are encrypted with a customer-managed KMS key (SSE-KMS).",
        severity=MEDIUM,
        checklist=("SEC-3", "DB-2"),
        remediation=f"Set {_TRAIL}kms_key_id=key.arn) and allow cloudtrail.amazonaws.com kms:GenerateDataKey* "
        "in the key policy.",
        check=_cmk,
    ),
    resource_policy(
        "cloudtrail-trail-multi-region",
        types=t.CLOUDTRAIL,
        description="Trails record every region, so activity in an unused region is not invisible.",
        severity=MEDIUM,
        checklist=("SEC-3",),
        remediation=f"Set {_TRAIL}is_multi_region_trail=True, include_global_service_events=True).",
        check=_multi_region,
    ),
]
