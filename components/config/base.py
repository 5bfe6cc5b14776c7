"""Shared building blocks for the settings models."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, ValidationInfo

Tier = Literal["staging", "prod"]

# The only values CloudWatch Logs accepts for a log group's retention (days).
LOG_RETENTION_DAYS = (
    1,
    3,
    5,
    7,
    14,
    30,
    60,
    90,
    120,
    150,
    180,
    365,
    400,
    545,
    731,
    1096,
    1827,
    2192,
    2557,
    2922,
    3288,
    3653,
)


class Section(BaseModel):
    """A config section: unknown keys are typos, and settings never change once loaded."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def tier_of(info: ValidationInfo) -> Tier:
    """The stack's tier, handed to every validator through the validation context."""
    return (info.context or {}).get("tier", "staging")


def check_log_retention(days: int) -> int:
    if days not in LOG_RETENTION_DAYS:
        allowed = ", ".join(str(d) for d in LOG_RETENTION_DAYS)
        raise ValueError(f"{days} is not a CloudWatch Logs retention period (one of {allowed})")
    return days
