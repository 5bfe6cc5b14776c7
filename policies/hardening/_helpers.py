"""Reading resource properties the way the engine delivers them.

Properties arrive as the policy SDK's proxies (`Mapping`/`Sequence`, never dict/list); a value
that is unknown during preview raises `UnknownValueError` when read, which the SDK turns into an
advisory "can't run during preview" note — so resource policies simply read and let it raise.
Stack policies check many resources at once and use `known()` to skip only the undecidable one.
Booleans and numbers can arrive as strings ("true", "7"), and structured provider config as JSON.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from pulumi_policy.proxy import UnknownValueError

_TRUE = {"true", "1", "yes", "on", "enabled"}
_FALSE = {"false", "0", "no", "off", "disabled", ""}


def get(value: Any, *path: str | int, default: Any = None) -> Any:
    """`value[p0][p1]…`, or `default` where a key is missing or the shape differs."""
    for key in path:
        if isinstance(key, int):
            if not is_list(value) or not -len(value) <= key < len(value):
                return default
            value = value[key]
        elif isinstance(value, Mapping):
            # One read, not `in` then `[]`: each read of a policy proxy checks for unknowns.
            try:
                value = value[key]
            except KeyError:
                return default
        else:
            return default
        if value is None:
            return default
    return value


def is_list(value: Any) -> bool:
    return isinstance(value, Sequence) and not isinstance(value, (str, bytes))


def items(value: Any) -> list[Any]:
    """A list property as a list (absent → empty); a single object counts as one item."""
    if value is None:
        return []
    if is_list(value):
        return [value[i] for i in range(len(value))]
    return [value]


def flag(value: Any, default: bool = False) -> bool:
    """A boolean that may arrive as a string."""
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return value != 0
    if isinstance(value, str):
        text = value.strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
    return default


def number(value: Any) -> float | None:
    """A number that may arrive as a string; None when absent or not numeric."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            return None
    return None


def text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def mapping(value: Any) -> Mapping[str, Any]:
    """A Mapping, or a JSON object string (how SDKs send structured provider config)."""
    if isinstance(value, Mapping):
        return value
    if isinstance(value, str) and value.strip().startswith("{"):
        try:
            parsed = json.loads(value)
        except ValueError:
            return {}
        return parsed if isinstance(parsed, dict) else {}
    return {}


def json_document(value: Any) -> Any:
    """A JSON document property (IAM policy, container definitions…), parsed; None if invalid."""
    if isinstance(value, (Mapping, Sequence)) and not isinstance(value, str):
        return value
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return None
    return None


UNKNOWN = object()
"""Sentinel for `known(..., default=UNKNOWN)`: the value exists but is not known yet."""


def known(read: Any, *args: Any, default: Any = None) -> Any:
    """`read(*args)`, or `default` if that touches a value unknown during preview."""
    try:
        return read(*args)
    except UnknownValueError:
        return default


def is_unknown_error(exc: BaseException) -> bool:
    return isinstance(exc, UnknownValueError)


def strings(value: Any) -> list[str]:
    """A string or list of strings as a list of strings."""
    return [v for v in items(value) if isinstance(v, str)]


# ---- tags ------------------------------------------------------------------------------------


def resource_tags(props: Mapping[str, Any]) -> dict[str, str]:
    """The resource's own tags: a map, or the Auto Scaling `[{key, value}]` list form."""
    tags = get(props, "tags")
    if isinstance(tags, Mapping):
        return {str(k): text(tags[k]) for k in tags}
    return {text(get(t, "key")): text(get(t, "value")) for t in items(tags) if get(t, "key")}


def provider_default_tags(provider: Any) -> dict[str, str]:
    """`defaultTags.tags` of the resource's provider (Mapping or the JSON string SDKs send)."""
    props = getattr(provider, "props", None) or {}
    tags = get(mapping(get(props, "defaultTags")), "tags")
    return {str(k): text(tags[k]) for k in tags} if isinstance(tags, Mapping) else {}


def effective_tags(resource: Any, *, with_defaults: bool = True) -> dict[str, str]:
    """Tags AWS will put on the resource: provider default tags overlaid with its own tags."""
    defaults = provider_default_tags(getattr(resource, "provider", None)) if with_defaults else {}
    return {**defaults, **resource_tags(resource.props)}


def region_of(resource: Any) -> str | None:
    """The resource's region: its own `region` argument (v7) or its provider's."""
    own = text(get(resource.props, "region"))
    if own:
        return own
    provider = getattr(resource, "provider", None)
    return text(get(getattr(provider, "props", None) or {}, "region")) or None


def arn_region(arn: Any) -> str | None:
    parts = text(arn).split(":")
    return parts[3] if len(parts) > 5 and parts[0] == "arn" and parts[3] else None


def first(iterable: Iterable[Any]) -> Any:
    return next(iter(iterable), None)


def walk(value: Any) -> Iterator[Any]:
    """Every nested value (depth first), for documents whose shape varies."""
    yield value
    if isinstance(value, Mapping):
        for key in value:
            yield from walk(value[key])
    elif is_list(value):
        for item in items(value):
            yield from walk(item)


def _spelling(key: str) -> str:
    return key.replace("_", "").lower()


def find_keys(document: Any, key: str) -> list[Any]:
    """Values of every `key` anywhere in `document`, however it is spelled: SDK camelCase, AWS
    API PascalCase, or the snake_case a plain dict keeps where the SDK has no type to translate it."""
    wanted = _spelling(key)
    found = []
    for node in walk(document):
        if isinstance(node, Mapping):
            found += [node[k] for k in node if isinstance(k, str) and _spelling(k) == wanted]
    return found


def has_key(document: Any, key: str) -> bool:
    return bool(find_keys(document, key))
