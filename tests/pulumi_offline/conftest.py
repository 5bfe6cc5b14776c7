"""Fixtures for the offline tool: digests of the real stacks (from the session's single run of
each), of the fixture programs, and one policy check of the violating fixture."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import pytest

from pulumi_offline.__main__ import main
from pulumi_offline.preview import Preview, digest, run_preview
from pulumi_offline.providers import with_default_providers
from pulumi_offline.stackconfig import load_stack_config
from tests.conftest import REPO

FIXTURES = Path(__file__).resolve().parent / "fixtures"
POLICY_PACK = REPO / "policies"


def preview_of(graph, stack: str) -> Preview:
    """The Preview the CLI builds, from a graph the session already recorded."""
    config = load_stack_config(REPO, stack)
    return Preview(REPO, config, with_default_providers(graph, config), 0.0)


RUNS_A_PROGRAM = {"preview", "check", "graph"}
CHOOSES_WHERE = {"--python", "--venv", "--in-process"}


def run_cli(*argv: str | Path, hosted: bool = False) -> tuple[int, str, str]:
    """`pulumi-offline argv…` called in this process: exit status, stdout, stderr. The program
    runs in-process too (a second interpreter costs seconds) unless `hosted` or the arguments
    choose its interpreter."""
    args = [str(a) for a in argv]
    if not hosted and args[0] in RUNS_A_PROGRAM and not CHOOSES_WHERE & set(args):
        args.append("--in-process")
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(args)
    return status, out.getvalue(), err.getvalue()


@pytest.fixture(scope="session")
def prod_preview(prod) -> Preview:
    return preview_of(prod, "prod")


@pytest.fixture(scope="session")
def prod_digest(prod_preview) -> dict:
    return digest(prod_preview)


@pytest.fixture(scope="session")
def staging_digest(staging) -> dict:
    return digest(preview_of(staging, "staging"))


@pytest.fixture(scope="session")
def datastore() -> tuple[dict, dict]:
    """Base and head digests of one small program across a commit that deletes a bucket,
    renames another (a replacement), retags a topic and moves one under an alias."""
    return tuple(digest(run_preview(FIXTURES / f"datastore-{side}", "dev")) for side in ("base", "head"))


@pytest.fixture(scope="session")
def violations_check(tmp_path_factory) -> dict:
    """One `check` of the violating fixture, writing every format."""
    out = tmp_path_factory.mktemp("check")
    status, stdout, stderr = run_cli(
        "check",
        "--program",
        FIXTURES / "violations",
        "--policy-pack",
        POLICY_PACK,
        "--json",
        out / "events.json",
        "--sarif",
        out / "report.sarif",
    )
    return {
        "status": status,
        "text": stdout,
        "stderr": stderr,
        "events": json.loads((out / "events.json").read_text()),
        "sarif": json.loads((out / "report.sarif").read_text()),
    }
