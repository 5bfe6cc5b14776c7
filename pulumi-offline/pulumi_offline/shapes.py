"""Resource inputs checked against the provider SDK's own types, as the provider's Check step
would: unknown property names (nested keys included), missing required nested fields, wrong
scalar types.

The types come from the SDK the program imported: the type token names the resource class
(through the package's resource-module registrations, `pulumi.runtime.rpc`), the class's
`<Name>Args` input type declares every property with its wire name (`pulumi.getter(name=…)`),
its Python type and whether it admits None; nested input types likewise. Scalars follow the
bridge's type checker (pulumi-terraform-bridge `typechecker`): a string may stand for a number
or a boolean when it reads as one, a number or boolean for a string. Unknown values, secrets'
contents, assets, archives and resource references never count against a resource.

Findings are advisory: the engine would stop at the provider's Check, but offline the SDK's
types are the only schema, and a newer provider may accept a property an older SDK lacks.
"""

from __future__ import annotations

import collections.abc
import difflib
import enum
import functools
import importlib
import types
import typing
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import pulumi
from pulumi import _types
from pulumi.runtime import rpc

from .paths import join_path
from .program import Registration, Secret, Unknown

Kind = Literal["unknown property", "missing required property", "wrong type"]


@dataclass(frozen=True)
class ShapeProblem:
    """One input that does not fit the SDK's type: where (`ingress[0].fromPort`) and why."""

    path: str
    kind: Kind
    message: str


@dataclass(frozen=True)
class InputProblem:
    """A ShapeProblem of one registered resource."""

    urn: str
    type: str
    name: str
    problem: ShapeProblem
    # Where the program constructs the resource (`file:///…/__main__.py#17`), when recorded.
    source_position: str = ""

    def as_dict(self) -> dict[str, str]:
        return {
            "urn": self.urn,
            "type": self.type,
            "name": self.name,
            "path": self.problem.path,
            "kind": self.problem.kind,
            "message": self.problem.message,
        }


# The shape of a value, reduced from a Python type hint.
@dataclass(frozen=True)
class Scalar:
    kind: Literal["string", "integer", "number", "boolean"]


@dataclass(frozen=True)
class ListOf:
    item: Shape


@dataclass(frozen=True)
class MapOf:
    value: Shape


@dataclass(frozen=True)
class Object:
    cls: type


@dataclass(frozen=True)
class OneOf:
    members: tuple[Shape, ...]


class _Anything:
    """A type the checker does not look into (Any, assets, resources, JSON)."""


ANYTHING = _Anything()
Shape = Scalar | ListOf | MapOf | Object | OneOf | _Anything

_SCALARS: dict[type, Scalar] = {
    bool: Scalar("boolean"),
    int: Scalar("integer"),
    float: Scalar("number"),
    str: Scalar("string"),
}
_SEQUENCES = {list, tuple, collections.abc.Sequence, typing.Sequence, typing.List}  # noqa: UP006
_MAPPINGS = {dict, collections.abc.Mapping, typing.Mapping, typing.Dict}  # noqa: UP006
_AWAITABLES = {collections.abc.Awaitable, typing.Awaitable}


def _is_wrapper(hint: Any) -> bool:
    """The non-value members of `Input[T]`: `Awaitable[T]`, `Output[T]`, None."""
    return hint is type(None) or hint is pulumi.Output or typing.get_origin(hint) in {*_AWAITABLES, pulumi.Output}


def shape_of(hint: Any) -> Shape:
    """What a value of Python type `hint` must look like on the wire."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        members = [a for a in args if not _is_wrapper(a)]
        # `InputType[T]` is `Union[T, Mapping[str, Any]]`: the mapping is T's dict form.
        if any(isinstance(m, type) and _types.is_input_type(m) for m in members):
            members = [m for m in members if typing.get_origin(m) not in _MAPPINGS]
        shapes = list(dict.fromkeys(shape_of(m) for m in members))
        if len(shapes) == 1:
            return shapes[0]
        return ANYTHING if not shapes or ANYTHING in shapes else OneOf(tuple(shapes))
    if origin is pulumi.Output:
        return shape_of(args[0]) if args else ANYTHING
    if origin in _SEQUENCES:
        return ListOf(shape_of(args[0]) if args else ANYTHING)
    if origin in _MAPPINGS:
        return MapOf(shape_of(args[1]) if len(args) == 2 else ANYTHING)
    if isinstance(hint, type):
        if _types.is_input_type(hint):
            return Object(hint)
        if issubclass(hint, enum.Enum):
            # Generated enums subclass their wire type (`class Protocol(str, Enum)`).
            return next((s for t, s in _SCALARS.items() if issubclass(hint, t)), ANYTHING)
        return _SCALARS.get(hint, ANYTHING)
    return ANYTHING


@functools.cache
def properties(cls: type) -> tuple[dict[str, Shape], frozenset[str], dict[str, str]]:
    """An input type's properties by wire name, the required ones, and Python → wire names."""
    hints = _types._raw_return_hints(cls)
    return (
        {name: shape_of(hint) for name, hint in hints.items()},
        _types._required_property_names(cls),
        _types.input_type_py_to_pulumi_names(cls),
    )


def _package_module(package: str) -> str:
    return "pulumi_" + package.replace("-", "_")


@functools.cache
def args_class(type_token: str) -> type | None:
    """The `<Name>Args` input type of the resource `type_token` names, from the resource-module
    registrations of its package (imported on demand); None when no SDK declares it."""
    package, module, _ = [*type_token.split(":"), "", ""][:3]
    if package == "pulumi" or not module:
        return None
    try:
        importlib.import_module(_package_module(package))
    except ImportError:
        return None
    for registered in rpc._RESOURCE_MODULES.get(f"{package}:{module}", []):
        info = getattr(registered, "mod_info", None) or {}
        class_name = info.get("classes", {}).get(type_token)
        if class_name:
            resource = getattr(importlib.import_module(info["fqn"]), class_name)
            module = importlib.import_module(resource.__module__)
            # The resource's own module declares its arguments; where a nested input type of
            # the package has the same name (the legacy Bucket's `BucketVersioningArgs`), the
            # resource's are `<Name>InitArgs`.
            for candidate in (f"{class_name}InitArgs", f"{class_name}Args"):
                cls = getattr(module, candidate, None)
                if isinstance(cls, type) and cls.__module__ == module.__name__ and _types.is_input_type(cls):
                    return cls
    return None


def _plain(value: Any) -> tuple[bool, Any]:
    """(whether `value` can be checked, its checkable form): secrets are looked into; unknowns,
    assets, archives and output values without a value are not."""
    while True:
        if isinstance(value, Secret):
            value = value.value
        elif isinstance(value, dict) and rpc._special_sig_key in value:
            if (
                value[rpc._special_sig_key] in (rpc._special_secret_sig, rpc._special_output_value_sig)
                and "value" in value
            ):
                value = value["value"]
            else:
                return False, None
        else:
            break
    if value is None or isinstance(value, Unknown) or value == rpc.UNKNOWN:
        return False, None
    return True, value


def _wire_type(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object" if isinstance(value, dict) else type(value).__name__


def _preview(value: Any) -> str:
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 30 else text[:27] + "..."


def _scalar_fits(kind: str, value: Any) -> bool:
    if kind == "string":
        return isinstance(value, str | int | float)
    if kind == "boolean":
        return isinstance(value, bool) or (isinstance(value, str) and value.lower() in ("true", "false"))
    if isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            return False
        return kind == "number" or number.is_integer()
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    return kind == "number" or float(value).is_integer()


def _check(value: Any, shape: Shape, path: str) -> list[ShapeProblem]:
    checkable, value = _plain(value)
    if not checkable or isinstance(shape, _Anything):
        return []
    if isinstance(shape, OneOf):
        attempts = [_check(value, member, path) for member in shape.members]
        return [] if any(not a for a in attempts) else attempts[0]
    expected = {Scalar: None, ListOf: "array", MapOf: "object", Object: "object"}[type(shape)]
    if isinstance(shape, Scalar):
        if _scalar_fits(shape.kind, value):
            return []
        expected = shape.kind
    elif isinstance(shape, ListOf) and isinstance(value, list):
        return [p for i, item in enumerate(value) for p in _check(item, shape.item, join_path(path, i))]
    elif isinstance(shape, MapOf) and isinstance(value, dict):
        # `__defaults` and other `__` keys are the bridge's bookkeeping, not user data.
        return [
            p for k, v in value.items() if not k.startswith("__") for p in _check(v, shape.value, join_path(path, k))
        ]
    elif isinstance(shape, Object) and isinstance(value, dict):
        return check_object(shape.cls, value, path)
    message = f"expected {expected} type, got {_preview(value)} of type {_wire_type(value)}"
    return [ShapeProblem(path, "wrong type", message)]


def _suggestion(key: str, known: Iterable[str], python_names: Mapping[str, str]) -> str:
    if key in python_names:
        return f" (the Python name of '{python_names[key]}')"
    close = difflib.get_close_matches(key, list(known), n=1)
    return f"; did you mean '{close[0]}'?" if close else ""


def check_object(cls: type, value: Mapping[str, Any], path: str = "") -> list[ShapeProblem]:
    """`value` (wire names) against the input type `cls`."""
    shapes, required, python_names = properties(cls)
    problems = []
    for key, item in value.items():
        if key.startswith("__"):
            continue
        if key not in shapes:
            hint = _suggestion(key, shapes, python_names)
            problems.append(
                ShapeProblem(
                    join_path(path, key), "unknown property", f"an unexpected argument '{key}' was provided{hint}"
                )
            )
            continue
        problems += _check(item, shapes[key], join_path(path, key))
    for key in sorted(required - value.keys()):
        problems.append(
            ShapeProblem(join_path(path, key), "missing required property", f"the argument '{key}' is required")
        )
    return problems


def check_inputs(type_token: str, inputs: Mapping[str, Any]) -> list[ShapeProblem]:
    """The problems of one resource's registered inputs (wire names); none when its SDK
    cannot be found (a package the program did not import, a component)."""
    cls = args_class(type_token)
    return check_object(cls, inputs) if cls is not None else []


def check_graph(resources: Iterable[Registration]) -> list[InputProblem]:
    """Every custom resource's input problems (providers and components are not checked:
    their inputs are the engine's and the program's own)."""
    return [
        InputProblem(r.urn, r.type, r.name, problem, r.source_position)
        for r in resources
        if r.custom and not r.type.startswith("pulumi:")
        for problem in check_inputs(r.type, r.raw_inputs)
    ]
