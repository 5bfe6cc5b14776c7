"""Reading Kubernetes objects as pulumi-kubernetes sends them (camelCase, the API's own shape).

Where a workload keeps its pod (`spec.template` for Deployments, `spec.jobTemplate.spec.template`
for CronJobs, the object itself for a bare Pod), Kubernetes quantities (`250m`, `256Mi`, `1e3`),
label selectors, image references, namespaces, and which PDB/HPA/NetworkPolicy points at a
workload — written once for the Kubernetes policies.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from . import _types as t
from ._helpers import UNKNOWN, get, items, known, number, text
from ._policy import Stack

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


# ---- objects that refer to a workload (stack policies) ---------------------------------------


def label(resource) -> str:
    return f"{kind_of(resource.resource_type)} '{resource.name}'"


def same_namespace(a, b) -> bool:
    first, second = known(namespace, a, default=UNKNOWN), known(namespace, b, default=UNKNOWN)
    return UNKNOWN in (first, second) or first == second


def selects_pods(owner, selector_path: tuple[str, ...], workload) -> bool:
    """Whether the selector at `owner.props[selector_path]` selects the workload's pods in its
    namespace; what is undecidable during preview counts as yes."""
    if not same_namespace(owner, workload):
        return False
    selector = known(get, owner.props, *selector_path, default=UNKNOWN)
    labels = known(pod_labels, workload.resource_type, workload.props, default=UNKNOWN)
    if selector is UNKNOWN or labels is UNKNOWN:
        return True
    return known(selects, selector, labels, default=True)


def _first_label(selector: Any) -> tuple[str, str] | None:
    wanted = get(selector, "matchLabels")
    if isinstance(wanted, Mapping):
        for key in wanted:
            return str(key), text(wanted[key])
    return None


class Selecting:
    """Objects (PDBs, NetworkPolicies) whose label selector at `selector_path` may select a
    workload's pods, indexed by namespace and one required label, so finding those that select
    a workload does not try every object in the stack."""

    def __init__(self, owners: list, selector_path: tuple[str, ...]) -> None:
        self._path = selector_path
        self._owners = owners
        self._by_label: dict[tuple[str, str, str], list] = defaultdict(list)
        self._by_namespace: dict[str, list] = defaultdict(list)  # no matchLabels to index by
        self._anywhere: list = []  # namespace not known yet
        for owner in owners:
            ns = known(namespace, owner, default=UNKNOWN)
            pair = known(lambda o=owner: _first_label(get(o.props, *selector_path)), default=None)
            if ns is UNKNOWN:
                self._anywhere.append(owner)
            elif pair is None:
                self._by_namespace[ns].append(owner)
            else:
                self._by_label[(ns, *pair)].append(owner)

    def of(self, workload) -> list:
        ns = known(namespace, workload, default=UNKNOWN)
        labels = known(pod_labels, workload.resource_type, workload.props, default=UNKNOWN)
        if ns is UNKNOWN or labels is UNKNOWN:
            candidates = self._owners
        else:
            candidates = [*self._anywhere, *self._by_namespace.get(ns, ())]
            candidates += [o for k, v in labels.items() for o in self._by_label.get((ns, k, v), ())]
        return [o for o in dict.fromkeys(candidates) if selects_pods(o, self._path, workload)]


def _scale_target(hpa) -> tuple[str | None, str] | None:
    """(kind, name) of the HPA's scaleTargetRef when both are known (kind may be absent)."""
    kind = known(get, hpa.props, "spec", "scaleTargetRef", "kind", default=UNKNOWN)
    name = known(get, hpa.props, "spec", "scaleTargetRef", "name", default=UNKNOWN)
    if kind is UNKNOWN or not isinstance(name, str):
        return None
    return (kind if isinstance(kind, str) else None), name


def _autoscaler_index(stack: Stack) -> tuple[dict[tuple[str, str], list], list]:
    """HPAs by (namespace, target name), and those whose namespace or target is not known yet."""
    by_target: dict[tuple[str, str], list] = defaultdict(list)
    undecided = []
    for hpa in stack.of(t.K8S_HPA):
        if known(get, hpa.props, "spec", "scaleTargetRef", default=UNKNOWN) is UNKNOWN:
            continue
        ns, target = known(namespace, hpa, default=UNKNOWN), _scale_target(hpa)
        if ns is UNKNOWN or target is None:
            undecided.append(hpa)
        else:
            by_target[(ns, target[1])].append(hpa)
    return by_target, undecided


def autoscalers(stack: Stack, workload) -> list:
    """HPAs whose scaleTargetRef is the workload: by name, or through the engine's dependencies
    when the name is not known yet (auto-named objects, preview)."""
    by_target, undecided = stack.memo("kubernetes-autoscalers", lambda: _autoscaler_index(stack))
    name = known(get, workload.props, "metadata", "name", default=UNKNOWN)
    ns = known(namespace, workload, default=UNKNOWN)
    if isinstance(name, str) and ns is not UNKNOWN:
        candidates = [*by_target.get((ns, name), ()), *undecided]
    else:
        candidates = [hpa for hpas in by_target.values() for hpa in hpas] + undecided
    kind = kind_of(workload.resource_type)
    found = []
    for hpa in dict.fromkeys(candidates):
        if not same_namespace(hpa, workload):
            continue
        ref = get(hpa.props, "spec", "scaleTargetRef")
        if known(get, ref, "kind") not in (kind, None):
            continue
        target = known(get, ref, "name", default=UNKNOWN)
        if isinstance(name, str) and isinstance(target, str):
            matched = name == target
        else:
            matched = stack.refers(hpa, workload, "spec")
        if matched:
            found.append(hpa)
    return found


def cpu_target(hpa) -> float | None:
    """The HPA's CPU utilisation target in any API version's shape."""
    legacy = number(get(hpa.props, "spec", "targetCPUUtilizationPercentage"))  # autoscaling/v1
    targets: list[float] = [] if legacy is None else [legacy]
    for metric in items(get(hpa.props, "spec", "metrics")):
        source = get(metric, "resource") or get(metric, "containerResource")
        if text(get(source, "name")) == "cpu":
            value = number(get(source, "target", "averageUtilization") or get(source, "targetAverageUtilization"))
            targets += [] if value is None else [value]
    return min(targets, default=None)


def container_defaults(stack: Stack, workload) -> dict[str, dict[str, Any]]:
    """What the namespace's LimitRanges fill in for a container that names no request or limit:
    `{"requests": {"cpu": …}, "limits": {…}}` (a `default` without `defaultRequest` is both, as the
    API server applies it)."""
    found: dict[str, dict[str, Any]] = {"requests": {}, "limits": {}}
    for limit_range in stack.of(t.K8S_LIMIT_RANGE):
        if not same_namespace(limit_range, workload):
            continue
        for entry in items(known(get, limit_range.props, "spec", "limits", default=None)):
            if text(get(entry, "type")) != "Container":
                continue
            limits, requests = get(entry, "default"), get(entry, "defaultRequest")
            for section, values in (("limits", limits), ("requests", requests or limits)):
                if isinstance(values, Mapping):
                    for resource in values:
                        found[section].setdefault(str(resource), values[resource])
    return found
