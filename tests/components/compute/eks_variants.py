"""The EKS program runs the kubernetes tests share (each runs once per session, on first use):
staging mid-migration (blue on ec2, green on eks) and prod entirely on eks."""

from __future__ import annotations

import json
from functools import cache

from pulumi_offline.program import Graph
from tests.conftest import build

OPERATOR_ROLE = "arn:aws:iam::222222222222:role/platform-operators"


@cache
def staging_canary() -> Graph:
    """Staging during the EC2 → EKS canary: blue on ec2 takes 90%, green on eks 10%."""
    return build(
        "staging",
        extra_config={
            "platform:compute": json.dumps({"green": {"platform": "eks"}}),
            "platform:traffic": json.dumps({"blue": 90, "green": 10}),
        },
    )


@cache
def prod_on_eks() -> Graph:
    """Prod with both colours on eks, an operator role with cluster access."""
    compute = {"platform": "eks", "eks": {"admin_role_arns": [OPERATOR_ROLE]}}
    return build("prod", extra_config={"platform:compute": json.dumps(compute)})
