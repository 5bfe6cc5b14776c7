"""What the engine sends the pack: `AnalyzeRequest` per resource (its inputs) and one
`AnalyzeStackRequest` (every resource's outputs), each with its options and provider."""

from __future__ import annotations

import re
from typing import Any

from pulumi.runtime.proto import analyzer_pb2 as pb

from ..program import Graph, Registration
from .wire import to_struct


def _seconds(duration: str) -> float:
    """A Go duration ("1h30m", "90s") in seconds."""
    units = {"h": 3600, "m": 60, "s": 1, "ms": 0.001}
    return sum(float(n) * units[u] for n, u in re.findall(r"([\d.]+)(ms|h|m|s)", duration or ""))


def resource_options(r: Registration) -> pb.AnalyzerResourceOptions:
    timeouts = r.options.get("customTimeouts") or {}
    return pb.AnalyzerResourceOptions(
        protect=r.protect,
        ignoreChanges=r.options.get("ignoreChanges", []),
        deleteBeforeReplace=r.options.get("deleteBeforeReplace", False),
        deleteBeforeReplaceDefined=bool(r.options.get("deleteBeforeReplace")),
        additionalSecretOutputs=r.options.get("additionalSecretOutputs", []),
        aliases=r.aliases,
        customTimeouts=pb.AnalyzerResourceOptions.CustomTimeouts(
            create=_seconds(timeouts.get("create", "")),
            update=_seconds(timeouts.get("update", "")),
            delete=_seconds(timeouts.get("delete", "")),
        ),
        parent=r.parent,
    )


def _provider(provider: Registration) -> pb.AnalyzerProviderResource:
    return pb.AnalyzerProviderResource(
        type=provider.type, urn=provider.urn, name=provider.name, properties=to_struct(provider.raw_inputs)
    )


def provider_of(graph: Graph, r: Registration) -> pb.AnalyzerProviderResource | None:
    """The provider registration `r` was created with (explicit, or the engine's default one
    that `pulumi_offline.providers.with_default_providers` added to the graph)."""
    return _provider(graph.by_urn(r.provider_urn)) if r.provider_urn else None


def resource_request(r: Registration, provider: Registration | None) -> pb.AnalyzeRequest:
    """What the engine sends to `Analyze`/`Remediate`: the resource's inputs, with `provider`."""
    request = pb.AnalyzeRequest(
        type=r.type, urn=r.urn, name=r.name, properties=to_struct(r.raw_inputs), options=resource_options(r)
    )
    if provider is not None:
        request.provider.CopyFrom(_provider(provider))
    return request


def analyze_request(graph: Graph, r: Registration) -> pb.AnalyzeRequest:
    """`resource_request` for `r` of `graph`, its provider looked up there."""
    return resource_request(r, graph.by_urn(r.provider_urn) if r.provider_urn else None)


def _outputs(r: Registration) -> dict[str, Any]:
    # Outputs echo inputs; keep the inputs' secrecy, which the mock's echo loses.
    secret_inputs = {k: v for k, v in r.raw_inputs.items() if k in r.secret_inputs}
    return {**r.outputs, **secret_inputs}


def analyze_stack_request(graph: Graph) -> pb.AnalyzeStackRequest:
    """What the engine sends to `AnalyzeStack`: every resource's outputs, parents and dependencies."""
    resources = []
    for r in graph:
        resource = pb.AnalyzerResource(
            type=r.type,
            urn=r.urn,
            name=r.name,
            properties=to_struct(_outputs(r)),
            options=resource_options(r),
            parent=r.parent,
            dependencies=r.dependencies,
            propertyDependencies={
                k: pb.AnalyzerPropertyDependencies(urns=v)
                for k, v in (r.options.get("propertyDependencies") or {}).items()
                if v
            },
        )
        provider = provider_of(graph, r)
        if provider is not None:
            resource.provider.CopyFrom(provider)
        resources.append(resource)
    return pb.AnalyzeStackRequest(resources=resources)
