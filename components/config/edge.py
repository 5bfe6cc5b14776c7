"""Edge settings: what sits between a browser and the application (NET-*, DEP-*)."""

from __future__ import annotations

import re
from datetime import date
from typing import Literal

from pydantic import Field, ValidationInfo, field_validator

from .base import Section, check_log_retention, tier_of

# AWS-managed prefix list `com.amazonaws.global.cloudfront.origin-facing`, whose id differs per
# region. Known here so previews need no look-up; other regions set it in config.
CLOUDFRONT_ORIGIN_PREFIX_LISTS = {
    "us-east-1": "pl-3b927c52",
    "us-east-2": "pl-b6a144df",
    "us-west-1": "pl-4ea04527",
    "us-west-2": "pl-82a045eb",
    "eu-west-1": "pl-4fa04526",
    "eu-central-1": "pl-a3a144ca",
}


# A browser origin CORS may admit: https only, a host name, an optional port, nothing else.
HTTPS_ORIGIN = re.compile(r"^https://([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}(:\d{1,5})?$")
DNS_LABEL = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")
MIN_LOG_RETENTION = {"staging": 7, "prod": 365}


OriginSecretSlot = Literal["a", "b"]


class OriginSecretSettings(Section):
    """CloudFront's origin header has two values, both accepted by the ALB; CloudFront sends one.
    Rotating regenerates the slot CloudFront doesn't send, then moves CloudFront to it, so no
    edge location ever sends a value the ALB has stopped accepting (docs/edge.md)."""

    sends: OriginSecretSlot = Field("a", description="The slot whose value CloudFront sends (`a` or `b`).")
    rotated_on: dict[OriginSecretSlot, date] = Field(
        {}, description="Per slot, when its value was last regenerated: a new date regenerates that slot's value."
    )


class EdgeSettings(Section):
    """CloudFront, WAF and the load balancer in front of the application (NET-1..4, NET-8)."""

    # Typed as validated: unset becomes the region's known list (or an error).
    cloudfront_prefix_list_id: str = Field(
        None,
        validate_default=True,
        description="Id of the com.amazonaws.global.cloudfront.origin-facing prefix list the ALB admits "
        "(known for common regions; set it elsewhere).",
    )
    # CloudFront connects to the ALB over HTTPS and checks the ALB's certificate against this name.
    origin_subdomain: str = Field(
        "origin", description="The ALB's own host name is `<origin_subdomain>.<domain>` (one DNS label)."
    )
    cors_allowed_origins: list[str] = Field(
        [], description="NET-4: https origins, beyond the site itself, whose browsers may call the API."
    )
    price_class: Literal["PriceClass_100", "PriceClass_200", "PriceClass_All"] = Field(
        "PriceClass_100", description="CloudFront price class: which edge locations serve viewers."
    )
    rate_limit_per_second: int = Field(
        100, ge=1, le=100_000, description="NET-2: requests per second per client IP before WAF blocks (seed: 100)."
    )
    # The shortest window WAF offers reacts fastest to a flood.
    rate_limit_window_seconds: Literal[60, 120, 300, 600] = Field(
        60, description="The WAF rate rule's evaluation window, in seconds."
    )
    # At least the cache policy's min_ttl (1 s): CloudFront rejects a DefaultTTL below MinTTL.
    static_ttl_seconds: int = Field(
        7 * 24 * 3600,
        ge=1,
        le=365 * 24 * 3600,
        description="How long CloudFront caches static assets by default (seed cache strategy: 1 week).",
    )
    origin_secret: OriginSecretSettings = Field(
        default_factory=lambda: OriginSecretSettings.model_validate({}),
        description="The two CloudFront-to-ALB header values and which one CloudFront sends.",
    )
    log_retention_days: int = Field(
        30,
        description="Days WAF, application, load-balancer and CDN logs are kept (OBS-2: staging >= 7, prod >= 365).",
    )

    @field_validator("origin_subdomain")
    @classmethod
    def _dns_label(cls, value: str) -> str:
        if not DNS_LABEL.match(value):
            raise ValueError(f"{value!r} is not a single lower-case DNS label")
        return value

    @field_validator("cors_allowed_origins")
    @classmethod
    def _https_origins(cls, origins: list[str]) -> list[str]:
        bad = [o for o in origins if not HTTPS_ORIGIN.match(o)]
        if bad:
            raise ValueError(f"{bad} are not https origins like https://erp.example.com (no wildcard, path or http)")
        return origins

    @field_validator("log_retention_days")
    @classmethod
    def _retention(cls, days: int, info: ValidationInfo) -> int:
        tier = tier_of(info)
        if days < MIN_LOG_RETENTION[tier]:
            raise ValueError(f"{tier} keeps edge logs at least {MIN_LOG_RETENTION[tier]} days (OBS-2), got {days}")
        return check_log_retention(days)

    @property
    def waf_rate_limit(self) -> int:
        """Requests per client IP per window: the per-second figure over the whole window."""
        return self.rate_limit_per_second * self.rate_limit_window_seconds

    @field_validator("cloudfront_prefix_list_id", mode="before")
    @classmethod
    def _known_prefix_list(cls, value: object, info: ValidationInfo) -> object:
        if value not in (None, ""):
            if isinstance(value, str) and not value.startswith("pl-"):
                raise ValueError(f"{value!r} is not a prefix list id (pl-…)")
            return value
        region = (info.context or {}).get("region")
        if region not in CLOUDFRONT_ORIGIN_PREFIX_LISTS:
            raise ValueError(
                f"no known CloudFront origin-facing prefix list for {region}; set it "
                "(aws ec2 describe-managed-prefix-lists --filters Name=prefix-list-name,"
                "Values=com.amazonaws.global.cloudfront.origin-facing)"
            )
        return CLOUDFRONT_ORIGIN_PREFIX_LISTS[region]
