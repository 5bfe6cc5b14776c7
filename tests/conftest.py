"""Shared fixtures: each stack's program runs once per test session against the recording
mock engine (pulumi_offline.program), and tests query the registered graph."""

from __future__ import annotations

from pathlib import Path

import pytest

from pulumi_offline.program import Graph, run_program

REPO = Path(__file__).resolve().parent.parent


def build(stack: str, **overrides) -> Graph:
    """Run the program for `stack`; `overrides` are passed to `run_program` (extra config…)."""
    return run_program(REPO, stack, **overrides)


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
