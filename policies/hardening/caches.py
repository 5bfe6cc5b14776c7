"""ElastiCache policies for stand-alone cache clusters and serverless caches (replication groups
are checked in `data.py`).

A stand-alone `elasticache.Cluster` running Redis or Valkey can have neither in-transit nor
at-rest encryption nor AUTH (the provider documents these for `ReplicationGroup` only); Memcached
clusters can encrypt in transit from 1.6.12. A `ServerlessCache` always encrypts in transit and at
rest, by default with a service key.
"""

from __future__ import annotations

from . import _types as t
from ._helpers import flag, get, text
from ._policy import HIGH, resource_policy


def _engine(args) -> str:
    return text(get(args.props, "engine")).lower()


def _standalone(args) -> bool:
    return not get(args.props, "replicationGroupId")


def _redis_in_replication_group(args, _cfg):
    if _standalone(args) and _engine(args) in ("redis", "valkey"):
        yield (
            f"a stand-alone {_engine(args)} cluster cannot encrypt in transit or at rest, use AUTH, or fail over; "
            "use aws.elasticache.ReplicationGroup"
        )


def _memcached_transit(args, _cfg):
    if _standalone(args) and _engine(args) == "memcached" and not flag(get(args.props, "transitEncryptionEnabled")):
        yield "transitEncryptionEnabled is not true: clients connect in plaintext"


def _serverless_cmk(args, _cfg):
    if not get(args.props, "kmsKeyId"):
        yield "kmsKeyId is not set: data at rest uses the service key, not a customer-managed key"


def _serverless_auth(args, _cfg):
    if _engine(args) in ("redis", "valkey") and not get(args.props, "userGroupId"):
        yield "user_group_id is not set: any client that reaches the endpoint can connect as the default user"


POLICIES = [
    resource_policy(
        "elasticache-cluster-redis-in-replication-group",
        types=t.CACHE_CLUSTER,
        description="Redis/Valkey run as a replication group, the only ElastiCache form with in-transit and "
        "at-rest encryption, AUTH and automatic failover.",
        severity=HIGH,
        checklist=("DB-1", "DB-2", "DB-8"),
        remediation="Replace aws.elasticache.Cluster(engine='redis', ...) with aws.elasticache.ReplicationGroup("
        "description=..., engine='valkey', node_type='cache.t4g.small', num_cache_clusters=2, "
        "transit_encryption_enabled=True, at_rest_encryption_enabled=True, kms_key_id=key.arn, "
        "auth_token=token, automatic_failover_enabled=True, multi_az_enabled=True).",
        check=_redis_in_replication_group,
    ),
    resource_policy(
        "elasticache-cluster-memcached-transit-encryption",
        types=t.CACHE_CLUSTER,
        description="Memcached clusters accept TLS connections only.",
        severity=HIGH,
        checklist=("DB-1",),
        remediation="Set aws.elasticache.Cluster(engine='memcached', engine_version='1.6.22', node_type=..., "
        "num_cache_nodes=2, transit_encryption_enabled=True).",
        check=_memcached_transit,
    ),
    resource_policy(
        "elasticache-serverlesscache-cmk",
        types=t.SERVERLESS_CACHE,
        description="Serverless caches encrypt data at rest with a customer-managed KMS key.",
        severity=HIGH,
        checklist=("DB-2",),
        remediation="Set aws.elasticache.ServerlessCache(engine='valkey', name=..., kms_key_id=key.arn).",
        check=_serverless_cmk,
    ),
    resource_policy(
        "elasticache-serverlesscache-auth",
        types=t.SERVERLESS_CACHE,
        description="Redis/Valkey serverless caches authenticate clients through an RBAC user group.",
        severity=HIGH,
        checklist=("DB-1", "SEC-1"),
        remediation="Set aws.elasticache.ServerlessCache(engine='valkey', name=..., user_group_id=group.user_group_id) "
        "with an aws.elasticache.UserGroup whose users authenticate by password (from Secrets Manager) or IAM.",
        check=_serverless_auth,
    ),
]
