"""Alarms: the checklist's thresholds (OBS-1) as CloudWatch alarms per resource family, and failed
backup jobs (OBS-4) as an EventBridge rule, routed to the critical or warning topic.

Metric names and dimensions are CloudWatch's own; the missing-data treatment of each alarm is
chosen for its metric, and the reason sits next to it.
"""

from __future__ import annotations

from functools import partial

import pulumi
import pulumi_aws as aws

from ...config import AlarmSettings, Severity
from ..notifications import Notifications
from .data_stores import cache_alarms, documentdb_alarms, postgres_alarms
from .factory import DAILY, FAST, FIVE_MINUTES, SLOW, SUSTAINED, AlarmFactory, Metric, Window, by_severity
from .targets import POD_CPU, POD_MEMORY, AlarmTargets

# Failed connections as the Node.js drivers (pg, mongodb, ioredis) and the application log them:
# no AWS metric counts refused or failed connections.
DB_CONNECTION_ERROR_PATTERN = (
    '?ECONNREFUSED ?ETIMEDOUT ?"database connection failed" ?"password authentication failed" ?"too many clients"'
)


STORAGE_EVENT_IDS = ("RDS-EVENT-0224", "RDS-EVENT-0223", "RDS-EVENT-0007")


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
        for family in (self._load_balancer, self._app_tier, self._edge, self._certificates):
            family(targets)
        for store_alarms in (postgres_alarms, documentdb_alarms, cache_alarms):
            store_alarms(self._factory, self._th, targets)
        self._storage_events(targets)
        self.alarms = self._factory.alarms
        # Alarms living in us-east-1 (CloudFront, its web ACL and certificate).
        self.global_keys = self._factory.global_keys
        self.register_outputs({"alarm_names": [a.name for a in self.alarms.values()]})

    def _storage_events(self, t: AlarmTargets) -> None:
        """Under storage autoscaling the allocation grows, which no FreeStorageSpace threshold can
        follow (CloudWatch has no allocated-storage metric): RDS's own events say when space really
        runs out. RDS-EVENT-0224: an autoscaling step would reach the ceiling; RDS-EVENT-0223:
        autoscaling can't scale; RDS-EVENT-0007: storage exhausted (RDS user guide, "Amazon RDS
        event categories and event messages")."""
        if t.db_instance_id is None or not t.db_storage_autoscales:
            return
        rule = aws.cloudwatch.EventRule(
            f"{self._name}-postgres-storage-events",
            description="Postgres storage autoscaling reaches its ceiling, can't scale, or storage is exhausted",
            event_pattern=pulumi.Output.json_dumps(
                {
                    "source": ["aws.rds"],
                    "detail-type": ["RDS DB Instance Event"],
                    "detail": {"SourceIdentifier": [t.db_instance_id], "EventID": list(STORAGE_EVENT_IDS)},
                }
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
        aws.cloudwatch.EventTarget(
            f"{self._name}-postgres-storage-events-topic",
            rule=rule.name,
            arn=self._topics.arn_for("critical"),
            opts=pulumi.ResourceOptions(parent=self),
        )

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
        for severity, percent in by_severity(th.error_rate_critical_percent, th.error_rate_warning_percent):
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
        for severity, ms in by_severity(th.latency_critical_ms, th.latency_warning_ms):
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
        for color, pods in t.pods.items():
            cpu, memory = Metric(*POD_CPU, pods.dimensions), Metric(*POD_MEMORY, pods.dimensions, "Maximum")
            alarm(
                f"app-cpu-{color}",
                "warning",
                cpu,
                ">",
                th.app_cpu_percent,
                window=SLOW,
                summary=f"{color} pods average above {th.app_cpu_percent}% of their CPU limit",
            )
            levels: tuple[tuple[str, Severity, float, Window], ...] = (
                ("app-memory", "warning", th.app_memory_warning_percent, SUSTAINED),
                ("app-out-of-memory", "critical", th.app_memory_critical_percent, FAST),
            )
            for key, severity, percent, window in levels:
                alarm(
                    f"{key}-{color}",
                    severity,
                    memory,
                    ">",
                    percent,
                    window=window,
                    summary=f"A {color} pod uses over {percent}% of its memory limit",
                )
        # The ec2 colours log to the app log group, the eks colours' containers to Container Insights.
        for key, log_group in (
            ("db-connection-failures", t.app_log_group_name),
            ("db-connection-failures-pods", t.pod_log_group_name),
        ):
            if log_group is not None:
                self._factory.log_count(
                    key,
                    "critical",
                    log_group,
                    DB_CONNECTION_ERROR_PATTERN,
                    0,
                    window=FAST,
                    runbook="database-connections",
                    summary="The application fails to connect to a database or the cache",
                )

    def _edge(self, t: AlarmTargets) -> None:
        th = self._th
        # Edge metrics exist only while traffic flows: quiet is not broken (notBreaching).
        alarm = partial(self._factory.metric, runbook="cloudfront-and-waf", missing="notBreaching")
        if t.distribution_id is not None:
            cdn = {"DistributionId": t.distribution_id, "Region": "Global"}
            for severity, percent in by_severity(th.error_rate_critical_percent, th.error_rate_warning_percent):
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
