"""Validate the stack's config, build its environment, export what operators need."""

import pulumi

from components.config import settings_from_pulumi
from components.environment import Environment

settings = settings_from_pulumi()
environment = Environment(settings.stack, settings)
for key, value in environment.outputs.items():
    pulumi.export(key, value)
