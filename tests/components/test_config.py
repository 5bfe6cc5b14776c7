"""Invalid stack config fails before any resource is registered, naming every bad key."""

from __future__ import annotations

import json

import pytest

from components.config import ConfigError, load_settings
from pulumi_offline.program import ProgramError
from tests.conftest import build

PROD = {
    "tier": "prod",
    "region": "us-east-1",
    "dr_region": "us-west-2",
    "account_id": "222222222222",
    "owner": "platform-team",
    "cost_centre": "CC-1",
    "domain": "app.example.com",
    "hosted_zone_id": "Z0PROD000EXAMPLE00001",
    "network": {"cidr": "10.20.0.0/16", "availability_zones": ["us-east-1a", "us-east-1b", "us-east-1c"]},
}


def problems(raw: dict, secret_keys=frozenset(), stack="prod") -> list[str]:
    with pytest.raises(ConfigError) as info:
        load_settings(raw, project="platform", stack=stack, secret_keys=secret_keys)
    return info.value.problems


def with_(base: dict, path: str, value) -> dict:
    """A deep copy of `base` with the dotted `path` set to `value`."""
    raw = json.loads(json.dumps(base))
    *parents, leaf = path.split(".")
    node = raw
    for part in parents:
        node = node.setdefault(part, {})
    node[leaf] = value
    return raw


def test_valid_prod_config_loads_with_tier_defaults():
    settings = load_settings(PROD, project="platform", stack="prod")
    assert settings.network.nat_gateways == "one_per_az"
    assert settings.compute.blue.min_size == 2 and settings.compute.blue.max_size == 10
    assert settings.tags == {
        "environment": "prod",
        "project": "platform",
        "owner": "platform-team",
        "cost-centre": "CC-1",
        "managed-by": "pulumi",
    }


@pytest.mark.parametrize(
    ("path", "value", "expected"),
    [
        ("network.cidr", "10.0.0.0/33", "network.cidr: '10.0.0.0/33' is not a valid network"),
        ("network.cidr", "10.0.0.1/16", "network.cidr: '10.0.0.1/16' is not a valid network"),
        ("network.cidr", "8.8.0.0/16", "network.cidr: 8.8.0.0/16 is not a private"),
        ("network.cidr", "10.20.0.0/22", "network: subnet tiers (3 x /24 public, 3 x /20 app, 3 x /24 data) don't fit"),
        (
            "network.availability_zones",
            ["us-east-1a", "us-east-1b"],
            "network.availability_zones: prod needs at least 3",
        ),
        (
            "network.availability_zones",
            ["us-east-1a", "us-east-1b", "eu-west-1a"],
            "not availability zones of us-east-1",
        ),
        (
            "network.flow_log_retention_days",
            30,
            "network.flow_log_retention_days: prod keeps flow logs at least 365 days",
        ),
        ("network.flow_log_retention_days", 500, "500 is not a CloudWatch Logs retention period"),
        ("network.nat_gateways", "single", "network.nat_gateways: prod needs a NAT gateway per AZ"),
        ("network.cidrr", "10.0.0.0/16", "network.cidrr: unknown key (did you mean 'cidr'?)"),
        ("compute.blue.min_size", 11, "compute.blue: min_size 11 is greater than max_size 10"),
        ("traffic.green", 10, "traffic: weights must sum to 100, got blue 100 + green 10 = 110"),
        ("domain", None, "domain: prod needs the site's domain"),
        ("hosted_zone_id", None, "hosted_zone_id: prod needs the Route 53 hosted zone id"),
        ("account_id", "1234", "account_id: String should match pattern"),
        ("dr_region", "us-east-1", "dr_region must differ from the primary region"),
        ("region", "mars-1", "aws:region: 'mars-1' is not an AWS region name"),
    ],
)
def test_bad_config_is_rejected_with_its_key_path(path, value, expected):
    found = problems(with_(PROD, path, value))
    assert any(expected in p for p in found), found


def test_staging_may_use_two_azs_but_not_one():
    staging = with_(with_(PROD, "tier", "staging"), "network.flow_log_retention_days", 30)
    load_settings(with_(staging, "network.availability_zones", ["us-east-1a", "us-east-1b"]), project="p", stack="s")
    assert any(
        "staging needs at least 2" in p for p in problems(with_(staging, "network.availability_zones", ["us-east-1a"]))
    )


def test_overlapping_explicit_subnets_are_rejected():
    subnets = {
        "public": ["10.20.0.0/24", "10.20.1.0/24", "10.20.2.0/24"],
        "app": ["10.20.16.0/20", "10.20.32.0/20", "10.20.2.0/24"],
        "data": ["10.20.3.0/24", "10.20.4.0/24", "10.30.5.0/24"],
    }
    found = problems(with_(PROD, "network.subnets", subnets))
    assert any("subnets.public 10.20.2.0/24 overlaps subnets.app 10.20.2.0/24" in p for p in found), found
    assert any("subnets.data: 10.30.5.0/24 is outside the VPC 10.20.0.0/16" in p for p in found), found


def test_plaintext_secret_is_rejected_but_secret_config_is_accepted():
    raw = with_(PROD, "critical_webhook_url", "https://events.pagerduty.com/integration/abc/enqueue")
    assert any("critical_webhook_url: holds a secret" in p for p in problems(raw))
    settings = load_settings(raw, project="platform", stack="prod", secret_keys={"critical_webhook_url"})
    assert "pagerduty" not in repr(settings)  # SecretStr never prints its value


def test_every_problem_is_reported_at_once():
    raw = with_(with_(with_(PROD, "network.cidr", "10.0.0.0/33"), "traffic.green", 5), "typo_key", 1)
    found = problems(raw)
    assert len(found) == 3, found
    assert {p.split(":")[0] for p in found} == {"network.cidr", "traffic", "typo_key"}


def test_colour_receiving_traffic_needs_instances():
    raw = with_(
        with_(PROD, "traffic", {"blue": 50, "green": 50}),
        "compute.green",
        {"min_size": 0, "max_size": 10, "desired_capacity": 0},
    )
    assert any(
        "traffic.green sends 50% to compute.green, whose min_size 0 guarantees no instances" in p for p in problems(raw)
    )


def test_invalid_stack_config_registers_no_resource(monkeypatch):
    registered = []
    from pulumi_offline.engine import RecordingEngine

    original = RecordingEngine.RegisterResource

    def spy(self, request):
        registered.append(request.type)
        return original(self, request)

    monkeypatch.setattr(RecordingEngine, "RegisterResource", spy)
    with pytest.raises(ProgramError) as info:
        build("prod", extra_config={"platform:network": json.dumps({"cidr": "10.0.0.0/33"})})
    assert isinstance(info.value.__cause__, ConfigError)
    assert "network.cidr" in str(info.value.__cause__)
    assert registered == ["pulumi:pulumi:Stack"]
