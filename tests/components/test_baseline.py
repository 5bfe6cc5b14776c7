"""Security baseline: CMKs (DB-2) and the DEP-3 tags on every taggable resource."""

from __future__ import annotations

import json

from tests.graph import aws_resources, provider_of, region_of

REQUIRED_TAGS = {"environment", "project", "owner", "cost-centre", "managed-by"}


def test_every_aws_resource_is_tagged_through_its_provider(stack):
    untagged = []
    for resource in aws_resources(stack):
        provider = provider_of(stack, resource)
        default_tags = json.loads(provider.inputs["defaultTags"])["tags"] if provider else {}
        own_tags = resource.inputs.get("tags") or {}
        if isinstance(own_tags, list):  # Auto Scaling groups: [{key, value, propagateAtLaunch}]
            own_tags = {tag["key"]: tag["value"] for tag in own_tags}
        tags = {**default_tags, **own_tags}
        if not set(tags) >= REQUIRED_TAGS:
            untagged.append(resource.name)
    assert untagged == []
    assert len(aws_resources(stack)) > 30  # the check ran over a real graph


def test_tags_name_the_stack_and_its_owner(stack):
    for provider in stack.of_type("pulumi:providers:aws"):
        tags = json.loads(provider.inputs["defaultTags"])["tags"]
        assert tags["environment"] == stack.stack
        assert tags["managed-by"] == "pulumi"
        assert tags["owner"] == "platform-team"


def test_providers_are_pinned_to_the_stack_account(stack):
    accounts = {"staging": "111111111111", "prod": "222222222222"}
    for provider in stack.of_type("pulumi:providers:aws"):
        assert json.loads(provider.inputs["allowedAccountIds"]) == [accounts[stack.stack]]


def test_keys_rotate_and_policies_name_no_wildcard_principal(stack):
    keys = stack.of_type("aws:kms/key:Key")
    assert {k.name.rsplit("-", 1)[-1] for k in keys} == {"data", "logs", "backup", "alerts", "dr"}
    for key in keys:
        assert key.inputs["enableKeyRotation"] is True
        for statement in json.loads(key.inputs["policy"])["Statement"]:
            principal = statement["Principal"]
            assert principal != "*" and "*" not in json.dumps(principal), (key.name, principal)


def test_dr_key_lives_in_the_dr_region(stack):
    assert region_of(stack, stack.named(f"{stack.stack}-keys-dr")) == "us-west-2"
    assert region_of(stack, stack.named(f"{stack.stack}-keys-data")) == "us-east-1"


def test_prod_keys_are_protected_staging_keys_are_not(staging, prod):
    assert all(k.protect for k in prod.of_type("aws:kms/key:Key"))
    assert not any(k.protect for k in staging.of_type("aws:kms/key:Key"))


def test_children_are_named_from_and_parented_to_their_component(stack):
    for component in stack:
        if component.type.startswith("platform:"):
            for child in stack.children_of(component):
                assert child.name.startswith(component.name + "-"), (component.name, child.name)


def test_no_prod_data_can_be_destroyed_by_a_stray_pulumi_destroy(prod):
    """DB-7: every stateful resource in prod (databases, caches, buckets, keys, vaults, secrets)
    carries Pulumi `protect`, whatever component created it."""
    from pulumi_offline.aws_types import STATEFUL_TYPES

    stateful = [r for r in prod if r.type in STATEFUL_TYPES]
    assert len(stateful) > 20
    assert [r.name for r in stateful if not r.protect] == []
