"""`pulumi-offline preview`: the digest has the shape and content of `pulumi preview --json`."""

from __future__ import annotations

import json
import re

from pulumi_offline.preview import SECRET_TEXT, render, summary
from pulumi_offline.program import UNKNOWN, Secret

from .conftest import FIXTURES, run_cli


def test_every_registered_resource_is_a_create_step(prod, prod_digest):
    step_urns = {s["urn"] for s in prod_digest["steps"]}
    assert {r.urn for r in prod} <= step_urns
    assert all(s["op"] == "create" and s["newState"]["urn"] == s["urn"] for s in prod_digest["steps"])
    assert prod_digest["changeSummary"] == {"create": len(prod_digest["steps"])}


def test_prod_keys_are_protected_in_the_digest(prod_digest):
    keys = [s["newState"] for s in prod_digest["steps"] if s["newState"]["type"] == "aws:kms/key:Key"]
    assert keys and all(k["protect"] for k in keys)


def test_staging_keys_are_not_protected(staging_digest):
    keys = [s["newState"] for s in staging_digest["steps"] if s["newState"]["type"] == "aws:kms/key:Key"]
    assert keys and not any(k.get("protect") for k in keys)


def test_urns_are_the_engines_full_type_chain(prod_digest):
    by_urn = {s["urn"]: s["newState"] for s in prod_digest["steps"]}
    for urn, state in by_urn.items():
        qualified = urn.split("::")[2]
        assert "pulumi:pulumi:Stack$" not in qualified, urn
        parent = by_urn.get(state["parent"])
        if parent and parent["type"] != "pulumi:pulumi:Stack":
            assert qualified == f"{parent['urn'].split('::')[2]}${state['type']}", urn


def test_parents_dependencies_and_providers_refer_to_steps(prod_digest):
    urns = {s["urn"] for s in prod_digest["steps"]}
    for step in prod_digest["steps"]:
        state = step["newState"]
        assert not state["parent"] or state["parent"] in urns
        assert set(state["dependencies"]) <= urns
        assert not state["provider"] or state["provider"].rsplit("::", 1)[0] in urns


def test_resources_point_at_the_program_line_that_builds_them(prod_digest):
    keys = [s["newState"] for s in prod_digest["steps"] if s["newState"]["type"] == "aws:kms/key:Key"]
    for key in keys:
        position = key["sourcePosition"]
        assert re.fullmatch(r"project:///components/foundation/keys\.py#\d+", position), position


def test_summary_counts_by_type_add_up_to_the_steps(prod_digest):
    text = summary(prod_digest)
    by_type = text.split("Resources by type:")[1].strip().splitlines()
    counts = [int(line.split()[0]) for line in by_type[:-1]]
    total = int(by_type[-1].split()[0])
    assert sum(counts) == total == len(prod_digest["steps"])
    assert "+ platform:network:Network  prod-network" in text


def test_secret_config_and_inputs_render_as_secret(datastore):
    base, _ = datastore
    assert base["config"]["datastore:db_password"] == SECRET_TEXT
    db = next(s["newState"] for s in base["steps"] if s["urn"].endswith("::db"))
    assert db["inputs"]["password"] == SECRET_TEXT
    assert "offline-secret-placeholder" not in json.dumps(base)


def test_no_secret_placeholder_reaches_a_real_stack_digest(prod_digest, staging_digest):
    for document in (prod_digest, staging_digest):
        assert "offline-secret-placeholder" not in json.dumps(document)


def test_values_render_as_the_engine_prints_them():
    rendered = render({"a": Secret("hunter2"), "b": [UNKNOWN], "c": 30.0, "d": 0.5})
    assert rendered == {"a": "[secret]", "b": ["04da6b54-80e4-46f7-96ec-b56ff0331ba9"], "c": 30, "d": 0.5}


def test_resources_without_a_provider_get_the_default_one_from_stack_config(datastore):
    base, _ = datastore
    states = {s["urn"]: s["newState"] for s in base["steps"]}
    default = states["urn:pulumi:dev::datastore::pulumi:providers:aws::default_7_51_1"]
    assert default["inputs"]["region"] == "eu-west-1"
    assert json.loads(default["inputs"]["defaultTags"]) == {"tags": {"owner": "data-team"}}
    bucket = states["urn:pulumi:dev::datastore::aws:s3/bucket:Bucket::reports"]
    assert bucket["provider"].startswith(default["urn"] + "::")


def test_cli_writes_the_digest_and_prints_the_tree(tmp_path):
    status, out, _ = run_cli("preview", "--program", FIXTURES / "violations", "--json", tmp_path / "d.json")
    assert status == 0
    document = json.loads((tmp_path / "d.json").read_text())
    assert len(document["steps"]) == int(out.strip().splitlines()[-1].split()[0])
    assert "aws:rds/instance:Instance" in out
