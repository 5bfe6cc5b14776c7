"""The typed settings tree: one validated object per stack, built before any resource."""

from .alarms import SEVERITIES, AlarmSettings, AlarmThresholds, Severity
from .base import Tier
from .compute import (
    COLORS,
    PLATFORMS,
    Color,
    ColorSettings,
    ComputeSettings,
    Ec2ColorSettings,
    EksColorSettings,
    EksSettings,
    Platform,
    TrafficSettings,
)
from .edge import EdgeSettings
from .loader import ConfigError, load_settings, settings_from_pulumi
from .network import SUBNET_TIERS, NetworkSettings, plan_subnets
from .settings import Settings

__all__ = [
    "COLORS",
    "PLATFORMS",
    "SEVERITIES",
    "SUBNET_TIERS",
    "AlarmSettings",
    "AlarmThresholds",
    "Color",
    "ColorSettings",
    "ComputeSettings",
    "ConfigError",
    "Ec2ColorSettings",
    "EdgeSettings",
    "EksColorSettings",
    "EksSettings",
    "NetworkSettings",
    "Platform",
    "Settings",
    "Severity",
    "Tier",
    "TrafficSettings",
    "load_settings",
    "plan_subnets",
    "settings_from_pulumi",
]
