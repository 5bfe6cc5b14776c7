"""The platform hardening policy pack, as importable modules (building a `PolicyPack` starts the
analyzer server and blocks, so tests and tools import `ALL` from here instead)."""

from __future__ import annotations

from pulumi_policy import EnforcementLevel

from . import (
    api_gateway,
    backup,
    caches,
    classic_elb,
    cloudtrail,
    compute,
    containers,
    data,
    dynamodb,
    edge,
    efs,
    eks,
    eks_nodes,
    iam,
    kms,
    kubernetes,
    launch_configs,
    lb_protection,
    messaging,
    monitoring,
    nacl,
    network,
    rds_engines,
    secrets,
    serverless,
    ssm,
    storage,
    tags,
)

PACK_NAME = "platform-hardening"
PACK_ENFORCEMENT = EnforcementLevel.MANDATORY

MODULES = (network, edge, compute, storage, data, backup, secrets, monitoring, tags, kubernetes, eks)
MODULES += (iam, serverless, api_gateway, messaging, dynamodb, efs, containers, kms, ssm, cloudtrail)
MODULES += (classic_elb, nacl, eks_nodes, launch_configs, caches, rds_engines, lb_protection)
ALL = [policy for module in MODULES for policy in module.POLICIES]

_names = [p.name for p in ALL]
if len(_names) != len(set(_names)):
    raise RuntimeError(f"duplicate policy names: {sorted({n for n in _names if _names.count(n) > 1})}")
