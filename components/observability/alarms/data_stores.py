"""Alarms on the data stores: Postgres, DocumentDB and the cache (OBS-1), one function per store.

Metric names and dimensions are CloudWatch's own; each alarm's missing-data treatment is chosen
for its metric, with the reason next to it.
"""

from __future__ import annotations

from functools import partial

from ...config.alarms import AlarmThresholds as Thresholds
from .factory import FAST, FIVE_MINUTES, SLOW, SUSTAINED, AlarmFactory, Metric, by_severity
from .targets import AlarmTargets

GIB = 1024**3
# Postgres logs every statement slower than log_min_duration_statement as `duration: … ms`.
POSTGRES_SLOW_QUERY_PATTERN = '"duration:"'
# Server-side connection failures Postgres logs (log_connections is on).
POSTGRES_CONNECTION_ERROR_PATTERN = '?"password authentication failed" ?"too many clients" ?"no pg_hba.conf entry"'
# Every DocumentDB profiler entry is an operation slower than the profiler threshold.
EVERY_EVENT = ""


def postgres_alarms(factory: AlarmFactory, th: Thresholds, t: AlarmTargets) -> None:
    """CPU, storage, connections, latency, replica lag and log-derived failures (OBS-1)."""
    if t.db_instance_id is None:
        return
    db = {"DBInstanceIdentifier": t.db_instance_id}
    # A stopped or replaced instance stops publishing; availability is the connection alarms'.
    alarm = partial(factory.metric, runbook="postgres", missing="notBreaching")
    alarm(
        "postgres-cpu",
        "warning",
        Metric("AWS/RDS", "CPUUtilization", db),
        ">",
        th.db_cpu_percent,
        window=SLOW,
        summary=f"Postgres CPU above {th.db_cpu_percent}%",
    )
    if t.db_allocated_storage_gb:
        # FreeStorageSpace is in bytes: the threshold is a share of the allocated storage.
        free = t.db_allocated_storage_gb * GIB * th.db_free_storage_percent / 100
        alarm(
            "postgres-free-storage",
            "warning",
            Metric("AWS/RDS", "FreeStorageSpace", db, "Minimum"),
            "<",
            free,
            window=SLOW,
            summary=f"Postgres has under {th.db_free_storage_percent}% of {t.db_allocated_storage_gb} GiB free",
        )
    _connections(factory, th, "postgres", Metric("AWS/RDS", "DatabaseConnections", db, "Maximum"))
    # Seconds. Sustained I/O latency is what makes queries slow (the checklist's "slow queries").
    for metric, key in (("ReadLatency", "read"), ("WriteLatency", "write")):
        alarm(
            f"postgres-{key}-latency",
            "warning",
            Metric("AWS/RDS", metric, db),
            ">",
            th.db_latency_ms / 1000,
            window=SUSTAINED,
            summary=f"Postgres {key} latency above {th.db_latency_ms} ms: queries slow down",
        )
    if t.db_log_group_name is not None:
        factory.log_count(
            "postgres-connection-failures",
            "critical",
            t.db_log_group_name,
            POSTGRES_CONNECTION_ERROR_PATTERN,
            0,
            window=FAST,
            runbook="database-connections",
            summary="Postgres refuses connections (authentication, too many clients, pg_hba)",
        )
        factory.log_count(
            "postgres-slow-queries",
            "warning",
            t.db_log_group_name,
            POSTGRES_SLOW_QUERY_PATTERN,
            th.slow_queries_per_5_minutes,
            window=FIVE_MINUTES,
            runbook="postgres",
            summary=f"More than {th.slow_queries_per_5_minutes} slow Postgres queries in 5 minutes",
        )
    for index, replica in enumerate(t.db_replica_ids):
        alarm(
            f"postgres-replica-lag-{index}",
            "warning",
            Metric("AWS/RDS", "ReplicaLag", {"DBInstanceIdentifier": replica}, "Maximum"),
            ">",
            th.replica_lag_seconds,
            window=SUSTAINED,
            summary=f"A Postgres read replica lags more than {th.replica_lag_seconds} s",
        )


def documentdb_alarms(factory: AlarmFactory, th: Thresholds, t: AlarmTargets) -> None:
    """CPU, connections, replication lag and slow operations (OBS-1)."""
    if t.docdb_cluster_id is None:
        return
    cluster = {"DBClusterIdentifier": t.docdb_cluster_id}
    alarm = partial(factory.metric, runbook="documentdb", missing="notBreaching")
    alarm(
        "docdb-cpu",
        "warning",
        Metric("AWS/DocDB", "CPUUtilization", cluster, "Maximum"),
        ">",
        th.db_cpu_percent,
        window=SLOW,
        summary=f"A DocumentDB instance is above {th.db_cpu_percent}% CPU",
    )
    _connections(factory, th, "docdb", Metric("AWS/DocDB", "DatabaseConnections", cluster, "Maximum"))
    # Milliseconds. The cluster-wide maximum covers every replica without naming them; a
    # cluster without replicas publishes nothing (notBreaching).
    alarm(
        "docdb-replica-lag",
        "warning",
        Metric("AWS/DocDB", "DBClusterReplicaLagMaximum", cluster, "Maximum"),
        ">",
        th.replica_lag_seconds * 1000,
        window=SUSTAINED,
        summary=f"A DocumentDB replica lags more than {th.replica_lag_seconds} s",
    )

    if t.docdb_profiler_log_group_name is not None:
        factory.log_count(
            "docdb-slow-queries",
            "warning",
            t.docdb_profiler_log_group_name,
            EVERY_EVENT,
            th.slow_queries_per_5_minutes,
            window=FIVE_MINUTES,
            runbook="documentdb",
            summary=f"More than {th.slow_queries_per_5_minutes} slow DocumentDB operations in 5 minutes",
        )


def _connections(factory: AlarmFactory, th: Thresholds, engine: str, metric: Metric) -> None:
    for severity, limit in by_severity(th.db_connections_critical, th.db_connections_warning):
        factory.metric(
            f"{engine}-connections-{severity}",
            severity,
            metric,
            ">",
            limit,
            missing="notBreaching",
            window=SUSTAINED,
            runbook="database-connections",
            summary=f"{engine} has more than {limit} open connections",
        )


def cache_alarms(factory: AlarmFactory, th: Thresholds, t: AlarmTargets) -> None:
    """Engine CPU, memory, evictions and replication lag per node (OBS-1)."""
    # Per node (host metrics carry CacheClusterId, not the replication group), named by
    # position because the ids are outputs.
    alarm = partial(factory.metric, runbook="redis", missing="notBreaching")
    for index, node in enumerate(t.cache_node_ids):
        n = {"CacheClusterId": node}
        alarm(
            f"redis-cpu-{index}",
            "warning",
            Metric("AWS/ElastiCache", "EngineCPUUtilization", n),
            ">",
            th.cache_cpu_percent,
            window=SLOW,
            summary=f"Redis node {index} engine CPU above {th.cache_cpu_percent}%",
        )
        alarm(
            f"redis-memory-{index}",
            "warning",
            Metric("AWS/ElastiCache", "DatabaseMemoryUsagePercentage", n, "Maximum"),
            ">",
            th.cache_memory_percent,
            window=SLOW,
            summary=f"Redis node {index} memory above {th.cache_memory_percent}%",
        )
        alarm(
            f"redis-evictions-{index}",
            "warning",
            Metric("AWS/ElastiCache", "Evictions", n, "Sum"),
            ">",
            th.cache_evictions_per_5_minutes,
            window=FIVE_MINUTES,
            summary=f"Redis node {index} evicts keys: it is full",
        )
        # Only replicas publish it; the primary's silence is fine (notBreaching).
        alarm(
            f"redis-replication-lag-{index}",
            "warning",
            Metric("AWS/ElastiCache", "ReplicationLag", n, "Maximum"),
            ">",
            th.replica_lag_seconds,
            window=SUSTAINED,
            summary=f"Redis replica {index} lags over {th.replica_lag_seconds} s",
        )
