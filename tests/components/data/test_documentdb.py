"""DocumentDB: TLS, audit and profiler on, encrypted, private, instances across AZs in prod."""

from __future__ import annotations

import json

from pulumi_offline.program import reveal
from tests.graph import subnet_ids

CLUSTER = "aws:docdb/cluster:Cluster"
INSTANCE = "aws:docdb/clusterInstance:ClusterInstance"


def cluster(graph):
    (c,) = graph.of_type(CLUSTER)
    return c


def test_cluster_parameters_require_tls_and_turn_on_audit_and_profiler(stack):
    group = stack.named(f"{stack.stack}-docdb-params")
    params = {p["name"]: p["value"] for p in group.inputs["parameters"]}
    assert params["tls"] == "enabled"
    assert params["audit_logs"] == "enabled" and params["profiler"] == "enabled"
    assert group.inputs["family"] == "docdb5.0"
    assert cluster(stack).inputs["dbClusterParameterGroupName"] == group.outputs["name"]


def test_cluster_is_encrypted_private_and_exports_audit_and_profiler_logs(stack):
    docdb = cluster(stack).inputs
    assert docdb["storageEncrypted"] is True
    assert docdb["kmsKeyId"] == stack.named(f"{stack.stack}-keys-data").outputs["arn"]
    assert docdb["vpcSecurityGroupIds"] == [stack.named(f"{stack.stack}-sg-docdb").id]
    assert docdb["port"] == 27017
    assert docdb["enabledCloudwatchLogsExports"] == ["audit", "profiler"]
    assert set(stack.named(f"{stack.stack}-docdb-subnets").inputs["subnetIds"]) == subnet_ids(stack, "data")
    for export in ("audit", "profiler"):
        group = stack.named(f"{stack.stack}-docdb-log-{export}").inputs
        assert group["name"] == f"/aws/docdb/{docdb['clusterIdentifier']}/{export}" and group["kmsKeyId"]


def test_master_password_is_generated_within_documentdb_rules_and_kept_in_secrets_manager(stack):
    password = stack.named(f"{stack.stack}-docdb-master-password")
    assert 8 <= password.inputs["length"] <= 100
    assert not set(password.inputs["overrideSpecial"]) & set('/"@ ')
    assert "masterPassword" in cluster(stack).secret_inputs
    assert cluster(stack).inputs["masterPassword"] == reveal(password.outputs["result"])
    secret = stack.named(f"{stack.stack}-docdb-master-secret")
    assert secret.inputs["kmsKeyId"] == stack.named(f"{stack.stack}-keys-data").outputs["arn"]
    version = stack.named(f"{stack.stack}-docdb-master-secret-value")
    assert "secretString" in version.secret_inputs
    stored = json.loads(version.inputs["secretString"])
    assert stored["password"] == reveal(password.outputs["result"]) and stored["ssl"] is True
    # A new password (secrets.rotated_on) takes effect with its secret, not at the next
    # maintenance window: for a cluster the flag governs only the password and the identifier.
    assert cluster(stack).inputs["applyImmediately"] is True


def test_backups_and_windows(staging, prod):
    assert cluster(prod).inputs["backupRetentionPeriod"] == 35
    assert cluster(staging).inputs["backupRetentionPeriod"] == 7
    for graph in (staging, prod):
        docdb = cluster(graph).inputs
        assert docdb["preferredMaintenanceWindow"] == "tue:02:00-tue:03:00"
        assert docdb["preferredBackupWindow"] == "04:00-05:00"
        assert docdb["tags"]["backup"] == "true"


def test_prod_runs_three_instances_one_per_availability_zone(prod):
    instances = prod.of_type(INSTANCE)
    zones = {r.inputs["availabilityZone"] for r in instances}
    assert len(instances) == 3 and zones == {"us-east-1a", "us-east-1b", "us-east-1c"}
    assert all(r.inputs["clusterIdentifier"] == cluster(prod).id for r in instances)


def test_staging_runs_a_single_small_instance(staging):
    (instance,) = staging.of_type(INSTANCE)
    assert instance.inputs["instanceClass"] == "db.t3.medium"


def test_prod_cluster_cannot_be_destroyed_by_accident(prod, staging):
    docdb = cluster(prod)
    assert docdb.inputs["deletionProtection"] is True and docdb.inputs["skipFinalSnapshot"] is False
    assert docdb.inputs["finalSnapshotIdentifier"] == "platform-prod-docdb-final"
    assert docdb.protect and all(r.protect for r in prod.of_type(INSTANCE))
    assert not cluster(staging).protect and cluster(staging).inputs["skipFinalSnapshot"] is True
