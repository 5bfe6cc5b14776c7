"""Declaring policies: one call per policy, with everything a reviewer needs next to the rule.

`resource_policy` runs its check only on the listed type tokens and passes the policy's config
with the schema's defaults filled in (the engine may send no config at all). `stack_policy`
gets a `Stack` view, indexed once, whose `refers()`/`referrers()`/`referenced()` link resources
through the engine's property dependencies (which work during preview, when ids and ARNs are
still unknown) or, failing that, through matching ids/ARNs/names.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar, cast
from weakref import WeakKeyDictionary

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    PolicyResource,
    ResourceRemediation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)

from ._helpers import get, known, walk

T = TypeVar("T")

MANDATORY = EnforcementLevel.MANDATORY
ADVISORY = EnforcementLevel.ADVISORY
LOW, MEDIUM, HIGH, CRITICAL = Severity.LOW, Severity.MEDIUM, Severity.HIGH, Severity.CRITICAL

ResourceCheck = Callable[[ResourceValidationArgs, Mapping[str, Any]], Iterable[str] | None]
StackCheck = Callable[["Stack", Mapping[str, Any]], Iterable[tuple[str, str]] | None]

# The type tokens each resource policy checks: the servicer hands a resource only to the
# policies for its type (`_fast_servicer`).
RESOURCE_TYPES: WeakKeyDictionary[ResourceValidationPolicy, tuple[str, ...]] = WeakKeyDictionary()

# Physical identifiers other resources use to point at a resource.
_ID_KEYS = ("id", "arn", "name", "bucket", "identifier", "clusterIdentifier", "replicationGroupId", "keyId")


def settings(schema: Mapping[str, Mapping[str, Any]] | None, config: Mapping[str, Any]) -> dict[str, Any]:
    """Policy config with the schema's defaults for anything not set."""
    merged = {key: spec.get("default") for key, spec in (schema or {}).items()}
    merged.update({k: config[k] for k in config if k != "enforcementLevel"})
    return merged


def _schema(config: Mapping[str, Mapping[str, Any]] | None) -> PolicyConfigSchema | None:
    return PolicyConfigSchema(properties={k: dict(v) for k, v in config.items()}) if config else None


def resource_policy(
    name: str,
    *,
    types: tuple[str, ...],
    description: str,
    severity: Severity,
    checklist: tuple[str, ...],
    remediation: str,
    check: ResourceCheck,
    enforcement: EnforcementLevel = MANDATORY,
    config: Mapping[str, Mapping[str, Any]] | None = None,
    remediate: Callable[[ResourceValidationArgs, Mapping[str, Any]], Mapping[str, Any] | None] | None = None,
) -> ResourceValidationPolicy:
    """A policy on every resource whose type token is in `types`; `check` yields messages."""

    def validate(args: ResourceValidationArgs, report) -> None:
        if args.resource_type not in types:
            return
        for message in check(args, settings(config, args.get_config())) or ():
            report(message)

    def fix(args: ResourceValidationArgs):
        if args.resource_type in types and remediate is not None:
            return remediate(args, settings(config, args.get_config()))
        return None

    policy = ResourceValidationPolicy(
        name=name,
        description=description,
        validate=validate,
        # The SDK types remediations as awaitable; it accepts plain return values too.
        remediate=cast(ResourceRemediation, fix) if remediate else None,
        enforcement_level=enforcement,
        config_schema=_schema(config),
        severity=severity,
        tags=list(checklist),
        remediation_steps=remediation,
    )
    RESOURCE_TYPES[policy] = types
    return policy


def stack_policy(
    name: str,
    *,
    description: str,
    severity: Severity,
    checklist: tuple[str, ...],
    remediation: str,
    check: StackCheck,
    enforcement: EnforcementLevel = MANDATORY,
    config: Mapping[str, Mapping[str, Any]] | None = None,
) -> StackValidationPolicy:
    """A policy over the whole stack; `check` yields `(message, urn)` pairs."""

    def validate(args: StackValidationArgs, report) -> None:
        stack = Stack.shared(args.resources)
        for message, urn in check(stack, settings(config, args.get_config())) or ():
            report(message, urn)

    return StackValidationPolicy(
        name=name,
        description=description,
        validate=validate,
        enforcement_level=enforcement,
        config_schema=_schema(config),
        severity=severity,
        tags=list(checklist),
        remediation_steps=remediation,
    )


class Stack:
    """The stack's resources, indexed once: by type token, URN and physical identifier (id,
    ARN, name…), and — for each property a policy follows — which resources point at which.

    Every lookup is a dictionary read after the first, so a stack policy costs time linear in
    the size of the stack however many resources it relates.
    """

    _last: Stack | None = None

    @classmethod
    def shared(cls, resources: list[PolicyResource]) -> Stack:
        """The view of `resources`, shared by every stack policy handed that same list (one
        request's, `_fast_servicer`): indexed once, not once per policy."""
        last = cls._last
        if last is None or last.resources is not resources:
            last = cls._last = cls(resources)
        return last

    def __init__(self, resources: list[PolicyResource]) -> None:
        self.resources = resources
        # Every policy builds its own view, and most only ask for a type or two: index by type
        # now, and by URN / stack position only once a lookup needs them.
        self._by_type: dict[str, list[PolicyResource]] = defaultdict(list)
        for r in resources:
            self._by_type[r.resource_type].append(r)
        self._positions: dict[str, int] | None = None
        self._of: dict[tuple[str, ...], list[PolicyResource]] = {}
        self._identifiers: dict[str, frozenset[str]] = {}
        self._by_identifier: dict[str, list[PolicyResource]] | None = None
        self._targets: dict[tuple[str, str, tuple[str | int, ...]], frozenset[str]] = {}
        self._referrers: dict[tuple[tuple[str, ...], str, tuple[str | int, ...]], dict[str, list[PolicyResource]]] = {}
        self._memo: dict[str, Any] = {}

    def memo(self, key: str, build: Callable[[], T]) -> T:
        """`build()`, computed once per stack view, for an index of its own (HPAs by target…).
        Every stack policy of a request shares the view: name a key for what it holds."""
        if key not in self._memo:
            self._memo[key] = build()
        return self._memo[key]

    @property
    def _position(self) -> dict[str, int]:
        if self._positions is None:
            self._positions = {r.urn: i for i, r in enumerate(self.resources)}
        return self._positions

    def of(self, types: tuple[str, ...]) -> list[PolicyResource]:
        """Resources whose type token is in `types`, in stack order."""
        if types not in self._of:
            found = [r for token in dict.fromkeys(types) for r in self._by_type.get(token, ())]
            if sum(1 for token in set(types) if token in self._by_type) > 1:
                found.sort(key=lambda r: self._position[r.urn])
            self._of[types] = found
        return self._of[types]

    def by_urn(self, urn: str) -> PolicyResource | None:
        position = self._position.get(urn)
        return None if position is None else self.resources[position]

    def identifiers(self, resource: PolicyResource) -> frozenset[str]:
        """The physical identifiers other resources use to point at `resource` (memoised)."""
        if resource.urn not in self._identifiers:
            self._identifiers[resource.urn] = frozenset(identifiers(resource))
        return self._identifiers[resource.urn]

    def identified(self, value: object, types: tuple[str, ...]) -> list[PolicyResource]:
        """Resources of `types` that `value` (an id, ARN, name…) identifies."""
        return [r for r in self._identified(value) if r.resource_type in types]

    def _identified(self, value: object) -> list[PolicyResource]:
        if not isinstance(value, str) or not value:
            return []
        if self._by_identifier is None:
            self._by_identifier = defaultdict(list)
            for r in self.resources:
                for identifier in self.identifiers(r):
                    self._by_identifier[identifier].append(r)
        return self._by_identifier.get(value, [])

    def _targets_of(self, source: PolicyResource, prop: str, path: tuple[str | int, ...]) -> frozenset[str]:
        """URNs of everything `source.props[prop][path…]` points at: its property dependencies,
        then any resource one of its strings identifies."""
        key = (source.urn, prop, path)
        if key not in self._targets:
            urns = {dep.urn for dep in source.property_dependencies.get(prop) or []}
            value = known(get, source.props, prop, *path)
            for v in known(lambda: list(walk(value)), default=[]):
                urns.update(r.urn for r in self._identified(v))
            self._targets[key] = frozenset(urns)
        return self._targets[key]

    def refers(self, source: PolicyResource, target: PolicyResource, prop: str, *path: str | int) -> bool:
        """Whether `source.props[prop][path…]` points at `target` (through the engine's property
        dependencies, which work during preview when ids and ARNs are unknown, or a matching
        id/ARN/name)."""
        return target.urn in self._targets_of(source, prop, path)

    def referrers(
        self, types: tuple[str, ...], target: PolicyResource, prop: str, *path: str | int
    ) -> list[PolicyResource]:
        """Resources of `types` whose `prop` points at `target`, in stack order."""
        key = (types, prop, path)
        if key not in self._referrers:
            index: dict[str, list[PolicyResource]] = defaultdict(list)
            for source in self.of(types):
                for urn in self._targets_of(source, prop, path):
                    index[urn].append(source)
            self._referrers[key] = index
        return self._referrers[key].get(target.urn, [])

    def referenced(
        self, source: PolicyResource, types: tuple[str, ...], prop: str, *path: str | int
    ) -> list[PolicyResource]:
        """Resources of `types` that `source`'s `prop` points at, in stack order."""
        found = [r for r in map(self.by_urn, self._targets_of(source, prop, path)) if r is not None]
        return sorted((r for r in found if r.resource_type in types), key=lambda r: self._position[r.urn])


def identifiers(resource: PolicyResource) -> set[str]:
    """The physical identifiers (id, ARN, name…) other resources use to point at `resource`."""
    present = [key for key in resource.props if key in _ID_KEYS]  # iterating keys reads no values
    values = (known(get, resource.props, key) for key in present)
    return {v for v in values if isinstance(v, str) and v}
