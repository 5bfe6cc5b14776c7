"""Linear reference lookups for stack policies: index every pointer once, then ask per target.

`Stack.refers()` compares one pair at a time, so checking each target against each candidate
grows with the square of the stack. `Pointers` reads each candidate's property once, keyed by the
URNs it depends on (known during preview) and the literal ids/ARNs/names it holds.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from pulumi_policy import PolicyResource

from ._helpers import get, known, walk
from ._policy import Stack, identifiers

# Identifiers other resources use that `identifiers()` does not list (an SQS queue's URL, an API stage's name).
_EXTRA_ID_KEYS = ("url", "stageName")


def keys_of(resource: PolicyResource) -> set[str]:
    """The URN and every physical identifier a reference to `resource` may hold."""
    extra = (known(get, resource.props, key) for key in _EXTRA_ID_KEYS)
    return {resource.urn, *identifiers(resource), *(v for v in extra if isinstance(v, str) and v)}


class Pointers:
    """Resources of `types` by what their `prop` points at."""

    def __init__(self, stack: Stack, types: tuple[str, ...], prop: str) -> None:
        self._by_key: Mapping[str, list[PolicyResource]] = defaultdict(list)
        for source in stack.of(types):
            for key in _targets(source, prop):
                self._by_key[key].append(source)

    def at(self, target: PolicyResource) -> list[PolicyResource]:
        """The indexed resources that point at `target`, each once."""
        found: dict[str, PolicyResource] = {}
        for key in keys_of(target):
            for source in self._by_key.get(key, ()):
                found.setdefault(source.urn, source)
        return list(found.values())


def _targets(source: PolicyResource, prop: str) -> set[str]:
    deps = {dep.urn for dep in source.property_dependencies.get(prop) or []}
    value: Any = known(get, source.props, prop)
    literals = {v for v in known(lambda: list(walk(value)), default=[]) if isinstance(v, str) and v}
    return deps | literals


def by_keys(resources: list[PolicyResource]) -> dict[str, PolicyResource]:
    """Resources by URN and identifiers, for the pointer → target direction."""
    index: dict[str, PolicyResource] = {}
    for resource in resources:
        for key in keys_of(resource):
            index.setdefault(key, resource)
    return index


def targets_of(source: PolicyResource, prop: str, index: Mapping[str, PolicyResource]) -> list[PolicyResource]:
    """The indexed resources `source.props[prop]` points at."""
    found = {index[key].urn: index[key] for key in _targets(source, prop) if key in index}
    return list(found.values())
