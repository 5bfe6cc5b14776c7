"""Backup policies: selection by resource/tag/condition (provider default tags count), schedule,
retention, cross-region copies, vault encryption and lock, failure notifications."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws
import pytest
from conftest import DR_REGION, OWNERSHIP_TAGS, Case, assert_case, on, provider

KEY = "arn:aws:kms:eu-west-1:123456789012:key/1"
HOURLY = "cron(0 * ? * * *)"


def _rule(schedule=HOURLY, delete_after=2555, continuous=True, copy_to=None):
    rule = {
        "rule_name": "hourly",
        "target_vault_name": "vault",
        "schedule": schedule,
        "enable_continuous_backup": continuous,
        "lifecycle": {"delete_after": delete_after},
    }
    if copy_to is not None:
        rule["copy_actions"] = [{"destination_vault_arn": copy_to, "lifecycle": {"delete_after": delete_after}}]
    return rule


def _plan(**rule):
    return _schedules(rule.pop("schedule", HOURLY), **rule)


# The hourly rung around Tuesday 02:00-03:00 maintenance: no job from 01:00 (AWS Backup starts no
# database backup in the hour before a maintenance window) until maintenance ends.
SIX_DAYS = "cron(0 * ? * SUN-MON,WED-SAT *)"
AROUND_MAINTENANCE = "cron(0 0,3-23 ? * TUE *)"


def _schedules(*schedules: str, **rule):
    """A plan with one rule per schedule (the first named `hourly`)."""

    def program() -> None:
        rules = [
            {**_rule(schedule, **rule), "rule_name": f"r{i}" if i else "hourly"} for i, schedule in enumerate(schedules)
        ]
        aws.backup.Plan("plan", rules=rules)

    return program


FREQUENCY = "backup-plan-frequency"


def _selected_by_tags(default_tags: dict, *, selector="tags"):
    def program():
        primary = provider(tags={**OWNERSHIP_TAGS, **default_tags})
        aws.rds.Instance(
            "db", engine="postgres", instance_class="db.t4g.medium", allocated_storage=20, opts=on(primary)
        )
        plan = aws.backup.Plan("plan", rules=[_rule()], opts=on(primary))
        if selector == "tags":
            aws.backup.Selection(
                "plan-datastores",
                plan_id=plan.id,
                iam_role_arn="arn:aws:iam::1:role/backup",
                selection_tags=[{"type": "STRINGEQUALS", "key": "backup", "value": "true"}],
                opts=on(primary),
            )
        else:
            aws.backup.Selection(
                "plan-datastores",
                plan_id=plan.id,
                iam_role_arn="arn:aws:iam::1:role/backup",
                resources=["*"],
                conditions=[{"string_equals": [{"key": "aws:ResourceTag/backup", "value": "true"}]}],
                opts=on(primary),
            )

    return program


def _selected_by_arn(listed: bool):
    def program():
        db = aws.rds.Instance("db", engine="postgres", instance_class="db.t4g.medium", allocated_storage=20)
        cache = aws.docdb.Cluster("docs", master_username="app", manage_master_user_password=True)
        plan = aws.backup.Plan("plan", rules=[_rule()])
        aws.backup.Selection(
            "plan-datastores",
            plan_id=plan.id,
            iam_role_arn="arn:aws:iam::1:role/backup",
            resources=[db.arn, cache.arn] if listed else [db.arn],
        )

    return program


def _copied(dr_region: str):
    def program():
        primary, dr = provider(), provider("dr", region=dr_region)
        target = aws.backup.Vault("dr-vault", kms_key_arn=KEY, opts=on(dr))
        aws.backup.Plan("plan", rules=[_rule(continuous=False, copy_to=target.arn)], opts=on(primary))

    return program


def _locked(mode: str | None):
    def program():
        vault = aws.backup.Vault("vault", kms_key_arn=KEY)
        if mode:
            extra = {"changeable_for_days": 3} if mode == "compliance" else {}
            aws.backup.VaultLockConfiguration(
                "vault-lock", backup_vault_name=vault.name, min_retention_days=7, max_retention_days=2555, **extra
            )

    return program


def _notified(how: str | None):
    def program():
        vault = aws.backup.Vault("vault", kms_key_arn=KEY)
        aws.backup.Plan("plan", rules=[_rule()])
        if how == "vault":
            aws.backup.VaultNotifications(
                "vault-events",
                backup_vault_name=vault.name,
                sns_topic_arn="arn:aws:sns:x",
                backup_vault_events=["BACKUP_JOB_COMPLETED", "COPY_JOB_FAILED"],
            )
        elif how == "deprecated-event":
            aws.backup.VaultNotifications(
                "vault-events",
                backup_vault_name=vault.name,
                sns_topic_arn="arn:aws:sns:x",
                backup_vault_events=["BACKUP_JOB_FAILED"],
            )
        elif how in ("either", "restore-only"):
            # EventBridge `$or`: backup and copy jobs report detail.state, restore jobs detail.status.
            alternatives = [{"status": ["FAILED"]}] + ([] if how == "restore-only" else [{"state": ["FAILED"]}])
            pattern = {"source": ["aws.backup"], "detail": {"$or": alternatives}}
            rule = aws.cloudwatch.EventRule("backup-failed", event_pattern=pulumi.Output.json_dumps(pattern))
            aws.cloudwatch.EventTarget("backup-failed-topic", rule=rule.name, arn="arn:aws:sns:x")
        elif how in ("events", "untargeted", "restore-status"):
            restore = how == "restore-status"
            rule = aws.cloudwatch.EventRule(
                "backup-failed",
                event_pattern=pulumi.Output.json_dumps(
                    {
                        "source": ["aws.backup"],
                        "detail-type": ["Restore Job State Change" if restore else "Backup Job State Change"],
                        "detail": {"status" if restore else "state": ["FAILED"]},
                    }
                ),
            )
            if how != "untargeted":
                aws.cloudwatch.EventTarget("backup-failed-topic", rule=rule.name, arn="arn:aws:sns:x")

    return program


CASES = [
    Case("backup-datastores-selected", _selected_by_tags({}), _selected_by_tags({"backup": "true"}), "not selected"),
    Case(
        "backup-datastores-selected",
        _selected_by_tags({"backup": "no"}, selector="conditions"),
        _selected_by_tags({"backup": "true"}, selector="conditions"),
        "'db'",
    ),
    Case("backup-datastores-selected", _selected_by_arn(False), _selected_by_arn(True), "'docs'"),
    Case(FREQUENCY, _plan(schedule="cron(0 5 ? * * *)"), _plan(), "backups are 24 h apart after Sunday 05:00 UTC"),
    # The gap is measured over the union of the rules: the six days alone leave Tuesday uncovered.
    Case(FREQUENCY, _schedules(SIX_DAYS), _schedules(SIX_DAYS, AROUND_MAINTENANCE), "25 h apart after Monday 23:00"),
    # Skipping more than the maintenance window needs, or skipping hours every day.
    Case(
        FREQUENCY,
        _schedules(SIX_DAYS, "cron(0 0,5-23 ? * TUE *)"),
        _schedules(SIX_DAYS, AROUND_MAINTENANCE),
        "backups are 5 h apart after Tuesday 00:00 UTC, and 1 gap(s) a week exceed 1 h",
    ),
    Case(FREQUENCY, _plan(schedule="cron(0 0,1,3,5-23 ? * * *)"), _plan(), "and 14 gap(s) a week exceed 1 h"),
    Case(FREQUENCY, _plan(schedule="cron(0 6 1 * ? *)"), _plan(), "no rule runs every week"),
    Case("backup-plan-continuous-backup", _plan(continuous=False), _plan(), "enable_continuous_backup"),
    Case("backup-plan-retention", _plan(delete_after=35), _plan(), "keeps 35 days"),
    Case("backup-plan-cross-region-copy", _copied("eu-west-1"), _copied(DR_REGION), "copies no recovery point"),
    Case(
        "backup-vault-encrypted-cmk",
        lambda: aws.backup.Vault("vault"),
        lambda: aws.backup.Vault("vault", kms_key_arn=KEY),
        "kmsKeyArn",
    ),
    Case("backup-vault-locked", _locked(None), _locked("governance"), "no vault lock"),
    Case(
        "backup-vault-locked",
        _locked("governance"),
        _locked("compliance"),
        "governance mode",
        config={"backup-vault-locked": {"complianceMode": True}},
    ),
    Case("backup-job-failures-notified", _notified(None), _notified("vault"), "failed backup jobs"),
    Case("backup-job-failures-notified", _notified(None), _notified("events"), "failed backup jobs"),
    Case("backup-job-failures-notified", _notified("untargeted"), _notified("events"), "failed backup jobs"),
    Case("backup-job-failures-notified", _notified("restore-status"), _notified("events"), "failed backup jobs"),
    Case("backup-job-failures-notified", _notified("deprecated-event"), _notified("vault"), "failed backup jobs"),
    Case("backup-job-failures-notified", _notified("restore-only"), _notified("either"), "failed backup jobs"),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_policy_flags_violation_and_passes_compliant(pack, case):
    assert_case(pack, case)


def test_staging_may_relax_schedule_and_retention(pack):
    config = {
        "backup-plan-frequency": {"maxIntervalHours": 24},
        "backup-plan-retention": {"minLongestRetentionDays": 7},
    }
    program = _plan(schedule="cron(0 5 ? * * *)", delete_after=7)
    assert pack.violations("backup-plan-frequency", program, config) == []
    assert pack.violations("backup-plan-retention", program, config) == []


def test_frequency_allows_as_many_maintenance_gaps_as_configured(pack):
    two_windows = _schedules("cron(0 * ? * SUN-MON,WED,FRI-SAT *)", AROUND_MAINTENANCE, "cron(0 0,3-23 ? * THU *)")
    (message,) = pack.violations(FREQUENCY, two_windows)
    assert message.splitlines()[-1] == (
        "backups are 3 h apart after Thursday 00:00 UTC, and 2 gap(s) a week exceed 1 h; backups must run at least "
        "every 1 h, but for 1 gap(s) of up to 3 h a week (maintenance windows)"
    )
    assert pack.violations(FREQUENCY, two_windows, {FREQUENCY: {"maintenanceGapsPerWeek": 2}}) == []
    assert pack.violations(
        FREQUENCY, _schedules(SIX_DAYS, AROUND_MAINTENANCE), {FREQUENCY: {"maxMaintenanceGapHours": 2}}
    )


def test_frequency_reads_each_rule_in_its_own_timezone(pack):
    def plan(zones: tuple[str, str]):
        def program() -> None:
            rules = [
                {**_rule(schedule), "rule_name": f"r{i}", "schedule_expression_timezone": zone}
                for i, (schedule, zone) in enumerate(zip((SIX_DAYS, AROUND_MAINTENANCE), zones, strict=True))
            ]
            aws.backup.Plan("plan", rules=rules)

        return program

    # Tokyo's Tuesday is Monday 15:00 to Tuesday 15:00 UTC: the UTC rule leaves Tuesday afternoon bare.
    (message,) = pack.violations(FREQUENCY, plan(("Etc/UTC", "Asia/Tokyo")))
    assert "backups are 10 h apart after Tuesday 14:00 UTC" in message
    assert pack.violations(FREQUENCY, plan(("Asia/Tokyo", "Asia/Tokyo"))) == []
    # London is UTC in winter and an hour ahead in summer: Tuesday's rule then leaves 22:00-00:00 UTC bare too.
    (summer,) = pack.violations(FREQUENCY, plan(("Etc/UTC", "Europe/London")))
    assert "backups are 3 h apart after Monday 23:00 UTC (in summer time), and 2 gap(s) a week exceed 1 h" in summer
    assert pack.violations(FREQUENCY, plan(("Europe/London", "Europe/London"))) == []
