"""Monitoring policies: log groups, alarms, the checklist's alarm set, the dashboard."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws
import pytest
from conftest import Case, assert_case

KEY = "arn:aws:kms:eu-west-1:123456789012:key/1"
RUNBOOK = "https://runbooks.example.com/alerts#database-connections"


def _alarm(name="db-connections", namespace="AWS/RDS", metric="DatabaseConnections", **overrides):
    args = dict(
        comparison_operator="GreaterThanThreshold",
        evaluation_periods=2,
        threshold=100,
        period=60,
        statistic="Average",
        namespace=namespace,
        metric_name=metric,
        alarm_actions=["arn:aws:sns:critical"],
        alarm_description=f"Critical: see {RUNBOOK}",
    )
    return aws.cloudwatch.MetricAlarm(name, **{**args, **overrides})


def _db_with_alarms(*metrics):
    def program():
        aws.rds.Instance("db", engine="postgres", instance_class="db.t4g.medium", allocated_storage=20)
        for metric in metrics:
            _alarm(f"db-{metric.lower()}", metric=metric)

    return program


def _nlb_with_alarm(namespace: str):
    """A stack whose only load balancer is a Network Load Balancer."""

    def program():
        aws.lb.LoadBalancer("ingest", load_balancer_type="network", subnets=["subnet-1"])
        _alarm("ingest-hosts", namespace=namespace, metric="HealthyHostCount")

    return program


def _five_xx_rate_by_metric_math():
    _alarm(
        "alb-5xx",
        namespace=None,
        metric=None,
        statistic=None,
        period=None,
        metric_queries=[
            {
                "id": "errors",
                "metric": {
                    "namespace": "AWS/ApplicationELB",
                    "metric_name": "HTTPCode_Target_5XX_Count",
                    "period": 60,
                    "stat": "Sum",
                },
            },
            {
                "id": "requests",
                "metric": {
                    "namespace": "AWS/ApplicationELB",
                    "metric_name": "RequestCount",
                    "period": 60,
                    "stat": "Sum",
                },
            },
            {"id": "rate", "expression": "100 * errors / requests", "return_data": True},
        ],
    )


def _dashboard(metrics):
    widgets = [{"type": "metric", "properties": {"metrics": [["AWS/X", m]]}} for m in metrics]
    return lambda: aws.cloudwatch.Dashboard(
        "env", dashboard_name="prod", dashboard_body=pulumi.Output.json_dumps({"widgets": widgets})
    )


ALL_DB = ("DatabaseConnections", "CPUUtilization", "FreeStorageSpace")
DASHBOARD = [
    "RequestCount",
    "TargetResponseTime",
    "HTTPCode_Target_5XX_Count",
    "CPUUtilization",
    "mem_used_percent",
    "DatabaseConnections",
    "CacheHitRate",
]

CASES = [
    Case(
        "cloudwatch-loggroup-retention",
        lambda: aws.cloudwatch.LogGroup("app"),
        lambda: aws.cloudwatch.LogGroup("app", retention_in_days=365),
        "forever",
    ),
    Case(
        "cloudwatch-loggroup-retention",
        lambda: aws.cloudwatch.LogGroup("app", retention_in_days=30),
        lambda: aws.cloudwatch.LogGroup("app", retention_in_days=400),
        "is 30",
    ),
    Case(
        "cloudwatch-loggroup-cmk",
        lambda: aws.cloudwatch.LogGroup("app"),
        lambda: aws.cloudwatch.LogGroup("app", kms_key_id=KEY),
        "kmsKeyId",
    ),
    Case("cloudwatch-metricalarm-has-actions", lambda: _alarm(alarm_actions=[]), lambda: _alarm(), "no alarmActions"),
    Case(
        "cloudwatch-metricalarm-has-actions", lambda: _alarm(actions_enabled=False), lambda: _alarm(), "actionsEnabled"
    ),
    Case(
        "cloudwatch-metricalarm-runbook-link",
        lambda: _alarm(alarm_description="Too many connections"),
        lambda: _alarm(),
        "runbook",
    ),
    Case(
        "cloudwatch-required-alarms",
        _db_with_alarms("DatabaseConnections"),
        _db_with_alarms(*ALL_DB),
        "FreeStorageSpace",
    ),
    Case("cloudwatch-dashboard-present", _dashboard(DASHBOARD[:-1]), _dashboard(DASHBOARD), "CacheHitRate"),
    # An NLB is watched through AWS/NetworkELB; no Application Load Balancer alarms are asked of it.
    Case(
        "cloudwatch-required-alarms",
        _nlb_with_alarm("AWS/ApplicationELB"),
        _nlb_with_alarm("AWS/NetworkELB"),
        "AWS/NetworkELB",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_policy_flags_violation_and_passes_compliant(pack, case):
    assert_case(pack, case)


def test_metric_math_alarms_count_for_their_metrics(pack):
    def program():
        aws.lb.LoadBalancer("web", subnets=["subnet-1"])
        _five_xx_rate_by_metric_math()

    messages = pack.violations("cloudwatch-required-alarms", program)
    assert not [m for m in messages if "HTTPCode_Target_5XX_Count" in m]
    assert [m for m in messages if "HealthyHostCount" in m]
