"""Extra program runs the edge tests share (each runs once per session, on first use): the same
stack with other traffic or image config."""

from __future__ import annotations

import json
from functools import cache

from pulumi_offline.program import Graph
from tests.conftest import build

GREEN_RUNNING = {"green": {"min_size": 1, "max_size": 3, "desired_capacity": 1}}
# A release built elsewhere: the shared build account's repository, not the stack's own.
PINNED = "333333333333.dkr.ecr.us-east-1.amazonaws.com/erp/app@sha256:" + "ab" * 32


def staging_with(traffic: dict) -> Graph:
    return build(
        "staging",
        extra_config={"platform:traffic": json.dumps(traffic), "platform:compute": json.dumps(GREEN_RUNNING)},
    )


@cache
def canary() -> Graph:
    """Staging during a canary step: green runs and takes 10%."""
    return staging_with({"blue": 90, "green": 10})


@cache
def rolled_back() -> Graph:
    """The same staging with green still running but back at weight 0 (a rollback)."""
    return staging_with({"blue": 100, "green": 0})


@cache
def pinned_prod() -> Graph:
    """Prod whose colours both name their image: nothing to build."""
    images = {"blue": {"image": PINNED}, "green": {"image": PINNED}}
    return build("prod", extra_config={"platform:compute": json.dumps(images)})
