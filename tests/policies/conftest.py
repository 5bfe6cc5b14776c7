"""Fixture helpers for policy tests.

`pack` is the policy pack served in-process through the SDK's own Analyzer servicer, fed with
exactly the requests `pulumi_offline.analyzer` sends over gRPC (same marshalling, proxies, unknowns and
secrets), so per-policy tests are fast and still see what the engine delivers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pulumi
import pulumi_aws as aws
import pytest
from pulumi_policy.policy import _PolicyAnalyzerServicer

from hardening import ALL, PACK_ENFORCEMENT, PACK_NAME, _fast_servicer
from pulumi_offline.analyzer import Analyzer, Diagnostic
from pulumi_offline.program import Graph, run

ROOT = Path(__file__).resolve().parents[2]


# As the pack's __main__ does: every fixture runs through the servicer the engine talks to.
_fast_servicer.install()

PRIMARY_REGION, DR_REGION = "eu-west-1", "eu-central-1"
# The shared hardening checklist sits beside the repository (CI's layout) or above a worktree.
CHECKLIST = next((p / "shared" / "hardening-checklist.md" for p in ROOT.parents if (p / "shared").is_dir()), None)
OWNERSHIP_TAGS = {
    "environment": "prod",
    "project": "platform",
    "owner": "platform-team",
    "cost-centre": "cc-1234",
    "managed-by": "pulumi",
}
STACK_CONFIG = {"aws:region": PRIMARY_REGION}


class _LocalStub:
    """The servicer's methods with the stub's one-argument signature."""

    def __init__(self, servicer) -> None:
        self._servicer = servicer

    def __getattr__(self, name: str):
        method = getattr(self._servicer, name)
        return lambda request: method(request, None)


class LocalPack(Analyzer):
    def __init__(self) -> None:
        super().__init__(_LocalStub(_PolicyAnalyzerServicer(PACK_NAME, "0.0.1", ALL, PACK_ENFORCEMENT)), STACK_CONFIG)
        self._configured: dict | None = None

    def configure(self, config) -> None:
        # A case's violating and compliant fixtures share their config: it is applied once.
        if config != self._configured:
            super().configure(config)
            self._configured = dict(config)

    def check(self, program: Callable[[], None], config: dict | None = None) -> list[Diagnostic]:
        self.configure(config or {})
        return self.analyze_graph(run(program, project="platform", stack="prod"))

    def violations(self, policy: str, program: Callable[[], None], config: dict | None = None) -> list[str]:
        """Messages `policy` reports for the resources `program` creates. The other policies are
        disabled: the SDK deserializes a resource once per enabled policy, so this keeps a
        fixture's cost independent of the pack's size."""
        others = {p.name: "disabled" for p in ALL if p.name != policy}
        return [d.message for d in self.check(program, {**others, **(config or {})}) if d.policy_name == policy]


@pytest.fixture(scope="session")
def pack() -> LocalPack:
    return LocalPack()


@dataclass(frozen=True)
class Case:
    """One policy's violating and compliant fixture; `says` must appear in the violation message."""

    policy: str
    violating: Callable[[], None]
    compliant: Callable[[], None]
    says: str
    config: dict | None = None

    def __str__(self) -> str:
        return self.policy


def assert_case(pack: LocalPack, case: Case) -> None:
    found = pack.violations(case.policy, case.violating, case.config)
    assert found, f"{case.policy}: the violating fixture passed"
    assert any(case.says in message for message in found), found
    assert pack.violations(case.policy, case.compliant, case.config) == [], f"{case.policy}: compliant fixture flagged"


def provider(name: str = "primary", region: str = PRIMARY_REGION, tags: dict | None = None) -> aws.Provider:
    return aws.Provider(name, region=region, default_tags={"tags": OWNERSHIP_TAGS if tags is None else tags})


def on(p: aws.Provider, **kwargs) -> pulumi.ResourceOptions:
    return pulumi.ResourceOptions(provider=p, **kwargs)


def graph_of(program: Callable[[], None]) -> Graph:
    return run(program, project="platform", stack="prod")
