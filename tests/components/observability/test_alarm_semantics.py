"""What the alarms mean (OBS-1), not only that they exist: each threshold follows its config key
in the unit CloudWatch publishes, each alarm waits the intended window, and the 5xx-rate
metric math gives the right percentage on sample numbers."""

from __future__ import annotations

import json

import pytest

from tests.components.observability.metric_math import evaluate
from tests.components.variants import THRESHOLDS, prod_tuned
from tests.graph import resource

ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
GIB = 1024**3
PROD_POSTGRES_GIB = 100

# Config key → the alarms it sets (prod: two cache nodes, both colours' groups) and the threshold
# CloudWatch compares against, in the metric's own unit: the load balancer reports seconds, RDS
# latency seconds, DocumentDB lag milliseconds, ElastiCache lag seconds, free storage bytes.
THRESHOLD_KEYS = {
    "error_rate_critical_percent": (("alb-5xx-rate-critical", "cloudfront-5xx-rate-critical"), lambda v: v),
    "error_rate_warning_percent": (("alb-5xx-rate-warning", "cloudfront-5xx-rate-warning"), lambda v: v),
    "latency_critical_ms": (("alb-latency-p95-critical",), lambda ms: ms / 1000),
    "latency_warning_ms": (("alb-latency-p95-warning",), lambda ms: ms / 1000),
    "app_cpu_percent": (("app-cpu-blue",), lambda v: v),
    "app_memory_warning_percent": (("app-memory-blue",), lambda v: v),
    "app_memory_critical_percent": (("app-out-of-memory-blue",), lambda v: v),
    "app_disk_free_percent": (("app-disk-blue",), lambda free: 100 - free),  # disk_used_percent
    "db_cpu_percent": (("postgres-cpu", "docdb-cpu"), lambda v: v),
    "db_free_storage_percent": (("postgres-free-storage",), lambda p: PROD_POSTGRES_GIB * GIB * p / 100),
    "db_connections_warning": (("postgres-connections-warning", "docdb-connections-warning"), lambda v: v),
    "db_connections_critical": (("postgres-connections-critical", "docdb-connections-critical"), lambda v: v),
    "db_latency_ms": (("postgres-read-latency", "postgres-write-latency"), lambda ms: ms / 1000),
    "slow_queries_per_5_minutes": (("postgres-slow-queries", "docdb-slow-queries"), lambda v: v),
    "replica_lag_seconds": (("redis-replication-lag-1",), lambda s: s),
    "cache_cpu_percent": (("redis-cpu-0", "redis-cpu-1"), lambda v: v),
    "cache_memory_percent": (("redis-memory-0", "redis-memory-1"), lambda v: v),
    "cache_evictions_per_5_minutes": (("redis-evictions-0",), lambda v: v),
    "certificate_days_to_expiry": (("certificate-expiry-alb", "certificate-expiry-cdn"), lambda v: v),
    "waf_blocked_requests_per_5_minutes": (
        ("waf-regional-blocked-spike", "waf-cloudfront-blocked-spike"),
        lambda v: v,
    ),
}
SPECIAL = {"error_rate_min_requests_per_minute"}  # read by the 5xx metric math, below

# The window (period seconds, evaluation periods, datapoints to alarm) each alarm waits, by the
# checklist row it implements. Outages page within two minutes (seed: API down `for: 2m`, database
# down `for: 1m`); error rate and latency need 3 bad minutes of 5 (seed: `for: 5m`); saturation
# trends 15 minutes of 5-minute metrics; counts are summed over 5 minutes (seed: slow queries
# `rate(…[5m])`); ACM publishes days to expiry once a day.
FAST, SUSTAINED, SLOW, FIVE_MINUTES, DAILY = (60, 2, 2), (60, 5, 3), (300, 3, 3), (300, 1, 1), (86400, 1, 1)
WINDOWS = {
    "alb-no-healthy-targets-": FAST,
    "app-out-of-memory-": FAST,
    "db-connection-failures": FAST,
    "postgres-connection-failures": FAST,
    "alb-5xx-rate-": SUSTAINED,
    "cloudfront-5xx-rate-": SUSTAINED,
    "alb-latency-p95-": SUSTAINED,
    "app-memory-": SUSTAINED,
    "postgres-connections-": SUSTAINED,
    "docdb-connections-": SUSTAINED,
    "postgres-read-latency": SUSTAINED,
    "postgres-write-latency": SUSTAINED,
    "docdb-replica-lag": SUSTAINED,
    "redis-replication-lag-": SUSTAINED,
    "postgres-replica-lag-": SUSTAINED,
    "app-cpu-": SLOW,
    "app-disk-": SLOW,
    "postgres-cpu": SLOW,
    "docdb-cpu": SLOW,
    "redis-cpu-": SLOW,
    "redis-memory-": SLOW,
    "postgres-free-storage": SLOW,
    "postgres-slow-queries": FIVE_MINUTES,
    "docdb-slow-queries": FIVE_MINUTES,
    "redis-evictions-": FIVE_MINUTES,
    "waf-": FIVE_MINUTES,
    "certificate-expiry-": DAILY,
}


def alarm(graph, key: str):
    return resource(graph, ALARM, f"{graph.stack}-alarms-{key}").inputs


def window(inputs) -> tuple[float, float, float]:
    periods = (
        {inputs["period"]}
        if "period" in inputs
        else {q["metric"]["period"] for q in inputs["metricQueries"] if "metric" in q}
    )
    (period,) = periods  # every query of a metric-math alarm on the same period
    return period, inputs["evaluationPeriods"], inputs["datapointsToAlarm"]


def test_every_threshold_key_has_an_expectation():
    assert set(THRESHOLD_KEYS) | SPECIAL == set(THRESHOLDS)


@pytest.mark.parametrize("key", sorted(THRESHOLD_KEYS))
def test_each_threshold_key_sets_its_alarms_in_the_metrics_unit(prod, key):
    keys, expected = THRESHOLD_KEYS[key]
    tuned = prod_tuned()
    for alarm_key in keys:
        assert alarm(tuned, alarm_key)["threshold"] == pytest.approx(expected(THRESHOLDS[key])), alarm_key
        # …and the tuned value is not what the defaults give (the key really moved it).
        assert alarm(prod, alarm_key)["threshold"] != alarm(tuned, alarm_key)["threshold"], alarm_key


def test_every_alarm_waits_its_rows_window(stack):
    for registration in stack.of_type(ALARM):
        key = registration.name.removeprefix(f"{stack.stack}-alarms-")
        (expected,) = [w for prefix, w in WINDOWS.items() if key.startswith(prefix)]
        assert window(registration.inputs) == expected, key


@pytest.mark.parametrize("key", ["alb-no-healthy-targets-blue", "alb-5xx-rate-critical", "postgres-slow-queries"])
def test_alarms_react_within_the_seeds_for_duration(prod, key):
    """Seed alert rules: API down `for: 2m`, error rate `for: 5m`, slow queries over `[5m]`."""
    seed_seconds = {"alb-no-healthy-targets-blue": 120, "alb-5xx-rate-critical": 300, "postgres-slow-queries": 300}
    period, periods, datapoints = window(alarm(prod, key))
    assert period * periods <= seed_seconds[key] and datapoints <= periods


def _rate(inputs, samples: dict[str, float | None]) -> float | None:
    """The alarm's metric math on one minute of samples keyed by CloudWatch metric name."""
    queries = inputs["metricQueries"]
    values = {q["id"]: samples[q["metric"]["metricName"]] for q in queries if "metric" in q}
    (result,) = [q for q in queries if q.get("returnData")]
    return evaluate(result["expression"], values)


TARGET, ELB, REQUESTS = "HTTPCode_Target_5XX_Count", "HTTPCode_ELB_5XX_Count", "RequestCount"


@pytest.mark.parametrize(
    ("target", "elb", "requests", "rate"),
    [
        (40, 20, 1000, 6.0),  # both sources count
        (30, None, 1000, 3.0),  # no ELB 5xx published that minute: treated as 0
        (None, None, 1000, 0.0),
        (1, None, 20, 5.0),  # exactly the minimum request count is evaluated
        (19, None, 19, 0.0),  # below the minimum: not rated
        (None, None, None, None),  # no requests at all: no datapoint
    ],
)
def test_the_5xx_rate_is_a_percentage_of_requests(prod, target, elb, requests, rate):
    samples = {TARGET: target, ELB: elb, REQUESTS: requests}
    assert _rate(alarm(prod, "alb-5xx-rate-critical"), samples) == rate


def test_a_6_percent_minute_breaches_critical_a_3_percent_minute_only_warning(prod):
    def breaches(key, target):
        inputs = alarm(prod, key)
        assert inputs["comparisonOperator"] == "GreaterThanThreshold"
        return _rate(inputs, {TARGET: target, ELB: 0, REQUESTS: 1000}) > inputs["threshold"]

    assert breaches("alb-5xx-rate-critical", 60) and breaches("alb-5xx-rate-warning", 60)
    assert not breaches("alb-5xx-rate-critical", 30) and breaches("alb-5xx-rate-warning", 30)


def test_the_minimum_request_count_follows_config():
    inputs = alarm(prod_tuned(), "alb-5xx-rate-warning")
    assert _rate(inputs, {TARGET: 49, ELB: None, REQUESTS: 49}) == 0.0
    assert _rate(inputs, {TARGET: 5, ELB: None, REQUESTS: 50}) == 10.0


def test_the_dashboards_5xx_rate_is_the_same_percentage(prod):
    (dashboard,) = prod.of_type("aws:cloudwatch/dashboard:Dashboard")
    (widget,) = [
        w
        for w in json.loads(dashboard.inputs["dashboardBody"])["widgets"]
        if w["properties"].get("title", "").startswith("5xx")
    ]
    lines = widget["properties"]["metrics"]
    ids = {line[1]: line[-1]["id"] for line in lines if isinstance(line[0], str)}
    (expression,) = [line[0]["expression"] for line in lines if isinstance(line[0], dict)]
    values = {ids[TARGET]: 40.0, ids[ELB]: None, ids[REQUESTS]: 1000.0}
    assert evaluate(expression, values) == 4.0
