"""Postgres on RDS: encrypted, private, TLS-only, audited and recoverable (DB-1..DB-8)."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from ..config.data import PostgresSettings
from ..foundation.log_groups import encrypted_log_group
from ..foundation.protection import BACKUP_TAG
from .store_context import StoreContext, assume_role_policy

LOG_EXPORTS = ["postgresql", "upgrade"]
MASTER_USERNAME = "alawael_admin"
DATABASE = "alawael"
OS_METRICS_LOG_GROUP = "RDSOSMetrics"
ENHANCED_MONITORING_POLICY = "arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole"


class Postgres(pulumi.ComponentResource):
    """One RDS PostgreSQL instance (Multi-AZ in prod) in the isolated data subnets. RDS keeps the
    master password in Secrets Manager under the data key and rotates it itself (SEC-2);
    applications may also sign in with IAM database authentication."""

    instance: aws.rds.Instance
    master_secret_arn: pulumi.Output[str]

    def __init__(
        self,
        name: str,
        settings: PostgresSettings,
        *,
        identifier: str,
        security_group_id: pulumi.Input[str],
        context: StoreContext,
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__("platform:postgres:Postgres", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        key, protection = context.key, context.protection

        subnet_group = aws.rds.SubnetGroup(
            f"{name}-subnets",
            description=f"{identifier}: isolated data subnets",
            subnet_ids=context.subnet_ids,
            opts=child,
        )
        parameters = aws.rds.ParameterGroup(
            f"{name}-params",
            family=f"postgres{settings.major_version}",
            description=f"{identifier}: TLS only, slow-query and connection logging",
            parameters=[
                # DB-1: refuse every connection that isn't TLS.
                aws.rds.ParameterGroupParameterArgs(name="rds.force_ssl", value="1", apply_method="pending-reboot"),
                aws.rds.ParameterGroupParameterArgs(
                    name="log_min_duration_statement", value=str(settings.slow_query_ms), apply_method="immediate"
                ),
                aws.rds.ParameterGroupParameterArgs(name="log_connections", value="1", apply_method="immediate"),
                aws.rds.ParameterGroupParameterArgs(name="log_disconnections", value="1", apply_method="immediate"),
            ],
            opts=child,
        )
        log_groups = context.log_groups(name, f"/aws/rds/instance/{identifier}", LOG_EXPORTS, self)
        # Enhanced Monitoring writes into RDSOSMetrics, one group per account and region that RDS
        # would otherwise create unencrypted and keep forever (RDS guide, "Enhanced Monitoring").
        # An account that has it already: `pulumi import` it (docs/data-and-recovery.md).
        log_groups.append(
            encrypted_log_group(
                f"{name}-log-os-metrics", OS_METRICS_LOG_GROUP, context.log_retention_days, context.logs_key, self
            )
        )
        monitoring_role = aws.iam.Role(
            f"{name}-monitoring",
            description=f"{identifier}: RDS enhanced monitoring publishes OS metrics",
            assume_role_policy=assume_role_policy("monitoring.rds.amazonaws.com"),
            opts=child,
        )
        monitoring_policy = aws.iam.RolePolicyAttachment(
            f"{name}-monitoring-policy", role=monitoring_role.name, policy_arn=ENHANCED_MONITORING_POLICY, opts=child
        )

        self.instance = aws.rds.Instance(
            f"{name}-instance",
            identifier=identifier,
            engine="postgres",
            engine_version=settings.engine_version,
            auto_minor_version_upgrade=True,
            allow_major_version_upgrade=False,
            instance_class=settings.instance_class,
            storage_type="gp3",
            allocated_storage=settings.allocated_storage_gb,
            max_allocated_storage=settings.max_allocated_storage_gb,
            storage_encrypted=True,
            kms_key_id=key.arn,
            db_name=DATABASE,
            port=5432,
            username=MASTER_USERNAME,
            manage_master_user_password=True,
            master_user_secret_kms_key_id=key.arn,
            iam_database_authentication_enabled=True,
            parameter_group_name=parameters.name,
            db_subnet_group_name=subnet_group.name,
            vpc_security_group_ids=[security_group_id],
            publicly_accessible=False,
            multi_az=settings.multi_az,
            backup_retention_period=settings.backup_retention_days,
            backup_window=settings.backup_window,
            maintenance_window=settings.maintenance_window,
            copy_tags_to_snapshot=True,
            # Automated backups outlive the instance, so a deleted database can still be restored.
            delete_automated_backups=not protection.enabled,
            enabled_cloudwatch_logs_exports=LOG_EXPORTS,
            performance_insights_enabled=True,
            performance_insights_kms_key_id=key.arn,
            performance_insights_retention_period=settings.performance_insights_retention_days,
            monitoring_interval=settings.monitoring_interval_seconds,
            monitoring_role_arn=monitoring_role.arn,
            apply_immediately=False,
            tags={"Name": identifier, **BACKUP_TAG},
            **protection.snapshot_on_delete(f"{identifier}-final"),
            opts=protection.options(self, depends_on=[*log_groups, monitoring_policy]),
        )
        # The SDK types the ARN optional; RDS always reports it for the secret it manages.
        self.master_secret_arn = self.instance.master_user_secrets.apply(lambda secrets: secrets[0].secret_arn)  # pyright: ignore[reportAttributeAccessIssue]
        # The RDS-managed secret rotates without a Lambda; this sets its period (default 7 days).
        aws.secretsmanager.SecretRotation(
            f"{name}-master-rotation",
            secret_id=self.master_secret_arn,
            rotation_rules=aws.secretsmanager.SecretRotationRotationRulesArgs(
                automatically_after_days=context.secrets.rotation_days
            ),
            rotate_immediately=False,
            opts=child,
        )

        self.endpoint = self.instance.endpoint
        self.address = self.instance.address
        self.register_outputs(
            {"endpoint": self.endpoint, "address": self.address, "master_secret_arn": self.master_secret_arn}
        )
