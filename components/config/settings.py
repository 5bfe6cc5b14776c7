"""The root of the settings tree: one validated object for the whole environment."""

from __future__ import annotations

import re

from pydantic import Field, SecretStr, ValidationInfo, field_validator, model_validator

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

    project: str
    stack: str
    tier: Tier
    region: str
    dr_region: str
    account_id: str = Field(pattern=r"^\d{12}$")
    owner: str = Field(min_length=1)
    cost_centre: str = Field(min_length=1)
    domain: str | None = Field(None, validate_default=True)
    hosted_zone_id: str | None = Field(None, validate_default=True)
    extra_tags: dict[str, str] = {}
    network: NetworkSettings
    edge: EdgeSettings = Field(default_factory=dict, validate_default=True)
    compute: ComputeSettings
    traffic: TrafficSettings
    postgres: PostgresSettings
    docdb: DocumentDbSettings
    cache: CacheSettings
    documents: DocumentsSettings
    backup: BackupSettings
    secrets: SecretsSettings
    alarms: AlarmSettings
    # HTTPS endpoints (PagerDuty, Slack…) subscribed to the alarm topics; secret config only.
    critical_webhook_url: SecretStr | None = None
    warning_webhook_url: SecretStr | None = None

    @field_validator("region", "dr_region")
    @classmethod
    def _region(cls, value: str) -> str:
        if not REGION.match(value):
            raise ValueError(f"{value!r} is not an AWS region name (like us-east-1)")
        return value

    @field_validator("domain")
    @classmethod
    def _domain(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None:
            # Every tier serves HTTPS through CloudFront and the ALB, whose ACM certificates are
            # validated in this domain's zone.
            raise ValueError(f"{tier_of(info)} needs the site's domain (pulumi config set domain app.example.com)")
        if not DOMAIN.match(value):
            raise ValueError(f"{value!r} is not a lower-case DNS name")
        return value

    @field_validator("hosted_zone_id")
    @classmethod
    def _zone(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None:
            raise ValueError(f"{tier_of(info)} needs the Route 53 hosted zone id of its domain")
        if not HOSTED_ZONE_ID.match(value):
            raise ValueError(f"{value!r} is not a Route 53 hosted zone id (like Z0123456789ABCDEFGHIJ)")
        return value

    @model_validator(mode="after")
    def _cross_checks(self) -> Settings:
        problems = []
        if self.dr_region == self.region:
            problems.append(f"dr_region must differ from the primary region {self.region} (DB-6)")
        if (self.domain is None) != (self.hosted_zone_id is None):
            problems.append("domain and hosted_zone_id are set together or not at all")
        for color in COLORS:
            fleet = getattr(self.compute, color)
            # A running group's count belongs to its scaling policy (desired_capacity is set at
            # creation only), so only min_size guarantees instances behind a weight.
            if self.traffic.weight(color) and fleet.min_size == 0:
                problems.append(
                    f"traffic.{color} sends {self.traffic.weight(color)}% to compute.{color}, whose min_size 0 "
                    "guarantees no instances"
                )
            if self.tier == "prod" and self.traffic.weight(color) and fleet.min_size < 2:
                problems.append(f"compute.{color} takes prod traffic with min_size {fleet.min_size}; HOST-6 needs >= 2")
        if problems:
            raise ValueError("; ".join(problems))
        return self

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
