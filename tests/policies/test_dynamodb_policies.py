"""DynamoDB policies: customer-managed key, point-in-time recovery, deletion protection."""

from __future__ import annotations

import pulumi_aws as aws
import pytest
from conftest import Case, assert_case

KEY = "arn:aws:kms:eu-west-1:123456789012:key/1"


def _table(**overrides):
    args = dict(
        attributes=[{"name": "id", "type": "S"}],
        hash_key="id",
        billing_mode="PAY_PER_REQUEST",
        server_side_encryption={"enabled": True, "kms_key_arn": KEY},
        point_in_time_recovery={"enabled": True},
        deletion_protection_enabled=True,
    )
    return lambda: aws.dynamodb.Table("orders", **{**args, **overrides})


CASES = [
    Case("dynamodb-table-cmk", _table(server_side_encryption=None), _table(), "AWS-owned key"),
    Case("dynamodb-table-cmk", _table(server_side_encryption={"enabled": True}), _table(), "aws/dynamodb"),
    Case(
        "dynamodb-table-point-in-time-recovery",
        _table(point_in_time_recovery={"enabled": False}),
        _table(),
        "not enabled",
    ),
    Case("dynamodb-table-deletion-protection", _table(deletion_protection_enabled=None), _table(), "not true"),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_policy_flags_violation_and_passes_compliant(pack, case):
    assert_case(pack, case)
