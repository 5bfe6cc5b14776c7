"""Edge settings: what sits between a browser and the application (NET-*, DEP-*)."""

from __future__ import annotations

from pydantic import Field, ValidationInfo, field_validator

from .base import Section

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


class EdgeSettings(Section):
    cloudfront_prefix_list_id: str | None = Field(None, validate_default=True)

    @field_validator("cloudfront_prefix_list_id", mode="after")
    @classmethod
    def _known_prefix_list(cls, value: str | None, info: ValidationInfo) -> str:
        if value:
            if not value.startswith("pl-"):
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
