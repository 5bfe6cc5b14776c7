"""Extra program runs the component tests share (each runs once per session, on first use).

Each tier has a run that sets every key of that tier's config to a value no default has (the
compute and observability tiers share prod's; tests/components/test_config_reaches_graph.py
checks that each value reaches the graph), and
the variants other tests need ride on those same runs: a canary, a rollback, pinned images, an
emergency rotation, tuned thresholds, a primary region outside us-east-1, prod on EKS."""

from __future__ import annotations

import json
from functools import cache

from pulumi_offline.program import Graph
from tests.conftest import build

# A release built elsewhere: the shared build account's repository, not the stack's own.
PINNED = "333333333333.dkr.ecr.us-east-1.amazonaws.com/erp/app@sha256:" + "ab" * 32
PINNED_GREEN = "333333333333.dkr.ecr.us-east-1.amazonaws.com/erp/app@sha256:" + "cd" * 32

# Foundation and network: staging moved to eu-west-1 with fixed subnet CIDRs (conftest's eu_staging).
FOUNDATION = {
    "aws:region": "eu-west-1",
    "platform:dr_region": "eu-central-1",
    "platform:owner": "erp-team",
    "platform:cost_centre": "CC-ERP-EU",
    "platform:extra_tags": {"data-classification": "internal"},
    # An alarm key only staging can move (prod always pages), so it rides here.
    "platform:alarms": {"route_critical_to": "critical"},
    "platform:network": {
        "cidr": "10.30.0.0/16",
        "availability_zones": ["eu-west-1a", "eu-west-1b", "eu-west-1c"],
        "nat_gateways": "one_per_az",
        "flow_log_retention_days": 90,
        "subnets": {
            "public": ["10.30.0.0/24", "10.30.1.0/24", "10.30.2.0/24"],
            "app": ["10.30.16.0/20", "10.30.32.0/20", "10.30.48.0/20"],
            "data": ["10.30.4.0/24", "10.30.5.0/24", "10.30.6.0/24"],
        },
    },
}
# Edge: staging during a canary step (green runs and takes 10%), every edge key tuned.
EDGE = {
    "cloudfront_prefix_list_id": "pl-0123456789abcdef0",
    "origin_subdomain": "edge-origin",
    "cors_allowed_origins": ["https://partner.example.org"],
    "price_class": "PriceClass_200",
    "rate_limit_per_second": 50,
    "rate_limit_window_seconds": 300,
    "static_ttl_seconds": 3600,
    "log_retention_days": 90,
    "origin_secret": {"sends": "b", "rotated_on": {"a": "2026-10-01"}},
}
GREEN_RUNNING = {"green": {"min_size": 1, "max_size": 3, "desired_capacity": 1}}
# Compute: prod with both colours' images pinned (nothing to build) and every fleet figure tuned.
COMPUTE = {
    "instance_type": "t3.large",
    "app_port": 8080,
    "blue": {"min_size": 3, "max_size": 8, "desired_capacity": 4, "image": PINNED},
    "green": {"min_size": 2, "max_size": 6, "desired_capacity": 2, "image": PINNED_GREEN},
}
# Compute on EKS: prod with both colours on the cluster, every EKS key and pod count tuned, the
# app port and both images too (the EKS graph reads them in other places than the EC2 one).
OPERATOR_ROLE = "arn:aws:iam::222222222222:role/platform-operators"
AUDITOR_ROLE = "arn:aws:iam::222222222222:role/security-auditors"
EKS = {
    "platform": "eks",
    "app_port": 8080,
    # Caps within K8S-5's 10 (the pack flags more).
    "blue": {"replicas": 4, "min_replicas": 3, "max_replicas": 9, "image": PINNED},
    "green": {"replicas": 5, "min_replicas": 4, "max_replicas": 8, "image": PINNED_GREEN},
    "eks": {
        # One minor version back, with the add-ons the EKS User Guide lists for 1.32.
        "version": "1.32",
        "endpoint_public_access": True,
        "public_access_cidrs": ["203.0.113.0/24", "198.51.100.16/28"],
        # Both colours at their caps: 17 pods x 250m = 4.25 vCPU, on four to twelve 4-vCPU nodes.
        "node_instance_types": ["m6i.xlarge", "m7i.xlarge"],
        "node_min_size": 4,
        "node_desired_size": 5,
        "node_max_size": 12,
        "node_disk_gb": 80,
        "namespace": "erp",
        "admin_role_arns": [OPERATOR_ROLE],
        "viewer_role_arns": [AUDITOR_ROLE],
        "addons": {
            "vpc_cni": "v1.20.0-eksbuild.1",
            "coredns": "v1.11.4-eksbuild.24",
            "kube_proxy": "v1.32.9-eksbuild.2",
            "pod_identity_agent": "v1.3.7-eksbuild.2",
            "metrics_server": "v0.7.2-eksbuild.4",
            "ebs_csi_driver": "v1.47.0-eksbuild.1",
            "cloudwatch_observability": "v4.0.1-eksbuild.1",
        },
        "charts": {"load_balancer_controller": "3.4.0", "secrets_store_provider_aws": "3.0.0"},
    },
}
# Data: staging after an emergency rotation, with every data-tier key tuned.
OTHER_MAINTENANCE, OTHER_BACKUP = "wed:03:00-wed:04:00", "05:00-06:00"
DATA = {
    "platform:network": {
        "cidr": "10.10.0.0/16",
        "availability_zones": ["us-east-1a", "us-east-1b"],
        "subnet_prefixes": {"public": 26, "app": 22, "data": 27},
    },
    "platform:secrets": {"rotated_on": "2026-11-01", "rotation_days": 30},
    "platform:postgres": {
        "engine_version": "16.8",
        "instance_class": "db.r7g.large",
        "allocated_storage_gb": 50,
        "max_allocated_storage_gb": 200,
        "multi_az": True,
        "backup_retention_days": 14,
        "performance_insights_retention_days": 62,
        "monitoring_interval_seconds": 30,
        "slow_query_ms": 250,
        "maintenance_window": OTHER_MAINTENANCE,
        "backup_window": OTHER_BACKUP,
    },
    "platform:docdb": {
        "engine_version": "4.0.0",
        "instance_class": "db.r6g.large",
        "instances": 2,
        "backup_retention_days": 10,
        "profiler_threshold_ms": 250,
        "maintenance_window": OTHER_MAINTENANCE,
        "backup_window": OTHER_BACKUP,
    },
    "platform:cache": {
        "engine": "redis",
        "engine_version": "7.1",
        "node_type": "cache.m7g.large",
        "replicas": 1,
        "snapshot_retention_days": 3,
        "snapshot_window": OTHER_BACKUP,
        "maintenance_window": OTHER_MAINTENANCE,
    },
    "platform:documents": {"noncurrent_version_retention_days": 90, "replication_time_control": True},
    "platform:backup": {
        "rules": {"monthly": {"schedule": "cron(0 7 1 * ? *)", "retention_days": 200, "cold_storage_after_days": 30}},
        "continuous_backup_days": 14,
        "copy_to_dr": True,
        "vault_lock": True,
        "vault_lock_grace_days": 5,
    },
}
# Observability: prod with every threshold, the runbook base and the subscribers tuned.
THRESHOLDS = {
    "error_rate_critical_percent": 7,
    "error_rate_warning_percent": 2,
    "error_rate_min_requests_per_minute": 50,
    "latency_critical_ms": 1500,
    "latency_warning_ms": 750,
    "app_cpu_percent": 85,
    "app_memory_warning_percent": 75,
    "app_memory_critical_percent": 90,
    "app_disk_free_percent": 15,
    "db_cpu_percent": 70,
    "db_free_storage_percent": 25,
    "db_connections_warning": 60,
    "db_connections_critical": 150,
    "db_latency_ms": 30,
    "slow_queries_per_5_minutes": 120,
    "replica_lag_seconds": 30,
    "cache_cpu_percent": 65,
    "cache_memory_percent": 85,
    "cache_evictions_per_5_minutes": 5,
    "certificate_days_to_expiry": 14,
    "waf_blocked_requests_per_5_minutes": 2500,
}
ALARMS = {
    "runbook_url": "https://wiki.example.com/platform/runbooks",
    "email_subscribers": {"critical": ["oncall@example.com"], "warning": ["ops@example.com"]},
    "webhooks_auto_confirm": {"critical": True},
    "thresholds": THRESHOLDS,
}


PAGERDUTY = "https://events.pagerduty.com/integration/0123456789abcdef/enqueue"
SLACK_RELAY = "https://hooks.example.com/services/platform-warnings"
OBSERVABILITY = {
    "platform:alarms": ALARMS,
    "platform:critical_webhook_url": PAGERDUTY,
    "platform:warning_webhook_url": SLACK_RELAY,
}
WEBHOOKS = {"platform:critical_webhook_url", "platform:warning_webhook_url"}  # set with --secret


# Compute and observability share one prod run: neither tier's keys touch what the other's tests read.
PROD_TUNED = {"platform:compute": COMPUTE, **OBSERVABILITY}


def edge_config(traffic: dict) -> dict:
    return {"platform:traffic": traffic, "platform:compute": GREEN_RUNNING, "platform:edge": EDGE}


# Tier → (stack, extra config) of its tuned run (tests/components/test_config_reaches_graph.py
# checks that together they move every config key off its default; a platform's run, off that
# platform's defaults too).
TUNED = {
    "foundation": ("staging", FOUNDATION),
    "edge": ("staging", edge_config({"blue": 90, "green": 10})),
    "compute": ("prod", PROD_TUNED),
    "compute-eks": ("prod", {"platform:compute": EKS}),
    "data": ("staging", DATA),
    "observability": ("prod", PROD_TUNED),
}
# A platform's tuned run is measured against that platform's defaults too: only the choice of
# platform itself may equal them.
PLATFORM_BASELINES = {"compute-eks": {"platform:compute": {"platform": "eks"}}}


def _run(stack: str, values: dict) -> Graph:
    # Pulumi hands structured config to the program as JSON text.
    config = {k: v if isinstance(v, str) else json.dumps(v) for k, v in values.items()}
    return build(stack, extra_config=config, extra_secret_keys=WEBHOOKS & set(values))


@cache
def foundation_tuned() -> Graph:
    return _run(*TUNED["foundation"])


@cache
def canary() -> Graph:
    """Staging during a canary step: green runs and takes 10% (the edge tier's tuned run)."""
    return _run(*TUNED["edge"])


@cache
def rolled_back() -> Graph:
    """The same staging with green still running but back at weight 0 (a rollback)."""
    return _run("staging", edge_config({"blue": 100, "green": 0}))


@cache
def prod_tuned() -> Graph:
    """Prod with every compute and observability key tuned (the two tiers' tuned run): both
    colours name their image, so nothing is built; every alarm threshold, the runbook base and
    subscribers are set in config, and both webhooks with `--secret`."""
    return _run(*TUNED["compute"])


@cache
def prod_on_eks() -> Graph:
    """Prod with both colours on EKS, operators and auditors given cluster access (the EKS
    platform's tuned run)."""
    return _run(*TUNED["compute-eks"])


@cache
def data_tuned() -> Graph:
    """Staging after an emergency rotation (`secrets.rotated_on`), every data-tier key tuned."""
    return _run(*TUNED["data"])
