"""Edge, traffic and capacity config: bad values are rejected before any resource, naming the key."""

from __future__ import annotations

import json

import pytest

from components.config import ConfigError, load_settings
from pulumi_offline.program import ProgramError
from tests.components.test_config import PROD
from tests.conftest import build


def problems(**overrides) -> list[str]:
    raw = {**PROD, **overrides}
    with pytest.raises(ConfigError) as info:
        load_settings(raw, project="platform", stack=raw["tier"])
    return info.value.problems


def test_edge_defaults_follow_the_tier():
    prod = load_settings(PROD, project="platform", stack="prod").edge
    staging = load_settings(
        {**PROD, "tier": "staging", "network": {**PROD["network"], "flow_log_retention_days": 30}},
        project="platform",
        stack="staging",
    ).edge
    assert (prod.price_class, prod.log_retention_days) == ("PriceClass_All", 365)
    assert (staging.price_class, staging.log_retention_days) == ("PriceClass_100", 30)
    assert prod.waf_rate_limit == 6000 and prod.static_ttl_seconds == 604800


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"traffic": {"blue": 150, "green": 0}}, "traffic.blue: Input should be less than or equal to 100"),
        ({"traffic": {"blue": 60, "green": 30}}, "traffic: weights must sum to 100, got blue 60 + green 30 = 90"),
        ({"traffic": {"blue": 50, "green": 50}}, "traffic.green sends 50% to compute.green, whose min_size 0"),
        # desired_capacity is set at creation only: min_size is what keeps instances behind a weight.
        (
            {"traffic": {"blue": 50, "green": 50}, "compute": {"green": {"min_size": 0, "desired_capacity": 2}}},
            "traffic.green sends 50% to compute.green, whose min_size 0 guarantees no instances",
        ),
        # CloudFront rejects a default TTL below the cache policy's min_ttl of 1 s.
        ({"edge": {"static_ttl_seconds": 0}}, "edge.static_ttl_seconds: Input should be greater than or equal to 1"),
        (
            {"compute": {"blue": {"min_size": 5, "max_size": 3, "desired_capacity": 4}}},
            "compute.blue: min_size 5 is greater than max_size 3",
        ),
        (
            {"compute": {"green": {"min_size": 0, "max_size": 2, "desired_capacity": 3}}},
            "compute.green: desired_capacity 3 is outside min_size..max_size (0..2)",
        ),
        ({"compute": {"blue": {"image": "repo/app:latest"}}}, "compute.blue.image: 'repo/app:latest' is not pinned"),
        ({"edge": {"cors_allowed_origins": ["http://erp.example.com"]}}, "edge.cors_allowed_origins: ['http://"),
        ({"edge": {"cors_allowed_origins": ["*"]}}, "edge.cors_allowed_origins: ['*'] are not https origins"),
        ({"edge": {"log_retention_days": 30}}, "edge.log_retention_days: prod keeps edge logs at least 365 days"),
        ({"edge": {"rate_limit_window_seconds": 30}}, "edge.rate_limit_window_seconds: Input should be 60, 120, 300"),
        ({"edge": {"price_class": "PriceClass_Cheap"}}, "edge.price_class: Input should be"),
        ({"edge": {"origin_subdomain": "Origin.Api"}}, "edge.origin_subdomain: 'Origin.Api' is not a single"),
        ({"edge": {"rate_limit": 10}}, "edge.rate_limit: unknown key (did you mean 'rate_limit_per_second'?)"),
    ],
)
def test_bad_edge_traffic_and_capacity_config_names_the_key(overrides, expected):
    overrides = dict(overrides)
    compute = overrides.pop("compute", None)
    if compute is not None:
        defaults = {"blue": {"min_size": 2, "max_size": 10, "desired_capacity": 2}}
        overrides["compute"] = {c: {**defaults.get(c, {}), **v} for c, v in compute.items()}
    found = problems(**overrides)
    assert any(expected in p for p in found), found


def test_every_tier_needs_a_domain_for_its_certificates():
    found = problems(tier="staging", domain=None, hosted_zone_id=None)
    assert "domain: staging needs the site's domain (pulumi config set domain app.example.com)" in found


def test_bad_traffic_stops_the_program_before_any_resource():
    with pytest.raises(ProgramError) as info:
        build("prod", extra_config={"platform:traffic": json.dumps({"blue": 90, "green": 20})})
    assert "traffic: weights must sum to 100" in str(info.value)
