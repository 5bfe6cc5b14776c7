"""ElastiCache policies for stand-alone clusters and serverless caches."""

from __future__ import annotations

import pulumi_aws as aws
import pytest
from conftest import Case, assert_case

KEY = "arn:aws:kms:eu-west-1:123456789012:key/1"


def _cluster(engine: str, **overrides):
    args = dict(engine=engine, node_type="cache.t4g.small", num_cache_nodes=1)
    return lambda: aws.elasticache.Cluster("cache", **{**args, **overrides})


def _serverless(**overrides):
    args = dict(engine="valkey", name="sessions", kms_key_id=KEY, user_group_id="app-users")
    return lambda: aws.elasticache.ServerlessCache("sessions", **{**args, **overrides})


CASES = [
    Case(
        "elasticache-cluster-redis-in-replication-group",
        _cluster("redis"),
        lambda: aws.elasticache.Cluster("replica", replication_group_id="sessions"),
        "stand-alone redis",
    ),
    Case(
        "elasticache-cluster-memcached-transit-encryption",
        _cluster("memcached", num_cache_nodes=2),
        _cluster("memcached", num_cache_nodes=2, engine_version="1.6.22", transit_encryption_enabled=True),
        "plaintext",
    ),
    Case("elasticache-serverlesscache-cmk", _serverless(kms_key_id=None), _serverless(), "service key"),
    Case("elasticache-serverlesscache-auth", _serverless(user_group_id=None), _serverless(), "default user"),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_policy_flags_violation_and_passes_compliant(pack, case):
    assert_case(pack, case)


def test_memcached_serverless_caches_have_no_user_groups_to_require(pack):
    assert (
        pack.violations("elasticache-serverlesscache-auth", _serverless(engine="memcached", user_group_id=None)) == []
    )
