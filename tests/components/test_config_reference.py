"""The README's configuration reference is generated from the settings schema, never hand-kept."""

from __future__ import annotations

import pytest
from pydantic import BaseModel

from components.config import Settings
from scripts import config_reference


def _fields(model: type[BaseModel], prefix: str = ""):
    for name, field in model.model_fields.items():
        yield f"{prefix}{name}", field
        for nested in config_reference._models(field.annotation):
            yield from _fields(nested, f"{prefix}{name}.")


def test_every_setting_says_what_it_is_for():
    undescribed = [path for path, field in _fields(Settings) if not (field.description or "").strip()]
    assert undescribed == []


def test_the_readme_reference_is_current():
    readme = config_reference.README.read_text()
    assert config_reference.embed(readme) == readme, "stale: run python -m scripts.config_reference"


def test_the_reference_lists_each_tier_default_and_every_leaf_key():
    rows = {row[0]: row for row in config_reference.rows()}
    assert rows["`network.nat_gateways`"][2:4] == ('`"single"`', '`"one_per_az"`')
    assert rows["`aws:region`"][2] == "required"
    assert "`compute.blue.min_size`" in rows and "`alarms.thresholds.db_cpu_percent`" in rows
    assert not any(key.strip("`") in ("project", "stack") for key in rows), "derived keys are not config"


def test_a_stale_reference_is_detected():
    readme = config_reference.README.read_text()
    stale = readme.replace("Days VPC flow logs are kept", "Days flow logs were kept", 1)
    assert config_reference.embed(stale) != stale
    with pytest.raises(ValueError, match="config reference"):
        config_reference.embed("no markers here")
