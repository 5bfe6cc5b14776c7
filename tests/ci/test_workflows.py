"""The GitHub workflows: valid against GitHub's schema (check-jsonschema's vendored copy, no
network), least privilege, pinned actions, prod behind an approval, and every `pulumi-offline`
command they run accepted by the CLI."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from pulumi_offline.__main__ import parser
from pulumi_offline.stackconfig import available_stacks
from tests.conftest import REPO

WORKFLOWS = sorted((REPO / ".github" / "workflows").glob("*.yml"))
ACTIONS = sorted((REPO / ".github" / "actions").glob("*/action.yml"))
PINNED = re.compile(r"^[\w.-]+/[\w./-]+@(v\d+\.\d+\.\d+|[0-9a-f]{40})$")
ALLOWED_WRITES = {"pull-requests", "security-events", "id-token"}


def load(path: Path) -> dict:
    document = yaml.safe_load(path.read_text())
    # YAML 1.1 reads the `on:` key as the boolean true.
    if True in document:
        document["on"] = document.pop(True)
    return document


def jobs(name: str) -> dict:
    return load(REPO / ".github" / "workflows" / name)["jobs"]


def steps(path: Path):
    document = load(path)
    for job in document.get("jobs", {}).values():
        yield from job.get("steps", [])
    yield from document.get("runs", {}).get("steps", [])


def _schema_check(schema: str, files: list[Path]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", schema, *map(str, files)],
        capture_output=True,
        text=True,
        timeout=120,
        # The vendored schema is used as shipped: no download, no cache refresh.
        env={**os.environ, "NO_COLOR": "1"},
    )


def test_workflows_and_actions_match_githubs_schemas():
    assert {p.name for p in WORKFLOWS} >= {"pull-request.yml", "deploy.yml"}
    for schema, files in (("vendor.github-workflows", WORKFLOWS), ("vendor.github-actions", ACTIONS)):
        result = _schema_check(schema, files)
        assert result.returncode == 0, result.stdout + result.stderr


def test_the_schema_check_catches_a_broken_workflow(tmp_path):
    broken = tmp_path / "broken.yml"
    broken.write_text("on: push\njobs:\n  build:\n    steps:\n      - run: echo no runner\n")
    assert _schema_check("vendor.github-workflows", [broken]).returncode != 0


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_workflow_token_is_read_only_by_default(path):
    document = load(path)
    assert document["permissions"] == {"contents": "read"}
    for name, job in document["jobs"].items():
        granted = job.get("permissions", {})
        assert isinstance(granted, dict), f"{name}: permissions must be listed, not {granted!r}"
        writes = {scope for scope, level in granted.items() if level == "write"}
        assert writes <= ALLOWED_WRITES, f"{name} writes {writes - ALLOWED_WRITES}"


@pytest.mark.parametrize("path", WORKFLOWS + ACTIONS, ids=lambda p: p.parent.name + "/" + p.name)
def test_actions_are_pinned_to_a_release(path):
    for step in steps(path):
        uses = step.get("uses")
        if uses and not uses.startswith("./"):
            assert PINNED.match(uses), f"{path.name}: {uses} is not pinned to an exact version or commit"


def test_prod_deploys_only_after_staging_and_an_approval():
    deploy = jobs("deploy.yml")
    assert deploy["prod"]["needs"] == "staging" and deploy["staging"]["needs"] == "test"
    assert deploy["prod"]["with"] == {"stack": "prod", "environment": "production"}
    assert deploy["staging"]["with"]["stack"] == "staging"
    up = jobs("pulumi-up.yml")["up"]
    assert up["environment"] == "${{ inputs.environment }}"
    pulumi = next(s for s in up["steps"] if s.get("uses", "").startswith("pulumi/actions@"))
    assert pulumi["with"]["command"] == "up" and pulumi["with"]["stack-name"] == "${{ inputs.stack }}"
    assert pulumi["with"]["policyPacks"] == "policies"
    # Without its stack's policy config the pack runs every policy at its default level, which
    # blocks staging's documented relaxations or, in reverse, misses prod's mandatory settings.
    assert pulumi["with"]["policyPackConfigs"] == "policies/config/${{ inputs.stack }}.json"
    for stack in (deploy["staging"]["with"]["stack"], deploy["prod"]["with"]["stack"]):
        assert (REPO / "policies" / "config" / f"{stack}.json").is_file(), stack


def test_deployments_never_overlap_or_get_cancelled():
    document = load(REPO / ".github" / "workflows" / "deploy.yml")
    assert document["on"]["push"]["branches"] == ["main"]
    assert document["concurrency"]["cancel-in-progress"] is False
    assert jobs("pulumi-up.yml")["up"]["concurrency"]["cancel-in-progress"] is False


def test_every_stack_gets_an_offline_preview_comment_and_code_scanning():
    job = jobs("pull-request.yml")["offline-preview"]
    assert sorted(job["strategy"]["matrix"]["stack"]) == available_stacks(REPO)
    comment = next(s for s in job["steps"] if s.get("uses", "").startswith("marocchino/sticky-pull-request-comment@"))
    assert "${{ matrix.stack }}" in comment["with"]["header"]
    sarif = next(s for s in job["steps"] if s.get("uses", "").startswith("github/codeql-action/upload-sarif@"))
    assert "${{ matrix.stack }}" in sarif["with"]["category"]
    base = next(s for s in job["steps"] if s.get("with", {}).get("ref"))
    assert base["with"]["ref"] == "${{ github.event.pull_request.base.sha }}"


def test_cloud_preview_runs_only_with_credentials_configured():
    job = jobs("pull-request.yml")["pulumi-preview"]
    assert "vars.AWS_ROLE_ARN != ''" in job["if"]
    assert job["permissions"]["id-token"] == "write"
    pulumi = next(s for s in job["steps"] if s.get("uses", "").startswith("pulumi/actions@"))
    expected = {
        "command": "preview",
        "diff": True,
        "policyPacks": "policies",
        "policyPackConfigs": "policies/config/${{ matrix.stack }}.json",
        "comment-on-pr": True,
    }
    assert {key: pulumi["with"].get(key) for key in expected} == expected
    assert pulumi["with"]["stack-name"] == "${{ matrix.stack }}"


def _offline_commands():
    for path in WORKFLOWS:
        for step in steps(path):
            for line in step.get("run", "").splitlines():
                if "pulumi-offline" in line:
                    command = line[line.index("pulumi-offline") :].split("||")[0].split(";")[0]
                    yield path.name, command


@pytest.mark.parametrize("where, command", list(_offline_commands()))
def test_workflow_commands_are_accepted_by_the_cli(where, command):
    words = shlex.split(command.replace("$STACK", "prod").replace("$OUT", "/tmp/out"))
    assert words[0] == "pulumi-offline"
    parser().parse_args(words[1:])  # argparse exits on anything it does not accept
