"""The cache: Valkey with TLS + AUTH, CMK at rest, LRU eviction, slow log, failover in prod."""

from __future__ import annotations

import json

from components.config.data import CACHE_NODE_MEMORY_GIB
from pulumi_offline.program import reveal
from tests.graph import subnet_ids

GROUP = "aws:elasticache/replicationGroup:ReplicationGroup"


def group(graph):
    (g,) = graph.of_type(GROUP)
    return g


def test_cache_requires_tls_with_an_auth_token_and_encrypts_with_the_data_cmk(stack):
    cache = group(stack)
    assert cache.inputs["transitEncryptionEnabled"] is True
    assert cache.inputs["transitEncryptionMode"] == "required"
    assert "authToken" in cache.secret_inputs
    assert cache.inputs["atRestEncryptionEnabled"] is True
    assert cache.inputs["kmsKeyId"] == stack.named(f"{stack.stack}-keys-data").outputs["arn"]


def test_auth_token_follows_elasticache_rules_and_lives_in_secrets_manager(stack):
    token = stack.named(f"{stack.stack}-cache-auth-token")
    assert 16 <= token.inputs["length"] <= 128
    assert set(token.inputs["overrideSpecial"]) <= set("!&#$^<>-")
    assert group(stack).inputs["authToken"] == reveal(token.outputs["result"])
    assert group(stack).inputs["authTokenUpdateStrategy"] == "ROTATE"
    version = stack.named(f"{stack.stack}-cache-auth-secret-value")
    assert json.loads(version.inputs["secretString"])["auth_token"] == reveal(token.outputs["result"])
    assert stack.named(f"{stack.stack}-cache-auth-secret").inputs["kmsKeyId"]


def test_cache_evicts_least_recently_used_keys(stack):
    params = stack.named(f"{stack.stack}-cache-params")
    assert params.inputs["parameters"] == [{"name": "maxmemory-policy", "value": "allkeys-lru"}]
    assert params.inputs["family"] == "valkey8"
    assert group(stack).inputs["engine"] == "valkey"
    assert group(stack).inputs["parameterGroupName"] == params.outputs["name"]


def test_slow_log_goes_to_an_encrypted_log_group(stack):
    (delivery,) = group(stack).inputs["logDeliveryConfigurations"]
    log_group = stack.named(f"{stack.stack}-cache-log-slow-log")
    assert delivery == {
        "logType": "slow-log",
        "destinationType": "cloudwatch-logs",
        "destination": log_group.id,
        "logFormat": "json",
    }
    assert log_group.inputs["kmsKeyId"] == stack.named(f"{stack.stack}-keys-logs").outputs["arn"]
    # ElastiCache refuses a log-delivery change without apply-immediately, and the provider
    # sends it with the group's own flag (terraform-provider-aws#49842).
    assert group(stack).inputs["applyImmediately"] is True


def test_cache_is_private_and_snapshotted_outside_maintenance(stack):
    cache = group(stack).inputs
    assert cache["securityGroupIds"] == [stack.named(f"{stack.stack}-sg-redis").id]
    assert cache["port"] == 6379
    assert set(stack.named(f"{stack.stack}-cache-subnets").inputs["subnetIds"]) == subnet_ids(stack, "data")
    assert cache["snapshotRetentionLimit"] >= 1
    assert (cache["snapshotWindow"], cache["maintenanceWindow"]) == ("04:00-05:00", "tue:02:00-tue:03:00")


def test_prod_cache_has_a_replica_with_automatic_failover_across_azs(prod):
    cache = group(prod)
    assert cache.inputs["numCacheClusters"] >= 2
    assert cache.inputs["automaticFailoverEnabled"] is True and cache.inputs["multiAzEnabled"] is True
    assert len(set(cache.inputs["preferredCacheClusterAzs"])) == cache.inputs["numCacheClusters"]
    assert CACHE_NODE_MEMORY_GIB[cache.inputs["nodeType"]] >= 2
    assert cache.protect and cache.inputs["finalSnapshotIdentifier"] == "platform-prod-cache-final"


def test_staging_cache_is_one_small_node(staging):
    cache = group(staging)
    assert cache.inputs["numCacheClusters"] == 1
    assert cache.inputs["automaticFailoverEnabled"] is False
    assert cache.inputs["nodeType"] == "cache.t4g.small"
    assert not cache.protect and "finalSnapshotIdentifier" not in cache.inputs
