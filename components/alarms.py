"""Alarms: the checklist's thresholds (OBS-1) as CloudWatch alarms per resource family, and failed
backup jobs (OBS-4) as an EventBridge rule, routed to the critical or warning topic.

Metric names and dimensions are CloudWatch's own; the missing-data treatment of each alarm is
chosen for its metric, and the reason sits next to it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial

import pulumi
import pulumi_aws as aws

from .alarm_factory import DAILY, FAST, FIVE_MINUTES, SLOW, SUSTAINED, AlarmFactory, Metric
from .config import AlarmSettings, Color
from .notifications import Notifications

GIB = 1024**3
# Failed connections as the Node.js drivers (pg, mongodb, ioredis) and the application log them:
# no AWS metric counts refused or failed connections.
DB_CONNECTION_ERROR_PATTERN = (
    '?ECONNREFUSED ?ETIMEDOUT ?"database connection failed" ?"password authentication failed" ?"too many clients"'
)
# Postgres logs every statement slower than log_min_duration_statement as `duration: … ms`.
POSTGRES_SLOW_QUERY_PATTERN = '"duration:"'
# Server-side connection failures Postgres logs (log_connections is on).
POSTGRES_CONNECTION_ERROR_PATTERN = '?"password authentication failed" ?"too many clients" ?"no pg_hba.conf entry"'
# Every DocumentDB profiler entry is an operation slower than the profiler threshold.
EVERY_EVENT = ""


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
class AlarmTargets:
    """What the alarms watch; every part is optional so a stack alarms on what it has."""

    alb_arn_suffix: pulumi.Input[str] | None = None
    target_group_arn_suffixes: Mapping[Color, pulumi.Input[str]] = field(default_factory=dict)
    # Colours with traffic weight > 0: an idle colour without healthy targets is expected.
    running_colors: Sequence[Color] = ()
    asg_names: Mapping[Color, pulumi.Input[str]] = field(default_factory=dict)
    app_log_group_name: pulumi.Input[str] | None = None
    distribution_id: pulumi.Input[str] | None = None
    web_acls: Sequence[WebAclTarget] = ()
    certificates: Sequence[CertificateTarget] = ()
    db_instance_id: pulumi.Input[str] | None = None
    db_allocated_storage_gb: int | None = None
    db_replica_ids: Sequence[pulumi.Input[str]] = ()
    db_log_group_name: pulumi.Input[str] | None = None
    docdb_cluster_id: pulumi.Input[str] | None = None
    docdb_profiler_log_group_name: pulumi.Input[str] | None = None
    cache_node_ids: Sequence[pulumi.Input[str]] = ()


class Alarms(pulumi.ComponentResource):
    """Every alarm of one environment. `topics` are in the primary region; `global_topics` in
    us-east-1 (reached through `global_provider`) serve CloudFront, its web ACL and certificate."""

    alarms: dict[str, aws.cloudwatch.MetricAlarm]

    def __init__(
        self,
        name: str,
        settings: AlarmSettings,
        targets: AlarmTargets,
        *,
        label: str,
        region: str,
        topics: Notifications,
        global_topics: Notifications,
        global_provider: aws.Provider,
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__("platform:alarms:Alarms", name, None, opts)
        self._name, self._label, self._region = name, label, region
        self._th = settings.thresholds
        self._topics = topics
        self._factory = AlarmFactory(
            self,
            name,
            label=label,
            settings=settings,
            topics=topics,
            global_topics=global_topics,
            global_provider=global_provider,
        )
        for family in (
            self._load_balancer,
            self._app_tier,
            self._postgres,
            self._documentdb,
            self._cache,
            self._edge,
            self._certificates,
        ):
            family(targets)
        self.alarms = self._factory.alarms
        # Alarms living in us-east-1 (CloudFront, its web ACL and certificate).
        self.global_keys = self._factory.global_keys
        self.register_outputs({"alarm_names": [a.name for a in self.alarms.values()]})

    def _load_balancer(self, t: AlarmTargets) -> None:
        if t.alb_arn_suffix is None:
            return
        th = self._th
        lb = {"LoadBalancer": t.alb_arn_suffix}
        alarm = partial(self._factory.metric, runbook="load-balancer")
        for color in t.running_colors:
            group = {**lb, "TargetGroup": t.target_group_arn_suffixes[color]}
            # Published every minute while the group is attached: no data means the group or the
            # load balancer is gone, an outage too (breaching).
            alarm(
                f"alb-no-healthy-targets-{color}",
                "critical",
                Metric("AWS/ApplicationELB", "HealthyHostCount", group, "Minimum"),
                "<",
                1,
                missing="breaching",
                window=FAST,
                summary=f"No healthy {color} targets behind the load balancer: requests to {color} fail",
            )
        counts = {
            "target": Metric("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", lb, "Sum"),
            "elb": Metric("AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count", lb, "Sum"),
            "requests": Metric("AWS/ApplicationELB", "RequestCount", lb, "Sum"),
        }
        # 5xx counts are only published when non-zero, hence FILL. A minute with too few requests
        # rates 0; one without any yields no data, not evaluated (notBreaching): the
        # no-healthy-targets alarm covers a dead service.
        rate = (
            f"IF(requests >= {th.error_rate_min_requests_per_minute}, "
            "100 * (FILL(target, 0) + FILL(elb, 0)) / requests, 0)"
        )
        for severity, percent in (
            ("critical", th.error_rate_critical_percent),
            ("warning", th.error_rate_warning_percent),
        ):
            self._factory.math(
                f"alb-5xx-rate-{severity}",
                severity,
                rate,
                counts,
                ">",
                percent,
                missing="notBreaching",
                window=SUSTAINED,
                runbook="load-balancer",
                summary=f"More than {percent}% of requests end in a 5xx (application or load balancer)",
            )
        # p95, not Average: the mean hides the slow tail users feel, and p99 swings on a handful
        # of requests at night. Seconds in CloudWatch. No requests, no latency (notBreaching).
        for severity, ms in (("critical", th.latency_critical_ms), ("warning", th.latency_warning_ms)):
            alarm(
                f"alb-latency-p95-{severity}",
                severity,
                Metric("AWS/ApplicationELB", "TargetResponseTime", lb, "p95"),
                ">",
                ms / 1000,
                missing="notBreaching",
                window=SUSTAINED,
                summary=f"p95 response time above {ms} ms",
            )

    def _app_tier(self, t: AlarmTargets) -> None:
        th = self._th
        # A colour scaled to zero publishes nothing, which is fine (notBreaching).
        alarm = partial(self._factory.metric, runbook="application-tier", missing="notBreaching")
        for color, asg in t.asg_names.items():
            group = {"AutoScalingGroupName": asg}
            alarm(
                f"app-cpu-{color}",
                "warning",
                Metric("AWS/EC2", "CPUUtilization", group),
                ">",
                th.app_cpu_percent,
                window=SLOW,
                summary=f"{color} instances average above {th.app_cpu_percent}% CPU",
            )
            # CloudWatch agent metrics aggregated per group; Maximum is the worst instance.
            memory = Metric("CWAgent", "mem_used_percent", group, "Maximum")
            alarm(
                f"app-memory-{color}",
                "warning",
                memory,
                ">",
                th.app_memory_warning_percent,
                window=SUSTAINED,
                summary=f"A {color} instance uses over {th.app_memory_warning_percent}% of its memory",
            )
            alarm(
                f"app-out-of-memory-{color}",
                "critical",
                memory,
                ">",
                th.app_memory_critical_percent,
                window=FAST,
                summary=f"A {color} instance is running out of memory ({th.app_memory_critical_percent}%)",
            )
            alarm(
                f"app-disk-{color}",
                "warning",
                Metric("CWAgent", "disk_used_percent", group, "Maximum"),
                ">",
                100 - th.app_disk_free_percent,
                window=SLOW,
                summary=f"A {color} instance has less than {th.app_disk_free_percent}% disk free",
            )
        if t.app_log_group_name is not None:
            self._factory.log_count(
                "db-connection-failures",
                "critical",
                t.app_log_group_name,
                DB_CONNECTION_ERROR_PATTERN,
                0,
                window=FAST,
                runbook="database-connections",
                summary="The application fails to connect to a database or the cache",
            )

    def _postgres(self, t: AlarmTargets) -> None:
        if t.db_instance_id is None:
            return
        th = self._th
        db = {"DBInstanceIdentifier": t.db_instance_id}
        # A stopped or replaced instance stops publishing; availability is the connection alarms'.
        alarm = partial(self._factory.metric, runbook="postgres", missing="notBreaching")
        alarm(
            "postgres-cpu",
            "warning",
            Metric("AWS/RDS", "CPUUtilization", db),
            ">",
            th.db_cpu_percent,
            window=SLOW,
            summary=f"Postgres CPU above {th.db_cpu_percent}%",
        )
        if t.db_allocated_storage_gb:
            # FreeStorageSpace is in bytes: the threshold is a share of the allocated storage.
            free = t.db_allocated_storage_gb * GIB * th.db_free_storage_percent / 100
            alarm(
                "postgres-free-storage",
                "warning",
                Metric("AWS/RDS", "FreeStorageSpace", db, "Minimum"),
                "<",
                free,
                window=SLOW,
                summary=f"Postgres has under {th.db_free_storage_percent}% of {t.db_allocated_storage_gb} GiB free",
            )
        self._connections("postgres", Metric("AWS/RDS", "DatabaseConnections", db, "Maximum"))
        # Seconds. Sustained I/O latency is what makes queries slow (the checklist's "slow queries").
        for metric, key in (("ReadLatency", "read"), ("WriteLatency", "write")):
            alarm(
                f"postgres-{key}-latency",
                "warning",
                Metric("AWS/RDS", metric, db),
                ">",
                th.db_latency_ms / 1000,
                window=SUSTAINED,
                summary=f"Postgres {key} latency above {th.db_latency_ms} ms: queries slow down",
            )
        if t.db_log_group_name is not None:
            self._factory.log_count(
                "postgres-connection-failures",
                "critical",
                t.db_log_group_name,
                POSTGRES_CONNECTION_ERROR_PATTERN,
                0,
                window=FAST,
                runbook="database-connections",
                summary="Postgres refuses connections (authentication, too many clients, pg_hba)",
            )
            self._factory.log_count(
                "postgres-slow-queries",
                "warning",
                t.db_log_group_name,
                POSTGRES_SLOW_QUERY_PATTERN,
                th.slow_queries_per_5_minutes,
                window=FIVE_MINUTES,
                runbook="postgres",
                summary=f"More than {th.slow_queries_per_5_minutes} slow Postgres queries in 5 minutes",
            )
        for index, replica in enumerate(t.db_replica_ids):
            alarm(
                f"postgres-replica-lag-{index}",
                "warning",
                Metric("AWS/RDS", "ReplicaLag", {"DBInstanceIdentifier": replica}, "Maximum"),
                ">",
                th.replica_lag_seconds,
                window=SUSTAINED,
                summary=f"A Postgres read replica lags more than {th.replica_lag_seconds} s",
            )

    def _documentdb(self, t: AlarmTargets) -> None:
        if t.docdb_cluster_id is None:
            return
        th = self._th
        cluster = {"DBClusterIdentifier": t.docdb_cluster_id}
        alarm = partial(self._factory.metric, runbook="documentdb", missing="notBreaching")
        alarm(
            "docdb-cpu",
            "warning",
            Metric("AWS/DocDB", "CPUUtilization", cluster, "Maximum"),
            ">",
            th.db_cpu_percent,
            window=SLOW,
            summary=f"A DocumentDB instance is above {th.db_cpu_percent}% CPU",
        )
        self._connections("docdb", Metric("AWS/DocDB", "DatabaseConnections", cluster, "Maximum"))
        # Milliseconds. The cluster-wide maximum covers every replica without naming them; a
        # cluster without replicas publishes nothing (notBreaching).
        alarm(
            "docdb-replica-lag",
            "warning",
            Metric("AWS/DocDB", "DBClusterReplicaLagMaximum", cluster, "Maximum"),
            ">",
            th.replica_lag_seconds * 1000,
            window=SUSTAINED,
            summary=f"A DocumentDB replica lags more than {th.replica_lag_seconds} s",
        )

        if t.docdb_profiler_log_group_name is not None:
            self._factory.log_count(
                "docdb-slow-queries",
                "warning",
                t.docdb_profiler_log_group_name,
                EVERY_EVENT,
                th.slow_queries_per_5_minutes,
                window=FIVE_MINUTES,
                runbook="documentdb",
                summary=f"More than {th.slow_queries_per_5_minutes} slow DocumentDB operations in 5 minutes",
            )

    def _connections(self, engine: str, metric: Metric) -> None:
        for severity, limit in (
            ("warning", self._th.db_connections_warning),
            ("critical", self._th.db_connections_critical),
        ):
            self._factory.metric(
                f"{engine}-connections-{severity}",
                severity,
                metric,
                ">",
                limit,
                missing="notBreaching",
                window=SUSTAINED,
                runbook="database-connections",
                summary=f"{engine} has more than {limit} open connections",
            )

    def _cache(self, t: AlarmTargets) -> None:
        th = self._th
        # Per node (host metrics carry CacheClusterId, not the replication group), named by
        # position because the ids are outputs.
        alarm = partial(self._factory.metric, runbook="redis", missing="notBreaching")
        for index, node in enumerate(t.cache_node_ids):
            n = {"CacheClusterId": node}
            alarm(
                f"redis-cpu-{index}",
                "warning",
                Metric("AWS/ElastiCache", "EngineCPUUtilization", n),
                ">",
                th.cache_cpu_percent,
                window=SLOW,
                summary=f"Redis node {index} engine CPU above {th.cache_cpu_percent}%",
            )
            alarm(
                f"redis-memory-{index}",
                "warning",
                Metric("AWS/ElastiCache", "DatabaseMemoryUsagePercentage", n, "Maximum"),
                ">",
                th.cache_memory_percent,
                window=SLOW,
                summary=f"Redis node {index} memory above {th.cache_memory_percent}%",
            )
            alarm(
                f"redis-evictions-{index}",
                "warning",
                Metric("AWS/ElastiCache", "Evictions", n, "Sum"),
                ">",
                th.cache_evictions_per_5_minutes,
                window=FIVE_MINUTES,
                summary=f"Redis node {index} evicts keys: it is full",
            )
            # Only replicas publish it; the primary's silence is fine (notBreaching).
            alarm(
                f"redis-replication-lag-{index}",
                "warning",
                Metric("AWS/ElastiCache", "ReplicationLag", n, "Maximum"),
                ">",
                th.replica_lag_seconds,
                window=SUSTAINED,
                summary=f"Redis replica {index} lags over {th.replica_lag_seconds} s",
            )

    def _edge(self, t: AlarmTargets) -> None:
        th = self._th
        # Edge metrics exist only while traffic flows: quiet is not broken (notBreaching).
        alarm = partial(self._factory.metric, runbook="cloudfront-and-waf", missing="notBreaching")
        if t.distribution_id is not None:
            cdn = {"DistributionId": t.distribution_id, "Region": "Global"}
            for severity, percent in (
                ("critical", th.error_rate_critical_percent),
                ("warning", th.error_rate_warning_percent),
            ):
                alarm(
                    f"cloudfront-5xx-rate-{severity}",
                    severity,
                    Metric("AWS/CloudFront", "5xxErrorRate", cdn),
                    ">",
                    percent,
                    window=SUSTAINED,
                    summary=f"More than {percent}% of CloudFront responses are 5xx",
                    is_global=True,
                )
        for acl in t.web_acls:
            dims = {"WebACL": acl.metric_name, "Rule": "ALL"} | ({} if acl.is_global else {"Region": self._region})
            limit = th.waf_blocked_requests_per_5_minutes
            alarm(
                f"waf-{acl.name}-blocked-spike",
                "warning",
                Metric("AWS/WAFV2", "BlockedRequests", dims, "Sum"),
                ">",
                limit,
                window=FIVE_MINUTES,
                summary=f"The {acl.name} web ACL blocked over {limit} requests in 5 minutes",
                is_global=acl.is_global,
            )

    def _certificates(self, t: AlarmTargets) -> None:
        days = self._th.certificate_days_to_expiry
        for cert in t.certificates:
            # ACM stops publishing once a certificate has expired: missing data is breaching.
            self._factory.metric(
                f"certificate-expiry-{cert.name}",
                "critical",
                Metric("AWS/CertificateManager", "DaysToExpiry", {"CertificateArn": cert.arn}, "Minimum"),
                "<",
                days,
                missing="breaching",
                window=DAILY,
                runbook="certificates",
                summary=f"The {cert.name} TLS certificate expires within {days} days and has not renewed",
                is_global=cert.is_global,
            )
