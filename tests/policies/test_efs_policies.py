"""EFS policies: encryption at rest with a customer-managed key."""

from __future__ import annotations

import pulumi_aws as aws
import pytest
from conftest import Case, assert_case

KEY = "arn:aws:kms:eu-west-1:123456789012:key/1"

CASES = [
    Case(
        "efs-filesystem-encrypted",
        lambda: aws.efs.FileSystem("shared"),
        lambda: aws.efs.FileSystem("shared", encrypted=True, kms_key_id=KEY),
        "encrypted is not true",
    ),
    Case(
        "efs-filesystem-encrypted",
        lambda: aws.efs.FileSystem("shared", encrypted=True),
        lambda: aws.efs.FileSystem("shared", encrypted=True, kms_key_id=KEY),
        "AWS-managed",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_policy_flags_violation_and_passes_compliant(pack, case):
    assert_case(pack, case)
