"""KMS key-policy policies: public principals, lockout-safety bypass."""

from __future__ import annotations

import json

import pulumi_aws as aws
import pytest
from conftest import Case, assert_case

ACCOUNT = "123456789012"
ADMIN = {
    "Sid": "Admin",
    "Effect": "Allow",
    "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
    "Action": "kms:*",
    "Resource": "*",
}
ANYONE = {"Sid": "Anyone", "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "kms:Decrypt", "Resource": "*"}
VIA_RDS = {
    **ANYONE,
    "Sid": "ViaRds",
    "Condition": {"StringEquals": {"kms:CallerAccount": ACCOUNT, "kms:ViaService": "rds.eu-west-1.amazonaws.com"}},
}


def _policy(*statements) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def _key(**overrides):
    args = dict(enable_key_rotation=True, deletion_window_in_days=30, policy=_policy(ADMIN))
    return lambda: aws.kms.Key("data", **{**args, **overrides})


def _key_policy(**overrides):
    args = dict(key_id="key-1", policy=_policy(ADMIN))
    return lambda: aws.kms.KeyPolicy("data", **{**args, **overrides})


CASES = [
    Case(
        "kms-key-policy-no-public-principal",
        _key(policy=_policy(ADMIN, ANYONE)),
        _key(policy=_policy(ADMIN, VIA_RDS)),
        "statement 'Anyone'",
    ),
    Case("kms-key-policy-no-public-principal", _key_policy(policy=_policy(ANYONE)), _key_policy(), "Principal '*'"),
    Case(
        "kms-key-policy-no-public-principal",
        lambda: aws.kms.ReplicaKey(
            "dr", primary_key_arn="arn:aws:kms:eu-west-1:123456789012:key/mrk-1", policy=_policy(ANYONE)
        ),
        lambda: aws.kms.ReplicaKey(
            "dr", primary_key_arn="arn:aws:kms:eu-west-1:123456789012:key/mrk-1", policy=_policy(ADMIN)
        ),
        "Principal '*'",
    ),
    Case(
        "kms-key-no-lockout-bypass",
        _key(bypass_policy_lockout_safety_check=True),
        _key(),
        "bypass_policy_lockout_safety_check",
    ),
    Case("kms-key-no-lockout-bypass", _key_policy(bypass_policy_lockout_safety_check=True), _key_policy(), "is true"),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_policy_flags_violation_and_passes_compliant(pack, case):
    assert_case(pack, case)
