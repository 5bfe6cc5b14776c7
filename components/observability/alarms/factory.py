"""One CloudWatch alarm per declarative call, with what every alarm needs (OBS-1): alarm and OK
actions on the right topic, a deliberate missing-data treatment, and a description that names the
environment, what broke and the runbook section."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal, TypeVar

import pulumi
import pulumi_aws as aws

from ...config import AlarmSettings, Severity
from ..notifications import Notifications

Missing = Literal["breaching", "notBreaching", "ignore", "missing"]
# Where the counts of matching log lines are published.
LOG_METRICS_NAMESPACE = "Platform/Logs"
COMPARISONS = {
    ">": "GreaterThanThreshold",
    ">=": "GreaterThanOrEqualToThreshold",
    "<": "LessThanThreshold",
    "<=": "LessThanOrEqualToThreshold",
}


@dataclass(frozen=True)
class Window:
    """Alarm when `datapoints` of the last `periods` periods of `seconds` breach (M of N: one
    noisy minute doesn't page, a sustained problem does)."""

    seconds: int
    periods: int
    datapoints: int


FAST = Window(60, 2, 2)  # outages: page within two minutes
SUSTAINED = Window(60, 5, 3)  # 3 of the last 5 minutes
SLOW = Window(300, 3, 3)  # 15 minutes: saturation trends, 5-minute metrics (EC2 basic monitoring)
FIVE_MINUTES = Window(300, 1, 1)  # counts summed over 5 minutes (evictions, WAF blocks)
DAILY = Window(86400, 1, 1)  # ACM publishes DaysToExpiry once a day

T = TypeVar("T")


def by_severity(critical: T, warning: T) -> tuple[tuple[Severity, T], ...]:
    """Each severity with its threshold, for the alarms that page at one figure and warn at another."""
    return (("critical", critical), ("warning", warning))


@dataclass(frozen=True)
class Metric:
    namespace: str
    name: str
    dimensions: Mapping[str, pulumi.Input[str]]
    stat: str = "Average"  # or a percentile such as "p95"


class AlarmFactory:
    """Creates alarms as children of `parent`. Alarms marked `is_global` go to us-east-1 through
    `global_provider` and notify `global_topics`: an alarm can only notify topics in its region."""

    def __init__(
        self,
        parent: pulumi.Resource,
        name: str,
        *,
        label: str,
        settings: AlarmSettings,
        topics: Notifications,
        global_topics: Notifications,
        global_provider: aws.Provider,
    ):
        self._parent, self._name, self._label, self._settings = parent, name, label, settings
        self._topics, self._global_topics, self._global_provider = topics, global_topics, global_provider
        self.alarms: dict[str, aws.cloudwatch.MetricAlarm] = {}
        self.global_keys: set[str] = set()

    def metric(
        self,
        key: str,
        severity: Severity,
        metric: Metric,
        comparison: str,
        threshold: float,
        *,
        missing: Missing,
        window: Window,
        runbook: str,
        summary: str,
        is_global: bool = False,
    ) -> aws.cloudwatch.MetricAlarm:
        percentile = metric.stat.startswith("p")
        return self._alarm(
            key,
            severity,
            comparison,
            threshold,
            missing=missing,
            window=window,
            runbook=runbook,
            summary=summary,
            is_global=is_global,
            namespace=metric.namespace,
            metric_name=metric.name,
            dimensions=dict(metric.dimensions) or None,
            period=window.seconds,
            statistic=None if percentile else metric.stat,
            extended_statistic=metric.stat if percentile else None,
            # A percentile over a handful of requests is noise: keep the state until there are enough.
            evaluate_low_sample_count_percentiles="ignore" if percentile else None,
        )

    def math(
        self,
        key: str,
        severity: Severity,
        expression: str,
        metrics: Mapping[str, Metric],
        comparison: str,
        threshold: float,
        *,
        missing: Missing,
        window: Window,
        runbook: str,
        summary: str,
    ) -> aws.cloudwatch.MetricAlarm:
        """An alarm on `expression` (metric math) over `metrics`, keyed by their ids in it."""
        queries = [
            aws.cloudwatch.MetricAlarmMetricQueryArgs(
                id=query_id,
                metric=aws.cloudwatch.MetricAlarmMetricQueryMetricArgs(
                    namespace=m.namespace,
                    metric_name=m.name,
                    dimensions=dict(m.dimensions),
                    stat=m.stat,
                    period=window.seconds,
                ),
            )
            for query_id, m in metrics.items()
        ]
        result = aws.cloudwatch.MetricAlarmMetricQueryArgs(id="result", expression=expression, return_data=True)
        queries.append(result)
        return self._alarm(
            key,
            severity,
            comparison,
            threshold,
            missing=missing,
            window=window,
            runbook=runbook,
            summary=summary,
            metric_queries=queries,
        )

    def log_count(
        self,
        key: str,
        severity: Severity,
        log_group_name: pulumi.Input[str],
        pattern: str,
        threshold: float,
        *,
        window: Window,
        runbook: str,
        summary: str,
    ) -> aws.cloudwatch.MetricAlarm:
        """An alarm on how many lines of a log group match `pattern` (a metric filter counts them)."""
        metric_name = f"{self._label}-{key}"
        aws.cloudwatch.LogMetricFilter(
            f"{self._name}-{key}",
            name=metric_name,
            log_group_name=log_group_name,
            pattern=pattern,
            metric_transformation=aws.cloudwatch.LogMetricFilterMetricTransformationArgs(
                name=metric_name, namespace=LOG_METRICS_NAMESPACE, value="1", unit="Count"
            ),
            opts=pulumi.ResourceOptions(parent=self._parent),
        )
        # A filter publishes only when a line matches: no data is no match (notBreaching).
        return self.metric(
            key,
            severity,
            Metric(LOG_METRICS_NAMESPACE, metric_name, {}, "Sum"),
            ">",
            threshold,
            missing="notBreaching",
            window=window,
            runbook=runbook,
            summary=summary,
        )

    def runbook(self, anchor: str) -> str:
        return f"{self._settings.runbook_url}#{anchor}"

    def _alarm(
        self,
        key: str,
        severity: Severity,
        comparison: str,
        threshold: float,
        *,
        missing: Missing,
        window: Window,
        runbook: str,
        summary: str,
        is_global: bool = False,
        **metric_args,
    ) -> aws.cloudwatch.MetricAlarm:
        if key in self.alarms:
            raise ValueError(f"alarm {key!r} is defined twice")
        topic = (self._global_topics if is_global else self._topics).arn_for(severity)
        alarm = aws.cloudwatch.MetricAlarm(
            f"{self._name}-{key}",
            # The name is the subject line of the notification: environment and what broke.
            name=f"{self._label}-{key}",
            alarm_description=f"[{severity.upper()}] {self._label}: {summary}. Runbook: {self.runbook(runbook)}",
            comparison_operator=COMPARISONS[comparison],
            threshold=threshold,
            evaluation_periods=window.periods,
            datapoints_to_alarm=window.datapoints,
            treat_missing_data=missing,
            alarm_actions=[topic],
            ok_actions=[topic],
            opts=pulumi.ResourceOptions(parent=self._parent, provider=self._global_provider if is_global else None),
            **metric_args,
        )
        self.alarms[key] = alarm
        if is_global:
            self.global_keys.add(key)
        return alarm
