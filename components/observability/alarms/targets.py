"""What the alarms watch: handles of the resources other components built (all optional, so a
stack alarms on what it has)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi

from ...config import Color


@dataclass(frozen=True)
class CertificateTarget:
    name: str  # what it serves: "alb", "cdn"
    arn: pulumi.Input[str]
    # ACM publishes DaysToExpiry in the certificate's region: CloudFront's lives in us-east-1.
    is_global: bool = False


@dataclass(frozen=True)
class WebAclTarget:
    name: str  # what it protects: "regional", "cloudfront"
    # The WebACL dimension is the web ACL's visibility-config metric name.
    metric_name: pulumi.Input[str]
    # CLOUDFRONT-scope ACLs publish in us-east-1 without a Region dimension.
    is_global: bool = False


@dataclass(frozen=True)
class PodsTarget:
    """One eks colour's pods as Container Insights reports them (PodName is the Deployment's name)."""

    cluster_name: pulumi.Input[str]
    namespace: str
    pod_name: str

    @property
    def dimensions(self) -> dict[str, pulumi.Input[str]]:
        return {"ClusterName": self.cluster_name, "Namespace": self.namespace, "PodName": self.pod_name}


# Container Insights: utilisation against the pod's limits, the analogue of an instance's CPU/memory.
POD_CPU = ("ContainerInsights", "pod_cpu_utilization_over_pod_limit")
POD_MEMORY = ("ContainerInsights", "pod_memory_utilization_over_pod_limit")


@dataclass(frozen=True)
class AlarmTargets:
    """What the alarms watch; every part is optional so a stack alarms on what it has."""

    alb_arn_suffix: pulumi.Input[str] | None = None
    target_group_arn_suffixes: Mapping[Color, pulumi.Input[str]] = field(default_factory=dict)
    # Colours with instances (live or idle): green must be healthy before it takes traffic.
    running_colors: Sequence[Color] = ()
    asg_names: Mapping[Color, pulumi.Input[str]] = field(default_factory=dict)
    # The eks colours' pods (Container Insights), alarmed like the ec2 colours' instances.
    pods: Mapping[Color, PodsTarget] = field(default_factory=dict)
    # Where Container Insights puts the eks colours' container logs.
    pod_log_group_name: pulumi.Input[str] | None = None
    app_log_group_name: pulumi.Input[str] | None = None
    distribution_id: pulumi.Input[str] | None = None
    web_acls: Sequence[WebAclTarget] = ()
    certificates: Sequence[CertificateTarget] = ()
    db_instance_id: pulumi.Input[str] | None = None
    db_allocated_storage_gb: int | None = None
    # Storage autoscaling on (a ceiling above the initial allocation): the allocation grows.
    db_storage_autoscales: bool = False
    db_replica_ids: Sequence[pulumi.Input[str]] = ()
    db_log_group_name: pulumi.Input[str] | None = None
    docdb_cluster_id: pulumi.Input[str] | None = None
    docdb_profiler_log_group_name: pulumi.Input[str] | None = None
    cache_node_ids: Sequence[pulumi.Input[str]] = ()
