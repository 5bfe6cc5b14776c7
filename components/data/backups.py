"""AWS Backup: encrypted vaults in the primary and DR regions, the DB-5 backup ladder, copies to
the DR region, compliance-mode vault lock in prod, and failed jobs routed to an alert topic
(DB-5, DB-6, OBS-4)."""

from __future__ import annotations

import json
from collections.abc import Sequence

import pulumi
import pulumi_aws as aws

from ..config.backup_schedule import (
    CONTINUOUS_SCHEDULE,
    START_WINDOW_MINUTES,
    completion_window,
    hourly_schedules,
)
from ..config.data import BackupRule, BackupSettings
from ..foundation.protection import BACKUP_TAG, Protection
from .store_context import assume_role_policy

# Backup reads and restores RDS, DocumentDB and S3 (S3 needs policies of its own).
SERVICE_POLICIES = [
    "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup",
    "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores",
    "arn:aws:iam::aws:policy/AWSBackupServiceRolePolicyForS3Backup",
    "arn:aws:iam::aws:policy/AWSBackupServiceRolePolicyForS3Restore",
]
# The resource types the plan selects by tag: Postgres, DocumentDB, the documents bucket.
BACKED_UP_TYPES = ("RDS", "DocumentDB", "S3")
# Job states that mean a recovery point is missing (EventBridge "… Job State Change" events).
FAILED_STATES = ["FAILED", "ABORTED", "EXPIRED", "PARTIAL"]
# Restore jobs report `detail.status`, not `detail.state`, and never EXPIRED or PARTIAL
# (AWS Backup: eventbridge.html, "Restore Job State Change"; RestoreJobsListMember Status).
RESTORE_FAILED_STATUSES = ["FAILED", "ABORTED"]


def failed_job_pattern() -> dict:
    """The EventBridge pattern matching backup, copy and restore jobs that didn't complete (a
    nested `$or`, as in EventBridge's content-filtering guide)."""
    return {
        "source": ["aws.backup"],
        "detail-type": ["Backup Job State Change", "Copy Job State Change", "Restore Job State Change"],
        "detail": {"$or": [{"state": FAILED_STATES}, {"status": RESTORE_FAILED_STATUSES}]},
    }


def _lifecycle(rule: BackupRule, args_type):
    cold = rule.cold_storage_after_days
    return args_type(
        delete_after=rule.retention_days,
        cold_storage_after=cold,
        # Archive where the resource type supports it; RDS, DocumentDB and S3 stay warm.
        opt_in_to_archive_for_supported_resources=True if cold else None,
    )


class Backups(pulumi.ComponentResource):
    """One plan over every resource tagged `backup=true`. Recovery points land in the primary vault
    (backup key) and, when `copy_to_dr`, are copied to a vault in the DR region (DR key). The
    hourly rung keeps clear of `maintenance_windows`, those of the databases the plan backs up."""

    vault: aws.backup.Vault
    dr_vault: aws.backup.Vault | None
    plan: aws.backup.Plan

    def __init__(
        self,
        name: str,
        settings: BackupSettings,
        *,
        vault_prefix: str,
        key: aws.kms.Key,
        dr_key: aws.kms.Key,
        dr_provider: aws.Provider,
        protection: Protection,
        maintenance_windows: Sequence[str],
        notification_topic_arn: pulumi.Input[str] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__("platform:backups:Backups", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)

        self.vault = aws.backup.Vault(
            f"{name}-vault", name=f"{vault_prefix}-backup", kms_key_arn=key.arn, opts=protection.options(self)
        )
        self.dr_vault = None
        if settings.copy_to_dr:
            self.dr_vault = aws.backup.Vault(
                f"{name}-dr-vault",
                name=f"{vault_prefix}-backup-dr",
                kms_key_arn=dr_key.arn,
                opts=protection.options(self, provider=dr_provider),
            )
        if settings.vault_lock:
            self._lock(name, self.vault, settings, None)
            if self.dr_vault is not None:
                self._lock(f"{name}-dr", self.dr_vault, settings, dr_provider)

        # A plan skips, without error, resources whose type the region hasn't opted in to, and
        # DocumentDB (among others) starts opted out (AWS Backup guide, "Service opt-in"). One
        # setting per account and region: other stacks in the account must not manage it too.
        self.region_settings = aws.backup.RegionSettings(
            f"{name}-opt-in",
            resource_type_opt_in_preference=dict.fromkeys(BACKED_UP_TYPES, True),
            opts=child,
        )
        # The hourly rung is one rule per set of weekdays sharing its hours: every hour, but those
        # whose jobs couldn't start or finish clear of the databases' maintenance windows.
        rules = [
            self._rule(rung, rule, name, schedule)
            for rung, rule in settings.rules.items()
            for name, schedule in (
                hourly_schedules(maintenance_windows).items() if rung == "hourly" else [(rung, rule.schedule)]
            )
        ]
        if settings.continuous_backup_days:
            # Point-in-time restore for Postgres; AWS Backup then owns the RDS retention, which is
            # why it matches postgres.backup_retention_days. Other types get a daily snapshot here.
            rules.append(
                aws.backup.PlanRuleArgs(
                    rule_name="continuous",
                    target_vault_name=self.vault.name,
                    schedule=CONTINUOUS_SCHEDULE,
                    enable_continuous_backup=True,
                    start_window=START_WINDOW_MINUTES,
                    completion_window=completion_window("continuous"),
                    lifecycle=aws.backup.PlanRuleLifecycleArgs(delete_after=settings.continuous_backup_days),
                    recovery_point_tags={"backup-rule": "continuous"},
                )
            )
        self.plan = aws.backup.Plan(f"{name}-plan", name=f"{vault_prefix}-data", rules=rules, opts=child)

        role = aws.iam.Role(
            f"{name}-role",
            description=f"{vault_prefix}: AWS Backup backs up and restores the data stores",
            assume_role_policy=assume_role_policy("backup.amazonaws.com"),
            opts=child,
        )
        attachments = [
            aws.iam.RolePolicyAttachment(
                f"{name}-role-{arn.rsplit('/', 1)[-1]}", role=role.name, policy_arn=arn, opts=child
            )
            for arn in SERVICE_POLICIES
        ]
        key_, value = next(iter(BACKUP_TAG.items()))
        self.selection = aws.backup.Selection(
            f"{name}-selection",
            name=f"{vault_prefix}-tagged",
            plan_id=self.plan.id,
            iam_role_arn=role.arn,
            selection_tags=[aws.backup.SelectionSelectionTagArgs(type="STRINGEQUALS", key=key_, value=value)],
            opts=pulumi.ResourceOptions(parent=self, depends_on=[*attachments, self.region_settings]),
        )
        if notification_topic_arn is not None:
            self._notify_failures(name, notification_topic_arn)

        self.register_outputs(
            {
                "vault_arn": self.vault.arn,
                "dr_vault_arn": self.dr_vault.arn if self.dr_vault else None,
                "plan_id": self.plan.id,
            }
        )

    def _rule(self, rung: str, rule: BackupRule, name: str, schedule: str | None) -> aws.backup.PlanRuleArgs:
        copies = []
        if self.dr_vault is not None:
            copies.append(
                aws.backup.PlanRuleCopyActionArgs(
                    destination_vault_arn=self.dr_vault.arn,
                    lifecycle=_lifecycle(rule, aws.backup.PlanRuleCopyActionLifecycleArgs),
                )
            )
        return aws.backup.PlanRuleArgs(
            rule_name=name,
            target_vault_name=self.vault.name,
            schedule=schedule,
            start_window=START_WINDOW_MINUTES,
            completion_window=completion_window(rung),
            lifecycle=_lifecycle(rule, aws.backup.PlanRuleLifecycleArgs),
            copy_actions=copies or None,
            recovery_point_tags={"backup-rule": rung},
        )

    def _lock(self, name: str, vault: aws.backup.Vault, settings: BackupSettings, provider: aws.Provider | None):
        """Compliance mode: once `vault_lock_grace_days` have passed the lock, and every recovery
        point's retention, can no longer be changed or deleted by anyone (DB-6)."""
        shortest, longest = settings.retention_bounds
        aws.backup.VaultLockConfiguration(
            f"{name}-lock",
            backup_vault_name=vault.name,
            changeable_for_days=settings.vault_lock_grace_days,
            min_retention_days=shortest,
            max_retention_days=longest,
            opts=pulumi.ResourceOptions(parent=self, provider=provider, protect=True),
        )

    def _notify_failures(self, name: str, topic_arn: pulumi.Input[str]) -> None:
        """OBS-4 via EventBridge: the vault notification event BACKUP_JOB_FAILED is deprecated, and
        BACKUP_JOB_COMPLETED would page on every success."""
        rule = aws.cloudwatch.EventRule(
            f"{name}-job-failed",
            description="AWS Backup backup, copy or restore job did not complete (OBS-4)",
            event_pattern=json.dumps(failed_job_pattern()),
            opts=pulumi.ResourceOptions(parent=self),
        )
        aws.cloudwatch.EventTarget(
            f"{name}-job-failed-topic", rule=rule.name, arn=topic_arn, opts=pulumi.ResourceOptions(parent=self)
        )
