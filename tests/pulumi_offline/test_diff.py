"""`pulumi-offline diff`: the pull-request comment."""

from __future__ import annotations

import json

from pulumi_offline.diff import COMMENT_LIMIT, markdown

from .conftest import run_cli

VIOLATION = {
    "sequence": 1,
    "timestamp": 0,
    "policyEvent": {
        "resourceUrn": "urn:pulumi:dev::datastore::aws:s3/bucket:Bucket::assets",
        "message": "Buckets keep object versions.\nbucket 'assets' does not have versioning enabled",
        "policyName": "s3-bucket-versioning",
        "policyPackName": "platform-hardening",
        "policyPackVersion": "0.1.0",
        "enforcementLevel": "mandatory",
    },
}


def test_data_loss_is_flagged_before_everything_else(datastore):
    body = markdown(*datastore)
    caution = body.index("[!CAUTION]")
    assert caution < body.index("**Changes:**") < body.index("### Changed resources")
    flagged = body[caution : body.index("**Changes:**")]
    assert "**delete** `aws:s3/bucket:Bucket` **reports**" in flagged
    assert "**replace** `aws:s3/bucket:Bucket` **assets** (because of `bucket`)" in flagged
    assert "alerts" not in flagged


def test_counts_by_operation(datastore):
    assert "`~` 2 to update · `+-` 1 to replace · `-` 2 to delete · 4 unchanged" in markdown(*datastore)


def test_changed_paths_are_listed_per_resource(datastore):
    body = markdown(*datastore)
    assert '`tags.team`: `"data"` → `"platform"`' in body
    assert "**(forces replacement)**" in body


def test_secret_values_are_never_shown(datastore):
    base, head = json.loads(json.dumps(datastore))
    db = next(s["newState"] for s in head["steps"] if s["urn"].endswith("::db"))
    base_db = next(s["newState"] for s in base["steps"] if s["urn"].endswith("::db"))
    base_db["inputs"]["password"] = "hunter2-leaked-into-base"  # a digest someone built by hand
    body = markdown(base, head)
    assert db["inputs"]["password"] == "[secret]"
    assert "`password`: [secret]" in body
    assert "hunter2" not in body


def test_policy_results_are_included(datastore):
    body = markdown(*datastore, policy_events=[VIOLATION])
    assert "❌ 1 mandatory, 0 advisory" in body
    assert "| mandatory | `s3-bucket-versioning` | `assets` |" in body
    assert "✅ No policy violations." in markdown(*datastore, policy_events=[])


def test_the_component_diagram_is_included(datastore):
    body = markdown(*datastore)
    assert "```mermaid\nflowchart LR" in body and "subgraph" not in body.split("```mermaid")[0]


def test_a_huge_change_stays_under_the_comment_limit_with_a_note(prod_digest):
    head = json.loads(json.dumps(prod_digest))
    template = next(s for s in head["steps"] if s["newState"]["type"] == "aws:ec2/subnet:Subnet")
    for i in range(3000):
        step = json.loads(json.dumps(template))
        step["urn"] = step["newState"]["urn"] = f"{template['urn']}-copy{i}"
        head["steps"].append(step)
    body = markdown(prod_digest, head)
    assert len(body) <= COMMENT_LIMIT
    assert "more changed resource(s) not shown" in body
    assert "**Changes:** `+` 3000 to create" in body


def test_cli_diff_formats(tmp_path, datastore):
    base, head = tmp_path / "base.json", tmp_path / "head.json"
    base.write_text(json.dumps(datastore[0]))
    head.write_text(json.dumps(datastore[1]))
    (tmp_path / "policy.json").write_text(json.dumps([VIOLATION]))
    status, text, _ = run_cli("diff", base, head)
    assert status == 0 and text.startswith("WARNING") and "- delete aws:s3/bucket:Bucket reports" in text
    status, _, _ = run_cli(
        "diff", base, head, "--format", "markdown", "--policy", tmp_path / "policy.json", "-o", tmp_path / "c.md"
    )
    assert status == 0 and "s3-bucket-versioning" in (tmp_path / "c.md").read_text()


def test_cli_diff_rejects_what_is_not_a_digest(tmp_path):
    (tmp_path / "x.json").write_text("[1, 2]")
    status, _, err = run_cli("diff", tmp_path / "x.json", tmp_path / "x.json")
    assert status == 2 and "not a preview digest" in err
    status, _, err = run_cli("diff", tmp_path / "missing.json", tmp_path / "x.json")
    assert status == 2 and "missing.json: cannot read the base digest" in err
