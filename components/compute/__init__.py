"""Compute tier: the application image and the blue/green fleets that run it."""

from .app_tier import AppTier
from .image import AppImage

__all__ = ["AppImage", "AppTier"]
