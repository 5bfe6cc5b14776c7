"""The command line: clear errors naming what is wrong, and the module runs as a program."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import REPO

from .conftest import FIXTURES, run_cli


def test_unknown_stack_names_the_stacks_there_are():
    status, out, err = run_cli("preview", "--stack", "qa")
    assert status == 2 and out == ""
    assert err.strip() == "error: unknown stack 'qa' (stack files here: prod, staging)"


def test_a_program_that_raises_shows_its_own_exception():
    status, _, err = run_cli("preview", "--program", FIXTURES / "raises")
    assert status == 2
    assert "the program raised an exception" in err
    assert 'raises/__main__.py", line 9, in retention_days' in err
    assert err.rstrip().endswith("ValueError: no log retention defined for tier 'qa'")
    assert "site-packages" not in err  # only the program's own frames


def test_a_directory_that_is_not_a_pulumi_project(tmp_path):
    status, _, err = run_cli("graph", "--program", tmp_path)
    assert status == 2 and "no Pulumi.yaml" in err


def test_a_program_with_several_stacks_needs_one_chosen():
    status, _, err = run_cli("graph", "--program", REPO)
    assert status == 2 and "--stack (prod, staging)" in err


def test_python_dash_m_synth_runs(tmp_path):
    digest = tmp_path / "digest.json"
    # Out of process (the default), with the program's interpreter given: no fallback note.
    argv = ["preview", "--program", FIXTURES / "datastore-base", "--json", digest, "--python", sys.executable]
    result = subprocess.run(
        [sys.executable, "-m", "pulumi_offline", *argv],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert json.loads(digest.read_text())["offline"] == {"version": 1, "project": "datastore", "stack": "dev"}
