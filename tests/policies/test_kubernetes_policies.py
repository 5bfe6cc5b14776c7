"""Kubernetes workload policies: workloads built with pulumi-kubernetes and their PDB/HPA/NetworkPolicy."""

from __future__ import annotations

import json
from decimal import Decimal

import pulumi
import pulumi_kubernetes as k8s
import pytest
from conftest import ROOT, Case, assert_case

from hardening._kubernetes import image_problem, quantity
from pulumi_offline.analyzer import PolicyConfigError

NS = "erp"
LABELS = {"app": "web"}
DIGEST = "sha256:" + "ab" * 32


def _container(**overrides) -> dict:
    return {
        "name": "web",
        "image": "registry.example.com:5000/erp/web:1.4.2",
        "resources": {"requests": {"cpu": "250m", "memory": "256Mi"}, "limits": {"cpu": "500m", "memory": "512Mi"}},
        "liveness_probe": {"http_get": {"path": "/health", "port": 8080}, "period_seconds": 10},
        "readiness_probe": {"http_get": {"path": "/ready", "port": 8080}, "period_seconds": 10},
        "security_context": {
            "read_only_root_filesystem": True,
            "allow_privilege_escalation": False,
            "capabilities": {"drop": ["ALL"]},
        },
        **overrides,
    }


def _security(**overrides) -> dict:
    return {**_container()["security_context"], **overrides}


def _pod(container: dict | None = None, **overrides) -> dict:
    return {
        "security_context": {
            "run_as_non_root": True,
            "run_as_user": 10001,
            "seccomp_profile": {"type": "RuntimeDefault"},
        },
        "containers": [container or _container()],
        **overrides,
    }


def _template(pod: dict) -> dict:
    return {"metadata": {"labels": LABELS}, "spec": pod}


def _deployment(name="web", *, replicas=2, namespace=NS, metadata=None, **pod_args):
    return k8s.apps.v1.Deployment(
        name,
        metadata=metadata or {"name": name, "namespace": namespace, "labels": LABELS},
        spec={"replicas": replicas, "selector": {"match_labels": LABELS}, "template": _template(_pod(**pod_args))},
    )


def _cronjob(**pod_args):
    pod = _pod(restart_policy="OnFailure", **pod_args)
    return k8s.batch.v1.CronJob(
        "nightly",
        metadata={"namespace": NS},
        spec={"schedule": "0 2 * * *", "job_template": {"spec": {"template": _template(pod)}}},
    )


def _bare_pod(**pod_args):
    return k8s.core.v1.Pod("debug", metadata={"namespace": NS, "labels": LABELS}, spec=_pod(**pod_args))


def _daemonset(**pod_args):
    return k8s.apps.v1.DaemonSet(
        "agent",
        metadata={"namespace": NS},
        spec={"selector": {"match_labels": LABELS}, "template": _template(_pod(**pod_args))},
    )


def _build(factory, **kwargs):
    return lambda: factory(**kwargs)


def _with(container_overrides: dict | None = None, factory=_deployment, **pod_overrides):
    """A workload whose container (and pod spec) differ from the compliant one."""
    return _build(factory, container=_container(**(container_overrides or {})), **pod_overrides)


COMPLIANT = _build(_deployment)


def _hpa(target: str = "web", minimum=2, maximum=10, cpu=70, namespace=NS, name="web"):
    return k8s.autoscaling.v2.HorizontalPodAutoscaler(
        f"{name}-hpa",
        metadata={"namespace": namespace},
        spec={
            "scale_target_ref": {"api_version": "apps/v1", "kind": "Deployment", "name": target},
            "min_replicas": minimum,
            "max_replicas": maximum,
            "metrics": [
                {
                    "type": "Resource",
                    "resource": {"name": "cpu", "target": {"type": "Utilization", "average_utilization": cpu}},
                }
            ],
        },
    )


def _pdb(selector=None, namespace=NS):
    return k8s.policy.v1.PodDisruptionBudget(
        "web-pdb",
        metadata={"namespace": namespace},
        spec={"min_available": 1, "selector": {"match_labels": LABELS} if selector is None else selector},
    )


def _network_policy(pod_selector=None, namespace=NS):
    return k8s.networking.v1.NetworkPolicy(
        "web-netpol",
        metadata={"namespace": namespace},
        spec={
            "pod_selector": {"match_labels": LABELS} if pod_selector is None else pod_selector,
            "policy_types": ["Ingress"],
            "ingress": [{"from": [{"namespace_selector": {"match_labels": {"name": "ingress"}}}]}],
        },
    )


def _stack(*, pdb=True, hpa=True, netpol=True, **deployment):
    def program():
        _deployment(**deployment)
        if pdb:
            _pdb()
        if hpa:
            _hpa()
        if netpol:
            _network_policy()

    return program


def _replica_set(**pod_args):
    return k8s.apps.v1.ReplicaSet(
        "web-rs",
        metadata={"namespace": NS},
        spec={"replicas": 2, "selector": {"match_labels": LABELS}, "template": _template(_pod(**pod_args))},
    )


def _replication_controller(replicas: int):
    def program():
        # A ReplicationController's selector is a plain label map.
        k8s.core.v1.ReplicationController(
            "web-rc",
            metadata={"namespace": NS},
            spec={"replicas": replicas, "selector": LABELS, "template": _template(_pod())},
        )
        _pdb()
        _network_policy()

    return program


SECRET_REF = {"secret_key_ref": {"name": "web-db", "key": "password"}}
SAFE_ENV = [
    {"name": "DB_PASSWORD", "value_from": SECRET_REF},
    {"name": "JWT_SECRET_NAME", "value": "alawael/prod/jwt"},
    {"name": "PASSWORD_POLICY", "value": "strict-policy-v2"},
]

W = "kubernetes-workload-"
CASES = [
    Case(
        f"{W}not-privileged",
        _with({"security_context": _security(privileged=True)}, factory=_replica_set),
        _with(factory=_replica_set),
        "is privileged",
    ),
    Case(f"{W}min-replicas", _replication_controller(1), _replication_controller(2), "ReplicationController 'web-rc'"),
    Case(
        f"{W}no-plaintext-secrets",
        _with({"env": [{"name": "DB_PASSWORD", "value": "hunter2hunter2"}]}),
        _with({"env": SAFE_ENV}),
        "sets DB_PASSWORD as a literal",
    ),
    Case(
        f"{W}no-plaintext-secrets",
        _with({"env": [{"name": "DATABASE_URL", "value": "postgresql://app:hunter2hunter2@db:5432/erp"}]}),
        _with({"env": SAFE_ENV}),
        "sets DATABASE_URL",
    ),
    Case(
        f"{W}resource-requests",
        _with({"resources": {"limits": {"cpu": "500m", "memory": "512Mi"}}}),
        COMPLIANT,
        "container 'web' has no cpu request",
    ),
    Case(
        f"{W}resource-limits",
        _with(
            {"resources": {"requests": {"cpu": "250m", "memory": "256Mi"}, "limits": {"cpu": "2", "memory": "512Mi"}}}
        ),
        COMPLIANT,
        "allows 2 cpu; at most 500m",
    ),
    Case(
        f"{W}liveness-probe",
        _with({"liveness_probe": None}, factory=_daemonset),
        _build(_daemonset),
        "container 'web' has no livenessProbe",
    ),
    Case(f"{W}readiness-probe", _with({"readiness_probe": None}), COMPLIANT, "has no readinessProbe"),
    Case(
        f"{W}run-as-non-root",
        _with(security_context={"seccomp_profile": {"type": "RuntimeDefault"}}),
        COMPLIANT,
        "does not set runAsNonRoot: true",
    ),
    Case(
        f"{W}read-only-root-filesystem",
        _with({"security_context": _security(read_only_root_filesystem=False)}),
        COMPLIANT,
        "writable root filesystem",
    ),
    Case(
        f"{W}no-privilege-escalation",
        _with({"security_context": _security(allow_privilege_escalation=None)}),
        COMPLIANT,
        "may escalate privileges",
    ),
    Case(f"{W}not-privileged", _with({"security_context": _security(privileged=True)}), COMPLIANT, "is privileged"),
    Case(
        f"{W}capabilities-dropped",
        _with({"security_context": _security(capabilities={"drop": ["NET_RAW"]})}),
        COMPLIANT,
        "does not drop ALL capabilities",
    ),
    Case(
        f"{W}seccomp-profile",
        _with(factory=_bare_pod, security_context={"run_as_non_root": True}),
        _build(_bare_pod),
        "seccomp profile unset (Unconfined)",
    ),
    Case(f"{W}no-host-namespaces", _with(host_network=True), COMPLIANT, "hostNetwork is true"),
    Case(
        f"{W}image-pinned",
        _with({"image": "registry.example.com:5000/erp/web"}, factory=_cronjob),
        _with({"image": f"erp/web@{DIGEST}"}, factory=_cronjob),
        "has no tag, so it pulls 'latest'",
    ),
    Case(
        f"{W}not-default-namespace",
        _build(_deployment, metadata={"name": "web", "labels": LABELS}),
        COMPLIANT,
        "metadata.namespace is unset",
    ),
    Case(f"{W}min-replicas", _stack(hpa=False, replicas=1), _stack(hpa=False), "has replicas 1; at least 2"),
    Case(f"{W}disruption-budget", _stack(pdb=False), _stack(), "Deployment 'web' has no PodDisruptionBudget"),
    Case("kubernetes-deployment-autoscaler", _stack(hpa=False), _stack(), "Deployment 'web' has no Horizontal"),
    Case(f"{W}network-policy", _stack(netpol=False), _stack(), "Deployment 'web' has no NetworkPolicy"),
]


def _found(pack, policy: str, program, config: dict | None = None) -> list[str]:
    """The policy's messages without the description the SDK puts on their first line."""
    return [message.split("\n", 1)[-1] for message in pack.violations(policy, program, config)]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_policy_flags_violation_and_passes_compliant(pack, case):
    assert_case(pack, case)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("250m", Decimal("0.25")),
        ("2", Decimal(2)),
        (1.5, Decimal("1.5")),
        ("256Mi", Decimal(256 * 2**20)),
        ("1Gi", Decimal(2**30)),
        ("128k", Decimal(128_000)),
        ("1M", Decimal(10**6)),
        ("1e3", Decimal(1000)),
        ("1E", Decimal(10**18)),
        (".5Ki", Decimal(512)),
    ],
)
def test_quantities_parse_to_base_units(text, value):
    assert quantity(text) == value


@pytest.mark.parametrize("text", ["", "250 m", "1K", "Mi", "1.2.3", "ten"])
def test_malformed_quantities_are_rejected_by_name(text):
    with pytest.raises(ValueError, match="is not a Kubernetes quantity"):
        quantity(text)


@pytest.mark.parametrize(
    ("image", "pinned"),
    [
        ("registry:5000/app:1.2.3", True),
        ("registry:5000/app", False),
        ("nginx:latest", False),
        ("nginx", False),
        ("nginx:", False),
        (f"nginx@{DIGEST}", True),
        (f"nginx:latest@{DIGEST}", True),
        ("nginx@sha256:abc", False),
    ],
)
def test_image_references_are_pinned_by_tag_or_digest(image, pinned):
    assert (image_problem(image) is None) is pinned


def test_requests_below_the_floor_are_flagged_and_the_floor_can_be_switched_off(pack):
    small = _with(
        {"resources": {"requests": {"cpu": "100m", "memory": "64Mi"}, "limits": {"cpu": "500m", "memory": "512Mi"}}}
    )
    assert _found(pack, f"{W}resource-requests", small) == [
        "container 'web' requests 100m cpu; at least 250m is required",
        "container 'web' requests 64Mi memory; at least 256Mi is required",
    ]
    off = {f"{W}resource-requests": {"minCpuRequest": None, "minMemoryRequest": None}}
    assert _found(pack, f"{W}resource-requests", small, off) == []


def test_limits_below_requests_are_flagged(pack):
    inverted = _with(
        {"resources": {"requests": {"cpu": "500m", "memory": "512Mi"}, "limits": {"cpu": "0.25", "memory": "512Mi"}}}
    )
    config = {f"{W}resource-requests": "advisory"}
    assert any("more cpu than its limit" in m for m in _found(pack, f"{W}resource-limits", inverted, config))


def test_init_containers_need_resources_too(pack):
    migrate = {"name": "migrate", "image": "erp/migrate:1.4.2", "security_context": _security()}
    program = _build(_deployment, init_containers=[migrate])
    assert "init container 'migrate' has no cpu limit" in _found(pack, f"{W}resource-limits", program)
    assert _found(pack, f"{W}liveness-probe", program) == []


def test_malformed_quantity_config_is_rejected_before_analysis(pack):
    with pytest.raises(PolicyConfigError, match="minCpuRequest"):
        pack.check(COMPLIANT, {f"{W}resource-requests": {"minCpuRequest": "a quarter"}})


def test_run_to_completion_workloads_need_no_probes(pack):
    no_probes = _container(liveness_probe=None, readiness_probe=None)
    for factory in (_cronjob, lambda **kw: _bare_pod(restart_policy="Never", **kw)):
        assert _found(pack, f"{W}liveness-probe", _build(factory, container=no_probes)) == []


def test_container_run_as_root_overrides_the_pod(pack):
    root = _with({"security_context": _security(run_as_user=0)})
    assert _found(pack, f"{W}run-as-non-root", root) == ["container 'web' runs as UID 0 (runAsUser: 0)"]


def test_provider_namespace_keeps_workloads_out_of_default(pack):
    def program():
        cluster = k8s.Provider("erp-cluster", namespace=NS)
        k8s.apps.v1.Deployment(
            "web",
            spec={"selector": {"match_labels": LABELS}, "template": _template(_pod())},
            opts=pulumi.ResourceOptions(provider=cluster),
        )

    assert _found(pack, f"{W}not-default-namespace", program) == []


def test_autoscaler_found_through_an_auto_named_deployment(pack):
    def program():
        deployment = _deployment(metadata={"namespace": NS, "labels": LABELS}, replicas=None)
        _hpa(target=deployment.metadata.name)

    assert _found(pack, "kubernetes-deployment-autoscaler", program) == []
    assert _found(pack, f"{W}min-replicas", program) == []


def test_autoscaler_bounds_and_cpu_target_follow_the_config(pack):
    def program():
        _deployment()
        _hpa(minimum=1, maximum=20, cpu=90)

    assert _found(pack, "kubernetes-deployment-autoscaler", program) == [
        "HorizontalPodAutoscaler 'web-hpa' for Deployment 'web' has minReplicas 1; at least 2 are required",
        "HorizontalPodAutoscaler 'web-hpa' for Deployment 'web' has maxReplicas 20; at most 10 are allowed",
        "HorizontalPodAutoscaler 'web-hpa' for Deployment 'web' scales out at 90% CPU; at most 70% is allowed",
    ]


def test_objects_in_another_namespace_do_not_count(pack):
    def program():
        _deployment()
        _pdb(namespace="other")
        _hpa(namespace="other")
        _network_policy(namespace="other")

    found = {d.policy_name for d in pack.check(program) if d.urn.endswith("::web")}
    assert {f"{W}disruption-budget", "kubernetes-deployment-autoscaler", f"{W}network-policy"} <= found


def test_selectors_match_on_expressions_and_empty_selects_all(pack):
    def program():
        _deployment()
        _pdb(selector={"match_expressions": [{"key": "app", "operator": "In", "values": ["web", "api"]}]})
        _network_policy(pod_selector={})

    assert _found(pack, f"{W}disruption-budget", program) == []
    assert _found(pack, f"{W}network-policy", program) == []


def test_a_budget_for_other_pods_does_not_cover_the_deployment(pack):
    def program():
        _deployment()
        _pdb(selector={"match_labels": {"app": "api"}})

    assert _found(pack, f"{W}disruption-budget", program) == [
        "Deployment 'web' has no PodDisruptionBudget selecting its pods"
    ]


def test_parked_deployment_needs_no_replicas(pack):
    assert _found(pack, f"{W}min-replicas", _stack(hpa=False, replicas=0)) == []


def test_staging_config_relaxes_availability_to_advisory(pack):
    staging = json.loads((ROOT / "policies" / "config" / "staging.json").read_text())
    single = [
        d
        for d in pack.check(_stack(hpa=False, pdb=False, replicas=1), staging)
        if d.policy_name.startswith("kubernetes")
    ]
    assert {d.policy_name for d in single} == {
        f"{W}min-replicas",
        f"{W}disruption-budget",
        "kubernetes-deployment-autoscaler",
    }
    assert not any(d.mandatory for d in single)


def _hpa_only(**bounds):
    def program():
        _deployment()
        _hpa(**bounds)

    return program


@pytest.mark.parametrize(
    ("bounds", "expected"),
    [
        # "2-10" is a cap: a smaller environment may stop at 4, nothing may go past 10.
        ({"maximum": 4}, []),
        ({"maximum": 10}, []),
        ({"maximum": 11}, ["has maxReplicas 11; at most 10 are allowed"]),
        ({"minimum": 3, "maximum": 2}, ["has maxReplicas 2, below minReplicas 3 (the API server rejects it)"]),
    ],
)
def test_autoscaler_maximum_is_a_cap(pack, bounds, expected):
    prefix = "HorizontalPodAutoscaler 'web-hpa' for Deployment 'web' "
    assert _found(pack, "kubernetes-deployment-autoscaler", _hpa_only(**bounds)) == [prefix + e for e in expected]


def _limit_range(namespace=NS, **entry):
    return k8s.core.v1.LimitRange(
        "defaults",
        metadata={"namespace": namespace},
        spec={"limits": [{"type": "Container", **entry}]},
    )


NO_RESOURCES = {"resources": None}


@pytest.mark.parametrize(
    ("policy", "entry", "namespace", "expected"),
    [
        # The namespace's LimitRange supplies what the container leaves unset.
        (f"{W}resource-requests", {"default_request": {"cpu": "250m", "memory": "256Mi"}}, NS, []),
        (f"{W}resource-limits", {"default": {"cpu": "500m", "memory": "512Mi"}}, NS, []),
        # `default` alone is also the request (as the API server applies it).
        (f"{W}resource-requests", {"default": {"cpu": "500m", "memory": "512Mi"}}, NS, []),
        # Its defaults are held to the same figures ...
        (
            f"{W}resource-requests",
            {"default_request": {"cpu": "100m", "memory": "256Mi"}},
            NS,
            ["container 'web' requests 100m cpu; at least 250m is required"],
        ),
        # ... and one in another namespace supplies nothing.
        (
            f"{W}resource-limits",
            {"default": {"cpu": "500m", "memory": "512Mi"}},
            "other",
            ["container 'web' has no cpu limit", "container 'web' has no memory limit"],
        ),
    ],
)
def test_namespace_limit_range_supplies_container_defaults(pack, policy, entry, namespace, expected):
    def program():
        _deployment(container=_container(**NO_RESOURCES))
        _limit_range(namespace, **entry)

    assert _found(pack, policy, program) == expected
