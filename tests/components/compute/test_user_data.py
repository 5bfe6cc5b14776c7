"""The boot script's secret fetch, run for real under bash with stand-ins for `aws` and `systemctl`."""

from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path

import pytest

from components.compute.user_data import secrets_script

OK, BROKEN = "arn:aws:secretsmanager:us-east-1:111111111111:secret:ok", "arn:aws:secretsmanager:broken"
# `aws secretsmanager get-secret-value … --secret-id <arn> …`: fails for BROKEN, else prints a value
# read from $VALUES/<last ARN segment>, so a test can "rotate" it.
FAKE_AWS = """#!/bin/bash
while [[ $# -gt 0 ]]; do [[ "$1" == --secret-id ]] && id=$2; shift; done
[[ "$id" == *broken* ]] && { echo "AccessDeniedException" >&2; exit 254; }
cat "$VALUES/${id##*:}"
"""
FAKE_SYSTEMCTL = '#!/bin/bash\necho "$*" >> "$VALUES/systemctl.log"\n'


@pytest.fixture
def host(tmp_path: Path) -> dict:
    bin_dir, values = tmp_path / "bin", tmp_path / "values"
    bin_dir.mkdir()
    values.mkdir()
    for name, body in (("aws", FAKE_AWS), ("systemctl", FAKE_SYSTEMCTL)):
        (bin_dir / name).write_text(body)
        (bin_dir / name).chmod(0o755)
    (values / "ok").write_text("s3cr3t\n")
    env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}", "VALUES": str(values)}
    return {"env": env, "values": values, "env_file": tmp_path / "run" / "secrets.env"}


def run(host: dict, arns: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    script = secrets_script(region="us-east-1", secret_arns=arns, env_file=str(host["env_file"]))
    return subprocess.run(["bash", "-c", script, "app-secrets", *args], env=host["env"], capture_output=True, text=True)


def test_secrets_land_in_a_root_only_file(host):
    assert run(host, {"API_KEY": OK}).returncode == 0
    assert host["env_file"].read_text() == "API_KEY=s3cr3t\n"
    assert stat.S_IMODE(host["env_file"].stat().st_mode) == 0o600


def test_a_failed_fetch_fails_the_script_and_keeps_the_old_file(host):
    assert run(host, {"API_KEY": OK}).returncode == 0
    failed = run(host, {"API_KEY": OK, "DATABASE_SECRET": BROKEN})
    assert failed.returncode != 0 and "AccessDeniedException" in failed.stderr
    assert host["env_file"].read_text() == "API_KEY=s3cr3t\n"  # not half-written, not emptied
    assert [p.name for p in host["env_file"].parent.iterdir()] == ["secrets.env"]  # no staged leftovers


def test_the_container_restarts_only_when_a_value_changed(host):
    log = host["values"] / "systemctl.log"
    assert run(host, {"API_KEY": OK}, "--restart-if-changed").returncode == 0  # first write
    log.unlink()
    assert run(host, {"API_KEY": OK}, "--restart-if-changed").returncode == 0
    assert not log.exists()  # unchanged: no restart
    (host["values"] / "ok").write_text("r0tated\n")  # the rotation function's new version
    assert run(host, {"API_KEY": OK}, "--restart-if-changed").returncode == 0
    assert log.read_text() == "restart app.service\n"
    assert host["env_file"].read_text() == "API_KEY=r0tated\n"
