"""Application tier settings: the compute platform and the blue/green colours behind the ALB."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, field_validator, model_validator

from .base import Section

# An image reference pinned by digest: what runs can't change behind a tag.
PINNED_IMAGE = re.compile(r"^[a-z0-9][a-z0-9./_:-]*@sha256:[0-9a-f]{64}$")

Color = Literal["blue", "green"]
COLORS: tuple[Color, ...] = ("blue", "green")


class ColorSettings(Section):
    """One colour's fleet. A colour at traffic weight 0 can be scaled to zero after a switch."""

    # Applied on every `pulumi up`: raising min_size is how a running colour gets instances
    # (Auto Scaling raises the running count to a new minimum).
    min_size: int = Field(ge=0, le=100)
    max_size: int = Field(ge=0, le=100)
    # The count a new group starts with; afterwards the CPU target-tracking policy owns it, and
    # `pulumi up` leaves it alone (it would otherwise undo a scale-out).
    desired_capacity: int = Field(ge=0, le=100)
    # An image pinned by digest (`repo@sha256:…`); None means the image built from app/.
    image: str | None = None

    @field_validator("image")
    @classmethod
    def _pinned(cls, value: str | None) -> str | None:
        if value is not None and not PINNED_IMAGE.match(value):
            raise ValueError(f"{value!r} is not pinned by digest (repository@sha256:<64 hex digits>)")
        return value

    @model_validator(mode="after")
    def _capacity_in_bounds(self) -> ColorSettings:
        if self.min_size > self.max_size:
            raise ValueError(f"min_size {self.min_size} is greater than max_size {self.max_size}")
        if not self.min_size <= self.desired_capacity <= self.max_size:
            raise ValueError(
                f"desired_capacity {self.desired_capacity} is outside min_size..max_size "
                f"({self.min_size}..{self.max_size})"
            )
        return self


class Ec2ComputeSettings(Section):
    """EC2 Auto Scaling behind the ALB (the first platform; EKS and local Docker will join the
    `platform` union as their own settings classes)."""

    platform: Literal["ec2"] = "ec2"
    instance_type: str
    app_port: int = Field(3000, ge=1024, le=65535)
    blue: ColorSettings
    green: ColorSettings


ComputeSettings = Ec2ComputeSettings


class TrafficSettings(Section):
    """Percent of requests the HTTPS listener forwards to each colour (DEP-1)."""

    blue: int = Field(ge=0, le=100)
    green: int = Field(ge=0, le=100)

    @model_validator(mode="after")
    def _sums_to_100(self) -> TrafficSettings:
        if self.blue + self.green != 100:
            raise ValueError(
                f"weights must sum to 100, got blue {self.blue} + green {self.green} = {self.blue + self.green}"
            )
        return self

    def weight(self, color: Color) -> int:
        return getattr(self, color)
