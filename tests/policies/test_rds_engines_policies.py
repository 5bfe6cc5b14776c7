"""RDS rules for other engines: Aurora TLS through cluster parameter groups, MySQL-family log exports."""

from __future__ import annotations

import pulumi_aws as aws
import pytest
from conftest import Case, assert_case

KEY = "arn:aws:kms:eu-west-1:123456789012:key/1"
MYSQL_LOGS = ["audit", "error", "slowquery"]


def _aurora(engine: str, parameters: list[dict] | None, family: str):
    def program():
        args = dict(
            engine=engine,
            master_username="admin",
            manage_master_user_password=True,
            storage_encrypted=True,
            kms_key_id=KEY,
        )
        if parameters is not None:
            group = aws.rds.ClusterParameterGroup("tls", family=family, parameters=parameters)
            args["db_cluster_parameter_group_name"] = group.name
        aws.rds.Cluster("db", **args)

    return program


def _instance(engine: str, exports: list[str] | None):
    return lambda: aws.rds.Instance(
        "db",
        engine=engine,
        instance_class="db.t4g.medium",
        allocated_storage=20,
        username="admin",
        manage_master_user_password=True,
        enabled_cloudwatch_logs_exports=exports,
    )


CASES = [
    Case(
        "rds-cluster-force-tls",
        _aurora("aurora-postgresql", None, "aurora-postgresql16"),
        _aurora("aurora-postgresql", [{"name": "rds.force_ssl", "value": "1"}], "aurora-postgresql16"),
        "rds.force_ssl=1",
    ),
    Case(
        "rds-cluster-force-tls",
        _aurora("aurora-mysql", [{"name": "require_secure_transport", "value": "OFF"}], "aurora-mysql8.0"),
        _aurora("aurora-mysql", [{"name": "require_secure_transport", "value": "ON"}], "aurora-mysql8.0"),
        "require_secure_transport",
    ),
    Case("rds-mysql-log-exports", _instance("mysql", None), _instance("mysql", MYSQL_LOGS), "audit, error, slowquery"),
    Case(
        "rds-mysql-log-exports", _instance("mariadb", ["error"]), _instance("mariadb", MYSQL_LOGS), "audit, slowquery"
    ),
    Case(
        "rds-mysql-log-exports",
        lambda: aws.rds.Cluster("db", engine="aurora-mysql", master_username="admin", manage_master_user_password=True),
        lambda: aws.rds.Cluster(
            "db",
            engine="aurora-mysql",
            master_username="admin",
            manage_master_user_password=True,
            enabled_cloudwatch_logs_exports=MYSQL_LOGS,
        ),
        "aurora-mysql",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_policy_flags_violation_and_passes_compliant(pack, case):
    assert_case(pack, case)


def test_postgres_instances_are_left_to_the_postgres_rule(pack):
    assert pack.violations("rds-mysql-log-exports", _instance("postgres", None)) == []
