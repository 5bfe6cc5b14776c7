"""Data-store policies: RDS instances and clusters, DocumentDB clusters, ElastiCache replication groups.

RDS and DocumentDB share most rules (encryption, deletion protection, final snapshot, backups,
log exports, managed passwords); `_shared()` declares them once per resource kind.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from . import _types as t
from ._helpers import UNKNOWN, flag, get, items, known, number, strings, text
from ._policy import ADVISORY, CRITICAL, HIGH, MEDIUM, Stack, resource_policy, stack_policy


class DatabasePolicyNames(NamedTuple):
    """The names of the shared database policies one kind gets (literal, so a grep finds them)."""

    storage_encrypted: str
    deletion_protection: str
    final_snapshot: str
    protected: str
    backup_retention: str
    log_exports: str
    managed_password: str


@dataclass(frozen=True)
class Kind:
    """One kind of database resource: its policy names, tokens and what it calls things."""

    names: DatabasePolicyNames
    types: tuple[str, ...]
    label: str
    password_key: str  # the input property, as the engine sends it
    password_argument: str  # the same, as the Python SDK spells it
    default_exports: dict[str, list[str]]
    # Whether the service-managed secret can use a customer-managed key (master_user_secret_kms_key_id);
    # aws.docdb.Cluster has no such argument in pulumi-aws 7.
    secret_cmk: bool = True


RDS_INSTANCE = Kind(
    DatabasePolicyNames(
        storage_encrypted="rds-instance-storage-encrypted",
        deletion_protection="rds-instance-deletion-protection",
        final_snapshot="rds-instance-final-snapshot",
        protected="rds-instance-protected",
        backup_retention="rds-instance-backup-retention",
        log_exports="rds-instance-log-exports",
        managed_password="rds-instance-managed-master-password",
    ),
    t.RDS_INSTANCE,
    "aws.rds.Instance",
    "password",
    "password",
    {"postgres": ["postgresql"]},
)
RDS_CLUSTER = Kind(
    DatabasePolicyNames(
        storage_encrypted="rds-cluster-storage-encrypted",
        deletion_protection="rds-cluster-deletion-protection",
        final_snapshot="rds-cluster-final-snapshot",
        protected="rds-cluster-protected",
        backup_retention="rds-cluster-backup-retention",
        log_exports="rds-cluster-log-exports",
        managed_password="rds-cluster-managed-master-password",
    ),
    t.RDS_CLUSTER,
    "aws.rds.Cluster",
    "masterPassword",
    "master_password",
    {"aurora-postgresql": ["postgresql"]},
)
DOCDB_CLUSTER = Kind(
    DatabasePolicyNames(
        storage_encrypted="docdb-cluster-storage-encrypted",
        deletion_protection="docdb-cluster-deletion-protection",
        final_snapshot="docdb-cluster-final-snapshot",
        protected="docdb-cluster-protected",
        backup_retention="docdb-cluster-backup-retention",
        log_exports="docdb-cluster-log-exports",
        managed_password="docdb-cluster-managed-master-password",
    ),
    t.DOCDB_CLUSTER,
    "aws.docdb.Cluster",
    "masterPassword",
    "master_password",
    {"docdb": ["audit", "profiler"]},
    secret_cmk=False,
)


def _is_replica_or_restore(props) -> bool:
    return any(get(props, key) for key in ("replicateSourceDb", "snapshotIdentifier", "replicationSourceIdentifier"))


def _in_cluster(props) -> bool:
    return bool(get(props, "dbClusterIdentifier"))


def _storage_encrypted(args, _cfg):
    if not flag(get(args.props, "storageEncrypted")):
        yield "storageEncrypted is not true"
    elif not get(args.props, "kmsKeyId"):
        yield "storage is encrypted with the AWS-managed key; set kmsKeyId to a customer-managed key"


def _deletion_protection(args, _cfg):
    if not flag(get(args.props, "deletionProtection")):
        yield "deletionProtection is not true"


def _is_read_replica(props) -> bool:
    # A replica is deleted without a final snapshot (RDS rejects final_snapshot_identifier for
    # it) and its backups are the source's concern (DeleteDBInstance, CreateDBInstanceReadReplica).
    return bool(get(props, "replicateSourceDb"))


def _final_snapshot(args, _cfg):
    if _is_read_replica(args.props):
        return
    if flag(get(args.props, "skipFinalSnapshot")):
        yield "skipFinalSnapshot is true: deleting it destroys the data"
    elif not get(args.props, "finalSnapshotIdentifier"):
        yield "finalSnapshotIdentifier is not set, so the delete fails or leaves no snapshot"


def _protected(args, _cfg):
    if not args.opts.protect:
        yield "the resource is not protected (pulumi.ResourceOptions(protect=True))"


def _backup_retention(args, cfg):
    if _is_read_replica(args.props):
        return
    days = number(get(args.props, "backupRetentionPeriod"))
    # RDS and DocumentDB keep automated backups for 1 day when unset.
    days = 1 if days is None else days
    if days < cfg["minRetentionDays"]:
        yield f"backupRetentionPeriod is {int(days)} day(s); at least {cfg['minRetentionDays']} are required"


def _log_exports(args, cfg):
    engine = text(get(args.props, "engine")) or "docdb"
    enabled = set(strings(get(args.props, "enabledCloudwatchLogsExports")))
    for prefix, required in cfg["requiredExports"].items():
        if engine == prefix:
            missing = [log for log in required if log not in enabled]
            if missing:
                yield f"enabledCloudwatchLogsExports is missing {', '.join(missing)}"


def _managed_password(kind: Kind):
    def check(args, _cfg):
        if _is_replica_or_restore(args.props) or _in_cluster(args.props):
            return
        # The write-only variant keeps the password out of state, but it still passes through the
        # program and nothing rotates it.
        for key, argument in ((kind.password_key, kind.password_argument), (f"{kind.password_key}Wo", "")):
            if get(args.props, key):
                # Never echo the value: name the argument only.
                shown = argument or f"{kind.password_argument}_wo"
                yield f"a master password is set in the program ({shown}); let the service manage it"
                return
        if not flag(get(args.props, "manageMasterUserPassword")):
            yield "manage_master_user_password is not true"
        elif kind.secret_cmk and not get(args.props, "masterUserSecretKmsKeyId"):
            # Without it the managed secret is encrypted with the AWS-managed key aws/secretsmanager.
            yield "the managed master secret uses the AWS-managed key: set master_user_secret_kms_key_id to a CMK"

    return check


def _no_public_access(args, _cfg):
    if flag(get(args.props, "publiclyAccessible")):
        yield "publiclyAccessible is true"


def _multi_az(args, _cfg):
    if _in_cluster(args.props):
        return
    if not flag(get(args.props, "multiAz")):
        yield "multiAz is not true"


def _retention_config(default: int):
    return {"minRetentionDays": {"type": "integer", "minimum": 0, "maximum": 35, "default": default}}


def _shared(kind: Kind) -> list:
    noun = kind.label
    return [
        resource_policy(
            kind.names.storage_encrypted,
            types=kind.types,
            description="Storage is encrypted at rest with a customer-managed KMS key.",
            severity=HIGH,
            checklist=("DB-2",),
            remediation=f"Set storage_encrypted=True and kms_key_id=<CMK ARN> on the {noun} (replacement required).",
            check=_storage_encrypted,
        ),
        resource_policy(
            kind.names.deletion_protection,
            types=kind.types,
            description="Deletion protection is on, so the database cannot be deleted by accident.",
            severity=HIGH,
            checklist=("DB-7",),
            remediation=f"Set deletion_protection=True on the {noun}.",
            check=_deletion_protection,
        ),
        resource_policy(
            kind.names.final_snapshot,
            types=kind.types,
            description="Deleting the database leaves a final snapshot (read replicas, which RDS deletes without "
            "one, are exempt).",
            severity=HIGH,
            checklist=("DB-7",),
            remediation="Set skip_final_snapshot=False and final_snapshot_identifier=f'{name}-final'.",
            check=_final_snapshot,
        ),
        resource_policy(
            kind.names.protected,
            types=kind.types,
            description="Pulumi refuses to delete the database (resource option protect).",
            severity=HIGH,
            checklist=("DB-7",),
            remediation="Pass opts=pulumi.ResourceOptions(protect=True) (from stack config in production).",
            check=_protected,
        ),
        resource_policy(
            kind.names.backup_retention,
            types=kind.types,
            description="Automated backups (point-in-time recovery) are kept for the documented period (read "
            "replicas are covered by their source's backups).",
            severity=HIGH,
            checklist=("DB-5",),
            remediation="Set backup_retention_period to at least the configured days (7 in production).",
            check=_backup_retention,
            config=_retention_config(7),
        ),
        resource_policy(
            kind.names.log_exports,
            types=kind.types,
            description="Database logs are exported to CloudWatch Logs.",
            severity=MEDIUM,
            checklist=("DB-3", "OBS-2"),
            remediation=f"Set enabled_cloudwatch_logs_exports={next(iter(kind.default_exports.values()))!r}.",
            check=_log_exports,
            config={
                "requiredExports": {
                    "type": "object",
                    "additionalProperties": {"type": "array", "items": {"type": "string"}},
                    "default": kind.default_exports,
                }
            },
        ),
        resource_policy(
            kind.names.managed_password,
            types=kind.types,
            description="The master password is generated, stored and rotated by the service in Secrets Manager; "
            "it never passes through the program or its state.",
            severity=HIGH,
            checklist=("SEC-1", "SEC-2"),
            remediation=f"Remove {kind.password_argument} and set manage_master_user_password=True"
            + (" and master_user_secret_kms_key_id=<CMK ARN>." if kind.secret_cmk else "."),
            check=_managed_password(kind),
        ),
    ]


# ---- stack-level: TLS enforced by parameter groups, instances per cluster -------------------


def _parameters(group) -> dict[str, str]:
    return {text(get(p, "name")): text(get(p, "value")) for p in items(get(group.props, "parameters"))}


def _parameter_group(stack: Stack, db, prop: str, group_types):
    """('stack', group) for a group declared in the stack, ('default', None) for AWS's, or (None, None)."""
    for group in stack.referenced(db, group_types, prop):
        return "stack", group
    reference = known(get, db.props, prop, default=UNKNOWN)
    if reference is UNKNOWN:
        return None, None
    if not reference or text(reference).startswith("default."):
        return "default", None
    return None, None


def _engine_major(props) -> int | None:
    """The major engine version, or None when unset (RDS then picks its current default)."""
    version = text(get(props, "engineVersion")).split(".")[0]
    if not version:
        return None
    return int(version) if version.isdigit() else 0


def _postgres_force_ssl(stack: Stack, _cfg):
    for db in stack.of(t.RDS_INSTANCE):
        engine = text(get(db.props, "engine"))
        if engine not in ("postgres", "mysql", "mariadb") or _in_cluster(db.props):
            continue
        origin, group = _parameter_group(stack, db, "parameterGroupName", t.RDS_PARAMETER_GROUP)
        if origin == "stack":
            params = _parameters(group)
            ok = params.get("rds.force_ssl") == "1" or params.get("require_secure_transport", "").upper() in ("1", "ON")
        elif origin == "default":
            # RDS for PostgreSQL 15+ ships rds.force_ssl=1 in its default parameter group; without
            # engine_version RDS creates its default version, PostgreSQL 15 or newer today.
            major = _engine_major(db.props)
            ok = engine == "postgres" and (major is None or major >= 15)
        else:
            continue
        if not ok:
            yield f"database '{db.name}' accepts unencrypted connections (its parameter group must force SSL)", db.urn


def _docdb_parameters(stack: Stack, cfg):
    for cluster in stack.of(t.DOCDB_CLUSTER):
        origin, group = _parameter_group(stack, cluster, "dbClusterParameterGroupName", t.DOCDB_PARAMETER_GROUP)
        if origin is None:
            continue
        params = _parameters(group) if group else {}
        # The default DocumentDB parameter group has tls=enabled and audit_logs/profiler disabled.
        if params.get("tls", "enabled") == "disabled":
            yield f"DocumentDB cluster '{cluster.name}' has tls disabled", cluster.urn
        for name in cfg["requiredParameters"]:
            if params.get(name, "disabled") in ("disabled", "none", ""):
                yield f"DocumentDB cluster '{cluster.name}' parameter group does not enable {name}", cluster.urn


def _instances_per_cluster(cluster_types, instance_types, noun: str):
    def check(stack: Stack, cfg):
        for cluster in stack.of(cluster_types):
            count = len(stack.referrers(instance_types, cluster, "clusterIdentifier"))
            if count < cfg["minInstances"]:
                yield (
                    f"{noun} cluster '{cluster.name}' has {count} instance(s); at least {cfg['minInstances']} "
                    "spread across availability zones are required",
                    cluster.urn,
                )

    return check


_MIN_INSTANCES = {"minInstances": {"type": "integer", "minimum": 1, "default": 2}}

# ---- ElastiCache -------------------------------------------------------------------------------


def _cache_transit(args, _cfg):
    if not flag(get(args.props, "transitEncryptionEnabled")):
        yield "transitEncryptionEnabled is not true"
    elif text(get(args.props, "transitEncryptionMode")) == "preferred":
        yield "transitEncryptionMode is 'preferred', which still accepts plaintext clients"


def _cache_auth(args, _cfg):
    # The token itself is never read into a message.
    if not get(args.props, "authToken") and not strings(get(args.props, "userGroupIds")):
        yield "no AUTH: set auth_token (from a secret) or user_group_ids"


def _cache_at_rest(args, _cfg):
    if not flag(get(args.props, "atRestEncryptionEnabled")):
        yield "atRestEncryptionEnabled is not true"
    elif not get(args.props, "kmsKeyId"):
        yield "at-rest encryption uses the AWS-managed key; set kmsKeyId to a customer-managed key"


def _cache_failover(args, cfg):
    if not flag(get(args.props, "automaticFailoverEnabled")):
        yield "automaticFailoverEnabled is not true"
    if not flag(get(args.props, "multiAzEnabled")):
        yield "multiAzEnabled is not true"
    per_group = number(get(args.props, "replicasPerNodeGroup"))
    clusters = number(get(args.props, "numCacheClusters"))
    replicas = per_group if per_group is not None else (clusters or 1) - 1
    if replicas < cfg["minReplicas"]:
        yield f"{int(replicas)} replica(s) per shard; at least {cfg['minReplicas']} required"


def _cache_slow_log(args, _cfg):
    kinds = {text(get(c, "logType")) for c in items(get(args.props, "logDeliveryConfigurations"))}
    if "slow-log" not in kinds:
        yield "the slow log is not delivered (log_delivery_configurations with log_type 'slow-log')"


def _cache_snapshots(args, cfg):
    days = number(get(args.props, "snapshotRetentionLimit")) or 0
    if days < cfg["minRetentionDays"]:
        yield f"snapshotRetentionLimit is {int(days)} days; at least {cfg['minRetentionDays']} required"


POLICIES = [
    *_shared(RDS_INSTANCE),
    *_shared(RDS_CLUSTER),
    *_shared(DOCDB_CLUSTER),
    resource_policy(
        "rds-instance-no-public-access",
        types=t.RDS_INSTANCE + t.RDS_CLUSTER_INSTANCE + t.RDS_CLUSTER,
        description="Databases are never publicly accessible.",
        severity=CRITICAL,
        checklist=("DB-4", "NET-5"),
        remediation="Set publicly_accessible=False and place the database in the data subnets.",
        check=_no_public_access,
    ),
    resource_policy(
        "rds-instance-multi-az",
        types=t.RDS_INSTANCE,
        description="Stand-alone database instances run Multi-AZ with a synchronous standby.",
        severity=HIGH,
        checklist=("DB-8",),
        remediation="Set multi_az=True.",
        check=_multi_az,
    ),
    stack_policy(
        "rds-instance-force-ssl",
        description="PostgreSQL/MySQL instances reject unencrypted connections.",
        severity=HIGH,
        checklist=("DB-1",),
        remediation="Use an aws.rds.ParameterGroup with {'name': 'rds.force_ssl', 'value': '1'} (MySQL: "
        "require_secure_transport=ON) and set parameter_group_name on the instance.",
        check=_postgres_force_ssl,
    ),
    stack_policy(
        "rds-cluster-instances-across-azs",
        description="Aurora clusters run a writer and at least one reader in another availability zone.",
        severity=HIGH,
        checklist=("DB-8",),
        remediation="Add aws.rds.ClusterInstance(f'{name}-{i}', cluster_identifier=cluster.id, "
        "instance_class='db.r6g.large', engine=cluster.engine) resources, one per availability zone.",
        check=_instances_per_cluster(t.RDS_CLUSTER, t.RDS_CLUSTER_INSTANCE, "Aurora"),
        config=_MIN_INSTANCES,
    ),
    stack_policy(
        "docdb-cluster-instances-across-azs",
        description="DocumentDB clusters run at least two instances, which the service spreads across zones.",
        severity=HIGH,
        checklist=("DB-8",),
        remediation="Add aws.docdb.ClusterInstance(f'{name}-{i}', cluster_identifier=cluster.id, "
        "instance_class='db.r6g.large') resources.",
        check=_instances_per_cluster(t.DOCDB_CLUSTER, t.DOCDB_CLUSTER_INSTANCE, "DocumentDB"),
        config=_MIN_INSTANCES,
    ),
    stack_policy(
        "docdb-cluster-tls-and-audit-parameters",
        description="DocumentDB requires TLS and its parameter group turns on audit logs and the profiler, "
        "without which the log exports stay empty.",
        severity=HIGH,
        checklist=("DB-1", "DB-3"),
        remediation="Use an aws.docdb.ClusterParameterGroup with tls=enabled, audit_logs=enabled, profiler=enabled "
        "and set db_cluster_parameter_group_name on the cluster.",
        check=_docdb_parameters,
        config={
            "requiredParameters": {"type": "array", "items": {"type": "string"}, "default": ["audit_logs", "profiler"]}
        },
    ),
    resource_policy(
        "elasticache-replicationgroup-transit-encryption",
        types=t.REPLICATION_GROUP,
        description="Redis accepts TLS connections only.",
        severity=HIGH,
        checklist=("DB-1",),
        remediation="Set transit_encryption_enabled=True (and transit_encryption_mode='required' if set).",
        check=_cache_transit,
    ),
    resource_policy(
        "elasticache-replicationgroup-auth",
        types=t.REPLICATION_GROUP,
        description="Redis clients authenticate (AUTH token or RBAC user group).",
        severity=HIGH,
        checklist=("DB-1", "SEC-1"),
        remediation="Set auth_token from a Secrets Manager secret (pulumi.Output.secret) or user_group_ids.",
        check=_cache_auth,
    ),
    resource_policy(
        "elasticache-replicationgroup-at-rest-encryption",
        types=t.REPLICATION_GROUP,
        description="Redis data and snapshots are encrypted with a customer-managed KMS key.",
        severity=HIGH,
        checklist=("DB-2",),
        remediation="Set at_rest_encryption_enabled=True and kms_key_id=<CMK ARN>.",
        check=_cache_at_rest,
    ),
    resource_policy(
        "elasticache-replicationgroup-automatic-failover",
        types=t.REPLICATION_GROUP,
        description="Redis has replicas in other zones and fails over automatically.",
        severity=HIGH,
        checklist=("DB-8",),
        remediation="Set automatic_failover_enabled=True, multi_az_enabled=True and num_cache_clusters >= 2.",
        check=_cache_failover,
        config={"minReplicas": {"type": "integer", "minimum": 0, "default": 1}},
    ),
    resource_policy(
        "elasticache-replicationgroup-slow-log",
        types=t.REPLICATION_GROUP,
        description="The Redis slow log is delivered to CloudWatch Logs.",
        severity=MEDIUM,
        checklist=("DB-3", "OBS-2"),
        remediation="Add log_delivery_configurations=[{'destination': <log group name>, 'destination_type': "
        "'cloudwatch-logs', 'log_format': 'json', 'log_type': 'slow-log'}].",
        check=_cache_slow_log,
    ),
    resource_policy(
        "elasticache-replicationgroup-snapshots",
        types=t.REPLICATION_GROUP,
        description="Redis keeps daily snapshots (the cache can be rebuilt, so this is advisory).",
        severity=MEDIUM,
        checklist=("DB-5",),
        remediation="Set snapshot_retention_limit (days) and snapshot_window.",
        check=_cache_snapshots,
        enforcement=ADVISORY,
        config={"minRetentionDays": {"type": "integer", "minimum": 0, "default": 1}},
    ),
]
