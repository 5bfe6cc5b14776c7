"""Compare two preview digests (base branch, pull request) the way the engine diffs a
program's new registrations against the previous state.

Matching is by URN, then by the new resource's aliases (a renamed or re-parented resource that
keeps an alias is the same resource). A changed property is an update, unless the provider
would replace the resource for it. Offline there is no provider schema, so replacement is
decided from:

- `CREATE_ONLY`: a deliberately small table of properties AWS cannot change in place
  (Terraform's ForceNew) for the stateful types, where a missed replacement costs data;
- the resource's own `replaceOnChanges` option (`"*"`: any change);
- a change of provider, or of the provider's region.

Secret values are compared as `[secret]`: a changed secret value is invisible offline.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from .aws_types import CREATE_ONLY, STATEFUL_TYPES
from .paths import join_path
from .preview import states

OPS = ("create", "update", "replace", "delete", "same")


@dataclass
class Change:
    """What happens to one resource between the base and the head digest."""

    op: str
    urn: str
    type: str
    old: dict[str, Any] | None
    new: dict[str, Any] | None
    paths: list[str] = field(default_factory=list)
    replace_reasons: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.urn.rsplit("::", 1)[-1]

    @property
    def stateful(self) -> bool:
        return self.type in STATEFUL_TYPES

    @property
    def loses_data(self) -> bool:
        return self.stateful and self.op in ("delete", "replace")

    @property
    def protected(self) -> bool:
        """The base state is protected: `pulumi up` refuses to delete or replace it."""
        return bool(self.old and self.old.get("protect"))


def changed_paths(old: Any, new: Any, path: str = "") -> list[str]:
    """Property paths (engine style: `tags.Name`, `ingress[0].cidrBlocks`) that differ."""
    if isinstance(old, dict) and isinstance(new, dict):
        return [
            p
            for key in sorted(set(old) | set(new))
            for p in changed_paths(old.get(key), new.get(key), join_path(path, key))
        ]
    if isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        pairs = enumerate(zip(old, new, strict=True))
        return [p for i, (a, b) in pairs for p in changed_paths(a, b, join_path(path, i))]
    return [] if old == new else [path]


def value_at(state: dict[str, Any] | None, path: str) -> Any:
    """The input at an engine-style property path (None when absent)."""
    value: Any = (state or {}).get("inputs", {})
    for key in re.findall(r'\["([^"]*)"\]|\[(\d+)\]|([^.\[\]]+)', path):
        quoted, index, plain = key
        if isinstance(value, list) and index:
            value = value[int(index)] if int(index) < len(value) else None
        elif isinstance(value, dict):
            value = value.get(quoted or plain)
        else:
            return None
    return value


def _provider_urn(state: dict[str, Any]) -> str:
    return state.get("provider", "").rsplit("::", 1)[0]


def _replace_reasons(
    old: dict, new: dict, paths: list[str], base_states: dict[str, dict], head_states: dict
) -> list[str]:
    top_level = {re.split(r"[.\[]", p, maxsplit=1)[0] for p in paths}
    triggers = set(CREATE_ONLY.get(new["type"], ())) | set(new.get("replaceOnChanges", ()))
    reasons = sorted(top_level & triggers) if "*" not in triggers else sorted(top_level)
    old_provider, new_provider = _provider_urn(old), _provider_urn(new)
    if old_provider != new_provider and old_provider and new_provider:
        reasons.append("[provider]")
    elif old_provider in base_states and new_provider in head_states:
        old_region = base_states[old_provider].get("inputs", {}).get("region")
        if old_region != head_states[new_provider].get("inputs", {}).get("region"):
            reasons.append("[provider region]")
    return reasons


def compare(base: dict[str, Any], head: dict[str, Any]) -> list[Change]:
    """Every resource of either digest with its operation, in the head's order (deletions last)."""
    base_states = {s["urn"]: s for s in states(base)}
    head_states = {s["urn"]: s for s in states(head)}
    matched: set[str] = set()
    changes: list[Change] = []
    for new in head_states.values():
        old_urn = next((u for u in [new["urn"], *new.get("aliases", [])] if u in base_states), None)
        if old_urn is None:
            changes.append(Change("create", new["urn"], new["type"], None, new))
            continue
        matched.add(old_urn)
        old = base_states[old_urn]
        paths = changed_paths(old.get("inputs", {}), new.get("inputs", {}))
        if old.get("protect", False) != new.get("protect", False):
            paths.append("[protect]")
        reasons = _replace_reasons(old, new, paths, base_states, head_states)
        op = "replace" if reasons else "update" if paths or old_urn != new["urn"] else "same"
        changes.append(Change(op, new["urn"], new["type"], old, new, paths, reasons))
    for urn, old in base_states.items():
        if urn not in matched:
            changes.append(Change("delete", urn, old["type"], old, None))
    return changes


def change_summary(changes: list[Change]) -> dict[str, int]:
    """Counts by operation, like the engine's `changeSummary`."""
    counts = Counter(c.op for c in changes)
    return {op: counts[op] for op in OPS if counts[op]}
