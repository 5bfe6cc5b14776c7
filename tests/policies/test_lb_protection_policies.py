"""Load balancer deletion protection (production; staging relaxes it to advisory)."""

from __future__ import annotations

import pulumi_aws as aws
import pytest
from conftest import Case, assert_case


def _alb(protected: bool | None):
    return lambda: aws.lb.LoadBalancer(
        "web", load_balancer_type="application", subnets=["subnet-a", "subnet-b"], enable_deletion_protection=protected
    )


CASES = [Case("lb-loadbalancer-deletion-protection", _alb(None), _alb(True), "enableDeletionProtection is not true")]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_policy_flags_violation_and_passes_compliant(pack, case):
    assert_case(pack, case)
