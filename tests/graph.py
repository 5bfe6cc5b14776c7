"""Tiny helpers for asserting on a registered resource graph."""

from __future__ import annotations

from synth.program import Graph, Registration


def provider_of(graph: Graph, resource: Registration) -> Registration | None:
    """The explicit provider a resource was registered with (None: the default provider)."""
    return graph.by_urn(resource.provider_urn) if resource.provider_urn else None


def aws_resources(graph: Graph) -> list[Registration]:
    return [r for r in graph if r.custom and r.type.startswith("aws:")]


def region_of(graph: Graph, resource: Registration) -> str | None:
    provider = provider_of(graph, resource)
    return provider.inputs.get("region") if provider else None


def resource(graph: Graph, type_token: str, name: str) -> Registration:
    """The one resource of `type_token` named `name` (names repeat across types: a colour's
    launch template and Auto Scaling group share theirs)."""
    (match,) = [r for r in graph.of_type(type_token) if r.name == name]
    return match
