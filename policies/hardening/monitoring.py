"""Monitoring policies: log groups, alarms (each has actions and a runbook; the checklist's set
exists), and the environment dashboard."""

from __future__ import annotations

import re

from . import _types as t
from ._helpers import flag, get, items, known, number, strings, text
from ._policy import HIGH, LOW, MEDIUM, Stack, resource_policy, stack_policy

# OBS-1's alarm set, as the metrics that must be alarmed on whenever the resource they watch exists
# (`where`: only resources whose property has one of the listed values; "" stands for unset).
_ALB = {"loadBalancerType": ["application", ""]}
_NLB = {"loadBalancerType": ["network"]}
REQUIRED_ALARMS = [
    {"when": list(t.LOAD_BALANCER), "where": _ALB, "namespace": "AWS/ApplicationELB", "metrics": ["HealthyHostCount"]},
    {
        "when": list(t.LOAD_BALANCER),
        "where": _ALB,
        "namespace": "AWS/ApplicationELB",
        "metrics": ["HTTPCode_Target_5XX_Count"],
    },
    {
        "when": list(t.LOAD_BALANCER),
        "where": _ALB,
        "namespace": "AWS/ApplicationELB",
        "metrics": ["TargetResponseTime"],
    },
    {
        "when": list(t.LOAD_BALANCER),
        "where": _NLB,
        "namespace": "AWS/NetworkELB",
        "metrics": ["HealthyHostCount", "UnHealthyHostCount"],
    },
    {"when": list(t.AUTOSCALING_GROUP), "namespace": "AWS/EC2", "metrics": ["CPUUtilization"]},
    {"when": list(t.AUTOSCALING_GROUP), "namespace": "CWAgent", "metrics": ["mem_used_percent"]},
    {"when": list(t.AUTOSCALING_GROUP), "namespace": "CWAgent", "metrics": ["disk_used_percent"]},
    {"when": list(t.RDS_INSTANCE + t.RDS_CLUSTER), "namespace": "AWS/RDS", "metrics": ["DatabaseConnections"]},
    {"when": list(t.RDS_INSTANCE + t.RDS_CLUSTER), "namespace": "AWS/RDS", "metrics": ["CPUUtilization"]},
    {"when": list(t.RDS_INSTANCE), "namespace": "AWS/RDS", "metrics": ["FreeStorageSpace"]},
    {"when": list(t.DOCDB_CLUSTER), "namespace": "AWS/DocDB", "metrics": ["DatabaseConnections"]},
    {"when": list(t.DOCDB_CLUSTER), "namespace": "AWS/DocDB", "metrics": ["CPUUtilization"]},
    {
        "when": list(t.DOCDB_CLUSTER),
        "namespace": "AWS/DocDB",
        "metrics": ["DBClusterReplicaLagMaximum", "DBInstanceReplicaLag"],
    },
    {"when": list(t.REPLICATION_GROUP), "namespace": "AWS/ElastiCache", "metrics": ["ReplicationLag"]},
    {
        "when": list(t.REPLICATION_GROUP),
        "namespace": "AWS/ElastiCache",
        "metrics": ["EngineCPUUtilization", "CPUUtilization"],
    },
    {"when": list(t.CERTIFICATE), "namespace": "AWS/CertificateManager", "metrics": ["DaysToExpiry"]},
]
DASHBOARD_METRICS = [
    "RequestCount",
    "TargetResponseTime",
    "HTTPCode_Target_5XX_Count",
    "CPUUtilization",
    "mem_used_percent",
    "DatabaseConnections",
    "CacheHitRate",
]
# What charts the same thing for an application on EKS (Container Insights, against pod limits).
DASHBOARD_EQUIVALENTS = {
    "CPUUtilization": ("pod_cpu_utilization_over_pod_limit",),
    "mem_used_percent": ("pod_memory_utilization_over_pod_limit",),
}


def _retention(args, cfg):
    days = number(get(args.props, "retentionInDays"))
    if not days:
        yield "retentionInDays is not set: logs are kept (and billed) forever"
    elif days < cfg["minDays"]:
        yield f"retentionInDays is {int(days)}; at least {cfg['minDays']} days are required"


def _log_group_cmk(args, _cfg):
    if not get(args.props, "kmsKeyId"):
        yield "kmsKeyId is not set: the log group is not encrypted with a customer-managed key"


def _alarm_actions(args, _cfg):
    if get(args.props, "actionsEnabled") is not None and not flag(get(args.props, "actionsEnabled")):
        yield "actionsEnabled is false"
    elif not strings(get(args.props, "alarmActions")):
        yield "the alarm has no alarmActions: nobody is notified"


def _alarm_runbook(args, cfg):
    if not re.search(cfg["runbookPattern"], text(get(args.props, "alarmDescription"))):
        yield "alarmDescription does not link to a runbook section"


def alarm_metrics(alarm) -> set[tuple[str, str]]:
    """(namespace, metric) pairs an alarm watches, directly or through metric math."""
    props = alarm.props
    pairs = {(text(known(get, props, "namespace")), text(known(get, props, "metricName")))}
    for query in items(known(get, props, "metricQueries")):
        metric = get(query, "metric")
        pairs.add((text(get(metric, "namespace")), text(get(metric, "metricName"))))
    return pairs


def _matches(resource, where: dict) -> bool:
    return all(text(known(get, resource.props, key)) in values for key, values in where.items())


def _required_alarms(stack: Stack, cfg):
    watched = set().union(*(alarm_metrics(a) for a in stack.of(t.METRIC_ALARM)))
    for requirement in cfg["requiredAlarms"]:
        where = requirement.get("where") or {}
        present = [r for r in stack.of(tuple(requirement["when"])) if _matches(r, where)]
        namespace, metrics = requirement["namespace"], requirement["metrics"]
        if present and not any((namespace, m) in watched for m in metrics):
            yield (
                f"no alarm watches {namespace} {' or '.join(metrics)} (needed for '{present[0].name}')",
                present[0].urn,
            )


def _dashboard(stack: Stack, cfg):
    dashboards = stack.of(t.DASHBOARD)
    if not dashboards:
        if stack.of(t.LOAD_BALANCER + t.AUTOSCALING_GROUP + t.RDS_INSTANCE + t.RDS_CLUSTER):
            yield "the environment has no CloudWatch dashboard", ""
        return
    body = " ".join(text(known(get, d.props, "dashboardBody")) for d in dashboards)
    missing = [
        m for m in cfg["requiredMetrics"] if not any(f'"{n}"' in body for n in (m, *DASHBOARD_EQUIVALENTS.get(m, ())))
    ]
    if missing:
        yield f"the dashboard does not chart {', '.join(missing)}", dashboards[0].urn


POLICIES = [
    resource_policy(
        "cloudwatch-loggroup-retention",
        types=t.LOG_GROUP,
        description="Log groups keep logs for the documented period, and not forever.",
        severity=MEDIUM,
        checklist=("OBS-2", "NET-6"),
        remediation="Set retention_in_days (a CloudWatch-supported value such as 30, 90, 365).",
        check=_retention,
        config={"minDays": {"type": "integer", "minimum": 1, "default": 365}},
    ),
    resource_policy(
        "cloudwatch-loggroup-cmk",
        types=t.LOG_GROUP,
        description="Log groups are encrypted with a customer-managed KMS key.",
        severity=MEDIUM,
        checklist=("OBS-2", "NET-6", "DB-2"),
        remediation="Set kms_key_id=<CMK ARN>; the key policy must allow logs.<region>.amazonaws.com.",
        check=_log_group_cmk,
    ),
    resource_policy(
        "cloudwatch-metricalarm-has-actions",
        types=t.METRIC_ALARM,
        description="Every alarm notifies someone.",
        severity=HIGH,
        checklist=("OBS-1",),
        remediation="Set alarm_actions=[<critical or warning SNS topic ARN>] (and ok_actions).",
        check=_alarm_actions,
    ),
    resource_policy(
        "cloudwatch-metricalarm-runbook-link",
        types=t.METRIC_ALARM,
        description="Every alarm's description links to its runbook section.",
        severity=LOW,
        checklist=("OBS-1",),
        remediation="Put the runbook link (https://…#section or docs/runbooks.md#section) in alarm_description.",
        check=_alarm_runbook,
        # A URL, or a link into the repository's runbooks (`docs/runbooks.md#postgres`).
        config={"runbookPattern": {"type": "string", "default": r"(https?://\S+|\S+\.md#[\w-]+)"}},
    ),
    stack_policy(
        "cloudwatch-required-alarms",
        description="The checklist's alarms exist for every kind of resource the stack runs (targets, 5xx, "
        "latency, CPU, memory, disk, database connections, replication lag, certificate expiry).",
        severity=HIGH,
        checklist=("OBS-1",),
        remediation="Add aws.cloudwatch.MetricAlarm resources for the listed metrics with thresholds from the "
        "alerting runbook, routed to the critical/warning topics.",
        check=_required_alarms,
        config={
            "requiredAlarms": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["when", "namespace", "metrics"],
                    "properties": {
                        "when": {"type": "array", "items": {"type": "string"}},
                        "where": {
                            "type": "object",
                            "additionalProperties": {"type": "array", "items": {"type": "string"}},
                        },
                        "namespace": {"type": "string"},
                        "metrics": {"type": "array", "items": {"type": "string"}},
                    },
                },
                "default": REQUIRED_ALARMS,
            }
        },
    ),
    stack_policy(
        "cloudwatch-dashboard-present",
        description="The environment has a dashboard charting request rate, latency, errors, CPU, memory, "
        "database connections and cache hit rate.",
        severity=LOW,
        checklist=("OBS-3",),
        remediation="Add aws.cloudwatch.Dashboard with widgets for the listed metrics.",
        check=_dashboard,
        config={"requiredMetrics": {"type": "array", "items": {"type": "string"}, "default": DASHBOARD_METRICS}},
    ),
]
