"""The policy SDK's Analyzer servicer, doing per request only the work that can find something.

The SDK's servicer (pulumi_policy 1.21, `_PolicyAnalyzerServicer`) does per-policy work on every
request: `Analyze` decodes the resource (its properties, options and provider) and calls every
resource policy, though each of ours checks only the type tokens it lists; `AnalyzeStack`
decodes every resource again for each stack policy and rebuilds the resource list and its
links. With 200 policies that, not the rules, was most of a check (400 resources: 6.4 s of SDK
time against 0.1 s of rules), and a stack of R resources cost R x P. Three changes, each within
one request, answering exactly as the SDK does (a slow test compares the findings):

1. each message is decoded once and the result shared (policies only read what they are given);
2. `Analyze` walks only the policies that check the request's type (`_policy.RESOURCE_TYPES`)
   and the policies that don't say; the others would have returned without a word;
3. `AnalyzeStack` builds the resources once and hands every stack policy the same list, whose
   `Stack` view (`_policy.Stack.shared`) is then indexed once too.
"""

from __future__ import annotations

import asyncio
import functools
import threading
from collections.abc import Callable, Iterator
from inspect import isawaitable
from typing import Any, NamedTuple

from google.protobuf import json_format
from pulumi.runtime.proto import analyzer_pb2
from pulumi_policy import EnforcementLevel, PolicyResource, StackValidationArgs, StackValidationPolicy
from pulumi_policy import deserialize as sdk_deserialize
from pulumi_policy import policy as sdk_policy
from pulumi_policy import proxy as sdk_proxy
from pulumi_policy.proxy import UnknownValueError

from ._policy import RESOURCE_TYPES

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


def _per_request(handler: Callable[..., Any], *, by_type: bool = False) -> Callable[..., Any]:
    """`handler` with a fresh memo for the request (and, `by_type`, the request's type token,
    which `_PoliciesByType` filters on) that nothing outlives."""

    @functools.wraps(handler)
    def wrapper(self: Any, request: Any, context: Any) -> Any:
        _request.memos = {}
        _request.type_token = request.type if by_type else None
        try:
            return handler(self, request, context)
        finally:
            _request.memos = None
            _request.type_token = None

    return wrapper


class _PoliciesByType(list):
    """The servicer's policy list; while this thread serves an `Analyze` for one type token,
    iterating it yields only the policies that check that type (in pack order)."""

    def __init__(self, policies: list[Any]) -> None:
        super().__init__(policies)
        self._for_type: dict[str, list[Any]] = {}

    def applying_to(self, type_token: str) -> list[Any]:
        if type_token not in self._for_type:
            self._for_type[type_token] = [
                p for p in list.__iter__(self) if type_token in RESOURCE_TYPES.get(p, (type_token,))
            ]
        return self._for_type[type_token]

    def __iter__(self) -> Iterator[Any]:
        type_token = getattr(_request, "type_token", None)
        return iter(self.applying_to(type_token)) if type_token is not None else list.__iter__(self)


def _sorting_policies(init: Callable[..., None]) -> Callable[..., None]:
    @functools.wraps(init)
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> None:
        init(self, *args, **kwargs)
        self._PolicyAnalyzerServicer__policies = _PoliciesByType(self._PolicyAnalyzerServicer__policies)

    return wrapper


class _Linked(NamedTuple):
    resource: PolicyResource
    parent: str | None
    dependencies: list[str]
    property_dependencies: dict[str, list[str]]


def stack_resources(servicer: Any, request: Any) -> list[PolicyResource]:
    """The request's resources as the SDK's AnalyzeStack builds them (properties, options,
    provider, then parent, dependencies and property dependencies linked), built once."""
    linked = [
        _Linked(
            PolicyResource(
                r.type,
                sdk_proxy.unknown_checking_proxy(
                    sdk_deserialize.deserialize_properties(json_format.MessageToDict(r.properties))
                ),
                r.urn,
                r.name,
                servicer._get_resource_options(r),
                servicer._get_provider_resource(r),
                None,
                [],
                {},
            ),
            r.parent,
            list(r.dependencies),
            {k: list(v.urns) for k, v in r.propertyDependencies.items()},
        )
        for r in request.resources
    ]
    by_urn = {item.resource.urn: item.resource for item in linked}
    for item in linked:
        if item.parent is not None and item.parent in by_urn:
            item.resource.parent = by_urn[item.parent]
        item.resource.dependencies.extend(by_urn[d] for d in item.dependencies if d in by_urn)
        for key, urns in item.property_dependencies.items():
            item.resource.property_dependencies[key] = [by_urn[d] for d in urns if d in by_urn]
    return [item.resource for item in linked]


def _analyze_stack(self: Any, request: Any, _context: Any) -> Any:
    """The SDK's AnalyzeStack (same levels, reports, unknown-value and not-applicable answers),
    with the resources built before the loop over policies instead of inside it."""
    self._configure_runtime_settings()
    response = analyzer_pb2.AnalyzeResponse()
    resources: list[PolicyResource] | None = None
    pack, version = self._PolicyAnalyzerServicer__policy_pack_name, self._PolicyAnalyzerServicer__policy_pack_version
    for policy in list.__iter__(self._PolicyAnalyzerServicer__policies):
        level = self._get_enforcement_level(policy)
        if level == EnforcementLevel.DISABLED or not isinstance(policy, StackValidationPolicy):
            continue
        if level == EnforcementLevel.REMEDIATE:  # stack policies cannot remediate: mandatory
            level = EnforcementLevel.MANDATORY
        report = self._create_report_violation(response, policy.name, policy.description, level, policy.severity)
        if resources is None:
            resources = stack_resources(self, request)
        args = StackValidationArgs(
            resources, self._get_policy_config(policy.name), self._PolicyAnalyzerServicer__stack_tags
        )
        try:
            result = policy.validate(args, report)
            if isawaitable(result):
                loop = asyncio.new_event_loop()
                loop.run_until_complete(result)
                loop.close()
        except UnknownValueError as e:
            response.diagnostics.append(
                analyzer_pb2.AnalyzeDiagnostic(
                    policyName=policy.name,
                    policyPackName=pack,
                    policyPackVersion=version,
                    message=f"can't run policy '{policy.name}' from policy pack '{pack}@v{version}' "
                    f"during preview: {e.message}",
                    urn="",
                    description=policy.description,
                    enforcementLevel=self._map_enforcement_level(EnforcementLevel.ADVISORY),
                )
            )
        except sdk_policy._NotApplicableError as e:  # pyright: ignore[reportPrivateUsage] -- the SDK's own signal
            response.not_applicable.append(
                analyzer_pb2.PolicyNotApplicable(policy_name=policy.name, reason=e.reason or "")
            )
    return response


def install() -> None:
    """Make the SDK's servicer do per request only the work that can find something (idempotent)."""
    servicer: Any = sdk_policy._PolicyAnalyzerServicer  # pyright: ignore[reportPrivateUsage] -- the SDK's servicer, patched in place
    if getattr(servicer, "_fast", False):
        return
    # The names the servicer's module looks up at call time (module globals, not exports).
    module: Any = sdk_policy
    module.json_format = _JsonFormat()
    module.deserialize_properties = _remembered(sdk_deserialize.deserialize_properties)
    module.unknown_checking_proxy = _remembered(sdk_proxy.unknown_checking_proxy)
    servicer._get_resource_options = _remembered(servicer._get_resource_options, method=True)
    servicer._get_provider_resource = _remembered(servicer._get_provider_resource, method=True)
    servicer.__init__ = _sorting_policies(servicer.__init__)
    servicer.Analyze = _per_request(servicer.Analyze, by_type=True)
    stack = functools.wraps(servicer.AnalyzeStack)(_analyze_stack)
    servicer.AnalyzeStack = _per_request(stack)
    servicer._fast = True
