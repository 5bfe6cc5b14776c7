"""Turn the stack's Pulumi config into Settings, or one error that lists every problem."""

from __future__ import annotations

import difflib
import json
from collections.abc import Mapping
from typing import Any

import pulumi
from pydantic import ValidationError

from .compute import COLORS, PLATFORMS, wrong_platform_errors
from .defaults import TIER_DEFAULTS, merge, with_platform_defaults
from .settings import SECRET_KEYS, Settings

# Where a setting lives when it isn't under the project's own namespace.
EXTERNAL_KEYS = {"region": "aws:region"}
# Filled in from Pulumi itself, never from config.
DERIVED_KEYS = ("project", "stack")


class ConfigError(pulumi.RunError):
    """Invalid stack configuration; `problems` holds one `key.path: reason` line each.
    (A RunError, so `pulumi up` prints the list without a Python traceback.)"""

    def __init__(self, stack: str, problems: list[str]):
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"stack '{stack}' has {len(problems)} configuration problem(s):\n{lines}")


def _key_path(loc: tuple[Any, ...]) -> str:
    path = ""
    for index, part in enumerate(loc):
        if index and loc[index - 1] in COLORS and part in PLATFORMS:
            continue  # the tag of the colour's settings class, not a key
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
    root = path.split(".")[0].split("[")[0]
    if root in EXTERNAL_KEYS:
        path = EXTERNAL_KEYS[root] + path[len(root) :]
    return path


def _describe(error: Mapping[str, Any], known: dict[str, Any]) -> str:
    """One readable line for a pydantic error."""
    loc = tuple(p for p in error["loc"] if p not in ("function-after", "function-before"))
    where = _key_path(loc) or "config"
    if error["type"] == "extra_forbidden":
        parent_fields = _fields_at(loc[:-1])
        hint = difflib.get_close_matches(str(loc[-1]), parent_fields, n=1)
        return f"{where}: unknown key" + (f" (did you mean '{hint[0]}'?)" if hint else "")
    if error["type"] == "missing":
        return f"{where}: required but not set"
    message = error["msg"].removeprefix("Value error, ")
    return f"{where}: {message}"


def _fields_at(loc: tuple[Any, ...]) -> list[str]:
    """Field names of the model at `loc`, for typo suggestions."""
    model: Any = Settings
    for part in loc:
        field = getattr(model, "model_fields", {}).get(part)
        if field is None:
            return []
        model = field.annotation
    return list(getattr(model, "model_fields", {}))


def _parse(value: str) -> Any:
    """Pulumi hands structured config over as JSON text and scalars as plain strings (which
    stay strings: pydantic converts `"3000"` where a number is wanted, and an account id like
    `"012345678901"` must keep its leading zero)."""
    if isinstance(value, str) and value.lstrip()[:1] in ("{", "["):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def load_settings(
    raw: Mapping[str, Any], *, project: str, stack: str, secret_keys: set[str] | frozenset[str] = frozenset()
) -> Settings:
    """Validate `raw` (config keys without namespace, values parsed) over the tier defaults."""
    problems: list[str] = []
    for key in DERIVED_KEYS:
        if key in raw:
            problems.append(f"{key}: set by Pulumi from the project and stack name, not by config")
    for key in SECRET_KEYS:
        if raw.get(key) is not None and key not in secret_keys:
            problems.append(f"{key}: holds a secret; set it with `pulumi config set --secret {key} …`")

    tier = raw.get("tier")
    if tier not in TIER_DEFAULTS:
        problems.append(f"tier: must be one of {sorted(TIER_DEFAULTS)}, got {tier!r}")
        raise ConfigError(stack, problems)

    document = merge(TIER_DEFAULTS[tier], {k: v for k, v in raw.items() if k not in DERIVED_KEYS})
    document |= {"project": project, "stack": stack}
    document["compute"] = with_platform_defaults(tier, document.get("compute", {}))
    # Keys of the wrong platform are reported here and left out, so every other problem of the
    # compute section is reported in the same run.
    if isinstance(document["compute"], dict):
        compute = document["compute"] = json.loads(json.dumps(document["compute"]))
        for loc, reason in wrong_platform_errors(compute):
            *parents, key = loc
            problems.append(f"{_key_path(('compute', *loc))}: {reason}")
            node = compute
            for part in parents:
                node = node[part]
            node.pop(key)
    try:
        settings = Settings.model_validate(document, context={"tier": tier, "region": raw.get("region")})
    except ValidationError as exc:
        problems += [_describe(e, document) for e in exc.errors()]
        raise ConfigError(stack, problems) from None
    if problems:
        raise ConfigError(stack, problems)
    return settings


def settings_from_pulumi() -> Settings:
    """Read this stack's config from the running Pulumi program."""
    project = pulumi.get_project()
    stack = pulumi.get_stack()
    everything = {**pulumi.runtime.get_config_env(), **pulumi.runtime.config.CONFIG.get()}
    secret = set(pulumi.runtime.get_config_secret_keys_env())
    raw: dict[str, Any] = {}
    secret_keys: set[str] = set()
    for full_key, value in everything.items():
        namespace, _, key = full_key.partition(":")
        if namespace == project:
            raw[key] = _parse(value)
            if full_key in secret or pulumi.runtime.is_config_secret(full_key):
                secret_keys.add(key)
    for key, full_key in EXTERNAL_KEYS.items():
        if full_key in everything:
            raw[key] = everything[full_key]
    return load_settings(raw, project=project, stack=stack, secret_keys=secret_keys)
