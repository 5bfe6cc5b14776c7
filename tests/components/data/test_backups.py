"""AWS Backup (DB-5, DB-6, OBS-4): the ladder, PITR, DR copies, vault lock, failure alerts."""

from __future__ import annotations

import json

import pulumi
import pulumi_aws as aws
import pytest

from components.config.backup_schedule import hourly_schedules
from components.config.data import BackupSettings
from components.data.backups import Backups
from components.foundation.protection import Protection
from pulumi_offline.program import run
from tests.graph import event_matches, region_of

DAY = {"hourly": 1, "daily": 7, "weekly": 28, "monthly": 365, "yearly": 2557}
BACKUP_SUPPORTED = ("aws:rds/instance:Instance", "aws:docdb/cluster:Cluster", "aws:s3/bucket:Bucket")


def plan_rules(graph):
    return {r["ruleName"]: r for r in graph.named(f"{graph.stack}-backups-plan").inputs["rules"]}


def test_prod_plan_has_the_full_ladder_with_seed_retention(prod):
    rules = plan_rules(prod)
    assert set(rules) == {*DAY, "hourly-tue", "continuous"}
    for rung, days in DAY.items():
        assert rules[rung]["lifecycle"]["deleteAfter"] >= days, rung
    assert rules["yearly"]["lifecycle"]["deleteAfter"] == 2557


def test_prod_hourly_rung_skips_only_the_hours_around_tuesday_maintenance(prod):
    # Maintenance Tuesday 02:00-03:00: AWS Backup starts no database backup from 01:00 until it ends.
    rules = plan_rules(prod)
    assert rules["hourly"]["schedule"] == "cron(0 * ? * SUN-MON,WED-SAT *)"
    assert rules["hourly-tue"]["schedule"] == "cron(0 0,3-23 ? * TUE *)"
    for name in ("hourly", "hourly-tue"):
        assert rules[name]["recoveryPointTags"] == {"backup-rule": "hourly"}
        assert rules[name]["lifecycle"] == rules["hourly"]["lifecycle"]
        assert rules[name]["copyActions"] == rules["hourly"]["copyActions"]
        # The 00:00 job must be done by 02:00, when maintenance begins.
        assert (rules[name]["startWindow"], rules[name]["completionWindow"]) == (60, 120)


def test_every_rule_may_complete_an_hour_after_its_start_window(prod):
    # AWS Backup refuses a completion window less than 60 minutes longer than the start window.
    for name, rule in plan_rules(prod).items():
        assert rule["completionWindow"] >= rule["startWindow"] + 60 >= 120, name


@pytest.mark.parametrize(
    ("windows", "expected"),
    [
        ([], {"hourly": "cron(0 * ? * * *)"}),
        (
            ["tue:02:00-tue:03:00"],
            {"hourly": "cron(0 * ? * SUN-MON,WED-SAT *)", "hourly-tue": "cron(0 0,3-23 ? * TUE *)"},
        ),
        # Across midnight and the week's end: Sunday's jobs stop at 21:00 (22:00 would start in the hour before).
        (
            ["sun:23:30-mon:00:30"],
            {
                "hourly-mon": "cron(0 1-23 ? * MON *)",
                "hourly": "cron(0 * ? * TUE-SAT *)",
                "hourly-sun": "cron(0 0-21 ? * SUN *)",
            },
        ),
        # Two stores, two days.
        (
            ["tue:02:00-tue:03:00", "thu:10:00-thu:10:30"],
            {
                "hourly": "cron(0 * ? * SUN-MON,WED,FRI-SAT *)",
                "hourly-tue": "cron(0 0,3-23 ? * TUE *)",
                "hourly-thu": "cron(0 0-8,11-23 ? * THU *)",
            },
        ),
    ],
)
def test_hourly_rules_are_derived_from_the_maintenance_windows(windows, expected):
    assert hourly_schedules(windows) == expected


def test_yearly_backups_go_to_cold_storage_where_supported(prod):
    lifecycle = plan_rules(prod)["yearly"]["lifecycle"]
    assert lifecycle["coldStorageAfter"] == 90
    assert lifecycle["optInToArchiveForSupportedResources"] is True
    assert lifecycle["deleteAfter"] >= lifecycle["coldStorageAfter"] + 90


def test_prod_postgres_gets_35_days_of_continuous_point_in_time_backup(prod):
    continuous = plan_rules(prod)["continuous"]
    assert continuous["enableContinuousBackup"] is True
    assert continuous["lifecycle"]["deleteAfter"] == 35


def test_prod_copies_every_rung_to_the_dr_vault_with_the_same_retention(prod):
    dr_vault = prod.named("prod-backups-dr-vault")
    for rung in DAY:
        rule = plan_rules(prod)[rung]
        (copy,) = rule["copyActions"]
        assert copy["destinationVaultArn"] == dr_vault.outputs["arn"]
        assert copy["lifecycle"]["deleteAfter"] == rule["lifecycle"]["deleteAfter"]


def test_vaults_are_encrypted_with_their_regions_backup_keys(stack):
    vault = stack.named(f"{stack.stack}-backups-vault")
    assert vault.inputs["kmsKeyArn"] == stack.named(f"{stack.stack}-keys-backup").outputs["arn"]
    assert region_of(stack, vault) == "us-east-1"


def test_dr_vault_lives_in_the_dr_region_under_the_dr_key(prod):
    vault = prod.named("prod-backups-dr-vault")
    assert region_of(prod, vault) == "us-west-2"
    assert vault.inputs["kmsKeyArn"] == prod.named("prod-keys-dr").outputs["arn"]


def test_prod_vaults_are_locked_in_compliance_mode_around_every_retention(prod):
    locks = prod.of_type("aws:backup/vaultLockConfiguration:VaultLockConfiguration")
    assert {region_of(prod, lock) for lock in locks} == {"us-east-1", "us-west-2"}
    for lock in locks:
        assert lock.inputs["changeableForDays"] >= 3  # set: compliance mode, not governance
        assert lock.inputs["minRetentionDays"] <= min(DAY.values()) + 1
        assert lock.inputs["maxRetentionDays"] >= 2557
        assert lock.protect


def test_prod_vaults_and_plan_are_protected(prod):
    assert prod.named("prod-backups-vault").protect and prod.named("prod-backups-dr-vault").protect


def test_staging_backs_up_daily_for_a_week_without_copies_or_lock(staging):
    rules = plan_rules(staging)
    assert set(rules) == {"daily"}
    assert rules["daily"]["lifecycle"]["deleteAfter"] == 7
    assert "copyActions" not in rules["daily"]
    assert staging.of_type("aws:backup/vaultLockConfiguration:VaultLockConfiguration") == []
    assert [v.name for v in staging.of_type("aws:backup/vault:Vault")] == ["staging-backups-vault"]


def test_selection_by_tag_covers_every_backup_supported_store(stack):
    selection = stack.named(f"{stack.stack}-backups-selection").inputs
    assert selection["selectionTags"] == [{"type": "STRINGEQUALS", "key": "backup", "value": "true"}]
    # The DR replica is itself the copy; edge logs and CDN assets are rebuilt, not restored.
    rebuilt = ("documents-replica", "edge-logs", "cdn-assets")
    stores = [r for r in stack.of_type(*BACKUP_SUPPORTED) if not any(label in r.name for label in rebuilt)]
    assert len(stores) == 3
    assert all((r.inputs.get("tags") or {}).get("backup") == "true" for r in stores), stores


def test_backup_role_can_back_up_and_restore_databases_and_s3(stack):
    role = stack.named(f"{stack.stack}-backups-role")
    assert "backup.amazonaws.com" in role.inputs["assumeRolePolicy"]
    attached = {
        r.inputs["policyArn"].rsplit("/", 1)[-1]
        for r in stack.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
        if r.inputs["role"] == role.outputs["name"]
    }
    assert attached == {
        "AWSBackupServiceRolePolicyForBackup",
        "AWSBackupServiceRolePolicyForRestores",
        "AWSBackupServiceRolePolicyForS3Backup",
        "AWSBackupServiceRolePolicyForS3Restore",
    }


@pytest.fixture(scope="module")
def with_topic():
    """Backups built on their own, given an alert topic (the Environment wires the critical topic)."""
    settings = BackupSettings(
        rules={"daily": {"schedule": "cron(0 6 ? * * *)", "retention_days": 7}}, copy_to_dr=False, vault_lock=False
    )

    def program():
        dr = aws.Provider("dr", region="us-west-2")
        Backups(
            "b",
            settings,
            vault_prefix="t",
            key=aws.kms.Key("backup"),
            dr_key=aws.kms.Key("dr", opts=pulumi.ResourceOptions(provider=dr)),
            dr_provider=dr,
            protection=Protection(False),
            maintenance_windows=[],
            notification_topic_arn="arn:aws:sns:us-east-1:123456789012:critical",
        )

    return run(program)


def test_failed_backup_copy_and_restore_jobs_notify_the_topic(with_topic):
    rule = with_topic.named("b-job-failed")
    pattern = json.loads(rule.inputs["eventPattern"])

    def event(kind: str, **detail: str) -> dict:
        return {"source": "aws.backup", "detail-type": f"{kind} Job State Change", "detail": detail}

    # Backup and copy jobs report `state` (AWS Backup's EventBridge events) ...
    for kind in ("Backup", "Copy"):
        for state in ("FAILED", "ABORTED", "EXPIRED", "PARTIAL"):
            assert event_matches(pattern, event(kind, state=state)), (kind, state)
        assert not event_matches(pattern, event(kind, state="COMPLETED"))
    # ... restore jobs `status`.
    for status in ("FAILED", "ABORTED"):
        assert event_matches(pattern, event("Restore", status=status))
    assert not event_matches(pattern, event("Restore", status="COMPLETED"))
    assert not event_matches(pattern, {**event("Backup", state="FAILED"), "source": "aws.ec2"})
    target = with_topic.named("b-job-failed-topic").inputs
    assert target["arn"] == "arn:aws:sns:us-east-1:123456789012:critical"
    assert target["rule"] == rule.outputs["name"]


def test_failed_backups_in_the_stacks_notify_the_critical_route(stack):
    route = "critical" if stack.stack == "prod" else "warning"  # staging's critical alarms don't page
    topic = stack.named(f"{stack.stack}-alerts-{route}").outputs["arn"]
    target = stack.named(f"{stack.stack}-backups-job-failed-topic").inputs
    assert target["arn"] == topic


def test_the_region_is_opted_in_to_every_type_the_plan_selects(stack):
    # DocumentDB starts opted out: without this its backups would be skipped without an error.
    opt_in = stack.named(f"{stack.stack}-backups-opt-in")
    assert opt_in.inputs["resourceTypeOptInPreference"] == {"RDS": True, "DocumentDB": True, "S3": True}
    assert region_of(stack, opt_in) in (None, "us-east-1")  # the plan's region, not the DR one
    tagged = {
        r.type
        for r in stack
        if r.custom and isinstance(tags := r.inputs.get("tags"), dict) and tags.get("backup") == "true"
    }
    assert tagged == {"aws:rds/instance:Instance", "aws:docdb/cluster:Cluster", "aws:s3/bucket:Bucket"}
    assert opt_in.urn in stack.named(f"{stack.stack}-backups-selection").dependencies
