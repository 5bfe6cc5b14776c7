"""Tiny helpers for asserting on a registered resource graph."""

from __future__ import annotations

from pulumi_offline.program import Graph, Registration


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


def subnets(graph: Graph, tier: str) -> list[Registration]:
    """The subnets of one tier (`public`, `app`, `data`), by their `tier` tag."""
    return [r for r in graph.of_type("aws:ec2/subnet:Subnet") if r.inputs["tags"]["tier"] == tier]


def subnet_ids(graph: Graph, tier: str) -> set[str]:
    """Ids of one subnet tier. A set: registration order is the engine's, not the program's, so
    order-sensitive comparisons would be flaky."""
    return {r.id for r in subnets(graph, tier)}


def event_matches(pattern: dict, event: dict) -> bool:
    """EventBridge's verdict for exact-value patterns: every key matches (lists are the allowed
    values, mappings nest, `$or` takes any of its sub-patterns)."""
    for key, wanted in pattern.items():
        if key == "$or":
            if not any(event_matches(option, event) for option in wanted):
                return False
        elif isinstance(wanted, dict):
            if not isinstance(event.get(key), dict) or not event_matches(wanted, event[key]):
                return False
        elif event.get(key) not in wanted:
            return False
    return True
