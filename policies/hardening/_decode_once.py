"""Decode each resource once per analyzer request, not once per policy.

The policy SDK's servicer (pulumi_policy 1.21, `_PolicyAnalyzerServicer.Analyze` and
`AnalyzeStack`) turns a resource's protobuf properties into Python values, wraps them in a
read-only view and reads its options and provider inside its loop over policies: a stack of R
resources under P policies is decoded R x P times, and with 200 policies that decoding, not the
rules, was most of a check (400 resources: 6.4 s of SDK time against 0.1 s of rules). Within one
request every policy is handed the same values, and policies only read them, so each first
result is remembered for the rest of the request and shared. The SDK is used as it is: only the
functions its servicer calls for this are looked up through a per-request memo.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Any

from google.protobuf import json_format
from pulumi_policy import deserialize as sdk_deserialize
from pulumi_policy import policy as sdk_policy
from pulumi_policy import proxy as sdk_proxy

_request = threading.local()


def _remembered(compute: Callable[..., Any], *, method: bool = False) -> Callable[..., Any]:
    """`compute(value)` answered from the current request's memo (one per function). The memo
    holds `value` too, so its id cannot be taken by another object while the request runs.
    Outside a request, or called with more arguments, it simply computes."""
    slot = object()

    @functools.wraps(compute)
    def wrapper(*args: Any) -> Any:
        memos = getattr(_request, "memos", None)
        if memos is None or len(args) != 1 + method:
            return compute(*args)
        memo = memos.get(slot)
        if memo is None:
            memo = memos[slot] = {}
        value = args[-1]
        hit = memo.get(id(value))
        if hit is None:
            hit = memo[id(value)] = (value, compute(*args))
        return hit[1]

    return wrapper


class _JsonFormat:
    """The protobuf `json_format` module as the servicer sees it, `MessageToDict` remembered."""

    MessageToDict = staticmethod(_remembered(json_format.MessageToDict))

    def __getattr__(self, name: str) -> Any:
        return getattr(json_format, name)


def _per_request(handler: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(handler)
    def wrapper(self: Any, request: Any, context: Any) -> Any:
        _request.memos = {}
        try:
            return handler(self, request, context)
        finally:
            _request.memos = None

    return wrapper


def install() -> None:
    """Make the SDK's servicer decode each message once per request (idempotent)."""
    servicer: Any = sdk_policy._PolicyAnalyzerServicer  # pyright: ignore[reportPrivateUsage] -- the SDK's servicer, patched in place
    if getattr(servicer, "_decodes_once", False):
        return
    # The names the servicer's module looks up at call time (module globals, not exports).
    module: Any = sdk_policy
    module.json_format = _JsonFormat()
    module.deserialize_properties = _remembered(sdk_deserialize.deserialize_properties)
    module.unknown_checking_proxy = _remembered(sdk_proxy.unknown_checking_proxy)
    servicer._get_resource_options = _remembered(servicer._get_resource_options, method=True)
    servicer._get_provider_resource = _remembered(servicer._get_provider_resource, method=True)
    servicer.Analyze = _per_request(servicer.Analyze)
    servicer.AnalyzeStack = _per_request(servicer.AnalyzeStack)
    servicer._decodes_once = True
