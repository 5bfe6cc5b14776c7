"""Reading Kubernetes objects as pulumi-kubernetes sends them (camelCase, the API's own shape).

Where a workload keeps its pod (`spec.template` for Deployments, `spec.jobTemplate.spec.template`
for CronJobs, the object itself for a bare Pod), Kubernetes quantities (`250m`, `256Mi`, `1e3`),
label selectors, image references and namespaces — written once for the Kubernetes policies.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ._helpers import get, items, text

# ---- quantities --------------------------------------------------------------------------------

# The API's quantity grammar: a decimal number, then a binary (Ki…Ei) or decimal (n…E) suffix or
# a decimal exponent ("1e3"). The exponent is tried first so "1E3" is 1000, while "1E" is one exa.
QUANTITY_PATTERN = r"^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+|Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)?$"
_QUANTITY = re.compile(r"([+-]?(?:\d+\.?\d*|\.\d+))([eE][+-]?\d+|Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)?")
_SUFFIXES = {
    **{s: Decimal(1024) ** (i + 1) for i, s in enumerate(("Ki", "Mi", "Gi", "Ti", "Pi", "Ei"))},
    **{s: Decimal(10) ** e for s, e in (("n", -9), ("u", -6), ("m", -3), ("k", 3), ("M", 6), ("G", 9))},
    **{s: Decimal(10) ** e for s, e in (("T", 12), ("P", 15), ("E", 18))},
}


def quantity(value: Any) -> Decimal:
    """A Kubernetes quantity in base units (cores, bytes); numbers count as plain quantities.
    Raises ValueError naming the value when it is not a quantity."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return Decimal(str(value))
    match = _QUANTITY.fullmatch(value.strip()) if isinstance(value, str) else None
    if match is None:
        raise ValueError(f"{value!r} is not a Kubernetes quantity")
    number, suffix = match.groups()
    if suffix and suffix[0] in "eE" and len(suffix) > 1:
        return Decimal(number) * Decimal(10) ** int(suffix[1:])
    return Decimal(number) * _SUFFIXES.get(suffix or "", Decimal(1))


# ---- workloads, pods and containers ----------------------------------------------------------


def kind_of(resource_type: str) -> str:
    """`kubernetes:apps/v1:Deployment` → `Deployment`."""
    return resource_type.rsplit(":", 1)[-1]


def pod_template_path(resource_type: str) -> tuple[str, ...]:
    """Where the workload keeps its pod's `metadata` and `spec`."""
    return {"Pod": (), "CronJob": ("spec", "jobTemplate", "spec", "template")}.get(
        kind_of(resource_type), ("spec", "template")
    )


def pod_spec(resource_type: str, props: Mapping[str, Any]) -> Any:
    return get(props, *pod_template_path(resource_type), "spec")


def pod_labels(resource_type: str, props: Mapping[str, Any]) -> dict[str, str]:
    labels = get(props, *pod_template_path(resource_type), "metadata", "labels")
    return {str(k): text(labels[k]) for k in labels} if isinstance(labels, Mapping) else {}


@dataclass(frozen=True)
class Container:
    label: str  # "container 'web'" / "init container 'migrate'", for messages
    spec: Any
    init: bool


def containers(pod: Any, *, init: bool = True) -> Iterator[Container]:
    """The pod's containers, then (unless `init=False`) its init containers."""
    groups = [("containers", "container", False)] + ([("initContainers", "init container", True)] if init else [])
    for key, noun, is_init in groups:
        for spec in items(get(pod, key)):
            yield Container(f"{noun} '{text(get(spec, 'name')) or '?'}'", spec, is_init)


def security(container: Container, pod: Any, key: str) -> Any:
    """A securityContext field as it applies to the container: its own, else the pod's."""
    own = get(container.spec, "securityContext", key)
    return own if own is not None else get(pod, "securityContext", key)


def namespace(resource: Any) -> str:
    """The namespace the object lands in: its own, else its provider's default, else `default`
    (a kubeconfig context namespace is invisible to the pack, so it is not counted on)."""
    provider = getattr(resource, "provider", None)
    return (
        text(get(resource.props, "metadata", "namespace"))
        or text(get(getattr(provider, "props", None) or {}, "namespace"))
        or "default"
    )


# ---- label selectors and images --------------------------------------------------------------


def selects(selector: Any, labels: Mapping[str, str]) -> bool:
    """Whether a LabelSelector (`matchLabels` and `matchExpressions`) selects pods with `labels`;
    an empty selector selects every pod in the namespace."""
    wanted = get(selector, "matchLabels")
    if isinstance(wanted, Mapping) and any(labels.get(k) != text(wanted[k]) for k in wanted):
        return False
    for expression in items(get(selector, "matchExpressions")):
        key, operator = text(get(expression, "key")), text(get(expression, "operator"))
        values = [text(v) for v in items(get(expression, "values"))]
        present = key in labels
        if not {
            "In": present and labels.get(key) in values,
            "NotIn": not present or labels.get(key) not in values,
            "Exists": present,
            "DoesNotExist": not present,
        }.get(operator, False):
            return False
    return True


_DIGEST = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}")


def image_problem(image: str) -> str | None:
    """Why an image reference is not pinned, or None when a tag or digest pins it. A colon in the
    last path segment is a tag; one before a slash is a registry port (`registry:5000/app`)."""
    if not image:
        return "has no image"
    reference, at, digest = image.partition("@")
    if at:
        return None if _DIGEST.fullmatch(digest) else f"image '{image}' has a malformed digest"
    _, colon, tag = reference.rpartition("/")[2].partition(":")
    if not colon:
        return f"image '{image}' has no tag, so it pulls 'latest'"
    if not tag:
        return f"image '{image}' has an empty tag"
    if tag.lower() == "latest":
        return f"image '{image}' uses the mutable 'latest' tag"
    return None
