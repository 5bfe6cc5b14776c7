"""The `--policy-pack-config` document, reconciled with every policy's defaults and validated
against its config schema, as the engine does before `Configure`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import jsonschema
from google.protobuf import struct_pb2
from pulumi.runtime.proto import analyzer_pb2 as pb

from .results import LEVEL_VALUES, PackInfo


class PolicyConfigError(ValueError):
    """The policy pack config names an unknown policy or breaks a policy's config schema."""


def reconcile_config(info: PackInfo, config: Mapping[str, Any]) -> dict[str, pb.PolicyConfig]:
    """Every policy's enforcement level and properties; all problems reported at once."""
    known = {p.name for p in info.policies}
    unknown = sorted(set(config) - known - {"all"})
    if unknown:
        raise PolicyConfigError(f"policy config names unknown policies: {', '.join(unknown)}")
    everyone = config.get("all")
    problems: list[str] = []
    reconciled: dict[str, pb.PolicyConfig] = {}
    for policy in info.policies:
        entry = config.get(policy.name, {})
        entry = {"enforcementLevel": entry} if isinstance(entry, str) else dict(entry)
        level = entry.pop("enforcementLevel", None) or everyone or policy.enforcement_level
        if level not in LEVEL_VALUES:
            problems.append(f"{policy.name}.enforcementLevel: {level!r} is not one of {sorted(LEVEL_VALUES)}")
            continue
        schema = {"type": "object", "properties": policy.config_schema, "additionalProperties": False}
        # No properties given: nothing to check (the schema requires none), and building a
        # validator per policy is most of a configure's cost.
        for error in jsonschema.Draft7Validator(schema).iter_errors(entry) if entry else ():
            where = ".".join(str(p) for p in error.absolute_path) or "(config)"
            problems.append(f"{policy.name}.{where}: {error.message}")
        properties = struct_pb2.Struct()
        properties.update(entry)
        reconciled[policy.name] = pb.PolicyConfig(enforcementLevel=LEVEL_VALUES[level], properties=properties)
    if problems:
        raise PolicyConfigError("invalid policy config:\n" + "\n".join(problems))
    return reconciled
