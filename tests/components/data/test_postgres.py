"""Postgres on RDS: private, encrypted, TLS-only, audited, recoverable; HA and protected in prod."""

from __future__ import annotations

from tests.graph import region_of, subnet_ids

INSTANCE = "aws:rds/instance:Instance"


def postgres(graph):
    (instance,) = graph.of_type(INSTANCE)
    return instance


def test_postgres_is_private_in_the_data_subnets_behind_its_security_group(stack):
    db = postgres(stack).inputs
    assert db["publiclyAccessible"] is False
    assert db["vpcSecurityGroupIds"] == [stack.named(f"{stack.stack}-sg-postgres").id]
    subnet_group = stack.named(f"{stack.stack}-postgres-subnets").inputs
    assert set(subnet_group["subnetIds"]) == subnet_ids(stack, "data")


def test_postgres_storage_insights_and_master_secret_use_the_data_cmk(stack):
    db = postgres(stack).inputs
    data_key = stack.named(f"{stack.stack}-keys-data").outputs["arn"]
    assert db["storageEncrypted"] is True
    assert db["kmsKeyId"] == db["performanceInsightsKmsKeyId"] == db["masterUserSecretKmsKeyId"] == data_key
    assert db["performanceInsightsEnabled"] is True


def test_postgres_password_is_managed_by_rds_and_rotates_within_90_days(stack):
    db = postgres(stack)
    assert db.inputs["manageMasterUserPassword"] is True
    assert "password" not in db.inputs
    rotation = stack.named(f"{stack.stack}-postgres-master-rotation")
    assert "rotationLambdaArn" not in rotation.inputs  # RDS rotates it, no function of ours
    assert rotation.inputs["secretId"] == db.outputs["masterUserSecrets"][0]["secretArn"]
    assert 1 <= rotation.inputs["rotationRules"]["automaticallyAfterDays"] <= 90


def test_postgres_forces_tls_and_logs_slow_queries(stack):
    params = {p["name"]: p["value"] for p in stack.named(f"{stack.stack}-postgres-params").inputs["parameters"]}
    assert params["rds.force_ssl"] == "1"
    assert int(params["log_min_duration_statement"]) > 0
    assert stack.named(f"{stack.stack}-postgres-params").inputs["family"] == "postgres16"
    assert postgres(stack).inputs["parameterGroupName"] == stack.named(f"{stack.stack}-postgres-params").outputs["name"]


def test_postgres_exports_logs_into_encrypted_log_groups_it_creates_first(stack):
    db = postgres(stack)
    assert db.inputs["enabledCloudwatchLogsExports"] == ["postgresql", "upgrade"]
    for export in ("postgresql", "upgrade"):
        group = stack.named(f"{stack.stack}-postgres-log-{export}")
        assert group.inputs["name"] == f"/aws/rds/instance/{db.inputs['identifier']}/{export}"
        assert group.inputs["kmsKeyId"] == stack.named(f"{stack.stack}-keys-logs").outputs["arn"]
        assert group.urn in db.dependencies


def test_postgres_has_enhanced_monitoring_iam_auth_and_minor_upgrades(stack):
    db = postgres(stack).inputs
    role = stack.named(f"{stack.stack}-postgres-monitoring")
    assert db["monitoringInterval"] > 0 and db["monitoringRoleArn"] == role.outputs["arn"]
    # Enhanced Monitoring's OS metrics go to RDSOSMetrics: created first, encrypted, kept a year.
    os_metrics = stack.named(f"{stack.stack}-postgres-log-os-metrics")
    assert os_metrics.inputs["name"] == "RDSOSMetrics" and os_metrics.inputs["retentionInDays"] == 365
    assert os_metrics.inputs["kmsKeyId"] == stack.named(f"{stack.stack}-keys-logs").outputs["arn"]
    assert os_metrics.urn in postgres(stack).dependencies
    assert "monitoring.rds.amazonaws.com" in role.inputs["assumeRolePolicy"]
    policy = stack.named(f"{stack.stack}-postgres-monitoring-policy").inputs["policyArn"]
    assert policy.endswith("service-role/AmazonRDSEnhancedMonitoringRole")
    assert db["iamDatabaseAuthenticationEnabled"] is True
    assert db["autoMinorVersionUpgrade"] is True and db["engine"] == "postgres"


def test_postgres_storage_is_gp3_with_an_autoscaling_ceiling(staging, prod):
    for graph, size, ceiling in ((staging, 20, 100), (prod, 100, 1000)):
        db = postgres(graph).inputs
        assert (db["storageType"], db["allocatedStorage"], db["maxAllocatedStorage"]) == ("gp3", size, ceiling)


def test_postgres_backups_and_windows_follow_the_seed(staging, prod):
    assert postgres(prod).inputs["backupRetentionPeriod"] == 35
    assert postgres(staging).inputs["backupRetentionPeriod"] == 7
    for graph in (staging, prod):
        db = postgres(graph).inputs
        assert db["maintenanceWindow"] == "tue:02:00-tue:03:00"
        assert db["backupWindow"] == "04:00-05:00"
        assert db["copyTagsToSnapshot"] is True


def test_prod_postgres_is_multi_az_and_cannot_be_destroyed_by_accident(prod):
    db = postgres(prod)
    assert db.inputs["multiAz"] is True
    assert db.inputs["deletionProtection"] is True
    assert db.inputs["skipFinalSnapshot"] is False
    assert db.inputs["finalSnapshotIdentifier"] == "platform-prod-postgres-final"
    assert db.inputs["deleteAutomatedBackups"] is False
    assert db.protect


def test_staging_postgres_is_single_az_and_disposable(staging):
    db = postgres(staging)
    assert db.inputs["multiAz"] is False
    assert db.inputs["deletionProtection"] is False and db.inputs["skipFinalSnapshot"] is True
    assert not db.protect
    assert db.inputs["instanceClass"] == "db.t4g.medium"


def test_postgres_is_tagged_for_the_backup_selection_and_lives_in_the_primary_region(stack):
    db = postgres(stack)
    assert db.inputs["tags"]["backup"] == "true"
    assert region_of(stack, db) == "us-east-1"
