"""`pulumi-offline check`: the policy pack driven like the engine drives it, three report formats."""

from __future__ import annotations

from pathlib import Path

import pytest

from pulumi_offline.analyzer import analyze_request
from pulumi_offline.check import CheckError, check, text
from pulumi_offline.preview import run_preview
from tests.conftest import REPO

from .conftest import FIXTURES, POLICY_PACK, run_cli

VIOLATIONS = FIXTURES / "violations"


def _events_by_policy(result) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for event in result["events"]:
        policy = event["policyEvent"]
        found.setdefault(policy["policyName"], set()).add(policy["resourceUrn"].rsplit("::", 1)[-1])
    return found


def test_mandatory_violations_exit_with_status_1(violations_check):
    assert violations_check["status"] == 1


def test_each_non_compliant_resource_is_reported(violations_check):
    found = _events_by_policy(violations_check)
    assert "public-reports-acl" in found["s3-bucketacl-not-public"]
    assert "open-ssh" in found["ec2-securitygroup-no-ssh-ingress"]
    assert "plain-db" in found["rds-instance-storage-encrypted"]
    assert "plain-db" in found["rds-instance-no-public-access"]


def test_text_report_reads_like_pulumi_preview(violations_check):
    text = violations_check["text"]
    assert text.startswith("Policies:\n    ❌ platform-hardening@v")
    assert "- [mandatory]  ec2-securitygroup-no-ssh-ingress  (aws:ec2/securityGroup:SecurityGroup: open-ssh)" in text
    assert "- [advisory]" in text.split("- [mandatory]")[-1] or "- [advisory]" not in text


def test_json_report_has_the_engines_policy_event_shape(violations_check):
    keys = {"resourceUrn", "message", "color", "policyName", "policyPackName", "policyPackVersion", "enforcementLevel"}
    for event in violations_check["events"]:
        assert keys <= set(event["policyEvent"])
        assert event["policyEvent"]["enforcementLevel"] in {"advisory", "mandatory", "remediate"}


def test_sarif_report_locates_each_finding_in_the_program(violations_check):
    [run] = violations_check["sarif"]["runs"]
    assert violations_check["sarif"]["version"] == "2.1.0"
    rule_ids = [rule["id"] for rule in run["tool"]["driver"]["rules"]]
    source = (VIOLATIONS / "__main__.py").read_text().splitlines()
    for result in run["results"]:
        assert rule_ids[result["ruleIndex"]] == result["ruleId"]
        assert result["level"] in {"error", "warning", "note"}
        location = result["locations"][0]["physicalLocation"]
        path = Path(location["artifactLocation"]["uri"])
        assert not path.is_absolute() and path.exists(), path
        if result["locations"][0].get("logicalLocations") and path.name == "__main__.py":
            name = result["locations"][0]["logicalLocations"][0]["name"]
            # The position is the constructor call's first line; the name follows within it.
            start = location["region"]["startLine"] - 1
            assert f'"{name}"' in "".join(source[start : start + 2]), (name, location)


def test_sarif_errors_are_the_mandatory_violations(violations_check):
    [run] = violations_check["sarif"]["runs"]
    errors = sum(1 for r in run["results"] if r["level"] == "error")
    mandatory = sum(1 for e in violations_check["events"] if e["policyEvent"]["enforcementLevel"] == "mandatory")
    assert errors == mandatory > 0


def test_each_resource_reaches_the_pack_with_its_default_provider():
    preview = run_preview(FIXTURES / "datastore-base", "dev")
    bucket = preview.graph.named("reports")
    request = analyze_request(preview.graph, bucket)
    assert request.provider.urn == "urn:pulumi:dev::datastore::pulumi:providers:aws::default_7_51_1"
    assert request.provider.properties["region"] == "eu-west-1"
    assert "data-team" in request.provider.properties["defaultTags"]


def test_prod_check_reports_only_resources_of_the_stack(prod_preview):
    report = check(REPO, "prod", preview=prod_preview)
    urns = {r.urn for r in prod_preview.graph}
    assert all(not d.urn or d.urn in urns for d in report.diagnostics)
    assert report.pack.name == "platform-hardening" and report.pack.policies
    summary = text(report).splitlines()[-1]
    assert summary.endswith(f"policies checked against {len(prod_preview.graph)} resources")


def test_a_pack_that_fails_to_start_is_a_clear_error():
    with pytest.raises(CheckError, match="failed to start") as raised:
        check(VIOLATIONS, None, str(FIXTURES / "broken-pack"))
    assert "broken-pack: policy module failed to load" in str(raised.value)


def test_a_program_without_a_pack_says_where_it_looked(tmp_path):
    status, _, err = run_cli("check", "--program", VIOLATIONS)
    assert status == 2 and "no PulumiPolicy.yaml" in err and "--policy-pack" in err


def test_unknown_policies_in_the_policy_config_are_rejected(tmp_path):
    (tmp_path / "policy.json").write_text('{"no-such-policy": "mandatory"}')
    status, _, err = run_cli(
        "check", "--program", VIOLATIONS, "--policy-pack", POLICY_PACK, "--policy-pack-config", tmp_path / "policy.json"
    )
    assert status == 2 and "no-such-policy" in err
