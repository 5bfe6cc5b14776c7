"""Shared fixtures: each stack's program runs once per test session against the recording
mock engine (pulumi_offline.program), and tests query the registered graph. One policy pack
process serves every module that needs the pack over gRPC, and each stack's policy check (the
slowest step of the suite) runs once for all the tests that read it."""

from __future__ import annotations

import copyreg
import fcntl
import hashlib
import json
import pickle
from collections.abc import Iterator
from pathlib import Path

import pytest

from pulumi_offline.analyzer import PolicyPackServer
from pulumi_offline.check import CheckReport, check
from pulumi_offline.engine import Unknown
from pulumi_offline.preview import Preview
from pulumi_offline.program import Graph, collect_rarely, run_program
from pulumi_offline.providers import with_default_providers
from pulumi_offline.stackconfig import load_stack_config

REPO = Path(__file__).resolve().parent.parent

# As the tool's CLI does: the session keeps every stack's graph alive besides.
collect_rarely()
POLICY_PACK = REPO / "policies"

# Where the xdist workers leave the program runs they made, for each other (None: one process).
_shared_runs: Path | None = None
# A graph read back still holds the one UNKNOWN (code compares it by identity).
copyreg.pickle(Unknown, lambda _: "UNKNOWN")


@pytest.fixture(scope="session", autouse=True)
def _share_runs_between_workers(tmp_path_factory, request) -> None:
    global _shared_runs
    if hasattr(request.config, "workerinput"):  # an xdist worker
        # Every worker's base temp sits in the same folder of this test run.
        _shared_runs = tmp_path_factory.getbasetemp().parent / "program-runs"
        _shared_runs.mkdir(exist_ok=True)


def build(stack: str, **overrides) -> Graph:
    """Run the program for `stack`; `overrides` are passed to `run_program` (extra config…).
    Each run is made once per test run: under xdist the first worker to ask makes it and the
    others read its graph (a run costs seconds, reading it milliseconds)."""
    if _shared_runs is None:
        return run_program(REPO, stack, **overrides)
    key = hashlib.sha256(json.dumps([stack, overrides], sort_keys=True, default=sorted).encode()).hexdigest()
    saved = _shared_runs / f"{key[:20]}.pickle"
    with open(saved.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # the other worker waits for the run it also needs
        if saved.exists():
            return pickle.loads(saved.read_bytes())
        graph = run_program(REPO, stack, **overrides)
        saved.write_bytes(pickle.dumps(graph))
        return graph


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
