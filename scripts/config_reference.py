"""The README's configuration reference, generated from the settings schema (as terraform-docs
generates a module's inputs table): every key, its type, each tier's default, its description.

    python -m scripts.config_reference          # rewrite the table in README.md
    python -m scripts.config_reference --check  # exit 1 when README.md is stale
"""

from __future__ import annotations

import argparse
import functools
import json
import sys
import types
import typing
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel
from pydantic_core import PydanticUndefined

from components.config.defaults import PLATFORM_DEFAULTS, TIER_DEFAULTS, merge
from components.config.loader import DERIVED_KEYS, EXTERNAL_KEYS
from components.config.settings import SECRET_KEYS, Settings

README = Path(__file__).resolve().parent.parent / "README.md"
BEGIN, END = "<!-- config reference: begin -->", "<!-- config reference: end -->"
TIERS = tuple(TIER_DEFAULTS)
# What each tier fills in, with every platform's compute defaults laid in (their keys don't overlap;
# each applies only to the colours on its platform).
SHOWN_DEFAULTS = {
    tier: merge(TIER_DEFAULTS[tier], {"compute": functools.reduce(merge, PLATFORM_DEFAULTS[tier].values(), {})})
    for tier in TIERS
}


def _models(annotation: Any) -> list[type[BaseModel]]:
    """The settings models an annotation holds (directly, optionally, or as dict values)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in typing.get_args(annotation) for m in _models(arg)]


def _type_name(annotation: Any) -> str:
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is Literal:
        return " \\| ".join(f"`{a}`" for a in args)
    if origin in (typing.Union, types.UnionType):
        return " \\| ".join(_type_name(a) for a in args if a is not type(None)) + " (optional)"
    if origin is typing.Annotated:
        return _type_name(args[0])
    if origin in (list, dict):
        return f"{origin.__name__} of " + ", ".join(_type_name(a) for a in args)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return "section"
    return getattr(annotation, "__name__", str(annotation))


def _tier_default(path: tuple[str, ...], field_default: Any, tier: str) -> str:
    node: Any = SHOWN_DEFAULTS[tier]
    for part in path:
        if not isinstance(node, dict) or part not in node:
            break
        node = node[part]
    else:
        return _show(node)
    if field_default is PydanticUndefined:
        return "required"
    return _show(field_default)


def _show(value: Any) -> str:
    if isinstance(value, BaseModel):
        return "—"
    if value is None:
        return "unset"
    if isinstance(value, (dict, list)) and len(json.dumps(value, default=str)) > 40:
        return "see `components/config/defaults.py`"
    return f"`{json.dumps(value, default=str)}`"


def _key(path: tuple[str, ...]) -> str:
    root = path[0]
    if root in EXTERNAL_KEYS:
        return ".".join((EXTERNAL_KEYS[root], *path[1:]))
    return ".".join(path)


def rows(model: type[BaseModel] = Settings, prefix: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    """(key, type, default per tier…, description) for every leaf setting, depth first."""
    for name, field in model.model_fields.items():
        path = (*prefix, name)
        if not prefix and name in DERIVED_KEYS:
            continue
        nested = _models(field.annotation)
        annotation = field.annotation
        if typing.get_origin(annotation) is dict and nested:
            defaults = tuple(_tier_default(path, field.default, tier) for tier in TIERS)
            yield (f"`{_key(path)}`", _type_name(annotation), *defaults, field.description or "")
            keys = typing.get_args(typing.get_args(annotation)[0]) or ("<name>",)
            for nested_model in nested:
                yield from rows(nested_model, (*path, "{" + ",".join(map(str, keys)) + "}"))
            continue
        if nested:
            for nested_model in nested:
                yield from rows(nested_model, path)
            continue
        description = field.description or ""
        if not prefix and name in SECRET_KEYS:
            description += " Set with `pulumi config set --secret`."
        defaults = tuple(_tier_default(path, field.default, tier) for tier in TIERS)
        yield (f"`{_key(path)}`", _type_name(annotation), *defaults, description)


def unique_rows() -> list[tuple[str, ...]]:
    """`rows()` with a key the colours' platform classes share (platform, image) listed once."""
    seen: dict[str, tuple[str, ...]] = {}
    for row in rows():
        first = seen.setdefault(row[0], row)
        if first[1] != row[1]:  # the colour's `platform` tag: ec2 or eks, following compute.platform
            seen[row[0]] = (row[0], f"{first[1]} \\| {row[1]}", *["`compute.platform`"] * len(TIERS), first[-1])
    return list(seen.values())


def table() -> str:
    header = ("key", "type", *(f"{tier} default" for tier in TIERS), "description")
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += [
        "| " + " | ".join(cell.replace("|", "\\|") if i != 1 else cell for i, cell in enumerate(row)) + " |"
        for row in unique_rows()
    ]
    return "\n".join(lines)


def embed(text: str) -> str:
    """`text` with the table between the markers replaced by the current one."""
    if BEGIN not in text or END not in text:
        raise ValueError(f"README.md has no {BEGIN} … {END} block")
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{BEGIN}\n{table()}\n{END}{tail}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").partition("\n")[0])
    parser.add_argument("--check", action="store_true", help="exit 1 when README.md is stale")
    args = parser.parse_args(argv)
    current = README.read_text()
    wanted = embed(current)
    if args.check:
        if wanted != current:
            print("README.md's configuration reference is stale: run python -m scripts.config_reference")
            return 1
        return 0
    README.write_text(wanted)
    return 0


if __name__ == "__main__":
    sys.exit(main())
