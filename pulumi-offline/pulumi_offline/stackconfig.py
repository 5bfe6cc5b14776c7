"""Read a Pulumi project's stack configuration the way the CLI hands it to a program."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml


class StackConfigError(Exception):
    """The project or stack file cannot be read."""


@dataclass(frozen=True)
class StackConfig:
    """A stack's config as the language host receives it: flat `ns:key` strings."""

    project: str
    stack: str
    values: dict[str, str] = field(default_factory=dict)
    secret_keys: frozenset[str] = frozenset()


def _placeholder(key: str) -> str:
    # Encrypted values can't be decrypted offline; a stable placeholder keeps the key present
    # (and marked secret) so the program takes the same code path as with the real value.
    return f"offline-secret-placeholder:{key}"


def _strip_secure(value: Any, key: str) -> tuple[Any, bool]:
    """Replace every `{secure: ...}` leaf with a placeholder; report whether any was found."""
    if isinstance(value, dict):
        if set(value) == {"secure"}:
            return _placeholder(key), True
        found = False
        out = {}
        for k, v in value.items():
            out[k], leaf = _strip_secure(v, f"{key}.{k}")
            found = found or leaf
        return out, found
    if isinstance(value, list):
        items = [_strip_secure(v, f"{key}[{i}]") for i, v in enumerate(value)]
        return [v for v, _ in items], any(leaf for _, leaf in items)
    return value, False


def _as_config_string(value: Any) -> str:
    """Pulumi passes scalars as strings and structured values as JSON."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value)
    return str(value)


def _read_yaml(path: Path) -> dict:
    try:
        data = yaml.safe_load(path.read_text()) or {}
    except yaml.YAMLError as exc:
        raise StackConfigError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise StackConfigError(f"{path}: expected a mapping at the top level")
    return data


def project_name(program_dir: Path) -> str:
    name = _project(program_dir).get("name")
    if not name:
        raise StackConfigError(f"{Path(program_dir) / 'Pulumi.yaml'}: the project has no name")
    return str(name)


def _project(program_dir: Path) -> dict:
    project_file = Path(program_dir) / "Pulumi.yaml"
    if not project_file.is_file():
        raise StackConfigError(f"{program_dir}: no Pulumi.yaml (not a Pulumi project)")
    return _read_yaml(project_file)


def project_main(program_dir: Path) -> Path:
    """The program's entry point: `main:` of Pulumi.yaml (a file, or a directory holding
    `__main__.py`), else `__main__.py` beside it."""
    program_dir = Path(program_dir)
    main = program_dir / str(_project(program_dir).get("main") or ".")
    main = main / "__main__.py" if main.is_dir() else main
    if not main.is_file():
        raise StackConfigError(f"{program_dir}: no {main.relative_to(program_dir)} (only Python programs run offline)")
    return main


def project_virtualenv(program_dir: Path) -> str | None:
    """The `runtime.options.virtualenv` of Pulumi.yaml (relative to the program), if any."""
    runtime = _project(program_dir).get("runtime")
    options = runtime.get("options") if isinstance(runtime, dict) else None
    venv = options.get("virtualenv") if isinstance(options, dict) else None
    return str(venv) if venv else None


def available_stacks(program_dir: Path) -> list[str]:
    return sorted(p.name[len("Pulumi.") : -len(".yaml")] for p in Path(program_dir).glob("Pulumi.*.yaml"))


def _qualify(key: str, project: str) -> str:
    return key if ":" in key else f"{project}:{key}"


DEFAULT_STACK = "dev"


def load_stack_config(program_dir: Path, stack: str | None, overrides: dict[str, str] | None = None) -> StackConfig:
    """Project defaults overlaid with `Pulumi.<stack>.yaml`, then `overrides` (`--config
    key=value`). A program without stack files runs as stack `dev` (any name given is accepted)
    with its project defaults; one with stack files must name one of them."""
    program_dir = Path(program_dir)
    project = project_name(program_dir)
    raw: dict[str, Any] = {}
    for key, spec in (_read_yaml(program_dir / "Pulumi.yaml").get("config") or {}).items():
        if isinstance(spec, dict) and ("default" in spec or "value" in spec):
            raw[_qualify(key, project)] = spec.get("value", spec.get("default"))
        elif not isinstance(spec, dict):
            raw[_qualify(key, project)] = spec

    stack = stack or DEFAULT_STACK
    stack_file = program_dir / f"Pulumi.{stack}.yaml"
    if stack_file.is_file():
        for key, value in (_read_yaml(stack_file).get("config") or {}).items():
            raw[_qualify(key, project)] = value
    elif known := available_stacks(program_dir):
        raise StackConfigError(f"unknown stack '{stack}' (stack files here: {', '.join(known)})")
    for key, value in (overrides or {}).items():
        raw[_qualify(key, project)] = value

    values: dict[str, str] = {}
    secrets: set[str] = set()
    for key, value in raw.items():
        plain, is_secret = _strip_secure(value, key)
        values[key] = _as_config_string(plain)
        if is_secret:
            secrets.add(key)
    return StackConfig(project, stack, values, frozenset(secrets))
