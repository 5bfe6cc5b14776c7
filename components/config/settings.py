"""The root of the settings tree: one validated object for the whole environment."""

from __future__ import annotations

import re

from pydantic import Field, SecretStr, ValidationInfo, field_validator, model_validator

from . import backup_schedule as schedule
from .alarms import AlarmSettings
from .base import Section, Tier, tier_of
from .compute import COLORS, ComputeSettings, TrafficSettings
from .data import (
    BackupSettings,
    CacheSettings,
    DocumentDbSettings,
    DocumentsSettings,
    PostgresSettings,
    SecretsSettings,
)
from .edge import EdgeSettings
from .network import NetworkSettings

REGION = re.compile(r"^[a-z]{2}(-gov)?-[a-z]+-\d$")
HOSTED_ZONE_ID = re.compile(r"^Z[A-Z0-9]{8,31}$")
DOMAIN = re.compile(r"^(?=.{4,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")

# Config keys whose values must be set with `pulumi config set --secret` (SEC-1).
SECRET_KEYS = ("critical_webhook_url", "warning_webhook_url")


class Settings(Section):
    """Everything a stack needs, validated before any resource is registered."""

    project: str = Field(description="The Pulumi project name (from Pulumi.yaml; not set in config).")
    stack: str = Field(description="The stack name (from `-s`; not set in config).")
    tier: Tier = Field(description="`staging` or `prod`: picks the tier defaults and how strict validation is.")
    region: str = Field(description="Primary AWS region (`aws:region`).")
    dr_region: str = Field(
        description="Region backups and documents are copied to (DB-6); must differ from the primary."
    )
    account_id: str = Field(
        pattern=r"^\d{12}$",
        description="The 12-digit AWS account the stack deploys into (the providers refuse any other).",
    )
    owner: str = Field(min_length=1, description="Owning team, in the `owner` tag (DEP-3).")
    cost_centre: str = Field(min_length=1, description="Cost centre, in the `cost-centre` tag (DEP-3).")
    # Typed as validated: the validators below turn an unset value into an error.
    domain: str = Field(
        None,
        validate_default=True,
        description="The site's DNS name; CloudFront serves it, the ALB serves `<origin_subdomain>.<domain>`.",
    )
    hosted_zone_id: str = Field(
        None,
        validate_default=True,
        description="Route 53 hosted zone of `domain` (certificate validation and alias records).",
    )
    extra_tags: dict[str, str] = Field({}, description="Tags added to every taggable resource beside the DEP-3 ones.")
    network: NetworkSettings = Field(description="The VPC.")
    edge: EdgeSettings = Field(
        default_factory=dict, validate_default=True, description="CloudFront, WAF and the load balancer."
    )
    compute: ComputeSettings = Field(description="The application tier.")
    traffic: TrafficSettings = Field(description="Blue/green traffic weights (DEP-1).")
    postgres: PostgresSettings = Field(description="RDS Postgres.")
    docdb: DocumentDbSettings = Field(description="DocumentDB.")
    cache: CacheSettings = Field(description="ElastiCache (Valkey or Redis).")
    documents: DocumentsSettings = Field(description="The documents bucket and its DR replica.")
    backup: BackupSettings = Field(description="AWS Backup.")
    secrets: SecretsSettings = Field(description="Generated secrets and their rotation.")
    alarms: AlarmSettings = Field(description="Alarm thresholds and recipients.")
    # HTTPS endpoints (PagerDuty, Slack…) subscribed to the alarm topics; secret config only.
    critical_webhook_url: SecretStr | None = Field(
        None,
        description="HTTPS endpoint (PagerDuty, Slack relay) subscribed to the critical topic; secret config only.",
    )
    warning_webhook_url: SecretStr | None = Field(
        None, description="HTTPS endpoint subscribed to the warning topic; secret config only."
    )

    @field_validator("region", "dr_region")
    @classmethod
    def _region(cls, value: str) -> str:
        if not REGION.match(value):
            raise ValueError(f"{value!r} is not an AWS region name (like us-east-1)")
        return value

    @field_validator("domain", mode="before")
    @classmethod
    def _domain(cls, value: object, info: ValidationInfo) -> object:
        if value is None:
            # Every tier serves HTTPS through CloudFront and the ALB, whose ACM certificates are
            # validated in this domain's zone.
            raise ValueError(f"{tier_of(info)} needs the site's domain (pulumi config set domain app.example.com)")
        if isinstance(value, str) and not DOMAIN.match(value):
            raise ValueError(f"{value!r} is not a lower-case DNS name")
        return value

    @field_validator("hosted_zone_id", mode="before")
    @classmethod
    def _zone(cls, value: object, info: ValidationInfo) -> object:
        if value is None:
            raise ValueError(f"{tier_of(info)} needs the Route 53 hosted zone id of its domain")
        if isinstance(value, str) and not HOSTED_ZONE_ID.match(value):
            raise ValueError(f"{value!r} is not a Route 53 hosted zone id (like Z0123456789ABCDEFGHIJ)")
        return value

    @model_validator(mode="after")
    def _cross_checks(self) -> Settings:
        problems = []
        if self.dr_region == self.region:
            problems.append(f"dr_region must differ from the primary region {self.region} (DB-6)")
        for color in COLORS:
            fleet = self.compute.color(color)
            # A running group's count belongs to its scaling policy (desired_capacity is set at
            # creation only), so only the floor (min_size) guarantees instances behind a weight.
            if self.traffic.weight(color) and (not fleet.running or fleet.floor == 0):
                problems.append(
                    f"traffic.{color} sends {self.traffic.weight(color)}% to compute.{color}, whose min_size "
                    f"{fleet.floor} guarantees no instances"
                )
            if self.tier == "prod" and self.traffic.weight(color) and fleet.floor < 2:
                floor = "min_size" if fleet.platform == "ec2" else "min_replicas"
                problems.append(f"compute.{color} takes prod traffic with {floor} {fleet.floor}; HOST-6 needs >= 2")
        # With continuous backup AWS Backup manages the RDS automated-backup retention and sets it to
        # its rule's figure (AWS Backup guide, "Continuous backups and point-in-time restore"): one
        # figure, or every `pulumi up` and AWS Backup undo each other.
        pitr = self.backup.continuous_backup_days
        if pitr and pitr != self.postgres.backup_retention_days:
            problems.append(
                f"backup.continuous_backup_days {pitr} must equal postgres.backup_retention_days "
                f"{self.postgres.backup_retention_days}: AWS Backup sets the RDS retention to it"
            )
        problems.extend(self._backup_conflicts())
        if problems:
            raise ValueError("; ".join(problems))
        return self

    @property
    def maintenance_windows(self) -> list[str]:
        """The maintenance windows of the databases AWS Backup backs up (the cache is not one of them)."""
        return sorted({self.postgres.maintenance_window, self.docdb.maintenance_window})

    def _backup_conflicts(self) -> list[str]:
        """Rungs with a job AWS Backup couldn't start, or that could run into maintenance (the hourly
        rung is derived clear of it)."""
        rungs = {f"backup.rules.{rung}.schedule": (rung, rule.schedule) for rung, rule in self.backup.rules.items()}
        if self.backup.continuous_backup_days:
            rungs["backup.continuous_backup_days"] = ("continuous", schedule.CONTINUOUS_SCHEDULE)
        problems = []
        for key, (rung, cron) in rungs.items():
            if cron is None:
                continue
            times = schedule.starts(cron)
            if times is None:
                problems.append(f"{key}: {cron} can't be checked against the maintenance windows")
                continue
            found = ((t, why) for t in times if (why := schedule.job_conflict(t, rung, self.maintenance_windows)))
            if conflict := next(found, None):
                problems.append(f"{key}: the job at {schedule.at(conflict[0])} ({cron}) {conflict[1]}")
        return problems

    @property
    def name_prefix(self) -> str:
        """The prefix of every physical AWS name this stack creates (`platform-prod-…`)."""
        return f"{self.project}-{self.stack}"

    @property
    def secret_prefix(self) -> str:
        """The Secrets Manager path of this stack's secrets (`platform/prod/…`)."""
        return f"{self.project}/{self.stack}"

    @property
    def tags(self) -> dict[str, str]:
        """DEP-3: the tags every taggable resource carries (applied as provider default tags)."""
        return {
            **self.extra_tags,
            "environment": self.stack,
            "project": self.project,
            "owner": self.owner,
            "cost-centre": self.cost_centre,
            "managed-by": "pulumi",
        }
