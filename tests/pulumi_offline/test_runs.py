"""How a program run ends, as the engine would run it: its own directory and interpreter, exit
statuses, syntax errors, missing assets and config, multi-language components. Most run in
process (fast); the two that prove the out-of-process path start the program's interpreter."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import sysconfig
from pathlib import Path

import pytest

from pulumi_offline.analyzer import PackInfo
from pulumi_offline.check import CheckReport, text
from pulumi_offline.engine import Unknown
from pulumi_offline.host import interpreter
from pulumi_offline.preview import run_preview

from .conftest import FIXTURES, run_cli


def _own_venv(program: Path) -> Path:
    """A virtualenv `venv/` for the program, made by hand in milliseconds: the base interpreter,
    and a `.pth` lending it this environment's packages (pulumi, pulumi_aws), not the tool."""
    base = Path(os.path.realpath(sys.executable))
    venv = program / "venv"
    site = venv / "lib" / f"python{sys.version_info.major}.{sys.version_info.minor}" / "site-packages"
    site.mkdir(parents=True)
    (site / "lent.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    (venv / "pyvenv.cfg").write_text(f"home = {base.parent}\ninclude-system-site-packages = false\n")
    (venv / "bin").mkdir()
    (venv / "bin" / "python").symlink_to(base)
    return venv / "bin" / "python"


@pytest.fixture(scope="module")
def assets_program(tmp_path_factory) -> Path:
    program = tmp_path_factory.mktemp("programs") / "assets"
    shutil.copytree(FIXTURES / "assets", program)
    _own_venv(program)
    return program


@pytest.fixture(scope="module")
def assets_digest(assets_program) -> dict:
    """One out-of-process preview, run from the repository (not the program's directory)."""
    out = assets_program.parent / "digest.json"
    status, _, err = run_cli("preview", "--program", assets_program, "--json", out, hosted=True)
    assert status == 0, err
    assert "note:" not in err  # the program's own virtualenv was found
    return {s["urn"].rsplit("::", 1)[-1]: s["newState"] for s in json.loads(out.read_text())["steps"]}


def test_the_program_runs_with_the_interpreter_of_its_own_virtualenv(assets_program, assets_digest):
    assert assets_digest["fn-role"]["inputs"]["tags"] == {"python": str(assets_program / "venv/bin/python")}


def test_relative_paths_resolve_in_the_programs_directory_and_assets_are_hashed(assets_program, assets_digest):
    assert "index.html" in assets_digest  # os.listdir("www") ran in the program's directory
    source = assets_digest["index.html"]["inputs"]["source"]
    assert source["path"] == "www/index.html"
    assert source["hash"] == _sha256(assets_program / "www/index.html")
    archive = assets_digest["fn"]["inputs"]["code"]
    assert archive["assets"]["handler.py"]["hash"] == _sha256(assets_program / "app/handler.py")
    assert len(assets_digest["fn-dir"]["inputs"]["code"]["hash"]) == 64


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_changed_code_changes_the_archive_hash(assets_program, tmp_path):
    before = run_preview(assets_program, None).graph.named("fn-dir").inputs["code"]["hash"]
    changed = tmp_path / "assets"
    shutil.copytree(assets_program, changed, symlinks=True)
    (changed / "app/handler.py").write_text("def main(event, context):\n    return None\n")
    after = run_preview(changed, None).graph.named("fn-dir").inputs["code"]["hash"]
    assert before != after


def test_a_missing_asset_path_fails_the_preview_naming_resource_and_path():
    status, _, err = run_cli("preview", "--program", FIXTURES / "missing-asset")
    assert status == 2
    assert "preview failed" in err
    assert "aws:lambda/function:Function::fn: " in err
    assert "couldn't read archive path './build'" in err


def test_an_exit_status_is_reported_and_the_tool_exits_2():
    status, out, err = run_cli("preview", "--program", FIXTURES / "exits", "--python", sys.executable)
    assert (status, out) == (2, "")
    assert err.strip() == "error: the program exited with status 3"


def test_an_exit_status_in_process_is_reported_the_same_way():
    status, _, err = run_cli("preview", "--program", FIXTURES / "exits")
    assert status == 2 and err.strip() == "error: the program exited with status 3"


def test_a_syntax_error_names_the_programs_file_and_line():
    status, _, err = run_cli("preview", "--program", FIXTURES / "syntax-error")
    assert status == 2
    assert 'syntax-error/__main__.py", line 5' in err
    assert "SyntaxError" in err


def test_missing_config_names_the_stack_file_lines_to_add_and_config_flag_sets_it():
    program = FIXTURES / "needs-config"
    status, _, err = run_cli("preview", "--program", program, "--stack", "dev")
    assert status == 2
    assert f"add to {program}/Pulumi.dev.yaml:\n  config:\n    needs-config:bucketName: <value>" in err
    assert "pulumi config set" not in err
    status, out, err = run_cli("preview", "--program", program, "-c", "bucketName=reports")
    assert status == 0, err
    assert "Preview of stack dev (project needs-config)" in out


def test_a_config_flag_needs_key_equals_value():
    status, _, err = run_cli("preview", "--program", FIXTURES / "needs-config", "--config", "x.json")
    assert status == 2 and "expected key=value" in err


def test_a_multi_language_component_is_reported_and_its_outputs_are_unknown():
    preview = run_preview(FIXTURES / "remote-component", None)
    (component,) = preview.graph.remote_components
    assert component.type == "fixturex:ec2:Network"
    web = preview.graph.named("web").raw_inputs
    assert isinstance(web["vpcId"], Unknown) and isinstance(web["description"], Unknown)
    status, out, _ = run_cli("preview", "--program", FIXTURES / "remote-component")
    assert status == 0
    assert "fixturex:ec2:Network  main: children not previewed; policies did not see them" in out
    report = CheckReport(PackInfo("pack", "1.0.0", ()), FIXTURES, [], preview)
    assert "fixturex:ec2:Network  main: children not previewed; policies did not see them" in text(report)


def test_the_interpreter_is_the_named_virtualenv_else_this_one_with_a_note(tmp_path):
    (tmp_path / "Pulumi.yaml").write_text("name: p\nruntime:\n  name: python\n  options:\n    virtualenv: venv\n")
    missing = interpreter(tmp_path)
    assert missing.python == sys.executable and "names the virtualenv 'venv', which does not exist" in missing.note
    python = _own_venv(tmp_path)
    assert interpreter(tmp_path).python == str(python) and interpreter(tmp_path).note == ""
    assert interpreter(tmp_path, python="/bin/sh").python == "/bin/sh"
