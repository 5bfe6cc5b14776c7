"""Alarm config (OBS-1): tier routing, the checklist's defaults, and clear errors for bad values."""

from __future__ import annotations

from components.config import load_settings
from tests.components.test_config import PROD, problems, with_

STAGING = with_(with_(PROD, "tier", "staging"), "network.availability_zones", ["us-east-1a", "us-east-1b"])


def test_staging_routes_critical_to_warning_prod_to_critical():
    staging = load_settings(STAGING, project="platform", stack="staging").alarms
    prod = load_settings(PROD, project="platform", stack="prod").alarms
    assert (staging.topic_for("critical"), staging.topic_for("warning")) == ("warning", "warning")
    assert (prod.topic_for("critical"), prod.topic_for("warning")) == ("critical", "warning")


def test_defaults_are_the_checklist_figures():
    th = load_settings(PROD, project="platform", stack="prod").alarms.thresholds
    assert (th.error_rate_critical_percent, th.error_rate_warning_percent) == (5, 1)
    assert (th.latency_critical_ms, th.latency_warning_ms) == (1000, 500)
    assert (th.db_connections_warning, th.db_connections_critical) == (40, 100)
    assert (th.replica_lag_seconds, th.certificate_days_to_expiry, th.app_disk_free_percent) == (10, 7, 20)


def test_prod_cannot_silence_its_pages():
    found = problems(with_(PROD, "alarms.route_critical_to", "warning"))
    assert any(
        p.startswith("alarms.route_critical_to: prod critical alarms must go to the critical topic") for p in found
    )


def test_warning_thresholds_must_sit_below_critical():
    found = problems(with_(PROD, "alarms.thresholds", {"latency_warning_ms": 1500}))
    assert any(
        "alarms.thresholds: latency_warning_ms (1500) must be below latency_critical_ms (1000)" in p for p in found
    )


def test_bad_subscribers_and_unknown_keys_name_their_path():
    found = problems(with_(PROD, "alarms.email_subscribers", {"critical": ["not-an-address"]}))
    assert any(p.startswith("alarms.email_subscribers: ['not-an-address'] are not e-mail addresses") for p in found)
    found = problems(with_(PROD, "alarms.thresholds", {"latency_ms": 100}))
    assert any(p.startswith("alarms.thresholds.latency_ms: unknown key") for p in found), found
