"""Run `pulumi-offline preview` and `check` over every Pulumi Python program under a directory
and print a table: program, preview, check, resources, reason (the tool's own error line).

    python pulumi-offline/scripts/survey.py DIR [--venv VENV] [--uses pulumi_aws]
        [--policy-pack DIR] [--config-file FILE] [--jobs 2] [--markdown]

Each program runs as a user runs it: a fresh `pulumi-offline` process, the program's own
interpreter (`--venv`, one shared virtualenv with their requirements), no edits to the program.
`--config-file` is YAML, `{program: {key: value}}` (`"*"`: every program), passed as
`--config key=value` (what a stack file holding the required config would say). `check`
exiting 1 (a mandatory violation) ran.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
TIMEOUT = 300


@dataclass
class Outcome:
    program: str
    preview: str
    check: str
    resources: int | None
    reason: str


def programs(root: Path, uses: str | None) -> list[Path]:
    """Directories with a Python Pulumi.yaml (and, with `uses`, a file importing that module)."""
    found = []
    for project in sorted(root.rglob("Pulumi.yaml")):
        if any(part in ("node_modules", "venv", ".venv") for part in project.parts):
            continue
        runtime = (yaml.safe_load(project.read_text()) or {}).get("runtime")
        name = runtime.get("name") if isinstance(runtime, dict) else runtime
        if name != "python":
            continue
        sources = [p for p in project.parent.rglob("*") if p.name.endswith((".py", "requirements.txt"))]
        pattern = re.compile(rf"\b{re.escape(uses or '')}\b|\b{re.escape((uses or '').replace('_', '-'))}\b")
        if uses is None or any(pattern.search(p.read_text(errors="replace")) for p in sources if p.is_file()):
            found.append(project.parent)
    return found


def _reason(stderr: str) -> str:
    """The tool's error: its first `error:` line, with the program's last frame when there is one."""
    lines = [line for line in stderr.splitlines() if line.strip()]
    errors = [i for i, line in enumerate(lines) if line.startswith("error:")]
    if not errors:
        return (lines[-1] if lines else "").strip()[:160]
    first = errors[0]
    message = lines[first].removeprefix("error: ")
    tail = [line.strip() for line in lines[first + 1 :] if not line.startswith("  File ")]
    where = [line.strip() for line in lines[first + 1 :] if line.startswith("  File ")]
    detail = tail[-1] if tail else ""
    location = ""
    if where:
        match = re.search(r'File "([^"]+)", line (\d+)', where[-1])
        location = f" ({Path(match.group(1)).name}:{match.group(2)})" if match else ""
    return f"{message} {detail}{location}".strip()[:200]


def _run(argv: list[str]) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "pulumi_offline", *argv]
    try:
        return subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT, cwd=REPO)
    except subprocess.TimeoutExpired:
        return subprocess.CompletedProcess(command, 124, "", f"error: timed out after {TIMEOUT} s")


def survey_one(program: Path, root: Path, args: argparse.Namespace, config: dict) -> Outcome:
    common = ["--program", str(program)]
    if args.venv:
        common += ["--venv", args.venv]
    values = {**(config.get("*") or {}), **(config.get(str(program.relative_to(root))) or {})}
    for key, value in values.items():
        common += ["--config", f"{key}={value}"]
    with tempfile.TemporaryDirectory() as scratch:
        digest = Path(scratch) / "digest.json"
        preview = _run(["preview", *common, "--json", str(digest)])
        resources = len(json.loads(digest.read_text())["steps"]) if preview.returncode == 0 else None
    check = _run(["check", *common, "--policy-pack", args.policy_pack, "--format", "json"])
    reason = ""
    if preview.returncode != 0:
        reason = _reason(preview.stderr)
    elif check.returncode not in (0, 1):
        reason = _reason(check.stderr)
    elif "children not previewed" in preview.stdout:
        remote = sorted(set(re.findall(r"~ (\S+)  \S+: children not previewed", preview.stdout)))
        reason = f"multi-language components not previewed: {', '.join(remote)}"
    checked = {0: "ok", 1: "ok (mandatory violations)"}.get(check.returncode, "failed")
    return Outcome(
        str(program.relative_to(root)), "ok" if preview.returncode == 0 else "failed", checked, resources, reason
    )


def main() -> None:
    options = argparse.ArgumentParser(description=(__doc__ or "").partition("\n")[0])
    options.add_argument("root", type=Path)
    options.add_argument("--venv", help="the virtualenv the programs run with")
    options.add_argument("--uses", help="only programs that import this module (e.g. pulumi_aws)")
    options.add_argument("--policy-pack", default=str(REPO / "policies"))
    options.add_argument("--config-file", type=Path, help='YAML: {program: {key: value}}, "*" for all')
    options.add_argument("--jobs", type=int, default=2)
    options.add_argument("--markdown", action="store_true", help="print a Markdown table")
    args = options.parse_args()

    root = args.root.resolve()
    config = yaml.safe_load(args.config_file.read_text()) if args.config_file else {}
    found = programs(root, args.uses)
    with ThreadPoolExecutor(args.jobs) as pool:
        outcomes = list(pool.map(lambda p: survey_one(p, root, args, config or {}), found))

    previewed = sum(o.preview == "ok" for o in outcomes)
    checked = sum(o.check.startswith("ok") for o in outcomes)
    if args.markdown:
        print("| program | preview | check | resources | reason |")
        print("|---|---|---|---|---|")
        for o in outcomes:
            reason = o.reason.replace("|", "\\|")
            print(f"| {o.program} | {o.preview} | {o.check} | {o.resources or ''} | {reason} |")
    else:
        width = max((len(o.program) for o in outcomes), default=7)
        print(f"{'program':<{width}}  preview  check                      resources  reason")
        for o in outcomes:
            resources = "" if o.resources is None else str(o.resources)
            print(f"{o.program:<{width}}  {o.preview:<7}  {o.check:<25}  {resources:>9}  {o.reason}")
    print(f"\n{len(outcomes)} programs: {previewed} previewed, {checked} checked")


if __name__ == "__main__":
    main()
