"""Network settings and the subnet plan computed from the VPC CIDR."""

from __future__ import annotations

from ipaddress import IPv4Network
from typing import Literal

from pydantic import Field, ValidationInfo, field_validator, model_validator

from .base import Section, check_log_retention, tier_of

SUBNET_TIERS = ("public", "app", "data")
MIN_AZS = {"staging": 2, "prod": 3}
# NET-6: flow logs are the audit trail of who talked to what; prod keeps a year (seed: monthly 1 year).
MIN_FLOW_LOG_RETENTION = {"staging": 7, "prod": 365}


class SubnetPrefixes(Section):
    """Prefix length of each tier's subnet (one subnet per tier per AZ)."""

    public: int = Field(
        default=24, ge=16, le=28, description="Prefix length of each public subnet (ALB, NAT gateways)."
    )
    app: int = Field(default=20, ge=16, le=28, description="Prefix length of each app subnet (instances or pods).")
    data: int = Field(default=24, ge=16, le=28, description="Prefix length of each data subnet (databases, cache).")


class ExplicitSubnets(Section):
    """Optional fixed CIDRs per tier (one per AZ, in AZ order) instead of computed ones."""

    public: list[IPv4Network] = Field(description="Public subnet CIDRs, one per availability zone.")
    app: list[IPv4Network] = Field(description="App subnet CIDRs, one per availability zone.")
    data: list[IPv4Network] = Field(description="Data subnet CIDRs, one per availability zone.")


def plan_subnets(cidr: IPv4Network, az_count: int, prefixes: SubnetPrefixes) -> dict[str, list[IPv4Network]]:
    """Carve one subnet per tier per AZ out of `cidr`, largest blocks first so every block stays
    aligned; raises ValueError when the tiers don't fit."""
    wanted = sorted(SUBNET_TIERS, key=lambda t: getattr(prefixes, t))
    plan: dict[str, list[IPv4Network]] = {t: [] for t in SUBNET_TIERS}
    cursor = int(cidr.network_address)
    for tier in wanted:
        size = 2 ** (32 - getattr(prefixes, tier))
        for _ in range(az_count):
            cursor = -(-cursor // size) * size  # align up to the block size
            block = IPv4Network((cursor, getattr(prefixes, tier)))
            if not block.subnet_of(cidr):
                need = ", ".join(f"{az_count} x /{getattr(prefixes, t)} {t}" for t in SUBNET_TIERS)
                raise ValueError(f"subnet tiers ({need}) don't fit in {cidr}")
            plan[tier].append(block)
            cursor += size
    return plan


class NetworkSettings(Section):
    """The VPC: three subnet tiers in every availability zone, NAT egress and flow logs (NET-*)."""

    cidr: IPv4Network = Field(description="The VPC's private (RFC 1918) range, /16 to /24.")
    availability_zones: list[str] = Field(
        description="Availability zones of the primary region to spread over (staging >= 2, prod >= 3)."
    )
    nat_gateways: Literal["one_per_az", "single"] = Field(
        description="NAT gateways for private egress: one per AZ (required in prod) or a single shared one."
    )
    flow_log_retention_days: int = Field(
        description="Days VPC flow logs are kept (NET-6: staging >= 7, prod >= 365; a CloudWatch Logs period)."
    )
    subnet_prefixes: SubnetPrefixes = Field(
        SubnetPrefixes(), description="Prefix lengths of the computed subnets, per tier."
    )
    subnets: ExplicitSubnets | None = Field(
        None, description="Fixed subnet CIDRs per tier instead of computed ones (must fit the VPC, no overlaps)."
    )

    @field_validator("cidr", mode="before")
    @classmethod
    def _parse_cidr(cls, value: object) -> IPv4Network:
        try:
            network = IPv4Network(str(value), strict=True)
        except ValueError as exc:
            raise ValueError(f"{value!r} is not a valid network ({exc})") from None
        if not network.is_private:
            raise ValueError(f"{network} is not a private (RFC 1918) range")
        if not 16 <= network.prefixlen <= 24:
            raise ValueError(f"{network}: a VPC CIDR must be between /16 and /24 (AWS limit)")
        return network

    @field_validator("availability_zones")
    @classmethod
    def _enough_azs(cls, zones: list[str], info: ValidationInfo) -> list[str]:
        tier = tier_of(info)
        if len(set(zones)) != len(zones):
            raise ValueError(f"{zones} lists an availability zone twice")
        if len(zones) < MIN_AZS[tier]:
            raise ValueError(f"{tier} needs at least {MIN_AZS[tier]} availability zones, got {len(zones)}")
        region = (info.context or {}).get("region")
        strays = [z for z in zones if region and not (z.startswith(region) and len(z) == len(region) + 1)]
        if strays:
            raise ValueError(f"{strays} are not availability zones of {region}")
        return zones

    @field_validator("flow_log_retention_days")
    @classmethod
    def _retention(cls, days: int, info: ValidationInfo) -> int:
        tier = tier_of(info)
        if days < MIN_FLOW_LOG_RETENTION[tier]:
            raise ValueError(f"{tier} keeps flow logs at least {MIN_FLOW_LOG_RETENTION[tier]} days (NET-6), got {days}")
        return check_log_retention(days)

    @field_validator("nat_gateways")
    @classmethod
    def _ha_nat(cls, mode: str, info: ValidationInfo) -> str:
        if tier_of(info) == "prod" and mode != "one_per_az":
            raise ValueError("prod needs a NAT gateway per AZ so one zone's outage can't cut the others off")
        return mode

    @model_validator(mode="after")
    def _subnets_fit(self) -> NetworkSettings:
        if self.subnets is None:
            plan_subnets(self.cidr, len(self.availability_zones), self.subnet_prefixes)
            return self
        errors = []
        blocks = []
        for tier in SUBNET_TIERS:
            cidrs = getattr(self.subnets, tier)
            if len(cidrs) != len(self.availability_zones):
                errors.append(f"subnets.{tier} has {len(cidrs)} CIDRs for {len(self.availability_zones)} AZs")
            for cidr in cidrs:
                if not cidr.subnet_of(self.cidr):
                    errors.append(f"subnets.{tier}: {cidr} is outside the VPC {self.cidr}")
                blocks.append((f"subnets.{tier}", cidr))
        for i, (where_a, a) in enumerate(blocks):
            for where_b, b in blocks[i + 1 :]:
                if a.overlaps(b):
                    errors.append(f"{where_a} {a} overlaps {where_b} {b}")
        if errors:
            raise ValueError("; ".join(errors))
        return self

    def subnet_plan(self) -> dict[str, list[IPv4Network]]:
        """Each tier's CIDRs, one per AZ in `availability_zones` order."""
        if self.subnets is not None:
            return {t: list(getattr(self.subnets, t)) for t in SUBNET_TIERS}
        return plan_subnets(self.cidr, len(self.availability_zones), self.subnet_prefixes)
