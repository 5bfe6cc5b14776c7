"""Dashboard: one CloudWatch dashboard per environment (OBS-3) with request rate, latency, error
rate, CPU, memory, database connections, cache hit rate, and the state of every alarm."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pulumi
import pulumi_aws as aws

from ..config import AlarmThresholds
from ..foundation.providers import GLOBAL_REGION
from .alarms import AlarmTargets
from .alarms.targets import POD_CPU, POD_MEMORY

WIDTH = 12  # two widgets per row (the grid is 24 wide)
HEIGHT = 6


def _line(namespace: str, metric: str, dimensions: Mapping[str, Any], **options: Any) -> list[Any]:
    """One metric line in CloudWatch's dashboard form: namespace, name, dimension pairs, options."""
    pairs = [part for name, value in dimensions.items() for part in (name, value)]
    return [namespace, metric, *pairs, options]


def _graph(title: str, region: str, metrics: list[list[Any]], **properties: Any) -> dict[str, Any]:
    return {
        "type": "metric",
        "width": WIDTH,
        "height": HEIGHT,
        "properties": {"title": title, "region": region, "view": "timeSeries", "metrics": metrics, **properties},
    }


def _limits(unit: str = "", **lines: float) -> dict[str, Any]:
    """Alarm thresholds drawn as horizontal lines, so a graph shows how close it is."""
    return {
        "annotations": {
            "horizontal": [{"label": f"{name} {value}{unit}", "value": value} for name, value in lines.items()]
        }
    }


def widgets(
    t: AlarmTargets, th: AlarmThresholds, region: str, alarm_arns: Sequence[pulumi.Input[str]]
) -> list[dict[str, Any]]:
    """The dashboard's widgets for whatever `t` holds (a section without its resource is left out)."""
    out: list[dict[str, Any]] = []
    if t.alb_arn_suffix is not None:
        lb = {"LoadBalancer": t.alb_arn_suffix}
        elb = "AWS/ApplicationELB"
        out.append(
            _graph("Requests per minute", region, [_line(elb, "RequestCount", lb, stat="Sum", label="ALB")], period=60)
        )
        out.append(
            _graph(
                "Response time (seconds)",
                region,
                [_line(elb, "TargetResponseTime", lb, stat=p, label=p) for p in ("p50", "p95", "p99")],
                period=60,
                **_limits("s", warning=th.latency_warning_ms / 1000, critical=th.latency_critical_ms / 1000),
            )
        )
        counts = [
            _line(elb, name, lb, stat="Sum", id=query_id, visible=False)
            for query_id, name in (
                ("target", "HTTPCode_Target_5XX_Count"),
                ("elb", "HTTPCode_ELB_5XX_Count"),
                ("requests", "RequestCount"),
            )
        ]
        rate = {"expression": "100 * (FILL(target, 0) + FILL(elb, 0)) / requests", "label": "5xx %", "id": "rate"}
        out.append(
            _graph(
                "5xx error rate (%)",
                region,
                [*counts, [rate]],
                period=60,
                **_limits("%", warning=th.error_rate_warning_percent, critical=th.error_rate_critical_percent),
            )
        )
        healthy = [
            _line(elb, "HealthyHostCount", {**lb, "TargetGroup": tg}, stat="Minimum", label=color)
            for color, tg in t.target_group_arn_suffixes.items()
        ]
        out.append(_graph("Healthy targets per colour", region, healthy, period=60))
    if t.asg_names or t.pods:
        groups = t.asg_names.items()
        # eks colours: Container Insights, against the pods' limits.
        cpu = [_line("AWS/EC2", "CPUUtilization", {"AutoScalingGroupName": n}, label=c) for c, n in groups] + [
            _line(*POD_CPU, p.dimensions, label=c) for c, p in t.pods.items()
        ]
        out.append(_graph("Application CPU (%)", region, cpu, **_limits("%", warning=th.app_cpu_percent)))
        memory = [
            _line("CWAgent", "mem_used_percent", {"AutoScalingGroupName": n}, stat="Maximum", label=c)
            for c, n in groups
        ] + [_line(*POD_MEMORY, p.dimensions, stat="Maximum", label=c) for c, p in t.pods.items()]
        out.append(
            _graph(
                "Application memory, worst instance (%)",
                region,
                memory,
                **_limits("%", warning=th.app_memory_warning_percent, critical=th.app_memory_critical_percent),
            )
        )
    connections = []
    data_cpu = []
    if t.db_instance_id is not None:
        db = {"DBInstanceIdentifier": t.db_instance_id}
        connections.append(_line("AWS/RDS", "DatabaseConnections", db, stat="Maximum", label="Postgres"))
        data_cpu.append(_line("AWS/RDS", "CPUUtilization", db, label="Postgres"))
    if t.docdb_cluster_id is not None:
        cluster = {"DBClusterIdentifier": t.docdb_cluster_id}
        connections.append(_line("AWS/DocDB", "DatabaseConnections", cluster, stat="Maximum", label="DocumentDB"))
        data_cpu.append(_line("AWS/DocDB", "CPUUtilization", cluster, stat="Maximum", label="DocumentDB"))
    for index, node in enumerate(t.cache_node_ids):
        data_cpu.append(
            _line("AWS/ElastiCache", "EngineCPUUtilization", {"CacheClusterId": node}, label=f"Redis {index}")
        )
    if connections:
        out.append(
            _graph(
                "Database connections",
                region,
                connections,
                **_limits(warning=th.db_connections_warning, critical=th.db_connections_critical),
            )
        )
    if data_cpu:
        out.append(_graph("Data store CPU (%)", region, data_cpu, **_limits("%", warning=th.db_cpu_percent)))
    if t.cache_node_ids:
        hits = [
            _line("AWS/ElastiCache", "CacheHitRate", {"CacheClusterId": node}, label=f"Redis {index}")
            for index, node in enumerate(t.cache_node_ids)
        ]
        # Seed target: cache hit ratio above 80-90%.
        out.append(_graph("Cache hit rate (%)", region, hits, yAxis={"left": {"min": 0, "max": 100}}))
    if t.distribution_id is not None:
        cdn = {"DistributionId": t.distribution_id, "Region": "Global"}
        out.append(
            _graph(
                "CloudFront requests and 5xx rate",
                GLOBAL_REGION,  # CloudFront publishes its metrics in us-east-1 only
                [
                    _line("AWS/CloudFront", "Requests", cdn, stat="Sum", label="requests"),
                    _line("AWS/CloudFront", "5xxErrorRate", cdn, label="5xx %", yAxis="right"),
                ],
                period=60,
            )
        )
    if alarm_arns:
        out.append(
            {
                "type": "alarm",
                "width": 24,
                "height": HEIGHT,
                "properties": {"title": "Alarms", "alarms": list(alarm_arns), "sortBy": "stateUpdatedTimestamp"},
            }
        )
    return out


class Dashboard(pulumi.ComponentResource):
    """The environment's CloudWatch dashboard, named after it (`platform-prod`)."""

    def __init__(
        self,
        name: str,
        targets: AlarmTargets,
        thresholds: AlarmThresholds,
        *,
        label: str,
        region: str,
        alarm_arns: Sequence[pulumi.Input[str]],
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__("platform:dashboard:Dashboard", name, None, opts)
        body = {"widgets": widgets(targets, thresholds, region, alarm_arns)}
        self.dashboard = aws.cloudwatch.Dashboard(
            f"{name}-main",
            dashboard_name=label,
            dashboard_body=pulumi.Output.json_dumps(body),
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.dashboard_name = self.dashboard.dashboard_name
        self.register_outputs({"dashboard_name": self.dashboard_name})
