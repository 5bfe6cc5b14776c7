"""Data tier settings: Postgres, DocumentDB, the cache, the documents bucket, secrets and backups.

Figures come from ../shared/hardening-checklist.md (DB-*, SEC-*) and the seed runbooks: prod keeps
35 days of point-in-time recovery, the backup ladder hourly / daily 7 d / weekly 4 w / monthly 1 y /
yearly 7 y, documents for 7 years, maintenance on Tuesday 02:00-03:00 UTC, Redis with 2 GB of memory.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, ValidationInfo, field_validator, model_validator

from .base import Section, tier_of

# Seed: "Scheduled maintenance: Tuesday 2-3 AM (UTC)".
MAINTENANCE_WINDOW = "tue:02:00-tue:03:00"
# Daily backups start after maintenance ends (RDS and DocumentDB reject overlapping windows).
BACKUP_WINDOW = "04:00-05:00"

DAILY_WINDOW = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)$")
WEEKLY_WINDOW = re.compile(
    r"^(mon|tue|wed|thu|fri|sat|sun):([01]\d|2[0-3]):([0-5]\d)-(mon|tue|wed|thu|fri|sat|sun):([01]\d|2[0-3]):([0-5]\d)$"
)
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
WEEK = 7 * 24 * 60

# DB-5: prod keeps the longest point-in-time window RDS and DocumentDB allow.
PROD_MIN_PITR_DAYS = 35
# Memory (GiB) of the ElastiCache node types this project may use; prod needs the seed's 2 GB.
CACHE_NODE_MEMORY_GIB = {
    "cache.t4g.micro": 0.5,
    "cache.t4g.small": 1.37,
    "cache.t4g.medium": 3.09,
    "cache.m7g.large": 6.38,
    "cache.m7g.xlarge": 12.94,
    "cache.m7g.2xlarge": 26.04,
    "cache.r7g.large": 13.07,
    "cache.r7g.xlarge": 26.32,
    "cache.r7g.2xlarge": 52.82,
}
PROD_MIN_CACHE_GIB = 2
# Performance Insights keeps 7 days free, or a whole number of months (31-day units) up to 2 years.
PI_RETENTION_DAYS = (7, *range(31, 732, 31))
SEVEN_YEARS_DAYS = 2557
# Database and cache logs (audit, profiler, slow queries) are kept a year in every tier (OBS-2).
DATA_LOG_RETENTION_DAYS = 365


def _minutes(hour: str, minute: str) -> int:
    return int(hour) * 60 + int(minute)


def _check_daily(window: str) -> str:
    if not DAILY_WINDOW.match(window):
        raise ValueError(f"{window!r} is not a daily UTC window like '04:00-05:00'")
    return window


def _check_weekly(window: str) -> str:
    if not WEEKLY_WINDOW.match(window):
        raise ValueError(f"{window!r} is not a weekly UTC window like 'tue:02:00-tue:03:00'")
    return window


def windows_overlap(daily: str, weekly: str) -> bool:
    """True when the daily window (every day) intersects the weekly one, wrapping around midnight."""
    daily_match, weekly_match = DAILY_WINDOW.match(daily), WEEKLY_WINDOW.match(weekly)
    if daily_match is None or weekly_match is None:
        raise ValueError(f"{daily!r} and {weekly!r} are not a daily and a weekly UTC window")
    h1, m1, h2, m2 = daily_match.groups()
    d1, wh1, wm1, d2, wh2, wm2 = weekly_match.groups()
    start = DAYS.index(d1) * 1440 + _minutes(wh1, wm1)
    end = DAYS.index(d2) * 1440 + _minutes(wh2, wm2)
    weekly_spans = [(start, end)] if end > start else [(start, WEEK), (0, end)]
    length = (_minutes(h2, m2) - _minutes(h1, m1)) % 1440
    for day in range(8):  # day 7 covers a Sunday window running past midnight
        begin = day * 1440 + _minutes(h1, m1) - 1440
        for a, b in weekly_spans:
            if begin < b and a < begin + length:
                return True
    return False


DailyWindow = Annotated[str, AfterValidator(_check_daily)]
WeeklyWindow = Annotated[str, AfterValidator(_check_weekly)]


class StoreWindows(Section):
    """When AWS may patch a store and when it takes its own daily backup (UTC)."""

    maintenance_window: WeeklyWindow = Field(
        MAINTENANCE_WINDOW,
        description="Weekly UTC window in which AWS may patch the store (seed: Tuesday 02:00-03:00).",
    )
    backup_window: DailyWindow = Field(
        BACKUP_WINDOW, description="Daily UTC window of the store's own automated backup; must not overlap maintenance."
    )

    @model_validator(mode="after")
    def _apart(self):
        if windows_overlap(self.backup_window, self.maintenance_window):
            raise ValueError(
                f"backup_window {self.backup_window} overlaps maintenance_window {self.maintenance_window} "
                "(AWS rejects overlapping windows)"
            )
        return self


def _prod_at_least(value: int, info: ValidationInfo, minimum: int, why: str) -> int:
    if tier_of(info) == "prod" and value < minimum:
        raise ValueError(f"prod needs at least {minimum} ({why}), got {value}")
    return value


class PostgresSettings(StoreWindows):
    # A major version ("16") lets auto minor upgrades move the minor without the program fighting
    # them; a full version ("16.8") pins it.
    engine_version: str = Field(
        "16",
        description="PostgreSQL version: a major (`16`) lets minor upgrades apply, a full one (`16.8`) pins it.",
    )
    instance_class: str = Field(description="RDS instance class of the Postgres instance.")
    allocated_storage_gb: int = Field(ge=20, le=65536, description="Initial Postgres storage (GiB).")
    max_allocated_storage_gb: int = Field(
        ge=20, le=65536, description="Ceiling Postgres storage autoscaling may grow to (GiB)."
    )
    multi_az: bool = Field(description="Run Postgres Multi-AZ with a standby in another zone (DB-8: required in prod).")
    backup_retention_days: int = Field(
        ge=1, le=35, description="Days of RDS automated backups, the point-in-time window (DB-5: prod 35)."
    )
    performance_insights_retention_days: int = Field(
        7, description="Days Performance Insights keeps (7, or a multiple of 31 up to 731)."
    )
    monitoring_interval_seconds: Literal[1, 5, 10, 15, 30, 60] = Field(
        60, description="Enhanced Monitoring interval in seconds."
    )
    # Seed: "response time > 500 ms" is a warning; statements slower than that are logged.
    slow_query_ms: int = Field(
        500, ge=0, description="Statements slower than this are logged (log_min_duration_statement; seed: 500 ms)."
    )

    @field_validator("engine_version")
    @classmethod
    def _version(cls, value: str) -> str:
        if not re.fullmatch(r"1[3-9](\.\d+)?", value):
            raise ValueError(f"{value!r} is not a PostgreSQL version RDS runs (13-19, like '16' or '16.8')")
        return value

    @field_validator("instance_class")
    @classmethod
    def _class(cls, value: str) -> str:
        if not re.fullmatch(r"db\.[a-z0-9]+\.[a-z0-9]+", value):
            raise ValueError(f"{value!r} is not an RDS instance class (like db.m7g.large)")
        return value

    @field_validator("multi_az")
    @classmethod
    def _ha(cls, value: bool, info: ValidationInfo) -> bool:
        if tier_of(info) == "prod" and not value:
            raise ValueError("prod runs Postgres Multi-AZ (DB-8)")
        return value

    @field_validator("backup_retention_days")
    @classmethod
    def _pitr(cls, value: int, info: ValidationInfo) -> int:
        return _prod_at_least(value, info, PROD_MIN_PITR_DAYS, "days of point-in-time recovery, DB-5")

    @field_validator("performance_insights_retention_days")
    @classmethod
    def _pi(cls, value: int) -> int:
        if value not in PI_RETENTION_DAYS:
            raise ValueError(f"{value} is not a Performance Insights retention (7, or a multiple of 31 up to 731)")
        return value

    @model_validator(mode="after")
    def _ceiling(self) -> PostgresSettings:
        if self.max_allocated_storage_gb < self.allocated_storage_gb:
            raise ValueError(
                f"max_allocated_storage_gb {self.max_allocated_storage_gb} is below "
                f"allocated_storage_gb {self.allocated_storage_gb}"
            )
        return self

    @property
    def major_version(self) -> str:
        return self.engine_version.split(".")[0]


class DocumentDbSettings(StoreWindows):
    engine_version: Literal["4.0.0", "5.0.0"] = Field("5.0.0", description="DocumentDB engine version.")
    instance_class: str = Field(pattern=r"^db\.[a-z0-9]+\.[a-z0-9]+$", description="DocumentDB instance class.")
    instances: int = Field(
        ge=1, le=16, description="DocumentDB instances (DB-8: prod >= 3, one per availability zone)."
    )
    backup_retention_days: int = Field(
        ge=1, le=35, description="Days of DocumentDB backups, the point-in-time window (DB-5: prod 35)."
    )
    # Operations slower than this reach the profiler log (DB-3).
    profiler_threshold_ms: int = Field(
        100, ge=50, le=2147483646, description="Operations slower than this reach the profiler log (DB-3)."
    )

    @field_validator("instances")
    @classmethod
    def _spread(cls, value: int, info: ValidationInfo) -> int:
        return _prod_at_least(value, info, 3, "instances, one per availability zone, DB-8")

    @field_validator("backup_retention_days")
    @classmethod
    def _pitr(cls, value: int, info: ValidationInfo) -> int:
        return _prod_at_least(value, info, PROD_MIN_PITR_DAYS, "days of point-in-time recovery, DB-5")

    @property
    def family(self) -> str:
        return f"docdb{self.engine_version.rsplit('.', 1)[0]}"


class CacheSettings(Section):
    # Valkey: the open-source (BSD) continuation of Redis OSS 7.2, protocol-compatible, cheaper per
    # node hour on ElastiCache; "redis" (Redis OSS 7.1) stays available.
    engine: Literal["valkey", "redis"] = Field(
        "valkey", description="Cache engine: `valkey` (the open-source continuation of Redis OSS) or `redis`."
    )
    engine_version: str = Field("8.0", description="Engine version (valkey 7.2, 8.0, 8.1; redis 7.0, 7.1).")
    node_type: str = Field(description="ElastiCache node type (prod needs >= 2 GB of memory, seed).")
    replicas: int = Field(ge=0, le=5, description="Read replicas (DB-8: prod >= 1, for automatic failover).")
    snapshot_retention_days: int = Field(ge=1, le=35, description="Days the cache's daily snapshots are kept.")
    snapshot_window: DailyWindow = Field(
        BACKUP_WINDOW, description="Daily UTC window of the cache's snapshot; must not overlap maintenance."
    )
    maintenance_window: WeeklyWindow = Field(
        MAINTENANCE_WINDOW, description="Weekly UTC window in which AWS may patch the cache."
    )

    @field_validator("node_type")
    @classmethod
    def _memory(cls, value: str, info: ValidationInfo) -> str:
        if value not in CACHE_NODE_MEMORY_GIB:
            raise ValueError(f"{value!r} is not a known node type (one of {', '.join(CACHE_NODE_MEMORY_GIB)})")
        memory = CACHE_NODE_MEMORY_GIB[value]
        if tier_of(info) == "prod" and memory < PROD_MIN_CACHE_GIB:
            raise ValueError(
                f"prod needs at least {PROD_MIN_CACHE_GIB} GB of cache memory (seed); {value} has {memory}"
            )
        return value

    @field_validator("replicas")
    @classmethod
    def _failover(cls, value: int, info: ValidationInfo) -> int:
        return _prod_at_least(value, info, 1, "replica for automatic failover, DB-8")

    @model_validator(mode="after")
    def _versions(self) -> CacheSettings:
        supported = {"valkey": ("7.2", "8.0", "8.1"), "redis": ("7.0", "7.1")}[self.engine]
        if self.engine_version not in supported:
            raise ValueError(f"engine_version {self.engine_version} is not a {self.engine} version ({supported})")
        if windows_overlap(self.snapshot_window, self.maintenance_window):
            raise ValueError(f"snapshot_window {self.snapshot_window} overlaps maintenance_window")
        return self

    @property
    def family(self) -> str:
        return f"{self.engine}{self.engine_version.split('.')[0]}"


class DocumentsSettings(Section):
    # Old versions of documents (overwritten or deleted) are kept this long; seed: 7 years.
    noncurrent_version_retention_days: int = Field(
        ge=1, description="Days old versions of documents are kept (DB-9: prod >= 2557, seven years)."
    )
    # S3 Replication Time Control: 99.99% of objects in the DR region within 15 minutes (RPO).
    replication_time_control: bool = Field(
        description="S3 Replication Time Control to the DR region (99.99% of objects within 15 minutes)."
    )

    @field_validator("noncurrent_version_retention_days")
    @classmethod
    def _seven_years(cls, value: int, info: ValidationInfo) -> int:
        return _prod_at_least(value, info, SEVEN_YEARS_DAYS, "days, the seed's 7-year document retention, DB-9")


BackupRuleName = Literal["hourly", "daily", "weekly", "monthly", "yearly"]
# DB-5 ladder: each rung's minimum retention in prod (hourly recovery points only bridge to the next day).
PROD_LADDER = {"hourly": 1, "daily": 7, "weekly": 28, "monthly": 365, "yearly": SEVEN_YEARS_DAYS}


class BackupRule(Section):
    # The hourly rung's hours follow from the stores' maintenance windows (config/backup_schedule.py).
    schedule: str | None = Field(
        None,
        pattern=r"^cron\(.+\)$",
        description="When the rule runs: an AWS Backup cron expression, `cron(…)`, UTC; required, except for "
        "`hourly`, which runs every hour the stores' maintenance windows allow (derived, never set).",
    )
    retention_days: int = Field(ge=1, description="Days each recovery point of this rule is kept.")
    # Cold storage applies only to resource types AWS Backup can archive; others stay warm.
    cold_storage_after_days: int | None = Field(
        None, ge=1, description="Days before recovery points move to cold storage (then kept >= 90 days there)."
    )

    @model_validator(mode="after")
    def _cold_storage_minimum(self) -> BackupRule:
        # AWS Backup: a recovery point stays in cold storage at least 90 days.
        cold = self.cold_storage_after_days
        if cold is not None and self.retention_days < cold + 90:
            raise ValueError(
                f"retention_days {self.retention_days} must be at least cold_storage_after_days + 90 ({cold + 90})"
            )
        return self


class BackupSettings(Section):
    rules: dict[BackupRuleName, BackupRule] = Field(
        description="The backup ladder: rung (hourly, daily, weekly, monthly, yearly) to its rule (DB-5)."
    )
    # AWS Backup continuous backup of Postgres (point-in-time restore, at most 35 days).
    continuous_backup_days: int | None = Field(
        None,
        ge=1,
        le=35,
        validate_default=True,
        description="Days of AWS Backup continuous backup for point-in-time restore (prod: 35).",
    )
    copy_to_dr: bool = Field(
        description="Copy every recovery point to a vault in the DR region (DB-6: required in prod)."
    )
    # Compliance-mode vault lock; after the grace period nobody, root included, can lift it.
    vault_lock: bool = Field(
        description="Compliance-mode vault lock (DB-6: required in prod); after the grace period nobody can lift it."
    )
    vault_lock_grace_days: int = Field(
        3, ge=3, description="Days the vault lock can still be changed after it is applied (>= 3)."
    )

    @field_validator("rules")
    @classmethod
    def _prod_ladder(cls, rules: dict[str, BackupRule], info: ValidationInfo) -> dict[str, BackupRule]:
        problems = []
        for rung, rule in rules.items():
            if rung == "hourly" and rule.schedule is not None:
                problems.append("hourly.schedule is derived from the stores' maintenance windows; don't set it")
            elif rung != "hourly" and rule.schedule is None:
                problems.append(f"{rung}.schedule is required")
        if tier_of(info) != "prod":
            if problems:
                raise ValueError("; ".join(problems))
            return rules
        for rung, minimum in PROD_LADDER.items():
            if rung not in rules:
                problems.append(f"prod needs the {rung} rung of the DB-5 ladder")
            elif rules[rung].retention_days < minimum:
                problems.append(f"{rung} keeps at least {minimum} days in prod, got {rules[rung].retention_days}")
        if problems:
            raise ValueError("; ".join(problems))
        return rules

    @field_validator("continuous_backup_days")
    @classmethod
    def _pitr(cls, days: int | None, info: ValidationInfo) -> int | None:
        if tier_of(info) == "prod" and (days or 0) < PROD_MIN_PITR_DAYS:
            raise ValueError(f"prod keeps {PROD_MIN_PITR_DAYS} days of point-in-time recovery (DB-5), got {days}")
        return days

    @field_validator("copy_to_dr", "vault_lock")
    @classmethod
    def _prod_dr(cls, enabled: bool, info: ValidationInfo) -> bool:
        if tier_of(info) == "prod" and not enabled:
            raise ValueError("prod copies backups to the DR region into locked vaults (DB-6)")
        return enabled

    @property
    def retention_bounds(self) -> tuple[int, int]:
        """Shortest and longest retention of any recovery point: the vault lock's limits."""
        days = [r.retention_days for r in self.rules.values()]
        if self.continuous_backup_days:
            days.append(self.continuous_backup_days)
        return min(days), max(days)


class SecretsSettings(Section):
    # SEC-2 emergency path: a new date regenerates every Pulumi-generated secret on the next
    # `pulumi up` (docs/data-and-recovery.md, "Emergency rotation"); None until then.
    rotated_on: date | None = Field(
        None,
        description="SEC-2 emergency path: a new date regenerates every generated secret on the next `pulumi up`.",
    )
    # Rotation period: RDS rotates its master password on it, the rotation function the others.
    rotation_days: int = Field(
        90,
        ge=1,
        le=90,
        description="Rotation period in days (SEC-2: <= 90) for RDS's and the rotation function's schedules.",
    )
