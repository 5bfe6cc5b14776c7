"""Every offline command the README shows works when pasted: each `pulumi-offline …` (or
`python -m pulumi_offline …`) line of its ```bash / ```sh / ```shell / ```console blocks runs, in
README order, from a directory that looks like a checkout of this repository (so files the
commands write land there, not in the repository), and exits 0, or N where its comment says
`exits N`.

The commands run through the CLI's `main()` in this process; a preview of this repository for a
stack the session already ran reuses that run (the same program and stack config), so the test
checks what the README promises (arguments, files read and written, exit status) at the price
of the policy checks alone. Lines that need a shell (pipes, redirections, `&&`) run in bash.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import shlex
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from pulumi_offline import check as check_module
from pulumi_offline import preview as preview_module
from pulumi_offline.__main__ import main
from pulumi_offline.stackconfig import load_stack_config
from tests.conftest import REPO
from tests.pulumi_offline.conftest import preview_of

README = REPO / "README.md"
FENCE = re.compile(r"^```(bash|sh|shell|console)\s*\n(.*?)^```", re.MULTILINE | re.DOTALL)
ENTRY = re.compile(r"^(?:\S*/)?(?:pulumi-offline|python3?\s+-m\s+pulumi_offline)(?=\s|$)")
EXITS = re.compile(r"#.*\bexits (\d+)\b")


def commands(markdown: str) -> list[tuple[str, int]]:
    """(command, expected exit status) for every offline command line, in order."""
    found = []
    for _, body in FENCE.findall(markdown):
        for line in body.replace("\\\n", " ").splitlines():
            line = " ".join(line.removeprefix("$ ").split())
            if ENTRY.match(line):
                expected = EXITS.search(line)
                found.append((line, int(expected.group(1)) if expected else 0))
    return found


def needs_a_shell(line: str) -> bool:
    """Whether the line pipes, redirects, chains or substitutes (outside quotes and comments)."""
    lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    return any(set(token) <= set("();<>|&") for token in lexer) or "$(" in line.split("#")[0]


@pytest.fixture
def checkout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A directory of links to the repository's top-level entries, as the working directory."""
    for entry in REPO.iterdir():
        if entry.name not in {".git", ".venv", ".pytest_cache", ".ruff_cache"}:
            (tmp_path / entry.name).symlink_to(entry)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _replace(monkeypatch: pytest.MonkeyPatch, original: Callable, replacement: Callable) -> None:
    """`original` replaced wherever the tool's modules imported it by name."""
    for name, module in list(sys.modules.items()):
        if name.startswith("pulumi_offline") and getattr(module, original.__name__, None) is original:
            monkeypatch.setattr(module, original.__name__, replacement)


def _key(value: Any) -> Any:
    return value if isinstance(value, (str, int, Path, type(None))) else (type(value).__name__, id(value))


@pytest.fixture
def session_runs(request: pytest.FixtureRequest, checkout: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Previews of the checkout for staging or prod come from the session's runs, and a check
    repeated with the same arguments (the README shows `check --stack prod` twice) from the
    first: the program and the pack are deterministic."""
    previews: dict[str, Any] = {}
    reports: dict[Any, Any] = {}
    run_preview, check = preview_module.run_preview, check_module.check

    def same_run(program_dir, stack, args, kwargs) -> bool:
        """This checkout, a session stack, its own config, no answers file; any interpreter
        (the same program)."""
        if Path(program_dir).resolve() != checkout or stack not in ("staging", "prod"):
            return False
        if any(arg is not None for arg in args) or kwargs.get("answers") is not None:
            return False
        config = kwargs.get("config")
        return set(kwargs) <= {"answers", "config", "python"} and (
            config is None or config.values == load_stack_config(REPO, stack).values
        )

    def cached_preview(program_dir, stack, *args, **kwargs):
        if same_run(program_dir, stack, args, kwargs):
            if stack not in previews:
                previews[stack] = preview_of(request.getfixturevalue(stack), stack)
            return previews[stack]
        return run_preview(program_dir, stack, *args, **kwargs)

    def cached_check(*args, **kwargs):
        key = (tuple(map(_key, args)), tuple(sorted((k, _key(v)) for k, v in kwargs.items())))
        if key not in reports:
            reports[key] = check(*args, **kwargs)
        return reports[key]

    _replace(monkeypatch, run_preview, cached_preview)
    _replace(monkeypatch, check, cached_check)
    return previews


def test_the_readme_shows_offline_commands():
    shown = commands(README.read_text())
    assert any(command.split()[1] == "preview" for command, _ in shown), shown
    assert any(command.split()[1] == "check" for command, _ in shown), shown


def test_commands_are_read_from_the_shell_blocks_only():
    markdown = (
        "```bash\npulumi-offline preview --stack prod   # a comment\n"
        "pytest -q\n.venv/bin/pulumi-offline check \\\n  --stack prod  # exits 1 if …\n```\n"
        "```\n$ pulumi-offline graph\n```\n"
        "```console\n$ python -m pulumi_offline diff a.json b.json\n```\n"
    )
    assert commands(markdown) == [
        ("pulumi-offline preview --stack prod # a comment", 0),
        (".venv/bin/pulumi-offline check --stack prod # exits 1 if …", 1),
        ("python -m pulumi_offline diff a.json b.json", 0),
    ]
    assert needs_a_shell("pulumi-offline preview --json - | head  # a | b")
    assert needs_a_shell("pulumi-offline graph > out.md")
    assert not needs_a_shell("pulumi-offline check --stack prod  # exit 1 on a mandatory violation; or 0")


def _run(command: str, cwd: Path) -> tuple[int, str]:
    if needs_a_shell(command):
        # The console script as this interpreter runs it, for the shell to pipe or redirect.
        line = ENTRY.sub(f"{shlex.quote(sys.executable)} -m pulumi_offline", command)
        result = subprocess.run(["bash", "-c", line], cwd=cwd, capture_output=True, text=True, timeout=300)
        return result.returncode, result.stdout + result.stderr
    argv = shlex.split(ENTRY.sub("", command), comments=True)
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(argv)
    return status, out.getvalue() + err.getvalue()


@pytest.mark.slow
def test_every_offline_command_in_the_readme_works(checkout: Path, session_runs: dict[str, Any]):
    failures = []
    for command, expected in commands(README.read_text()):
        status, output = _run(command, checkout)
        if status != expected:
            failures.append(f"$ {command}\n(exit {status}, README expects {expected})\n{output[-2000:]}")
    assert not failures, "\n\n".join(failures)
    # The fast path held: the CLI's previews of this repository came from the session's runs.
    assert session_runs, "no preview came from the session's runs: did run_preview's signature change?"
    assert os.getcwd() == str(checkout)
