"""The application on the cluster through pulumi-kubernetes: an explicit provider, the namespace
and its defaults, the service account and its Pod Identity role, secrets from Secrets Manager by
the Secrets Store CSI driver, and per eks colour a hardened Deployment (K8S-1..K8S-5) with its
PodDisruptionBudget, HorizontalPodAutoscaler and Service; NetworkPolicies around it all."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

from ...config import Color, ComputeSettings, EksColorSettings
from ...foundation.security_groups import DATA_PORTS, HTTPS
from ..secret_access import secret_read_statements
from .cluster import Cluster
from .iam import pod_role

APP_LABEL = "app"
SERVICE_ACCOUNT = "app"
SECRETS_CLASS = "app-secrets"
SECRETS_MOUNT = "/mnt/secrets"
# Runbook section 3: requests 250m/256Mi, limits 500m/512Mi; probes; rolling update 1/0.
REQUESTS = {"cpu": "250m", "memory": "256Mi"}
LIMITS = {"cpu": "500m", "memory": "512Mi"}
CPU_TARGET_PERCENT = 70
# The image's own non-root user (app/Dockerfile: USER 10001).
APP_UID = 10001
CSI_PROVIDER_REPO = "https://aws.github.io/secrets-store-csi-driver-provider-aws"
# The EKS Pod Identity agent's link-local address (AWS docs: "Set up the EKS Pod Identity Agent").
POD_IDENTITY_AGENT = "169.254.170.23/32"


def kubeconfig_document(
    cluster_name: pulumi.Input[str], endpoint: pulumi.Input[str], certificate_authority: pulumi.Input[str], region: str
) -> dict[str, Any]:
    """A kubeconfig that authenticates with `aws eks get-token`: the caller's AWS credentials,
    no token stored in the program or its state."""
    context = cluster_name
    return {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [
            {"name": context, "cluster": {"server": endpoint, "certificate-authority-data": certificate_authority}}
        ],
        "contexts": [{"name": context, "context": {"cluster": context, "user": context}}],
        "current-context": context,
        "users": [
            {
                "name": context,
                "user": {
                    "exec": {
                        "apiVersion": "client.authentication.k8s.io/v1beta1",
                        "command": "aws",
                        "args": ["eks", "get-token", "--cluster-name", context, "--region", region, "--output", "json"],
                    }
                },
            }
        ],
    }


def kubeconfig(cluster: Cluster, region: str) -> pulumi.Output[str]:
    return pulumi.Output.json_dumps(
        kubeconfig_document(cluster.cluster_name, cluster.endpoint, cluster.certificate_authority, region)
    )


class Workload(pulumi.ComponentResource):
    """The application's namespace on `cluster` and one Deployment per eks colour."""

    deployments: dict[Color, k8s.apps.v1.Deployment]
    services: dict[Color, k8s.core.v1.Service]

    def __init__(
        self,
        name: str,
        settings: ComputeSettings,
        *,
        cluster: Cluster,
        region: str,
        images: Mapping[Color, pulumi.Input[str]],
        secret_arns: Mapping[str, pulumi.Input[str]],
        data_key: aws.kms.Key,
        load_balancer_cidrs: Sequence[pulumi.Input[str]],
        data_cidrs: Sequence[pulumi.Input[str]],
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__("platform:kubernetes:Workload", name, None, opts)
        assert settings.eks is not None
        self._name = name
        self._charts = settings.eks.charts
        self._region = region
        self.namespace_name = settings.eks.namespace
        self.provider = k8s.Provider(
            f"{name}-provider", kubeconfig=kubeconfig(cluster, region), opts=pulumi.ResourceOptions(parent=self)
        )
        # Every Kubernetes object waits for the nodes and add-ons (CoreDNS, the CNI's policy agent).
        self._k8s = pulumi.ResourceOptions(
            parent=self, provider=self.provider, depends_on=[cluster.node_group, *cluster.addons.values()]
        )
        port = settings.app_port
        ns = self.namespace_name

        self.namespace = k8s.core.v1.Namespace(
            f"{name}-namespace",
            metadata={
                "name": ns,
                # The Pod Security "restricted" profile, enforced by the API server (K8S-3).
                "labels": {f"pod-security.kubernetes.io/{mode}": "restricted" for mode in ("enforce", "warn")},
            },
            opts=self._k8s,
        )
        in_ns = pulumi.ResourceOptions.merge(self._k8s, pulumi.ResourceOptions(depends_on=[self.namespace]))
        self._in_ns = in_ns
        # Defaults for any container that names none (K8S-1); the app's own containers set theirs.
        k8s.core.v1.LimitRange(
            f"{name}-limits",
            metadata={"name": "container-defaults", "namespace": ns},
            spec={"limits": [{"type": "Container", "default": LIMITS, "default_request": REQUESTS}]},
            opts=in_ns,
        )

        # SEC-1: the service account's role may read this application's secrets and nothing else.
        self.identity = pod_role(
            f"{name}-app",
            cluster_name=cluster.cluster.name,
            namespace=ns,
            service_account=SERVICE_ACCOUNT,
            parent=self,
            statements=secret_read_statements(secret_arns, data_key, region),
        )
        self.service_account = k8s.core.v1.ServiceAccount(
            f"{name}-sa",
            metadata={"name": SERVICE_ACCOUNT, "namespace": ns},
            automount_service_account_token=False,
            opts=in_ns,
        )
        self.config_map = k8s.core.v1.ConfigMap(
            f"{name}-settings",
            metadata={"name": "app-settings", "namespace": ns},
            data={"PORT": str(port), "AWS_REGION": region},
            opts=in_ns,
        )
        self._secret_envs = sorted(secret_arns)
        self.secret_provider_class = self._secrets(name, secret_arns, in_ns)

        self.deployments, self.services = {}, {}
        for color in settings.colors_on("eks"):
            fleet = settings.color(color)
            assert isinstance(fleet, EksColorSettings)
            self.deployments[color], self.services[color] = self._colour(name, color, fleet, images[color], port)

        self._network_policies(name, port, load_balancer_cidrs, data_cidrs)
        self.register_outputs(
            {"namespace": ns, "deployments": {c: d.metadata.name for c, d in self.deployments.items()}}
        )

    def _secrets(
        self, name: str, secret_arns: Mapping[str, pulumi.Input[str]], opts: pulumi.ResourceOptions
    ) -> k8s.apiextensions.CustomResource:
        """The Secrets Store CSI driver and its AWS provider (a Helm release in kube-system), and the
        SecretProviderClass naming the secrets by ARN: the values go from Secrets Manager to the
        pod's tmpfs mount and a synced Secret, never through the program, its state or a manifest."""
        charts = self._charts
        # The AWS provider's chart installs the driver as its subchart, already asking for the
        # Pod Identity token audience; synced Secrets feed environment variables, rotation
        # re-reads Secrets Manager.
        release = k8s.helm.v3.Release(
            f"{name}-secrets-store",
            chart="secrets-store-csi-driver-provider-aws",
            version=charts.secrets_store_provider_aws,
            namespace="kube-system",
            repository_opts=k8s.helm.v3.RepositoryOptsArgs(repo=CSI_PROVIDER_REPO),
            values={"secrets-store-csi-driver": {"syncSecret": {"enabled": True}, "enableSecretRotation": True}},
            opts=self._k8s,
        )
        env_names = sorted(secret_arns)
        objects = pulumi.Output.all(*[secret_arns[env] for env in env_names]).apply(
            lambda arns: [
                {"objectName": arn, "objectType": "secretsmanager", "objectAlias": env}
                for env, arn in zip(env_names, arns, strict=True)
            ]
        )
        return k8s.apiextensions.CustomResource(
            f"{name}-secret-provider",
            api_version="secrets-store.csi.x-k8s.io/v1",
            kind="SecretProviderClass",
            metadata={"name": SECRETS_CLASS, "namespace": self.namespace_name},
            spec={
                "provider": "aws",
                # The provider reads `objects` as YAML, of which JSON is a subset.
                "parameters": {
                    "objects": pulumi.Output.json_dumps(objects),
                    "usePodIdentity": "true",
                    "region": self._region,
                },
                "secretObjects": [
                    {
                        "secretName": SECRETS_CLASS,
                        "type": "Opaque",
                        "data": [{"objectName": env, "key": env} for env in env_names],
                    }
                ],
            },
            opts=pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(depends_on=[release])),
        )

    def _colour(
        self, name: str, color: Color, fleet: EksColorSettings, image: pulumi.Input[str], port: int
    ) -> tuple[k8s.apps.v1.Deployment, k8s.core.v1.Service]:
        """The runbook's Deployment for one colour, its PDB, HPA and Service."""
        ns = self.namespace_name
        app = f"app-{color}"
        labels = {APP_LABEL: "app", "color": color}
        probe: k8s.core.v1.ProbeArgsDict = {
            "http_get": {"path": "/health", "port": port},
            "initial_delay_seconds": 30,
            "period_seconds": 10,
        }
        ready: k8s.core.v1.ProbeArgsDict = {
            "http_get": {"path": "/ready", "port": port},
            "initial_delay_seconds": 10,
            "period_seconds": 5,
        }
        deployment = k8s.apps.v1.Deployment(
            f"{name}-{color}",
            metadata={"name": app, "namespace": ns, "labels": labels},
            spec={
                "replicas": fleet.replicas,
                "selector": {"match_labels": labels},
                # DEP-2: a new pod is ready before an old one leaves.
                "strategy": {"type": "RollingUpdate", "rolling_update": {"max_surge": 1, "max_unavailable": 0}},
                "template": {
                    "metadata": {"labels": labels},
                    "spec": {
                        "service_account_name": SERVICE_ACCOUNT,
                        # Pod Identity injects its own token volume; the API token isn't needed.
                        "automount_service_account_token": False,
                        "security_context": {
                            "run_as_non_root": True,
                            "run_as_user": APP_UID,
                            "run_as_group": APP_UID,
                            "fs_group": APP_UID,
                            "seccomp_profile": {"type": "RuntimeDefault"},
                        },
                        # Spread over the AZs (hard) and the nodes (soft), so losing one keeps it serving.
                        "topology_spread_constraints": [
                            {
                                "max_skew": 1,
                                "topology_key": key,
                                "when_unsatisfiable": mode,
                                "label_selector": {"match_labels": labels},
                            }
                            for key, mode in (
                                ("topology.kubernetes.io/zone", "DoNotSchedule"),
                                ("kubernetes.io/hostname", "ScheduleAnyway"),
                            )
                        ],
                        "containers": [
                            {
                                "name": "app",
                                "image": image,
                                "ports": [{"name": "http", "container_port": port}],
                                "env_from": [{"config_map_ref": {"name": self.config_map.metadata.name}}],
                                "env": [
                                    {"name": "APP_COLOR", "value": color},
                                    *(
                                        {
                                            "name": env,
                                            "value_from": {"secret_key_ref": {"name": SECRETS_CLASS, "key": env}},
                                        }
                                        for env in self._secret_envs
                                    ),
                                ],
                                "resources": {"requests": REQUESTS, "limits": LIMITS},
                                "liveness_probe": probe,
                                "readiness_probe": ready,
                                "security_context": {
                                    "allow_privilege_escalation": False,
                                    "read_only_root_filesystem": True,
                                    "privileged": False,
                                    "capabilities": {"drop": ["ALL"]},
                                },
                                "volume_mounts": [
                                    {"name": "tmp", "mount_path": "/tmp"},
                                    {"name": "secrets", "mount_path": SECRETS_MOUNT, "read_only": True},
                                ],
                            }
                        ],
                        "volumes": [
                            {"name": "tmp", "empty_dir": {"medium": "Memory", "size_limit": "64Mi"}},
                            {
                                "name": "secrets",
                                "csi": {
                                    "driver": "secrets-store.csi.k8s.io",
                                    "read_only": True,
                                    "volume_attributes": {"secretProviderClass": SECRETS_CLASS},
                                },
                            },
                        ],
                    },
                },
            },
            # The HPA owns the running count; `replicas` is the count at creation (as the ASG's
            # desired_capacity), so a deploy never scales a busy colour back down.
            opts=pulumi.ResourceOptions.merge(
                self._in_ns,
                pulumi.ResourceOptions(
                    depends_on=[self.service_account, self.secret_provider_class, self.identity],
                    ignore_changes=["spec.replicas"],
                ),
            ),
        )
        k8s.policy.v1.PodDisruptionBudget(
            f"{name}-{color}",
            metadata={"name": app, "namespace": ns},
            spec={"max_unavailable": 1, "selector": {"match_labels": labels}},
            opts=self._in_ns,
        )
        k8s.autoscaling.v2.HorizontalPodAutoscaler(
            f"{name}-{color}",
            metadata={"name": app, "namespace": ns},
            spec={
                "scale_target_ref": {"api_version": "apps/v1", "kind": "Deployment", "name": deployment.metadata.name},
                "min_replicas": fleet.min_replicas,
                "max_replicas": fleet.max_replicas,
                "metrics": [
                    {
                        "type": "Resource",
                        "resource": {
                            "name": "cpu",
                            "target": {"type": "Utilization", "average_utilization": CPU_TARGET_PERCENT},
                        },
                    }
                ],
            },
            opts=self._in_ns,
        )
        service = k8s.core.v1.Service(
            f"{name}-{color}",
            metadata={"name": app, "namespace": ns, "labels": labels},
            spec={
                "type": "ClusterIP",
                "selector": labels,
                "ports": [{"name": "http", "port": port, "target_port": port}],
            },
            opts=self._in_ns,
        )
        return deployment, service

    def _network_policies(
        self,
        name: str,
        port: int,
        load_balancer_cidrs: Sequence[pulumi.Input[str]],
        data_cidrs: Sequence[pulumi.Input[str]],
    ) -> None:
        """Default deny in the namespace, then: the ALB's subnets to the app port, the app to the
        data stores' ports in the data subnets, to DNS, to the Pod Identity agent, and HTTPS out."""
        ns = self.namespace_name
        app_pods: k8s.meta.v1.LabelSelectorArgsDict = {"match_labels": {APP_LABEL: "app"}}

        def policy(label: str, spec: k8s.networking.v1.NetworkPolicySpecArgsDict) -> None:
            k8s.networking.v1.NetworkPolicy(
                f"{name}-{label}", metadata={"name": label, "namespace": ns}, spec=spec, opts=self._in_ns
            )

        policy("default-deny", {"pod_selector": {}, "policy_types": ["Ingress", "Egress"]})
        policy(
            "load-balancer-to-app",
            {
                "pod_selector": app_pods,
                "policy_types": ["Ingress"],
                "ingress": [
                    {
                        "from_": [{"ip_block": {"cidr": cidr}} for cidr in load_balancer_cidrs],
                        "ports": [{"protocol": "TCP", "port": port}],
                    }
                ],
            },
        )
        policy(
            "app-to-data-stores",
            {
                "pod_selector": app_pods,
                "policy_types": ["Egress"],
                "egress": [
                    {
                        "to": [{"ip_block": {"cidr": cidr}} for cidr in data_cidrs],
                        "ports": [{"protocol": "TCP", "port": p} for p in DATA_PORTS.values()],
                    }
                ],
            },
        )
        policy(
            "dns",
            {
                "pod_selector": {},
                "policy_types": ["Egress"],
                "egress": [
                    {
                        "to": [
                            {
                                "namespace_selector": {"match_labels": {"kubernetes.io/metadata.name": "kube-system"}},
                                "pod_selector": {"match_labels": {"k8s-app": "kube-dns"}},
                            }
                        ],
                        "ports": [{"protocol": proto, "port": 53} for proto in ("UDP", "TCP")],
                    }
                ],
            },
        )
        policy(
            "app-to-aws",
            {
                "pod_selector": app_pods,
                "policy_types": ["Egress"],
                "egress": [
                    {"to": [{"ip_block": {"cidr": POD_IDENTITY_AGENT}}], "ports": [{"protocol": "TCP", "port": 80}]},
                    # AWS APIs and the third-party services the application calls (as the EC2 app tier).
                    {"to": [{"ip_block": {"cidr": "0.0.0.0/0"}}], "ports": [{"protocol": "TCP", "port": HTTPS}]},
                ],
            },
        )
