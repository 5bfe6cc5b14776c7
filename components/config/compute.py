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

    min_size: int = Field(
        ge=0,
        le=100,
        description="Fewest instances the colour keeps (HOST-6: >= 2 while it takes prod traffic).",
    )
    max_size: int = Field(
        ge=0,
        le=100,
        description="Most instances the colour may scale out to.",
    )
    desired_capacity: int = Field(
        ge=0,
        le=100,
        description="Instances the colour runs (0 parks it; a colour taking traffic needs > 0).",
    )
    # An image pinned by digest (`repo@sha256:…`); None means the image built from app/.
    image: str | None = Field(
        None,
        description="An image pinned by digest (`repository@sha256:…`); unset means the image built from app/.",
    )

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

    platform: Literal["ec2"] = Field(
        "ec2",
        description="Where the application runs: `ec2` (Auto Scaling groups).",
    )
    instance_type: str = Field(
        description="EC2 instance type of the application fleets (seed: t3.medium in prod).",
    )
    app_port: int = Field(
        3000,
        ge=1024,
        le=65535,
        description="Port the application listens on; target groups and security groups follow it.",
    )
    blue: ColorSettings = Field(description="The blue colour's fleet.")
    green: ColorSettings = Field(description="The green colour's fleet.")


ComputeSettings = Ec2ComputeSettings


class TrafficSettings(Section):
    """Percent of requests the HTTPS listener forwards to each colour (DEP-1)."""

    blue: int = Field(
        ge=0,
        le=100,
        description="Percent of requests sent to the blue colour.",
    )
    green: int = Field(
        ge=0,
        le=100,
        description="Percent of requests sent to the green colour (blue + green = 100).",
    )

    @model_validator(mode="after")
    def _sums_to_100(self) -> TrafficSettings:
        if self.blue + self.green != 100:
            raise ValueError(
                f"weights must sum to 100, got blue {self.blue} + green {self.green} = {self.blue + self.green}"
            )
        return self

    def weight(self, color: Color) -> int:
        return getattr(self, color)
