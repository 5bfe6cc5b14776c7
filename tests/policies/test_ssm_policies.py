"""SSM Parameter Store policies: secrets as SecureString under a customer-managed key."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws
import pytest
from conftest import Case, assert_case

KEY = "arn:aws:kms:eu-west-1:123456789012:key/1"


def _parameter(**overrides):
    def program():
        # The Output is made inside the program run: outside one it never resolves.
        args = dict(
            name="/app/db/password", type="SecureString", value=pulumi.Output.secret("hunter2hunter2"), key_id=KEY
        )
        aws.ssm.Parameter("db-password", **{**args, **overrides})

    return program


CASES = [
    Case(
        "ssm-parameter-secrets-are-securestring",
        _parameter(type="String", value="hunter2hunter2", key_id=None),
        _parameter(),
        "type String",
    ),
    Case(
        "ssm-parameter-secrets-are-securestring",
        _parameter(name="/app/api_token", type="String", value=None, insecure_value="tok-0123456789", key_id=None),
        _parameter(name="/app/log_level", type="String", value="info", key_id=None),
        "'/app/api_token'",
    ),
    Case("ssm-parameter-securestring-cmk", _parameter(key_id=None), _parameter(), "aws/ssm"),
    Case("ssm-parameter-securestring-cmk", _parameter(key_id="alias/aws/ssm"), _parameter(), "aws/ssm"),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_policy_flags_violation_and_passes_compliant(pack, case):
    assert_case(pack, case)


def test_the_plaintext_value_is_never_echoed(pack):
    messages = pack.violations(
        "ssm-parameter-secrets-are-securestring", _parameter(type="String", value="hunter2hunter2")
    )
    assert messages and not any("hunter2" in m for m in messages)
