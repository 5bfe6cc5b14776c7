"""Refactors keep URNs stable: a stateful resource that moves (new parent, new name) without an
alias would be deleted and recreated by `pulumi up`, with its data."""

from __future__ import annotations

from pathlib import Path

import pulumi
import pulumi_aws as aws

from pulumi_offline.program import Graph, run
from scripts.stateful_urns import INVENTORY, stateful_urns


def recorded(stack: str) -> set[str]:
    return set((INVENTORY / f"{stack}.txt").read_text().split())


def vanished(inventory: set[str], graph: Graph) -> set[str]:
    """Recorded URNs that no resource has now, under its own URN or as an alias."""
    return inventory - set(stateful_urns(graph)) - {alias for r in graph for alias in r.alias_urns}


def test_an_alias_carries_a_moved_resource_and_a_bare_rename_does_not():
    old = "urn:pulumi:test::fixture::aws:s3/bucket:Bucket::documents"
    moved = run(lambda: aws.s3.Bucket("docs", opts=pulumi.ResourceOptions(aliases=[pulumi.Alias(name="documents")])))
    renamed = run(lambda: aws.s3.Bucket("docs"))
    assert vanished({old}, moved) == set()
    assert vanished({old}, renamed) == {old}


def test_no_recorded_stateful_resource_disappears_without_an_alias(stack):
    assert vanished(recorded(stack.stack), stack) == set(), (
        "these stateful resources would be replaced: keep their names and parents, or give the moved "
        "resource `aliases=[...]` with the old URN"
    )


def test_every_stateful_resource_is_in_the_reviewed_inventory(stack):
    unrecorded = set(stateful_urns(stack)) - recorded(stack.stack)
    assert unrecorded == set(), "new stateful resources: run `python scripts/stateful_urns.py` and review the diff"


def test_the_inventory_is_not_empty():
    assert all(len(recorded(s)) > 10 for s in ("staging", "prod")), Path(INVENTORY)
