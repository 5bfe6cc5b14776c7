"""Shared fixtures: each stack's program runs once per test session against the recording
mock engine (pulumi_offline.program), and tests query the registered graph. One policy pack
process serves every module that needs the pack over gRPC, and each stack's policy check (the
slowest step of the suite) runs once for all the tests that read it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from pulumi_offline.analyzer import PolicyPackServer
from pulumi_offline.check import CheckReport, check
from pulumi_offline.preview import Preview
from pulumi_offline.program import Graph, run_program
from pulumi_offline.providers import with_default_providers
from pulumi_offline.stackconfig import load_stack_config

REPO = Path(__file__).resolve().parent.parent
POLICY_PACK = REPO / "policies"


def build(stack: str, **overrides) -> Graph:
    """Run the program for `stack`; `overrides` are passed to `run_program` (extra config…)."""
    return run_program(REPO, stack, **overrides)


def preview_of(graph: Graph, stack: str) -> Preview:
    """The Preview the CLI builds, from a graph the session already recorded."""
    config = load_stack_config(REPO, stack)
    return Preview(REPO, config, with_default_providers(graph, config), 0.0)


@pytest.fixture(scope="session")
def staging() -> Graph:
    return build("staging")


@pytest.fixture(scope="session")
def prod() -> Graph:
    return build("prod")


@pytest.fixture(scope="session", params=["staging", "prod"])
def stack(request, staging, prod) -> Graph:
    """Each test using this runs once per stack."""
    return {"staging": staging, "prod": prod}[request.param]


@pytest.fixture(scope="session")
def eu_staging() -> Graph:
    """Staging with its primary region outside us-east-1, where CloudFront's alarms live (the
    foundation tier's tuned run, tests/components/variants.py)."""
    from tests.components.variants import foundation_tuned

    return foundation_tuned()


@pytest.fixture(scope="session")
def pack_server() -> Iterator[PolicyPackServer]:
    """The pack as the engine runs it (its own process, over gRPC). The pack reads no stack
    settings, so one process serves every stack; each user configures it before analyzing."""
    with PolicyPackServer(
        POLICY_PACK, project="platform", stack="prod", stack_config={"aws:region": "eu-west-1"}
    ) as server:
        yield server


@pytest.fixture(scope="session")
def repo_checks(staging, prod, pack_server) -> dict[str, CheckReport]:
    """`pulumi-offline check` of each stack of this repository, with its policy config."""
    graphs = {"staging": staging, "prod": prod}
    return {name: check(REPO, name, preview=preview_of(g, name), pack=pack_server) for name, g in graphs.items()}
