"""Tier defaults: what a staging or prod stack gets unless its stack file says otherwise.

Figures follow ../shared/hardening-checklist.md and the seed runbooks: prod spreads over three
AZs with a NAT gateway each and keeps logs for a year; staging is the same shape, cheaper.
"""

from __future__ import annotations

from typing import Any

TIER_DEFAULTS: dict[str, dict[str, Any]] = {
    "staging": {
        "network": {
            "nat_gateways": "single",
            "flow_log_retention_days": 30,
        },
        "compute": {
            "instance_type": "t3.small",
            "blue": {"min_size": 1, "max_size": 3, "desired_capacity": 1},
            "green": {"min_size": 0, "max_size": 3, "desired_capacity": 0},
        },
        "traffic": {"blue": 100, "green": 0},
        # OBS-1: staging alarms never page; its critical alarms land on the warning topic.
        "alarms": {"route_critical_to": "warning"},
    },
    "prod": {
        "network": {
            "nat_gateways": "one_per_az",
            "flow_log_retention_days": 365,
        },
        "compute": {
            # HOST-6 / seed: min 2, max 10 instances; t3.medium is the seed's instance size.
            "instance_type": "t3.medium",
            "blue": {"min_size": 2, "max_size": 10, "desired_capacity": 2},
            "green": {"min_size": 0, "max_size": 10, "desired_capacity": 0},
        },
        "traffic": {"blue": 100, "green": 0},
        "alarms": {"route_critical_to": "critical"},
    },
}


def merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """`override` laid over `base`, mappings merged key by key, everything else replaced."""
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = merge(merged[key], value)
        else:
            merged[key] = value
    return merged
