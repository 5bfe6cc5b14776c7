"""Alarm settings (OBS-1): thresholds, who is notified, and which topic each severity pages.

Defaults are the seed runbooks' figures as restated in the hardening checklist (OBS-1); a stack
file overrides only what differs (`pulumi config set --path alarms.thresholds.latency_warning_ms 400`).
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, ValidationInfo, field_validator, model_validator

from .base import Section, tier_of

Severity = Literal["critical", "warning"]
SEVERITIES: tuple[Severity, ...] = ("critical", "warning")

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[a-z]{2,63}$", re.IGNORECASE)


class AlarmThresholds(Section):
    """Every figure an alarm compares against, in the unit operators think in (the alarms
    convert: milliseconds to seconds for the load balancer, seconds to ms for DocumentDB)."""

    # Load balancer (seed: "Error rate >5%" critical, ">1%" warning; "Response time >1000ms/>500ms").
    error_rate_critical_percent: float = Field(
        default=5, gt=0, le=100, description="ALB 5xx responses as a percent of requests that page (seed: > 5%)."
    )
    error_rate_warning_percent: float = Field(
        default=1, gt=0, le=100, description="ALB 5xx percent that warns (seed: > 1%)."
    )
    # Below this many requests a minute the 5xx rate is not evaluated: 1 failure in 3 requests at
    # 3 AM is 33% and not an incident.
    error_rate_min_requests_per_minute: int = Field(
        default=20, ge=0, description="Below this many requests a minute the 5xx rate is not evaluated."
    )
    latency_critical_ms: int = Field(
        default=1000, gt=0, description="ALB target response time (p95, ms) that pages (seed: > 1000 ms)."
    )
    latency_warning_ms: int = Field(
        default=500, gt=0, description="ALB target response time (p95, ms) that warns (seed: > 500 ms)."
    )

    # Application tier (seed: "CPU >80%", "Memory >80%" warning, "Out of memory" critical,
    # "Disk space <20%").
    app_cpu_percent: float = Field(
        default=80, ge=0, le=100, description="Application fleet CPU percent that warns (seed: > 80%)."
    )
    app_memory_warning_percent: float = Field(
        default=80, ge=0, le=100, description="Application memory use percent that warns (seed: > 80%)."
    )
    app_memory_critical_percent: float = Field(
        default=95, ge=0, le=100, description="Application memory use percent that pages (near out of memory)."
    )
    app_disk_free_percent: float = Field(
        default=20,
        ge=0,
        le=100,
        description="Free root-volume percent below which the application tier warns (seed: < 20%).",
    )

    # Data stores (seed: "Connection count > 40", critical "> 100 active", "CPU utilization > 80%",
    # "Disk usage > 80%", "Replication lag > 10 seconds").
    db_cpu_percent: float = Field(
        default=80, ge=0, le=100, description="Postgres and DocumentDB CPU percent that warns (seed: > 80%)."
    )
    db_free_storage_percent: float = Field(
        default=20,
        ge=0,
        le=100,
        description="Postgres free storage percent below which it warns (seed: disk usage > 80%).",
    )
    db_connections_warning: int = Field(default=40, ge=1, description="Database connections that warn (seed: > 40).")
    db_connections_critical: int = Field(
        default=100, ge=1, description="Database connections that page (seed: > 100 active)."
    )
    db_latency_ms: float = Field(default=20, gt=0, description="Postgres read/write latency (ms) that warns.")
    # Seed: "Database slow queries >100" (slow = over the store's own slow-query threshold).
    slow_queries_per_5_minutes: int = Field(
        default=100,
        ge=0,
        description="Slow queries (over the store's slow-query threshold) per 5 minutes that warn (seed: > 100).",
    )
    replica_lag_seconds: float = Field(
        default=10, gt=0, description="Replication lag in seconds that warns (seed: > 10 s)."
    )
    cache_cpu_percent: float = Field(default=80, ge=0, le=100, description="Cache engine CPU percent that warns.")
    cache_memory_percent: float = Field(default=80, ge=0, le=100, description="Cache memory use percent that warns.")
    # Any eviction means the cache is full and dropping keys the application expects.
    cache_evictions_per_5_minutes: int = Field(
        default=0,
        ge=0,
        description="Cache evictions per 5 minutes above which it warns (any eviction drops keys the app expects).",
    )

    # Edge (NET-8: "alert 7 days before expiry"); a blocked-request spike is an attack or a bad
    # rule blocking real users, both worth a look.
    certificate_days_to_expiry: int = Field(
        default=7, ge=1, le=45, description="Days before an ACM certificate expires at which it alarms (NET-8: 7)."
    )
    waf_blocked_requests_per_5_minutes: int = Field(
        default=1000,
        ge=1,
        description="WAF blocked requests per 5 minutes that warn (an attack, or a rule blocking real users).",
    )

    @model_validator(mode="after")
    def _warning_below_critical(self) -> AlarmThresholds:
        pairs = [
            ("error_rate_warning_percent", "error_rate_critical_percent"),
            ("latency_warning_ms", "latency_critical_ms"),
            ("app_memory_warning_percent", "app_memory_critical_percent"),
            ("db_connections_warning", "db_connections_critical"),
        ]
        problems = [
            f"{warning} ({getattr(self, warning)}) must be below {critical} ({getattr(self, critical)})"
            for warning, critical in pairs
            if getattr(self, warning) >= getattr(self, critical)
        ]
        if problems:
            raise ValueError("; ".join(problems))
        return self


class AlarmSettings(Section):
    """Where alarms go. HTTPS endpoints (PagerDuty, Slack relays) are the secret top-level keys
    `critical_webhook_url` / `warning_webhook_url`, never set here."""

    email_subscribers: dict[Severity, list[str]] = Field(
        {}, description="E-mail addresses subscribed to each severity's topic (`critical`, `warning`)."
    )
    # Staging's "critical" alarms go to the warning topic: nobody is paged for staging at 3 AM.
    route_critical_to: Severity = Field(
        description="The topic critical alarms notify: `critical` (pages; required in prod) or `warning`."
    )
    runbook_url: str = Field(
        "docs/runbooks.md",
        min_length=1,
        description="Base of the runbook links in alarm descriptions; anchors are appended (`…/runbooks.md#alb-5xx`).",
    )
    # PagerDuty's CloudWatch integration confirms its SNS subscription itself; `pulumi up` then waits
    # for the confirmation and fails without it.
    webhooks_auto_confirm: dict[Severity, bool] = Field(
        {},
        description="Per severity, whether its webhook endpoint confirms the SNS subscription itself (PagerDuty "
        "does); otherwise the subscription stays pending until the endpoint's owner confirms it.",
    )
    thresholds: AlarmThresholds = Field(AlarmThresholds(), description="Every figure an alarm compares against.")

    @field_validator("email_subscribers")
    @classmethod
    def _emails(cls, subscribers: dict[Severity, list[str]]) -> dict[Severity, list[str]]:
        bad = [address for addresses in subscribers.values() for address in addresses if not EMAIL.match(address)]
        if bad:
            raise ValueError(f"{bad} are not e-mail addresses")
        return subscribers

    @field_validator("route_critical_to")
    @classmethod
    def _prod_pages(cls, route: Severity, info: ValidationInfo) -> Severity:
        if tier_of(info) == "prod" and route != "critical":
            raise ValueError("prod critical alarms must go to the critical topic (they page the on-call engineer)")
        return route

    def topic_for(self, severity: Severity) -> Severity:
        """The topic an alarm of `severity` notifies."""
        return self.route_critical_to if severity == "critical" else "warning"
