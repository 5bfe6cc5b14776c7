"""Comparing two digests: operations, changed property paths, replacements, data loss."""

from __future__ import annotations

import copy

from pulumi_offline.changes import change_summary, changed_paths, compare


def _by_name(changes):
    return {c.name: c for c in changes}


def test_a_stack_compared_with_itself_has_no_changes(prod_digest):
    changes = compare(prod_digest, prod_digest)
    assert {c.op for c in changes} == {"same"}
    assert change_summary(changes) == {"same": len(prod_digest["steps"])}


def test_against_an_empty_base_everything_is_created(staging_digest):
    assert change_summary(compare({"steps": []}, staging_digest)) == {"create": len(staging_digest["steps"])}


def test_removed_bucket_is_a_stateful_deletion(datastore):
    reports = _by_name(compare(*datastore))["reports"]
    assert reports.op == "delete" and reports.loses_data


def test_renaming_a_bucket_replaces_it(datastore):
    assets = _by_name(compare(*datastore))["assets"]
    assert assets.op == "replace" and assets.replace_reasons == ["bucket"] and assets.loses_data


def test_retagging_is_an_in_place_update_with_its_path(datastore):
    alerts = _by_name(compare(*datastore))["alerts"]
    assert alerts.op == "update" and alerts.paths == ["tags.team"] and not alerts.loses_data


def test_a_resource_moved_with_an_alias_is_not_deleted(datastore):
    changes = compare(*datastore)
    moved = _by_name(changes)["events-topic"]
    assert moved.op == "update" and moved.old["urn"] != moved.new["urn"]
    assert not any(c.op in ("create", "delete") and c.type == "aws:sns/topic:Topic" for c in changes)


def test_an_unchanged_protected_database_is_the_same(datastore):
    db = _by_name(compare(*datastore))["db"]
    assert db.op == "same" and db.protected


def test_moving_the_primary_region_replaces_every_key_on_it(prod_digest):
    head = copy.deepcopy(prod_digest)
    for step in head["steps"]:
        if step["urn"].endswith("pulumi:providers:aws::prod-aws"):
            step["newState"]["inputs"]["region"] = "eu-west-1"
    changes = compare(prod_digest, head)
    keys = [c for c in changes if c.type == "aws:kms/key:Key" and not c.name.endswith("-dr")]
    assert keys and all(c.op == "replace" and "[provider region]" in c.replace_reasons for c in keys)
    assert all(c.protected for c in keys)


def test_replace_on_changes_option_forces_replacement(prod_digest):
    head = copy.deepcopy(prod_digest)
    subnet = next(s["newState"] for s in head["steps"] if s["newState"]["type"] == "aws:ec2/subnet:Subnet")
    subnet["replaceOnChanges"] = ["tags"]
    subnet["inputs"]["tags"] = {**subnet["inputs"].get("tags", {}), "tier": "changed"}
    change = next(c for c in compare(prod_digest, head) if c.urn == subnet["urn"])
    assert change.op == "replace" and change.replace_reasons == ["tags"]


def test_unprotecting_is_an_update():
    old = {"steps": [{"urn": "u", "newState": {"urn": "u", "type": "aws:kms/key:Key", "inputs": {}, "protect": True}}]}
    new = copy.deepcopy(old)
    new["steps"][0]["newState"]["protect"] = False
    [change] = compare(old, new)
    assert change.op == "update" and change.paths == ["[protect]"]


def test_property_paths_use_the_engines_notation():
    old = {"tags": {"Name": "a", "aws:cloudformation": "x"}, "ingress": [{"ports": [1, 2]}]}
    new = {"tags": {"Name": "b", "aws:cloudformation": "y"}, "ingress": [{"ports": [1, 3]}]}
    assert changed_paths(old, new) == ["ingress[0].ports[1]", "tags.Name", 'tags["aws:cloudformation"]']
