"""RDS rules for the engines `data.py` does not cover: TLS on Aurora clusters (cluster parameter
groups) and log exports for MySQL, MariaDB and Aurora MySQL."""

from __future__ import annotations

from . import _types as t
from ._helpers import UNKNOWN, get, items, known, strings, text
from ._links import by_keys, targets_of
from ._policy import HIGH, MEDIUM, Stack, resource_policy, stack_policy

# The parameter that makes each Aurora engine refuse unencrypted connections, and the values that do.
_FORCE_TLS = {
    "aurora-postgresql": ("rds.force_ssl", {"1"}),
    "aurora-mysql": ("require_secure_transport", {"1", "ON"}),
    "aurora": ("require_secure_transport", {"1", "ON"}),
}
MYSQL_EXPORTS = {
    "mysql": ["audit", "error", "slowquery"],
    "mariadb": ["audit", "error", "slowquery"],
    "aurora-mysql": ["audit", "error", "slowquery"],
    "aurora": ["audit", "error", "slowquery"],
}


def _aurora_tls(stack: Stack, _cfg):
    groups = by_keys(stack.of(t.RDS_CLUSTER_PARAMETER_GROUP))
    for cluster in stack.of(t.RDS_CLUSTER):
        engine = text(get(cluster.props, "engine"))
        if engine not in _FORCE_TLS:
            continue
        parameter, accepted = _FORCE_TLS[engine]
        found = targets_of(cluster, "dbClusterParameterGroupName", groups)
        if found:
            values = {text(get(p, "name")): text(get(p, "value")) for p in items(get(found[0].props, "parameters"))}
            if values.get(parameter, "").upper() in accepted:
                continue
        else:
            reference = known(get, cluster.props, "dbClusterParameterGroupName", default=UNKNOWN)
            # A group the program does not declare (or not known yet during preview) cannot be judged.
            if reference is UNKNOWN or (reference and not text(reference).startswith("default.")):
                continue
        yield (
            f"Aurora cluster '{cluster.name}' accepts unencrypted connections: its cluster parameter group does not "
            f"set {parameter}={sorted(accepted)[0]}",
            cluster.urn,
        )


def _mysql_exports(args, cfg):
    engine = text(get(args.props, "engine"))
    if args.resource_type in t.RDS_INSTANCE and get(args.props, "dbClusterIdentifier"):
        return  # Aurora instances export through their cluster
    required = cfg["requiredExports"].get(engine)
    if not required:
        return
    enabled = set(strings(get(args.props, "enabledCloudwatchLogsExports")))
    missing = [log for log in required if log not in enabled]
    if missing:
        yield f"{engine}: enabledCloudwatchLogsExports is missing {', '.join(missing)}"


POLICIES = [
    stack_policy(
        "rds-cluster-force-tls",
        description="Aurora PostgreSQL and Aurora MySQL clusters reject unencrypted connections through their "
        "cluster parameter group (the default groups accept plaintext).",
        severity=HIGH,
        checklist=("DB-1",),
        remediation="Add aws.rds.ClusterParameterGroup(family='aurora-postgresql16', parameters=[{'name': "
        "'rds.force_ssl', 'value': '1'}]) (Aurora MySQL: family='aurora-mysql8.0', {'name': "
        "'require_secure_transport', 'value': 'ON'}) and set db_cluster_parameter_group_name=group.name on "
        "the aws.rds.Cluster.",
        check=_aurora_tls,
    ),
    resource_policy(
        "rds-mysql-log-exports",
        types=t.RDS_INSTANCE + t.RDS_CLUSTER,
        description="MySQL, MariaDB and Aurora MySQL export their audit, error and slow-query logs to CloudWatch Logs.",
        severity=MEDIUM,
        checklist=("DB-3", "OBS-2"),
        remediation="Set enabled_cloudwatch_logs_exports=['audit', 'error', 'slowquery'] on the aws.rds.Instance / "
        "aws.rds.Cluster; the audit log also needs the MARIADB_AUDIT_PLUGIN option (aws.rds.OptionGroup) on "
        "RDS, or server_audit_logging=1 in the Aurora MySQL cluster parameter group.",
        check=_mysql_exports,
        config={
            "requiredExports": {
                "type": "object",
                "additionalProperties": {"type": "array", "items": {"type": "string"}},
                "default": MYSQL_EXPORTS,
            }
        },
    ),
]
