"""The offline tool as a user gets it: `pip install ./pulumi-offline` into a fresh virtualenv
outside the repository, then `pulumi-offline preview --program <repo> --stack prod` from another
directory, and `check` with the pack's own virtualenv created as the README's setup shows
(`python3 -m venv policies/venv && policies/venv/bin/pip install -r policies/requirements.txt`).
Slow (virtualenvs and package installs, from the pip cache or the index), so it is deselected by
default; `.ci/run` runs it: `python -m pytest -q -m slow tests/pulumi_offline/test_install.py`.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO


def _run(*argv: str | Path, cwd: Path, timeout: float = 900) -> subprocess.CompletedProcess[str]:
    # Nothing of this checkout's environment leaks in: no PYTHONPATH, no active virtualenv.
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}
    result = subprocess.run([str(a) for a in argv], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, f"$ {' '.join(map(str, argv))}\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result


@pytest.mark.slow
def test_installs_into_a_fresh_virtualenv_and_previews_this_repository_from_elsewhere(tmp_path: Path) -> None:
    venv, elsewhere = tmp_path / "venv", tmp_path / "work"
    elsewhere.mkdir()
    _run(sys.executable, "-m", "venv", venv, cwd=tmp_path)
    pip = [venv / "bin" / "python", "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    # A copy, as pip builds in the source tree (build/, *.egg-info) and the checkout stays clean.
    source = shutil.copytree(
        REPO / "pulumi-offline", tmp_path / "pulumi-offline", ignore=shutil.ignore_patterns("build", "*.egg-info")
    )
    _run(*pip, source, cwd=elsewhere)

    # The installed copy, not this checkout's sources.
    where = _run(venv / "bin" / "python", "-c", "import pulumi_offline; print(pulumi_offline.__file__)", cwd=elsewhere)
    assert Path(where.stdout.strip()).is_relative_to(venv), where.stdout
    assert "preview" in _run(venv / "bin" / "python", "-m", "pulumi_offline", "--help", cwd=elsewhere).stdout

    tool = venv / "bin" / "pulumi-offline"
    command: list[str | Path] = [tool, "preview", "--program", REPO, "--stack", "prod", "--json", "prod.json"]
    if "--python" in _run(tool, "preview", "--help", cwd=elsewhere).stdout:
        # The program runs in its own interpreter, which has its dependencies (this checkout's).
        command += ["--python", sys.executable]
    else:
        # The program runs in the tool's process: its dependencies go next to the tool.
        _run(*pip, "-r", REPO / "requirements.txt", cwd=elsewhere)
    result = _run(*command, cwd=elsewhere)

    digest = json.loads((elsewhere / "prod.json").read_text())
    assert digest["offline"]["stack"] == "prod", digest.get("offline")
    types = {step["newState"]["type"] for step in digest["steps"] if "newState" in step}
    assert {"aws:rds/instance:Instance", "aws:docdb/cluster:Cluster"} <= types, sorted(types)
    assert "prod" in result.stdout

    # The pack runs in the virtualenv its PulumiPolicy.yaml names (`venv`), created as the README
    # shows, in a copy of the pack (the checkout stays clean): nothing of the tool's environment.
    pack = shutil.copytree(
        REPO / "policies",
        tmp_path / "pack" / "policies",
        ignore=shutil.ignore_patterns("venv", "build", "*.egg-info", "__pycache__"),
    )
    _run(sys.executable, "-m", "venv", pack / "venv", cwd=elsewhere)
    _run(
        pack / "venv" / "bin" / "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
        "-r",
        pack / "requirements.txt",
        cwd=elsewhere,
    )
    checked = _run(
        tool,
        "check",
        "--program",
        REPO,
        "--stack",
        "prod",
        "--policy-pack",
        pack,
        "--python",
        sys.executable,
        "--sarif",
        "prod.sarif",
        cwd=elsewhere,
    )
    assert "platform-hardening@v0.1.0 (local: policies)" in checked.stdout, checked.stdout
    assert "note:" not in checked.stderr, checked.stderr  # the pack's own virtualenv was found
    [run] = json.loads((elsewhere / "prod.sarif").read_text())["runs"]
    assert run["tool"]["driver"]["name"] == "platform-hardening" and len(run["tool"]["driver"]["rules"]) > 100
