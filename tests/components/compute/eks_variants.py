"""The EKS program run the kubernetes tests share besides the tuned prod one
(tests/components/variants.py `prod_on_eks`): staging mid-migration, blue on ec2 and green on eks."""

from __future__ import annotations

import json
from functools import cache

from pulumi_offline.program import Graph
from tests.conftest import build


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
