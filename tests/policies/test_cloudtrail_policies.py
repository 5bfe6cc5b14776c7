"""CloudTrail policies: log-file validation, customer-managed key, every region."""

from __future__ import annotations

import pulumi_aws as aws
import pytest
from conftest import Case, assert_case

KEY = "arn:aws:kms:eu-west-1:123456789012:key/1"


def _trail(**overrides):
    args = dict(
        s3_bucket_name="audit-logs",
        enable_log_file_validation=True,
        kms_key_id=KEY,
        is_multi_region_trail=True,
        include_global_service_events=True,
    )
    return lambda: aws.cloudtrail.Trail("audit", **{**args, **overrides})


CASES = [
    Case("cloudtrail-trail-log-file-validation", _trail(enable_log_file_validation=None), _trail(), "not true"),
    Case("cloudtrail-trail-cmk", _trail(kms_key_id=None), _trail(), "S3-managed"),
    Case("cloudtrail-trail-multi-region", _trail(is_multi_region_trail=False), _trail(), "other regions"),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_policy_flags_violation_and_passes_compliant(pack, case):
    assert_case(pack, case)
