"""The pack's interpreter: the virtualenv its PulumiPolicy.yaml names, `--policy-python` /
`--policy-venv`, else this one with a note; one that lacks the policy SDK is a clear error
naming the pack, the interpreter, the module and the command that installs it (exit 2)."""

from __future__ import annotations

import os
import shutil
import sys
import sysconfig
from pathlib import Path

import pytest

from pulumi_offline.analyzer import PackInterpreterError, PolicyPackServer, pack_interpreter

from .conftest import FIXTURES, run_cli

PACK = FIXTURES / "venv-pack"


def _venv_without(root: Path, *absent: str) -> Path:
    """A virtualenv at `root` made by hand in milliseconds: the base interpreter, lent this
    environment's packages through a `.pth`, except those whose names start with `absent` (as
    a fresh `pip install ./pulumi-offline` has pulumi but not pulumi_policy)."""
    base = Path(os.path.realpath(sys.executable))
    lent = root / "lent"
    lent.mkdir(parents=True)
    for entry in Path(sysconfig.get_paths()["purelib"]).iterdir():
        if not entry.name.startswith(absent):
            (lent / entry.name).symlink_to(entry)
    site = root / "lib" / f"python{sys.version_info.major}.{sys.version_info.minor}" / "site-packages"
    site.mkdir(parents=True)
    (site / "lent.pth").write_text(f"{lent}\n")
    (root / "pyvenv.cfg").write_text(f"home = {base.parent}\ninclude-system-site-packages = false\n")
    (root / "bin").mkdir()
    (root / "bin" / "python").symlink_to(base)
    return root / "bin" / "python"


@pytest.fixture
def pack(tmp_path: Path) -> Path:
    return Path(shutil.copytree(PACK, tmp_path / "pack"))


def test_the_interpreter_is_the_named_virtualenv_else_the_flags_else_this_one(pack, tmp_path):
    missing = pack_interpreter(pack)
    assert missing.python == sys.executable
    assert f"names the virtualenv 'venv', which does not exist ({pack / 'venv'})" in missing.note
    python = _venv_without(pack / "venv")
    assert pack_interpreter(pack) == pack_interpreter(pack, venv=str(pack / "venv"))
    assert pack_interpreter(pack).python == str(python) and pack_interpreter(pack).note == ""
    assert pack_interpreter(pack, python=sys.executable).python == sys.executable
    status, _, err = run_cli(
        "check", "--program", FIXTURES / "violations", "--policy-pack", pack, "--policy-venv", tmp_path
    )
    assert status == 2 and f"--policy-venv {tmp_path}: no virtualenv there" in err


def test_a_missing_virtualenv_and_an_interpreter_without_the_sdk_say_how_to_create_it(pack, tmp_path, monkeypatch):
    """The fresh-install case: the pack's virtualenv was never created, and the tool's own
    interpreter (the fallback) has pulumi but not pulumi_policy. Found before the program runs
    (this one would raise)."""
    without = _venv_without(tmp_path / "tool-venv", "pulumi_policy")
    monkeypatch.setattr(sys, "executable", str(without))
    status, _, err = run_cli("check", "--program", FIXTURES / "raises", "--policy-pack", pack)
    assert status == 2, err
    note, error = err.strip().splitlines()
    assert note.startswith(
        "note: the policy pack's PulumiPolicy.yaml names the virtualenv 'venv', which does not exist"
    )
    assert error == (
        f"error: policy pack {pack}: its interpreter {without} has no module named 'pulumi_policy'; "
        f"install the pack's requirements: python3 -m venv {pack / 'venv'} && {pack / 'venv/bin/pip'} install"
        f" -r {pack / 'requirements.txt'} (or choose its interpreter: --policy-python PATH, --policy-venv DIR)"
    )


@pytest.mark.parametrize("chosen", [False, True])
def test_a_virtualenv_without_the_sdk_says_how_to_install_into_it(pack, tmp_path, chosen):
    """The pack's own virtualenv, or one the caller chose (while the pack's does not exist)."""
    python = _venv_without(tmp_path / "chosen" if chosen else pack / "venv", "pulumi_policy")
    with pytest.raises(PackInterpreterError) as raised:
        PolicyPackServer(pack, python=str(python) if chosen else None, start_timeout=20).start()
    assert str(raised.value) == (
        f"policy pack {pack}: its interpreter {python} has no module named 'pulumi_policy'; "
        f"install the pack's requirements: {python} -m pip install -r {pack / 'requirements.txt'}"
    )
