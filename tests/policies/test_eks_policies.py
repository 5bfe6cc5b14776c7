"""EKS control-plane policies, on clusters built with pulumi-aws."""

from __future__ import annotations

import pulumi_aws as aws
import pytest
from conftest import Case, assert_case


def _cluster(**overrides):
    args = dict(
        role_arn="arn:aws:iam::123456789012:role/eks",
        vpc_config={
            "subnet_ids": ["subnet-a", "subnet-b"],
            "endpoint_private_access": True,
            "endpoint_public_access": False,
        },
        encryption_config={"resources": ["secrets"], "provider": {"key_arn": "arn:aws:kms:eu-west-1:1:key/1"}},
        enabled_cluster_log_types=["api", "audit", "authenticator", "controllerManager", "scheduler"],
    )
    return lambda: aws.eks.Cluster("erp", **{**args, **overrides})


def _public(cidrs=None) -> dict:
    config = {"subnet_ids": ["subnet-a"], "endpoint_private_access": True, "endpoint_public_access": True}
    return config | ({"public_access_cidrs": cidrs} if cidrs is not None else {})


CASES = [
    Case(
        "eks-cluster-endpoint-restricted",
        _cluster(vpc_config=_public()),
        _cluster(vpc_config=_public(["203.0.113.0/24"])),
        "open to 0.0.0.0/0 (vpcConfig.publicAccessCidrs is unset)",
    ),
    Case("eks-cluster-secrets-encrypted", _cluster(encryption_config=None), _cluster(), "not envelope-encrypted"),
    Case(
        "eks-cluster-control-plane-logs",
        _cluster(enabled_cluster_log_types=["api", "audit"]),
        _cluster(),
        "missing authenticator, controllerManager, scheduler",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_policy_flags_violation_and_passes_compliant(pack, case):
    assert_case(pack, case)


def test_any_open_cidr_among_the_listed_ones_is_flagged(pack):
    program = _cluster(vpc_config=_public(["10.0.0.0/8", "::/0"]))
    messages = pack.violations("eks-cluster-endpoint-restricted", program)
    assert [m.split("\n", 1)[-1] for m in messages] == ["the public API endpoint is open to ::/0"]


def test_encryption_without_a_key_is_flagged(pack):
    program = _cluster(encryption_config={"resources": ["secrets"], "provider": {"key_arn": ""}})
    assert any("no KMS key" in m for m in pack.violations("eks-cluster-secrets-encrypted", program))
