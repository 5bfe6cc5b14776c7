"""`pulumi-offline check`: the policy pack driven like the engine drives it, three report formats."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from pulumi_offline import check as check_module
from pulumi_offline.analyzer import Diagnostic, analyze_request
from pulumi_offline.check import CheckError, check, events, text
from pulumi_offline.preview import run_preview
from pulumi_offline.report import CheckReport
from pulumi_offline.sarif import sarif
from tests.conftest import REPO

from .conftest import FIXTURES, POLICY_PACK, run_cli

VIOLATIONS = FIXTURES / "violations"
BAD_INPUTS = FIXTURES / "bad-inputs"


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


# SARIF's level for each CrossGuard enforcement level (code scanning fails a check on `error`).
SARIF_LEVELS = {"mandatory": "error", "advisory": "warning", "remediate": "note"}


def constructor_line(source: list[str], name: str) -> int:
    """1-based line of the call constructing resource `name`: the line with `aws.…(` at or
    above the one naming it (found from the source itself, not from the tool)."""
    (named,) = [i for i, line in enumerate(source) if f'"{name}"' in line]
    return next(i for i in range(named, -1, -1) if "aws." in source[i] and "(" in source[i]) + 1


def test_sarif_report_locates_each_finding_in_the_program(violations_check):
    [run] = violations_check["sarif"]["runs"]
    assert violations_check["sarif"]["version"] == "2.1.0"
    rule_ids = [rule["id"] for rule in run["tool"]["driver"]["rules"]]
    source = (VIOLATIONS / "__main__.py").read_text().splitlines()
    located = set()
    for result in run["results"]:
        assert rule_ids[result["ruleIndex"]] == result["ruleId"]
        location = result["locations"][0]["physicalLocation"]
        path = Path(location["artifactLocation"]["uri"])
        assert not path.is_absolute() and path.exists(), path
        logical = result["locations"][0].get("logicalLocations")
        if logical:
            name = logical[0]["name"]
            assert path == VIOLATIONS.relative_to(Path.cwd()) / "__main__.py", (name, path)
            assert location["region"]["startLine"] == constructor_line(source, name), (name, location)
            located.add(name)
        else:  # a stack-level finding: the project file
            assert path.name == "Pulumi.yaml" and location["region"]["startLine"] == 1
    assert located == {"public-reports", "public-reports-access", "public-reports-acl", "open-ssh", "plain-db"}


def test_sarif_level_is_exactly_the_enforcement_levels(violations_check):
    [run] = violations_check["sarif"]["runs"]
    events = [e["policyEvent"] for e in violations_check["events"]]
    assert len(run["results"]) == len(events)
    for result, event in zip(run["results"], events, strict=True):
        assert result["ruleId"] == event["policyName"]
        assert result["level"] == SARIF_LEVELS[event["enforcementLevel"]], result["ruleId"]
        assert result["properties"]["enforcementLevel"] == event["enforcementLevel"]
    assert {r["level"] for r in run["results"]} == {"error", "warning"}  # both kinds occur here


def test_sarif_maps_every_enforcement_level_and_points_into_the_components(repo_checks):
    """The repository's own stack: a finding on the Postgres instance at each level lands on the
    line of components/ that constructs it, at that level's SARIF severity."""
    report = repo_checks["prod"]
    instance = report.preview.graph.named("prod-postgres-instance")
    template = Diagnostic("p", "platform-hardening", "1", "mandatory", "m", instance.urn, "d", "high")
    diagnostics = [dataclasses.replace(template, policy_name=level, enforcement_level=level) for level in SARIF_LEVELS]
    document = sarif(dataclasses.replace(report, diagnostics=diagnostics))
    results = document["runs"][0]["results"]
    assert [r["level"] for r in results] == list(SARIF_LEVELS.values())
    for result in results:
        location = result["locations"][0]["physicalLocation"]
        path = REPO / location["artifactLocation"]["uri"]
        assert path == REPO / "components" / "data" / "postgres.py"
        line = path.read_text().splitlines()[location["region"]["startLine"] - 1]
        assert "aws.rds.Instance(" in line, line


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


def test_prod_check_reports_only_resources_of_the_stack(repo_checks):
    report = repo_checks["prod"]
    urns = {r.urn for r in report.preview.graph}
    assert all(not d.urn or d.urn in urns for d in report.diagnostics)
    assert report.pack.name == "platform-hardening" and report.pack.policies
    summary = text(report).splitlines()[-1]
    assert summary.endswith(f"policies checked against {len(report.preview.graph)} resources")


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


@pytest.fixture(scope="module")
def bad_inputs() -> CheckReport:
    """A check of a program with two planted input problems, by a pack that never fires."""
    return check(BAD_INPUTS, None, str(FIXTURES / "quiet-pack"))


# (resource, property path, kind) of each planted problem, as the program's source plants them.
PLANTED = [
    ("cpu", "threshold", "wrong type"),
    ("database", "ingress[0].cidr_block", "unknown property"),
]


@pytest.mark.parametrize(("strict", "level"), [(False, "warning"), (True, "error")])
def test_sarif_has_each_input_problem_at_its_constructor_line(bad_inputs, strict, level):
    [run] = sarif(bad_inputs, strict_inputs=strict)["runs"]
    rules = run["tool"]["driver"]["rules"]
    source = (BAD_INPUTS / "__main__.py").read_text().splitlines()
    found = []
    for result in run["results"]:
        assert result["ruleId"] == "offline-input-shape" == rules[result["ruleIndex"]]["id"]
        assert result["level"] == level == rules[result["ruleIndex"]]["defaultConfiguration"]["level"]
        [location] = result["locations"]
        physical, [logical] = location["physicalLocation"], location["logicalLocations"]
        assert physical["artifactLocation"]["uri"] == str(BAD_INPUTS.relative_to(Path.cwd()) / "__main__.py")
        assert physical["region"]["startLine"] == constructor_line(source, logical["name"])
        found.append((logical["name"], result["properties"]["path"], result["properties"]["kind"]))
    assert sorted(found) == PLANTED
    texts = {r["message"]["text"] for r in run["results"]}
    assert (
        "ingress[0].cidr_block: an unexpected argument 'cidr_block' was provided; did you mean 'cidrBlocks'?"
        " (aws:ec2/securityGroup:SecurityGroup database)" in texts
    )
    assert len({r["partialFingerprints"]["pulumiInputProblem/v1"] for r in run["results"]}) == len(PLANTED)


@pytest.mark.parametrize(("strict", "severity"), [(False, "warning"), (True, "error")])
def test_json_has_each_input_problem_as_a_diagnostic_event(bad_inputs, strict, severity):
    stream = events(bad_inputs, strict_inputs=strict)
    assert [e["sequence"] for e in stream] == list(range(1, len(stream) + 1))
    assert not [e for e in stream if "policyEvent" in e]  # the pack never fires
    found = []
    for event in stream:
        diagnostic, problem = event["diagnosticEvent"], event["inputProblem"]
        assert (diagnostic["severity"], diagnostic["prefix"]) == (severity, f"{severity}: ")
        assert diagnostic["urn"] == problem["urn"] and diagnostic["urn"].endswith(f"::{problem['name']}")
        assert diagnostic["message"].startswith(f"{problem['type']} resource '{problem['name']}': {problem['path']}: ")
        file, line = problem["sourcePosition"].split("#")
        source = (BAD_INPUTS / "__main__.py").read_text().splitlines()
        assert (file, int(line)) == ("project:///__main__.py", constructor_line(source, problem["name"]))
        found.append((problem["name"], problem["path"], problem["kind"]))
    assert sorted(found) == PLANTED


def test_check_writes_input_problems_into_both_files_at_the_level_strict_inputs_sets(bad_inputs, tmp_path, monkeypatch):
    monkeypatch.setattr(check_module, "check", lambda *_, **__: bad_inputs)  # the report above, not a second pack
    argv = ["check", "--program", BAD_INPUTS, "--policy-pack", FIXTURES / "quiet-pack"]
    argv += ["--json", tmp_path / "e.json", "--sarif", tmp_path / "r.sarif"]
    for strict, status, level in ((False, 0, "warning"), (True, 1, "error")):
        assert run_cli(*argv, *(["--strict-inputs"] if strict else []))[0] == status
        stream = json.loads((tmp_path / "e.json").read_text())
        [run] = json.loads((tmp_path / "r.sarif").read_text())["runs"]
        assert [e["diagnosticEvent"]["severity"] for e in stream] == [level] * len(PLANTED)
        assert [r["level"] for r in run["results"]] == [level] * len(PLANTED)
