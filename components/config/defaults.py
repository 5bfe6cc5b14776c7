"""Tier defaults: what a staging or prod stack gets unless its stack file says otherwise.

Figures follow ../shared/hardening-checklist.md and the seed runbooks: prod spreads over three
AZs with a NAT gateway each and keeps logs for a year; staging is the same shape, cheaper.
"""

from __future__ import annotations

from typing import Any

from .compute import resolved_platforms

TIER_DEFAULTS: dict[str, dict[str, Any]] = {
    "staging": {
        "network": {
            "nat_gateways": "single",
            "flow_log_retention_days": 30,
        },
        "traffic": {"blue": 100, "green": 0},
        # Data tier: the prod shape on one instance each, a week of backups, no DR copies or lock.
        "postgres": {
            "instance_class": "db.t4g.medium",
            "allocated_storage_gb": 20,
            "max_allocated_storage_gb": 100,
            "multi_az": False,
            "backup_retention_days": 7,
        },
        "docdb": {"instance_class": "db.t3.medium", "instances": 1, "backup_retention_days": 7},
        "cache": {"node_type": "cache.t4g.small", "replicas": 0, "snapshot_retention_days": 1},
        "documents": {"noncurrent_version_retention_days": 30, "replication_time_control": False},
        "backup": {
            "rules": {"daily": {"schedule": "cron(0 6 ? * * *)", "retention_days": 7}},
            "copy_to_dr": False,
            "vault_lock": False,
        },
        "secrets": {},
        # OBS-1: staging alarms never page; its critical alarms land on the warning topic.
        "alarms": {"route_critical_to": "warning"},
        "edge": {"price_class": "PriceClass_100", "log_retention_days": 30},
    },
    "prod": {
        "network": {
            "nat_gateways": "one_per_az",
            "flow_log_retention_days": 365,
        },
        "traffic": {"blue": 100, "green": 0},
        # DB-5..DB-8: HA across AZs, 35 days of point-in-time recovery, the backup ladder copied
        # to the DR region into locked vaults; the seed's 2 GB Redis and 7-year documents.
        "postgres": {
            "instance_class": "db.m7g.large",
            "allocated_storage_gb": 100,
            "max_allocated_storage_gb": 1000,
            "multi_az": True,
            "backup_retention_days": 35,
            "performance_insights_retention_days": 31,
            "monitoring_interval_seconds": 15,
        },
        "docdb": {"instance_class": "db.r6g.large", "instances": 3, "backup_retention_days": 35},
        "cache": {"node_type": "cache.m7g.large", "replicas": 1, "snapshot_retention_days": 7},
        "documents": {"noncurrent_version_retention_days": 2557, "replication_time_control": True},
        "backup": {
            # Daily and longer rungs run at 06:00 UTC, clear of the stores' own 04:00-05:00 window; the
            # hourly rung's hours follow from the maintenance windows (config/backup_schedule.py).
            "rules": {
                "hourly": {"retention_days": 2},
                "daily": {"schedule": "cron(0 6 ? * * *)", "retention_days": 7},
                "weekly": {"schedule": "cron(0 6 ? * SUN *)", "retention_days": 28},
                "monthly": {"schedule": "cron(0 6 1 * ? *)", "retention_days": 365},
                "yearly": {"schedule": "cron(0 6 1 1 ? *)", "retention_days": 2557, "cold_storage_after_days": 90},
            },
            "continuous_backup_days": 35,
            "copy_to_dr": True,
            "vault_lock": True,
        },
        "secrets": {},
        "alarms": {"route_critical_to": "critical"},
        # Viewers everywhere get a nearby edge in prod; logs kept a year like flow logs.
        "edge": {"price_class": "PriceClass_All", "log_retention_days": 365},
    },
}


# Compute defaults per platform, laid under a colour only when it runs on that platform (and under
# `compute` only when some colour does), so no default is ever a key of the wrong platform.
PLATFORM_DEFAULTS: dict[str, dict[str, dict[str, Any]]] = {
    "staging": {
        "ec2": {
            "instance_type": "t3.small",
            "blue": {"min_size": 1, "max_size": 3, "desired_capacity": 1},
            "green": {"min_size": 0, "max_size": 3, "desired_capacity": 0},
        },
        "eks": {
            # Two nodes (one per AZ) hold both colours at their HPA caps (2 x 4 pods of 250m).
            "eks": {
                "node_instance_types": ["t3.large"],
                "node_min_size": 2,
                "node_desired_size": 2,
                "node_max_size": 4,
            },
            "blue": {"replicas": 2, "min_replicas": 2, "max_replicas": 4},
            "green": {"replicas": 2, "min_replicas": 2, "max_replicas": 4},
        },
    },
    "prod": {
        "ec2": {
            # HOST-6 / seed: min 2, max 10 instances; t3.medium is the seed's instance size.
            "instance_type": "t3.medium",
            "blue": {"min_size": 2, "max_size": 10, "desired_capacity": 2},
            "green": {"min_size": 0, "max_size": 10, "desired_capacity": 0},
        },
        "eks": {
            # Runbook: 3 replicas, HPA 2-10 per colour. Both colours at their caps request 20 x 250m
            # = 5 vCPU beside the add-ons' DaemonSets: four m6i.large across the three AZs.
            "eks": {
                "node_instance_types": ["m6i.large"],
                "node_min_size": 3,
                "node_desired_size": 4,
                "node_max_size": 9,
            },
            "blue": {"replicas": 3, "min_replicas": 2, "max_replicas": 10},
            "green": {"replicas": 3, "min_replicas": 2, "max_replicas": 10},
        },
    },
}


def with_platform_defaults(tier: str, compute: Any) -> Any:
    """`compute` laid over the defaults of the platforms its colours run on."""
    if not isinstance(compute, dict):
        return compute
    platforms = resolved_platforms(compute)
    tables = PLATFORM_DEFAULTS.get(tier, {})
    base: dict[str, Any] = {}
    for platform in sorted(set(p for p in platforms.values() if p in tables)):
        base |= {k: v for k, v in tables[platform].items() if k not in ("blue", "green")}
    for color, platform in platforms.items():
        if platform in tables:
            base[color] = tables[platform][color]
    return merge(base, compute)


def merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """`override` laid over `base`, mappings merged key by key, everything else replaced."""
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = merge(merged[key], value)
        else:
            merged[key] = value
    return merged
