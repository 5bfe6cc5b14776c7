"""The environment's dashboard (OBS-3) shows the seed's metrics for resources that exist."""

from __future__ import annotations

import json

import pytest

DASHBOARD = "aws:cloudwatch/dashboard:Dashboard"
# Dimension → the outputs of the stack's resources it may name.
DIMENSION_SOURCES = {
    "DBInstanceIdentifier": ("aws:rds/instance:Instance", "identifier"),
    "DBClusterIdentifier": ("aws:docdb/cluster:Cluster", "clusterIdentifier"),
    "LoadBalancer": ("aws:lb/loadBalancer:LoadBalancer", "arnSuffix"),
    "TargetGroup": ("aws:lb/targetGroup:TargetGroup", "arnSuffix"),
    "AutoScalingGroupName": ("aws:autoscaling/group:Group", "name"),
    "DistributionId": ("aws:cloudfront/distribution:Distribution", "id"),
}


def body(graph) -> dict:
    (dashboard,) = graph.of_type(DASHBOARD)
    return json.loads(dashboard.inputs["dashboardBody"])


def metric_lines(graph):
    for widget in body(graph)["widgets"]:
        for line in widget["properties"].get("metrics", []):
            if isinstance(line[0], str):
                yield line


def dimensions(line) -> dict:
    values = [v for v in line[2:] if not isinstance(v, dict)]
    return dict(zip(values[::2], values[1::2], strict=True))


def test_one_dashboard_named_after_the_environment(stack):
    (dashboard,) = stack.of_type(DASHBOARD)
    assert dashboard.inputs["dashboardName"] == f"platform-{stack.stack}"


@pytest.mark.parametrize(
    "title",
    [
        "Requests per minute",
        "Response time",
        "5xx error rate",
        "CPU",
        "memory",
        "Database connections",
        "Cache hit rate",
    ],
)
def test_dashboard_has_the_seed_metrics(stack, title):
    titles = [w["properties"]["title"] for w in body(stack)["widgets"]]
    assert any(title.lower() in t.lower() for t in titles), titles


def test_dashboard_names_only_resources_of_the_stack(stack):
    cache_nodes = {
        f"{g.outputs['replicationGroupId']}-{n:03d}"
        for g in stack.of_type("aws:elasticache/replicationGroup:ReplicationGroup")
        for n in range(1, int(g.inputs["numCacheClusters"]) + 1)
    }
    checked = 0
    for line in metric_lines(stack):
        for dimension, value in dimensions(line).items():
            if dimension == "CacheClusterId":
                assert value in cache_nodes
            elif dimension in DIMENSION_SOURCES:
                type_token, output = DIMENSION_SOURCES[dimension]
                known = {r.id if output == "id" else r.outputs.get(output) for r in stack.of_type(type_token)}
                assert value in known, (dimension, value)
            checked += 1
    assert checked > 5


def test_alarm_widget_lists_the_regional_alarms(stack):
    (widget,) = [w for w in body(stack)["widgets"] if w["type"] == "alarm"]
    alarms = {a.outputs["arn"] for a in stack.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")}
    assert set(widget["properties"]["alarms"]) <= alarms
    assert len(widget["properties"]["alarms"]) > 10
