"""OBS-1, threshold by threshold: each figure of the hardening checklist is implemented by at least
one alarm of each stack, on the right metric, comparison and threshold, with actions.

The figures here are the checklist's own, not read from config: a default that drifts from the
checklist fails this test."""

from __future__ import annotations

import pytest

from tests.graph import region_of

ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
LOGS = "Platform/Logs"  # counts of matching log lines, named `{p}-<alarm>` (p = platform-<stack>)
OPERATORS = {">": "GreaterThanThreshold", "<": "LessThanThreshold"}
GIB = 1024**3

# (checklist item, namespace, metric, comparison, threshold in the metric's unit, severity).
# A threshold of None is derived per stack (FreeStorageSpace is bytes of the allocated storage).
CHECKLIST = [
    ("critical: no healthy targets", "AWS/ApplicationELB", "HealthyHostCount", "<", 1, "critical"),
    ("critical: 5xx rate > 5%", "AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", ">", 5, "critical"),
    ("critical: 5xx rate > 5% (edge)", "AWS/CloudFront", "5xxErrorRate", ">", 5, "critical"),
    ("critical: response time > 1000 ms", "AWS/ApplicationELB", "TargetResponseTime", ">", 1.0, "critical"),
    ("critical: database connection failed", LOGS, "{p}-db-connection-failures", ">", 0, "critical"),
    ("critical: db connection failed (server)", LOGS, "{p}-postgres-connection-failures", ">", 0, "critical"),
    ("critical: out of memory", "CWAgent", "mem_used_percent", ">", 95, "critical"),
    ("critical: certificate expiring in 7 days", "AWS/CertificateManager", "DaysToExpiry", "<", 7, "critical"),
    ("warning: CPU > 80%", "AWS/EC2", "CPUUtilization", ">", 80, "warning"),
    ("warning: memory > 80%", "CWAgent", "mem_used_percent", ">", 80, "warning"),
    ("warning: 5xx rate > 1%", "AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count", ">", 1, "warning"),
    ("warning: 5xx rate > 1% (edge)", "AWS/CloudFront", "5xxErrorRate", ">", 1, "warning"),
    ("warning: response time > 500 ms", "AWS/ApplicationELB", "TargetResponseTime", ">", 0.5, "warning"),
    ("warning: free disk < 20%", "CWAgent", "disk_used_percent", ">", 80, "warning"),
    ("warning: slow queries > 100 (Postgres)", LOGS, "{p}-postgres-slow-queries", ">", 100, "warning"),
    ("warning: slow queries > 100 (DocumentDB)", LOGS, "{p}-docdb-slow-queries", ">", 100, "warning"),
    ("data: Postgres connections > 40", "AWS/RDS", "DatabaseConnections", ">", 40, "warning"),
    ("data: Postgres connections > 100", "AWS/RDS", "DatabaseConnections", ">", 100, "critical"),
    ("data: DocumentDB connections > 40", "AWS/DocDB", "DatabaseConnections", ">", 40, "warning"),
    ("data: DocumentDB connections > 100", "AWS/DocDB", "DatabaseConnections", ">", 100, "critical"),
    ("data: DocumentDB lag > 10 s", "AWS/DocDB", "DBClusterReplicaLagMaximum", ">", 10_000, "warning"),
    ("data: Redis replication lag > 10 s", "AWS/ElastiCache", "ReplicationLag", ">", 10, "warning"),
    ("data: Postgres CPU > 80%", "AWS/RDS", "CPUUtilization", ">", 80, "warning"),
    ("data: DocumentDB CPU > 80%", "AWS/DocDB", "CPUUtilization", ">", 80, "warning"),
    ("data: Redis engine CPU > 80%", "AWS/ElastiCache", "EngineCPUUtilization", ">", 80, "warning"),
    ("data: Redis memory > 80%", "AWS/ElastiCache", "DatabaseMemoryUsagePercentage", ">", 80, "warning"),
    ("data: Redis evictions", "AWS/ElastiCache", "Evictions", ">", 0, "warning"),
    ("data: Postgres disk > 80%", "AWS/RDS", "FreeStorageSpace", "<", None, "warning"),
    ("edge: WAF blocked-request spike", "AWS/WAFV2", "BlockedRequests", ">", 1000, "warning"),
]  # fmt: skip
ALLOCATED_GIB = {"staging": 20, "prod": 100}


def metrics_of(alarm) -> set[tuple[str, str]]:
    """(namespace, metric) pairs an alarm reads, directly or through metric math."""
    inputs = alarm.inputs
    if "metricName" in inputs:
        return {(inputs["namespace"], inputs["metricName"])}
    return {(q["metric"]["namespace"], q["metric"]["metricName"]) for q in inputs["metricQueries"] if "metric" in q}


@pytest.mark.parametrize(("item", "namespace", "metric", "comparison", "threshold", "severity"), CHECKLIST)
def test_checklist_threshold_has_an_alarm_with_actions(stack, item, namespace, metric, comparison, threshold, severity):
    metric = metric.format(p=f"platform-{stack.stack}")
    if threshold is None:  # 20% of the allocated storage free
        threshold = ALLOCATED_GIB[stack.stack] * GIB * 0.2
    matching = [
        a
        for a in stack.of_type(ALARM)
        if (namespace, metric) in metrics_of(a)
        and a.inputs["comparisonOperator"] == OPERATORS[comparison]
        and a.inputs["threshold"] == pytest.approx(threshold)
        and a.inputs["alarmDescription"].startswith(f"[{severity.upper()}]")
    ]
    assert matching, f"OBS-1 '{item}' has no alarm in {stack.stack}"
    assert all(a.inputs["alarmActions"] and a.inputs["okActions"] for a in matching)


def test_every_live_colour_has_a_no_healthy_targets_alarm(stack):
    groups = {a.inputs["dimensions"]["TargetGroup"] for a in stack.of_type(ALARM) if "no-healthy-targets" in a.name}
    live = {
        tg.outputs["arnSuffix"]
        for tg in stack.of_type("aws:lb/targetGroup:TargetGroup")
        if tg.name == f"{stack.stack}-lb-blue"
    }
    assert groups == live  # both stacks send 100% to blue


def test_every_certificate_has_an_expiry_alarm_in_its_own_region(stack):
    alarms = {
        a.inputs["dimensions"]["CertificateArn"]: a
        for a in stack.of_type(ALARM)
        if a.inputs.get("metricName") == "DaysToExpiry"
    }
    certificates = stack.of_type("aws:acm/certificate:Certificate")
    assert len(certificates) == 2
    for cert in certificates:
        alarm = alarms[cert.outputs["arn"]]
        assert alarm.inputs["treatMissingData"] == "breaching"
        assert region_of(stack, alarm) == region_of(stack, cert)
