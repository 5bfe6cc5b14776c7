"""Kubernetes workload policies (K8S-1..K8S-5): pulumi-kubernetes workloads and the PDB, HPA and
NetworkPolicy each needs beside it. The EKS control plane (K8S-6) is in `eks.py`.

Workloads are Deployments, StatefulSets, DaemonSets, ReplicaSets, ReplicationControllers, Jobs,
CronJobs and bare Pods; every rule
reads the pod template wherever the kind keeps it (`_kubernetes.pod_spec`).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from . import _kubernetes as k
from . import _secrets_scan as scan
from . import _types as t
from ._helpers import UNKNOWN, flag, get, items, known, number, strings, text
from ._policy import CRITICAL, HIGH, MEDIUM, Stack, resource_policy, stack_policy

# ---- K8S-1 requests and limits ----------------------------------------------------------------

_RESOURCES = ("cpu", "memory")


def _amounts(container: k.Container, section: str, defaults: Mapping[str, Any]):
    """(resource, raw value, parsed value or the parse error) for cpu and memory in `section`, the
    namespace's LimitRange default standing in for what the container leaves unset."""
    for resource in _RESOURCES:
        raw = get(container.spec, "resources", section, resource)
        if raw is None:
            raw = defaults.get(resource)
        if raw is None:
            yield resource, None, None
            continue
        try:
            yield resource, raw, k.quantity(raw)
        except ValueError as error:
            yield resource, raw, error


def _requests(workload, defaults, cfg):
    floors = {"cpu": cfg["minCpuRequest"], "memory": cfg["minMemoryRequest"]}
    for container in k.containers(k.pod_spec(workload.resource_type, workload.props)):
        for resource, raw, amount in _amounts(container, "requests", defaults["requests"]):
            floor = floors[resource]
            if amount is None:
                yield f"{container.label} has no {resource} request"
            elif isinstance(amount, ValueError):
                yield f"{container.label} requests {resource} {amount}"
            elif floor is not None and amount < k.quantity(floor):
                yield f"{container.label} requests {raw} {resource}; at least {floor} is required"


def _limits(workload, defaults, cfg):
    ceilings = {"cpu": cfg["maxCpuLimit"], "memory": cfg["maxMemoryLimit"]}
    for container in k.containers(k.pod_spec(workload.resource_type, workload.props)):
        requests = {r: amount for r, _, amount in _amounts(container, "requests", defaults["requests"])}
        for resource, raw, amount in _amounts(container, "limits", defaults["limits"]):
            ceiling, request = ceilings[resource], requests[resource]
            if amount is None:
                yield f"{container.label} has no {resource} limit"
            elif isinstance(amount, ValueError):
                yield f"{container.label} limits {resource} {amount}"
            elif ceiling is not None and amount > k.quantity(ceiling):
                yield f"{container.label} allows {raw} {resource}; at most {ceiling} is allowed"
            elif isinstance(request, Decimal) and request > amount:
                yield f"{container.label} requests more {resource} than its limit {raw} (the API server rejects it)"


def _with_namespace_defaults(check):
    """A stack check running `check(workload, LimitRange defaults, cfg)` on every workload: a
    LimitRange in the namespace supplies what a container leaves unset (stack-level for that)."""

    def stack_check(stack: Stack, cfg):
        for workload in stack.of(t.K8S_WORKLOAD):
            for message in check(workload, k.container_defaults(stack, workload), cfg):
                yield message, workload.urn

    return stack_check


def _quantity_config(default: str) -> dict:
    # null switches the bound off; presence is still required.
    return {"type": ["string", "null"], "pattern": k.QUANTITY_PATTERN, "default": default}


# ---- K8S-2 probes ----------------------------------------------------------------------------


def _probe(key: str):
    def check(args, _cfg):
        pod = k.pod_spec(args.resource_type, args.props)
        # A bare Pod that is not restarted runs to completion, like a Job.
        if text(get(pod, "restartPolicy")) in ("Never", "OnFailure"):
            return
        for container in k.containers(pod, init=False):
            if get(container.spec, key) is None:
                yield f"{container.label} has no {key}"

    return check


# ---- K8S-3 security context ------------------------------------------------------------------


def _per_container(problem):
    """A check yielding `problem(container, pod)` for every container that has one."""

    def check(args, _cfg):
        pod = k.pod_spec(args.resource_type, args.props)
        for container in k.containers(pod):
            message = problem(container, pod)
            if message:
                yield f"{container.label} {message}"

    return check


def _root(container, pod):
    if number(k.security(container, pod, "runAsUser")) == 0:
        return "runs as UID 0 (runAsUser: 0)"
    if not flag(k.security(container, pod, "runAsNonRoot")):
        return "does not set runAsNonRoot: true (container or pod securityContext)"
    return None


def _writable_root(container, _pod):
    if not flag(get(container.spec, "securityContext", "readOnlyRootFilesystem")):
        return "has a writable root filesystem (securityContext.readOnlyRootFilesystem is not true)"
    return None


def _escalation(container, _pod):
    # Unset means allowed: the kernel's no_new_privs flag is only set when this is false.
    if get(container.spec, "securityContext", "allowPrivilegeEscalation") is None or flag(
        get(container.spec, "securityContext", "allowPrivilegeEscalation")
    ):
        return "may escalate privileges (securityContext.allowPrivilegeEscalation is not false)"
    return None


def _privileged(container, _pod):
    if flag(get(container.spec, "securityContext", "privileged")):
        return "is privileged (securityContext.privileged: true)"
    return None


# The one capability the Pod Security "restricted" profile lets a container add back.
_ADDABLE = {"NET_BIND_SERVICE"}


def _capabilities(container, _pod):
    capabilities = get(container.spec, "securityContext", "capabilities")
    if "ALL" not in strings(get(capabilities, "drop")):
        return "does not drop ALL capabilities (securityContext.capabilities.drop)"
    added = sorted(set(strings(get(capabilities, "add"))) - _ADDABLE)
    if added:
        return f"adds capabilities {', '.join(added)}"
    return None


# Localhost is an operator-supplied profile, at least as strict as the runtime's default by intent.
_SECCOMP = ("RuntimeDefault", "Localhost")


def _seccomp(container, pod):
    profile = text(get(k.security(container, pod, "seccompProfile"), "type"))
    if profile not in _SECCOMP:
        return f"has seccomp profile {profile or 'unset (Unconfined)'}; RuntimeDefault is required"
    return None


def _host_namespaces(args, _cfg):
    pod = k.pod_spec(args.resource_type, args.props)
    for key in ("hostNetwork", "hostPID", "hostIPC"):
        if flag(get(pod, key)):
            yield f"the pod shares the node's namespace: {key} is true"


# ---- K8S-4 images ----------------------------------------------------------------------------


def _images(args, _cfg):
    for container in k.containers(k.pod_spec(args.resource_type, args.props)):
        problem = k.image_problem(text(get(container.spec, "image")))
        if problem:
            yield f"{container.label}: {problem}"


# ---- SEC-1 secrets in env literals -------------------------------------------------------------


def _env_secrets(args, _cfg):
    for container in k.containers(k.pod_spec(args.resource_type, args.props)):
        for variable in items(get(container.spec, "env")):
            name, value = text(get(variable, "name")), get(variable, "value")
            # value_from (a Secret or ConfigMap key) is how a secret should arrive.
            if isinstance(value, str) and scan.is_secret_literal(name, value):
                yield f"{container.label} sets {name} as a literal env value; use value_from.secret_key_ref"


# ---- K8S-5 availability and isolation (stack level: objects refer to each other) -------------


def _default_namespace(args, _cfg):
    if k.namespace(args) == "default":
        shown = text(get(args.props, "metadata", "namespace"))
        yield f"it runs in the 'default' namespace{'' if shown else ' (metadata.namespace is unset)'}"


def _min_replicas(stack: Stack, cfg):
    for workload in stack.of(t.K8S_REPLICATED):
        if k.autoscalers(stack, workload):
            continue  # the autoscaler owns the replica count (kubernetes-deployment-autoscaler)
        replicas = known(get, workload.props, "spec", "replicas", default=UNKNOWN)
        if replicas is UNKNOWN:
            continue
        count = number(replicas)
        if count == 0:
            continue  # parked, e.g. the idle colour of a blue-green pair: serves no traffic
        if count is None or count < cfg["minReplicas"]:
            shown = "unset (1)" if count is None else int(count)
            yield f"{k.label(workload)} has replicas {shown}; at least {cfg['minReplicas']} are required", workload.urn


def _disruption_budget(stack: Stack, _cfg):
    # policy/v1: an empty selector selects every pod in the namespace, a missing one none.
    budgets = [p for p in stack.of(t.K8S_PDB) if known(get, p.props, "spec", "selector", default={}) is not None]
    selecting = k.Selecting(budgets, ("spec", "selector"))
    for workload in stack.of(t.K8S_REPLICATED):
        if not selecting.of(workload):
            yield f"{k.label(workload)} has no PodDisruptionBudget selecting its pods", workload.urn


def _replica_bound(hpa, key: str):
    return known(lambda: number(get(hpa.props, "spec", key)), default=UNKNOWN)


def _hpa_problems(hpa, cfg):
    low, high = _replica_bound(hpa, "minReplicas"), _replica_bound(hpa, "maxReplicas")
    cpu = known(k.cpu_target, hpa, default=UNKNOWN)
    if low is not UNKNOWN:
        low = 1 if low is None else int(low)  # the API's default
        if low < cfg["minReplicas"]:
            yield f"has minReplicas {low}; at least {cfg['minReplicas']} are required"
    # The documented maximum is a cap ("2-10"): an autoscaler may stop below it, never go past it.
    if high is not UNKNOWN and high is not None and high > cfg["maxReplicas"]:
        yield f"has maxReplicas {int(high)}; at most {cfg['maxReplicas']} are allowed"
    if high is not UNKNOWN and low is not UNKNOWN and (high is None or high < low):
        shown = "unset" if high is None else int(high)
        yield f"has maxReplicas {shown}, below minReplicas {low} (the API server rejects it)"
    if cpu is None:
        yield "does not scale on CPU utilisation"
    elif cpu is not UNKNOWN and cpu > cfg["maxCpuTarget"]:
        yield f"scales out at {cpu:.0f}% CPU; at most {cfg['maxCpuTarget']}% is allowed"


def _autoscaler(stack: Stack, cfg):
    for deployment in stack.of(t.K8S_DEPLOYMENT):
        hpas = k.autoscalers(stack, deployment)
        if not hpas:
            yield f"{k.label(deployment)} has no HorizontalPodAutoscaler", deployment.urn
        for hpa in hpas:
            for problem in _hpa_problems(hpa, cfg):
                yield f"HorizontalPodAutoscaler '{hpa.name}' for {k.label(deployment)} {problem}", hpa.urn


def _network_policy(stack: Stack, _cfg):
    selecting = k.Selecting(stack.of(t.K8S_NETWORK_POLICY), ("spec", "podSelector"))
    for workload in stack.of(t.K8S_WORKLOAD):
        if not selecting.of(workload):
            yield f"{k.label(workload)} has no NetworkPolicy selecting its pods", workload.urn


_CONTAINERS = "every entry of the pod spec's containers and init_containers"
_SECURITY = f"Set it in security_context on {_CONTAINERS}"


def _workload_policy(
    name: str, description: str, severity, checklist: str, remediation: str, check, types=t.K8S_WORKLOAD, **extra
):
    return resource_policy(
        name,
        types=types,
        description=description,
        severity=severity,
        checklist=(checklist,),
        remediation=remediation,
        check=check,
        **extra,
    )


POLICIES = [
    stack_policy(
        "kubernetes-workload-resource-requests",
        description="Every container requests CPU and memory (at least the configured figures), itself or through "
        "its namespace's LimitRange defaults, so the scheduler places pods where they fit and they are not the first "
        "evicted.",
        severity=MEDIUM,
        checklist=("K8S-1",),
        remediation=f"Set resources={{'requests': {{'cpu': '250m', 'memory': '256Mi'}}}} on {_CONTAINERS}, or a "
        "LimitRange with default_request in the namespace.",
        check=_with_namespace_defaults(_requests),
        config={"minCpuRequest": _quantity_config("250m"), "minMemoryRequest": _quantity_config("256Mi")},
    ),
    stack_policy(
        "kubernetes-workload-resource-limits",
        description="Every container has CPU and memory limits (at most the configured figures), itself or through "
        "its namespace's LimitRange defaults, so one runaway pod cannot starve its node.",
        severity=MEDIUM,
        checklist=("K8S-1",),
        remediation=f"Set resources={{'limits': {{'cpu': '500m', 'memory': '512Mi'}}}} on {_CONTAINERS}, no lower "
        "than the requests, or a LimitRange with default in the namespace.",
        check=_with_namespace_defaults(_limits),
        config={"maxCpuLimit": _quantity_config("500m"), "maxMemoryLimit": _quantity_config("512Mi")},
    ),
    _workload_policy(
        "kubernetes-workload-liveness-probe",
        "Every long-running container has a liveness probe, so a hung process is restarted.",
        MEDIUM,
        "K8S-2",
        "Set liveness_probe={'http_get': {'path': '/health', 'port': <port>}, 'period_seconds': 10} on every "
        "container.",
        _probe("livenessProbe"),
        types=t.K8S_LONG_RUNNING,
    ),
    _workload_policy(
        "kubernetes-workload-readiness-probe",
        "Every long-running container has a readiness probe, so traffic only reaches pods that can serve it.",
        MEDIUM,
        "K8S-2",
        "Set readiness_probe={'http_get': {'path': '/ready', 'port': <port>}, 'period_seconds': 10} on every "
        "container.",
        _probe("readinessProbe"),
        types=t.K8S_LONG_RUNNING,
    ),
    _workload_policy(
        "kubernetes-workload-run-as-non-root",
        "Containers run as a non-root user, so a container escape does not start as root on the node.",
        HIGH,
        "K8S-3",
        "Set security_context={'run_as_non_root': True, 'run_as_user': <non-zero UID>} on the pod spec "
        "(or every container).",
        _per_container(_root),
    ),
    _workload_policy(
        "kubernetes-workload-read-only-root-filesystem",
        "Containers have a read-only root filesystem, so an intruder cannot modify binaries or drop tools.",
        MEDIUM,
        "K8S-3",
        f"{_SECURITY}: {{'read_only_root_filesystem': True}}; mount an emptyDir where the app must write.",
        _per_container(_writable_root),
    ),
    _workload_policy(
        "kubernetes-workload-no-privilege-escalation",
        "Containers cannot gain more privileges than their process started with (setuid binaries, no_new_privs).",
        HIGH,
        "K8S-3",
        f"{_SECURITY}: {{'allow_privilege_escalation': False}}.",
        _per_container(_escalation),
    ),
    _workload_policy(
        "kubernetes-workload-not-privileged",
        "No container is privileged (a privileged container has every device and capability of the node).",
        CRITICAL,
        "K8S-3",
        "Remove security_context.privileged (or set it False); grant a specific capability only if unavoidable.",
        _per_container(_privileged),
    ),
    _workload_policy(
        "kubernetes-workload-capabilities-dropped",
        "Containers drop all Linux capabilities and add back at most NET_BIND_SERVICE (the Pod Security "
        "'restricted' profile).",
        HIGH,
        "K8S-3",
        f"{_SECURITY}: {{'capabilities': {{'drop': ['ALL']}}}}.",
        _per_container(_capabilities),
    ),
    _workload_policy(
        "kubernetes-workload-seccomp-profile",
        "Containers run under the runtime's default seccomp profile (or a Localhost profile), never Unconfined.",
        MEDIUM,
        "K8S-3",
        "Set security_context={'seccomp_profile': {'type': 'RuntimeDefault'}} on the pod spec.",
        _per_container(_seccomp),
    ),
    _workload_policy(
        "kubernetes-workload-no-host-namespaces",
        "Pods do not share the node's network, process or IPC namespace.",
        CRITICAL,
        "K8S-3",
        "Remove host_network, host_pid and host_ipc from the pod spec (or set them False).",
        _host_namespaces,
    ),
    resource_policy(
        "kubernetes-workload-no-plaintext-secrets",
        types=t.K8S_WORKLOAD,
        description="Container env entries carry no secrets as literal values (they are readable by anyone who "
        "can read the workload, and sit in the program's state).",
        severity=CRITICAL,
        checklist=("SEC-1", "K8S-3"),
        remediation="Put the value in a Kubernetes Secret (or the Secrets Store CSI driver) and reference it: "
        "env=[{'name': ..., 'value_from': {'secret_key_ref': {'name': <secret>, 'key': <key>}}}].",
        check=_env_secrets,
    ),
    _workload_policy(
        "kubernetes-workload-image-pinned",
        "Every container image is pinned by tag or digest, never `latest` or untagged, so a rollout runs "
        "the image that was reviewed.",
        MEDIUM,
        "K8S-4",
        "Set image='<registry>/<repository>:<version>' or '<registry>/<repository>@sha256:<digest>'.",
        _images,
    ),
    _workload_policy(
        "kubernetes-workload-not-default-namespace",
        "Workloads run in their own namespace, where quotas, NetworkPolicies and RBAC apply, not `default`.",
        MEDIUM,
        "K8S-5",
        "Set metadata={'namespace': <namespace>} (or namespace= on the kubernetes Provider).",
        _default_namespace,
    ),
    stack_policy(
        "kubernetes-workload-min-replicas",
        description="Deployments and StatefulSets run at least the configured number of replicas (unless an "
        "autoscaler owns the count, or replicas is 0: parked).",
        severity=MEDIUM,
        checklist=("K8S-5",),
        remediation="Set spec={'replicas': 2, …} on the Deployment/StatefulSet, or attach a HorizontalPodAutoscaler.",
        check=_min_replicas,
        config={"minReplicas": {"type": "integer", "minimum": 1, "default": 2}},
    ),
    stack_policy(
        "kubernetes-workload-disruption-budget",
        description="Every Deployment and StatefulSet has a PodDisruptionBudget selecting its pods in its "
        "namespace, so node drains and upgrades keep it serving.",
        severity=MEDIUM,
        checklist=("K8S-5",),
        remediation="Add k8s.policy.v1.PodDisruptionBudget(metadata={'namespace': <ns>}, spec={'min_available': 1, "
        "'selector': {'match_labels': <the pod template's labels>}}).",
        check=_disruption_budget,
    ),
    stack_policy(
        "kubernetes-deployment-autoscaler",
        description="Every Deployment has a HorizontalPodAutoscaler keeping at least minReplicas and capped at "
        "maxReplicas (the documented 2-10: it may stop lower, never go past it) that scales out on CPU at the "
        "documented target.",
        severity=MEDIUM,
        checklist=("K8S-5",),
        remediation="Add k8s.autoscaling.v2.HorizontalPodAutoscaler(spec={'scale_target_ref': {'api_version': "
        "'apps/v1', 'kind': 'Deployment', 'name': deployment.metadata.name}, 'min_replicas': 2, 'max_replicas': 10, "
        "'metrics': [{'type': 'Resource', 'resource': {'name': 'cpu', 'target': {'type': 'Utilization', "
        "'average_utilization': 70}}}]}).",
        check=_autoscaler,
        config={
            "minReplicas": {"type": "integer", "minimum": 1, "default": 2},
            "maxReplicas": {"type": "integer", "minimum": 1, "default": 10},
            "maxCpuTarget": {"type": "number", "minimum": 1, "maximum": 100, "default": 70},
        },
    ),
    stack_policy(
        "kubernetes-workload-network-policy",
        description="Every workload's pods are selected by a NetworkPolicy in their namespace, so traffic to them "
        "is allowed explicitly, not by default.",
        severity=HIGH,
        checklist=("K8S-5",),
        remediation="Add k8s.networking.v1.NetworkPolicy(metadata={'namespace': <ns>}, spec={'pod_selector': "
        "{'match_labels': <the pod labels>} (or {} for a namespace default-deny), 'policy_types': ['Ingress', "
        "'Egress'], …}).",
        check=_network_policy,
    ),
]
