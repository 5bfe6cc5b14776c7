"""Declaring policies: one call per policy, with everything a reviewer needs next to the rule.

`resource_policy` runs its check only on the listed type tokens and passes the policy's config
with the schema's defaults filled in (the engine may send no config at all). `stack_policy`
gets a `Stack` view whose `refers()` links resources through the engine's property
dependencies (which work during preview, when ids and ARNs are still unknown) or, failing
that, through matching ids/ARNs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    PolicyResource,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)

from ._helpers import get, known, walk

MANDATORY = EnforcementLevel.MANDATORY
ADVISORY = EnforcementLevel.ADVISORY
LOW, MEDIUM, HIGH, CRITICAL = Severity.LOW, Severity.MEDIUM, Severity.HIGH, Severity.CRITICAL

ResourceCheck = Callable[[ResourceValidationArgs, Mapping[str, Any]], Iterable[str] | None]
StackCheck = Callable[["Stack", Mapping[str, Any]], Iterable[tuple[str, str]] | None]

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

    return ResourceValidationPolicy(
        name=name,
        description=description,
        validate=validate,
        # The SDK's alias says Awaitable; its Remediate handler also takes a plain mapping (or None).
        remediate=fix if remediate else None,  # pyright: ignore[reportArgumentType]
        enforcement_level=enforcement,
        config_schema=_schema(config),
        severity=severity,
        tags=list(checklist),
        remediation_steps=remediation,
    )


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
        stack = Stack(args.resources)
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
    """The stack's resources, with lookups by type and by reference."""

    def __init__(self, resources: list[PolicyResource]) -> None:
        self.resources = resources

    def of(self, types: tuple[str, ...]) -> list[PolicyResource]:
        return [r for r in self.resources if r.resource_type in types]

    def refers(self, source: PolicyResource, target: PolicyResource, prop: str, *path: str | int) -> bool:
        """Whether `source.props[prop][path…]` points at `target`."""
        deps = source.property_dependencies.get(prop) or []
        if any(dep.urn == target.urn for dep in deps):
            return True
        ids = identifiers(target)
        value = known(get, source.props, prop, *path)
        return any(isinstance(v, str) and v in ids for v in known(lambda: list(walk(value)), default=[]))

    def referrers(
        self, types: tuple[str, ...], target: PolicyResource, prop: str, *path: str | int
    ) -> list[PolicyResource]:
        return [r for r in self.of(types) if self.refers(r, target, prop, *path)]

    def referenced(
        self, source: PolicyResource, types: tuple[str, ...], prop: str, *path: str | int
    ) -> list[PolicyResource]:
        return [t for t in self.of(types) if self.refers(source, t, prop, *path)]


def identifiers(resource: PolicyResource) -> set[str]:
    values = (known(get, resource.props, key) for key in _ID_KEYS)
    return {v for v in values if isinstance(v, str) and v}
