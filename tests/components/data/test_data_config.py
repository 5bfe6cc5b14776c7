"""Data tier config: prod's DB-5..DB-8 floors are enforced, naming the key, before any resource."""

from __future__ import annotations

import pytest

from components.config import load_settings
from components.config.data import windows_overlap
from tests.components.test_config import PROD, problems, with_


@pytest.mark.parametrize(
    ("path", "value", "expected"),
    [
        ("postgres.backup_retention_days", 7, "postgres.backup_retention_days: prod needs at least 35"),
        ("postgres.multi_az", False, "postgres.multi_az: prod runs Postgres Multi-AZ (DB-8)"),
        ("postgres.max_allocated_storage_gb", 50, "postgres: max_allocated_storage_gb 50 is below"),
        ("postgres.engine_version", "9.6", "postgres.engine_version: '9.6' is not a PostgreSQL version"),
        ("postgres.backup_window", "02:30-03:30", "postgres: backup_window 02:30-03:30 overlaps maintenance_window"),
        ("postgres.maintenance_window", "tuesday 2am", "postgres.maintenance_window: 'tuesday 2am' is not a weekly"),
        ("docdb.instances", 2, "docdb.instances: prod needs at least 3"),
        ("docdb.backup_retention_days", 7, "docdb.backup_retention_days: prod needs at least 35"),
        ("cache.replicas", 0, "cache.replicas: prod needs at least 1"),
        ("cache.node_type", "cache.t4g.small", "cache.node_type: prod needs at least 2 GB"),
        ("cache.node_type", "cache.x9.huge", "cache.node_type: 'cache.x9.huge' is not a known node type"),
        ("cache.engine_version", "6.2", "cache: engine_version 6.2 is not a valkey version"),
        ("documents.noncurrent_version_retention_days", 30, "documents.noncurrent_version_retention_days: prod"),
        ("backup.rules.yearly.retention_days", 365, "backup.rules: yearly keeps at least 2557 days in prod"),
        ("backup.rules.yearly.cold_storage_after_days", 2500, "backup.rules.yearly: retention_days 2557 must be"),
        ("backup.continuous_backup_days", None, "backup.continuous_backup_days: prod keeps 35 days"),
        ("backup.rules.hourly.schedule", "cron(0 * ? * * *)", "backup.rules: hourly.schedule is derived from the"),
        ("backup.rules.daily.schedule", None, "backup.rules: daily.schedule is required"),
        # AWS Backup starts no database backup in the hour before maintenance: the job would expire.
        (
            "backup.rules.daily.schedule",
            "cron(0 1 ? * * *)",
            "config: backup.rules.daily.schedule: the job at tue 01:00 (cron(0 1 ? * * *)) can't start within 60 min "
            "(none starts an hour before or during tue:02:00-tue:03:00)",
        ),
        # A job scheduled at 22:00 may run until 06:00 (480 min), into maintenance.
        (
            "backup.rules.weekly.schedule",
            "cron(0 22 ? * MON *)",
            "config: backup.rules.weekly.schedule: the job at mon 22:00 (cron(0 22 ? * MON *)) may still run (480 min "
            "allowed) when tue:02:00-tue:03:00 begins",
        ),
        (
            "backup.rules.weekly.schedule",
            "cron(0 6 ? * 2#1 *)",
            "config: backup.rules.weekly.schedule: cron(0 6 ? * 2#1",
        ),
        ("backup.copy_to_dr", False, "backup.copy_to_dr: prod copies backups to the DR region"),
        ("backup.vault_lock", False, "backup.vault_lock: prod copies backups to the DR region into locked vaults"),
        ("backup.vault_lock_grace_days", 1, "backup.vault_lock_grace_days: Input should be greater than or equal to 3"),
        ("secrets.rotation_days", 120, "secrets.rotation_days: Input should be less than or equal to 90"),
    ],
)
def test_bad_data_tier_config_is_reported_by_key(path, value, expected):
    (problem,) = problems(with_(PROD, path, value))
    assert problem.startswith(expected), problem


def test_staging_may_run_the_cheaper_shape():
    staging = with_(with_(PROD, "tier", "staging"), "network.nat_gateways", "single")
    settings = load_settings(staging, project="platform", stack="staging")
    assert settings.docdb.instances == 1 and settings.cache.replicas == 0 and not settings.postgres.multi_az
    assert list(settings.backup.rules) == ["daily"] and not settings.backup.vault_lock


def test_prod_vault_lock_bounds_span_every_rule():
    settings = load_settings(PROD, project="platform", stack="prod")
    assert settings.backup.retention_bounds == (2, 2557)


@pytest.mark.parametrize(
    ("daily", "weekly", "overlap"),
    [
        ("04:00-05:00", "tue:02:00-tue:03:00", False),
        ("02:30-03:30", "tue:02:00-tue:03:00", True),
        ("23:30-00:30", "mon:00:00-mon:01:00", True),
        ("23:00-23:30", "sun:23:45-mon:00:15", False),
    ],
)
def test_window_overlap_wraps_around_midnight_and_the_week(daily, weekly, overlap):
    assert windows_overlap(daily, weekly) is overlap


def test_rds_backup_retention_has_one_figure_when_aws_backup_owns_it():
    staging = with_(with_(PROD, "tier", "staging"), "network.nat_gateways", "single")
    found = problems(with_(with_(staging, "backup.continuous_backup_days", 14), "postgres.backup_retention_days", 7))
    assert found == [
        "config: backup.continuous_backup_days 14 must equal postgres.backup_retention_days 7: AWS Backup sets the RDS "
        "retention to it"
    ]
    assert not problems_or_none(
        with_(with_(staging, "backup.continuous_backup_days", 7), "postgres.backup_retention_days", 7)
    )


def problems_or_none(raw: dict) -> list[str]:
    try:
        load_settings(raw, project="platform", stack=raw["tier"])
    except Exception as error:
        return [str(error)]
    return []


def test_moving_a_maintenance_window_onto_the_backup_rungs_is_refused_for_each():
    found = problems(with_(PROD, "docdb.maintenance_window", "sun:07:00-sun:07:30"))
    (problem,) = found
    keys = [part.removeprefix("config: ").split(":")[0] for part in problem.split("; ")]
    assert keys == [
        "backup.rules.daily.schedule",
        "backup.rules.weekly.schedule",
        "backup.rules.monthly.schedule",
        "backup.rules.yearly.schedule",
        "backup.continuous_backup_days",
    ]
    settings = load_settings(PROD, project="platform", stack="prod")
    assert settings.maintenance_windows == ["tue:02:00-tue:03:00"]
