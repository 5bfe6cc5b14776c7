"""Data-store policies: RDS instances and clusters, DocumentDB, ElastiCache."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws
import pytest
from conftest import Case, assert_case

KEY = "arn:aws:kms:eu-west-1:123456789012:key/1"


def _secret(value: str):
    """A secret made when the program runs (Outputs belong to the program's event loop)."""
    return lambda: pulumi.Output.secret(value)


def _resolve(args: dict) -> dict:
    return {k: v() if callable(v) else v for k, v in args.items()}


HARDENED = dict(
    storage_encrypted=True,
    kms_key_id=KEY,
    deletion_protection=True,
    skip_final_snapshot=False,
    backup_retention_period=7,
    manage_master_user_password=True,
)


def _rds(protect=True, **overrides):
    args = dict(
        HARDENED,
        master_user_secret_kms_key_id=KEY,
        engine="postgres",
        engine_version="16.4",
        instance_class="db.t4g.medium",
        allocated_storage=20,
        username="app",
        multi_az=True,
        publicly_accessible=False,
        final_snapshot_identifier="db-final",
        enabled_cloudwatch_logs_exports=["postgresql", "upgrade"],
    )
    return lambda: aws.rds.Instance(
        "db", **_resolve({**args, **overrides}), opts=pulumi.ResourceOptions(protect=protect)
    )


def _aurora(protect=True, **overrides):
    args = dict(
        HARDENED,
        master_user_secret_kms_key_id=KEY,
        engine="aurora-postgresql",
        master_username="app",
        final_snapshot_identifier="c-final",
        enabled_cloudwatch_logs_exports=["postgresql"],
    )
    return lambda: aws.rds.Cluster(
        "aurora", **_resolve({**args, **overrides}), opts=pulumi.ResourceOptions(protect=protect)
    )


def _docdb(protect=True, **overrides):
    args = dict(
        HARDENED,
        master_username="app",
        final_snapshot_identifier="docs-final",
        enabled_cloudwatch_logs_exports=["audit", "profiler"],
    )
    return lambda: aws.docdb.Cluster(
        "docs", **_resolve({**args, **overrides}), opts=pulumi.ResourceOptions(protect=protect)
    )


def _shared(prefix: str, build, password_key: str) -> list[Case]:
    return [
        Case(f"{prefix}-storage-encrypted", build(storage_encrypted=False), build(), "storageEncrypted"),
        Case(f"{prefix}-storage-encrypted", build(kms_key_id=None), build(), "AWS-managed key"),
        Case(f"{prefix}-deletion-protection", build(deletion_protection=False), build(), "deletionProtection"),
        Case(f"{prefix}-final-snapshot", build(skip_final_snapshot=True), build(), "skipFinalSnapshot"),
        Case(f"{prefix}-protected", build(protect=False), build(), "not protected"),
        Case(f"{prefix}-backup-retention", build(backup_retention_period=3), build(), "is 3 day(s)"),
        Case(f"{prefix}-log-exports", build(enabled_cloudwatch_logs_exports=[]), build(), "missing"),
        Case(
            f"{prefix}-managed-master-password",
            build(manage_master_user_password=None, **{password_key: _secret("hunter2hunter2")}),
            build(),
            f"({password_key})",
        ),
    ]


REPLICA = dict(replicate_source_db="db-primary", skip_final_snapshot=True, final_snapshot_identifier=None)


def _parameter_group(force_ssl: str | None, version="16.4"):
    def program():
        group = None
        if force_ssl is not None:
            group = aws.rds.ParameterGroup(
                "db-params", family="postgres16", parameters=[{"name": "rds.force_ssl", "value": force_ssl}]
            )
        _rds(engine_version=version, parameter_group_name=group.name if group else None)()

    return program


def _docdb_params(**params):
    def program():
        group = aws.docdb.ClusterParameterGroup(
            "docs-params", family="docdb5.0", parameters=[{"name": k, "value": v} for k, v in params.items()]
        )
        _docdb(db_cluster_parameter_group_name=group.name)()

    return program


def _members(cluster_builder, instance_cls, count: int, **instance_args):
    def program():
        cluster = cluster_builder()()
        for i in range(count):
            instance_cls(f"member-{i}", cluster_identifier=cluster.id, instance_class="db.r6g.large", **instance_args)

    return program


def _redis(**overrides):
    args = dict(
        description="cache",
        node_type="cache.t4g.small",
        engine="redis",
        num_cache_clusters=2,
        automatic_failover_enabled=True,
        multi_az_enabled=True,
        transit_encryption_enabled=True,
        at_rest_encryption_enabled=True,
        kms_key_id=KEY,
        auth_token=_secret("s3cr3t-t0ken-value!"),
        snapshot_retention_limit=7,
        log_delivery_configurations=[
            {
                "destination": "redis-slow",
                "destination_type": "cloudwatch-logs",
                "log_format": "json",
                "log_type": "slow-log",
            }
        ],
    )
    return lambda: aws.elasticache.ReplicationGroup("cache", **_resolve({**args, **overrides}))


CASES = [
    *_shared("rds-instance", _rds, "password"),
    *_shared("rds-cluster", _aurora, "master_password"),
    *_shared("docdb-cluster", _docdb, "master_password"),
    *(
        Case(f"{prefix}-managed-master-password", build(master_user_secret_kms_key_id=None), build(), "AWS-managed key")
        for prefix, build in (("rds-instance", _rds), ("rds-cluster", _aurora))
    ),
    Case("rds-instance-final-snapshot", _rds(skip_final_snapshot=True), _rds(**REPLICA), "skipFinalSnapshot"),
    Case(
        "rds-instance-backup-retention",
        _rds(backup_retention_period=0),
        _rds(**REPLICA, backup_retention_period=0),
        "is 0 day(s)",
    ),
    Case(
        "rds-instance-force-ssl",
        _parameter_group(None, version="14.9"),
        _parameter_group(None, version=None),
        "force SSL",
    ),
    Case("rds-instance-no-public-access", _rds(publicly_accessible=True), _rds(), "publiclyAccessible"),
    Case("rds-instance-multi-az", _rds(multi_az=False), _rds(), "multiAz"),
    Case("rds-instance-force-ssl", _parameter_group("0"), _parameter_group("1"), "force SSL"),
    Case(
        "rds-instance-force-ssl",
        _parameter_group(None, version="14.9"),
        _parameter_group(None, version="16.4"),
        "force SSL",
    ),
    Case(
        "rds-cluster-instances-across-azs",
        _members(_aurora, aws.rds.ClusterInstance, 1, engine="aurora-postgresql"),
        _members(_aurora, aws.rds.ClusterInstance, 2, engine="aurora-postgresql"),
        "1 instance(s)",
    ),
    Case(
        "docdb-cluster-instances-across-azs",
        _members(_docdb, aws.docdb.ClusterInstance, 1),
        _members(_docdb, aws.docdb.ClusterInstance, 2),
        "1 instance(s)",
    ),
    Case(
        "docdb-cluster-tls-and-audit-parameters",
        _docdb_params(tls="disabled", audit_logs="enabled", profiler="enabled"),
        _docdb_params(tls="enabled", audit_logs="enabled", profiler="enabled"),
        "tls disabled",
    ),
    Case(
        "docdb-cluster-tls-and-audit-parameters",
        _docdb(),
        _docdb_params(audit_logs="all", profiler="enabled"),
        "audit_logs",
    ),
    Case(
        "elasticache-replicationgroup-transit-encryption",
        _redis(transit_encryption_enabled=False),
        _redis(),
        "transitEncryptionEnabled",
    ),
    Case("elasticache-replicationgroup-auth", _redis(auth_token=None), _redis(), "no AUTH"),
    Case("elasticache-replicationgroup-at-rest-encryption", _redis(kms_key_id=None), _redis(), "AWS-managed key"),
    Case(
        "elasticache-replicationgroup-automatic-failover",
        _redis(num_cache_clusters=1, automatic_failover_enabled=False, multi_az_enabled=False),
        _redis(),
        "automaticFailoverEnabled",
    ),
    Case("elasticache-replicationgroup-slow-log", _redis(log_delivery_configurations=[]), _redis(), "slow log"),
    Case("elasticache-replicationgroup-snapshots", _redis(snapshot_retention_limit=0), _redis(), "is 0 days"),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_policy_flags_violation_and_passes_compliant(pack, case):
    assert_case(pack, case)


def test_secrets_never_appear_in_messages(pack):
    messages = [
        d.message for d in pack.check(_rds(password=_secret("hunter2hunter2"), manage_master_user_password=None))
    ]
    messages += [d.message for d in pack.check(_redis())]
    assert messages and not any("hunter2" in m or "s3cr3t" in m for m in messages)


def test_aurora_members_are_judged_through_their_cluster(pack):
    program = _members(_aurora, aws.rds.ClusterInstance, 2, engine="aurora-postgresql")
    names = {d.policy_name for d in pack.check(program)}
    assert "backup-datastores-selected" in names  # the cluster, not its members
    assert not [
        d for d in pack.check(program) if d.policy_name == "backup-datastores-selected" and "member" in d.message
    ]
