"""The EKS program runs the cluster and workload tests share (each cached once per session)."""

from __future__ import annotations

import pytest

from tests.components.compute.eks_variants import staging_canary
from tests.components.variants import prod_on_eks


@pytest.fixture(scope="module")
def canary():
    """Staging with blue on EC2 and green on EKS at 90/10."""
    return staging_canary()


@pytest.fixture(scope="module")
def eks_prod():
    """Prod with both colours on EKS, every EKS key tuned (tests/components/variants.py)."""
    return prod_on_eks()
