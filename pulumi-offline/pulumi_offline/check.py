"""Offline policy check: run a program, drive its policy pack as the engine does, report.

Reports come as the engine prints them (`pulumi preview`'s "Policies:" block), as the engine's
JSON policy events, or as SARIF 2.1.0 for GitHub code scanning (`pulumi_offline.sarif`).
"""

from __future__ import annotations

import json
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

from .analyzer import (
    Analyzer,
    PackInterpreterError,
    PackStartError,
    PolicyConfigError,
    PolicyPackServer,
    ensure_pack_modules,
    pack_interpreter,
)
from .host import Interpreter
from .preview import Preview, offline_meta, offline_notes, problem_entry, run_preview
from .report import CheckReport, input_problem_level
from .sarif import sarif
from .stackconfig import StackConfig, load_stack_config


class CheckError(Exception):
    """The check could not run: no pack, bad policy config, a pack that fails to start."""


def _policy_config(program: Path, stack: str | None, config_file: str | None) -> dict[str, Any]:
    """`--config`, else `policies/config/<stack>.json` when the program has one, else none."""
    path = Path(config_file) if config_file else program / "policies" / "config" / f"{stack}.json"
    if not path.is_file():
        if config_file:
            raise CheckError(f"{path}: no such policy config file")
        return {}
    try:
        config = json.loads(path.read_text())
    except json.JSONDecodeError as exc:
        raise CheckError(f"{path}: the policy config is not valid JSON: {exc}") from exc
    if not isinstance(config, dict):
        raise CheckError(f"{path}: the policy config must be an object of policy names")
    return config


def _pack_path(program: Path, pack_dir: str | None) -> Path:
    """`--policy-pack`, else the program's `policies/`; either must be a pack."""
    pack_path = Path(pack_dir).resolve() if pack_dir else program / "policies"
    if not (pack_path / "PulumiPolicy.yaml").is_file():
        hint = "" if pack_dir else " (pass --policy-pack DIR)"
        raise CheckError(f"{pack_path}: no PulumiPolicy.yaml, not a policy pack{hint}")
    return pack_path


_CHOOSE = "(or choose its interpreter: --policy-python PATH, --policy-venv DIR)"


def chosen_pack_python(program: Path, pack_dir: str | None, python: str | None, venv: str | None) -> str | None:
    """The interpreter `--policy-python`/`--policy-venv` choose for the pack; None for the pack's
    own (the virtualenv its PulumiPolicy.yaml names, else this one, with a note on stderr), which
    the pack's server resolves alike. Either must have the policy SDK: checked before the
    program runs, which may take a while."""
    pack_path = _pack_path(program, pack_dir)
    try:
        interpreter = pack_interpreter(pack_path, python, venv)
        if interpreter.note:
            print(interpreter.note, file=sys.stderr)
        ensure_pack_modules(pack_path, interpreter.python, chosen=bool(python or venv))
    except PackInterpreterError as exc:
        raise CheckError(f"{exc} {_CHOOSE}") from exc
    except PackStartError as exc:
        raise CheckError(str(exc)) from exc
    return interpreter.python if python or venv else None


def check(
    program: Path,
    stack: str | None,
    pack_dir: str | None = None,
    config_file: str | None = None,
    preview: Preview | None = None,
    answers: str | None = None,
    pack: Analyzer | None = None,
    *,
    config: StackConfig | None = None,
    python: Interpreter | None = None,
    pack_python: str | None = None,
) -> CheckReport:
    """Preview `program` for `stack` (unless given its `preview`; `config`, `python` and
    `answers` as `run_preview` takes them), then analyze every resource and the stack with the
    pack: a fresh pack process, launched first so that it loads while the program runs, unless
    given a running `pack` (tests share one across stacks; the pack reads no stack settings,
    and each check configures it). The pack runs with `pack_python`, else the interpreter its
    PulumiPolicy.yaml names."""
    pack_path = _pack_path(program, pack_dir)
    policy_config = _policy_config(program, stack, config_file)
    config = preview.config if preview else config or load_stack_config(program, stack)
    server = None
    if pack is None:
        server = PolicyPackServer(
            pack_path,
            project=config.project,
            stack=config.stack,
            stack_config=config.values,
            secret_keys=sorted(config.secret_keys),
            python=pack_python,
        )
    try:
        if server is not None:
            server.launch()
        preview = preview or run_preview(program, stack, config=config, python=python, answers=answers)
        if server is not None:
            server.connect()
        analyzer = pack or server
        assert analyzer is not None  # one of the two, by construction
        info = analyzer.info()
        analyzer.configure(policy_config)
        diagnostics = analyzer.analyze_graph(preview.graph, config.values)
    except PackInterpreterError as exc:
        raise CheckError(f"{exc} {_CHOOSE}") from exc
    except PackStartError as exc:
        raise CheckError(f"the policy pack failed to start: {exc}") from exc
    except PolicyConfigError as exc:
        raise CheckError(str(exc)) from exc
    finally:
        if server is not None:
            server.close()
    return CheckReport(info, pack_path, diagnostics, preview)


def _resource_label(urn: str) -> str:
    """`(aws:s3/bucket:Bucket: reports)`, as the engine names a resource in a violation."""
    if not urn:
        return ""
    type_, name = urn.split("::")[-2].split("$")[-1], urn.rsplit("::", 1)[-1]
    return f"  ({type_}: {name})"


def text(report: CheckReport) -> str:
    pack = report.pack
    relative = report.pack_dir.name
    mark = "❌" if report.mandatory else ("⚠️" if report.diagnostics else "✅")
    lines = ["Policies:", f"    {mark} {pack.name}@v{pack.version} (local: {relative})"]
    order = {"mandatory": 0, "advisory": 1, "remediate": 2}
    for d in sorted(report.diagnostics, key=lambda d: (order.get(d.enforcement_level, 3), d.policy_name, d.urn)):
        lines.append(f"        - [{d.enforcement_level}]  {d.policy_name}{_resource_label(d.urn)}")
        # The SDK's message already opens with the policy's description, as the engine prints it.
        lines += [f"          {line}" for line in (d.message or d.description).splitlines() if line.strip()]
    levels = Counter(d.enforcement_level for d in report.diagnostics)
    resources = len(report.preview.graph)
    verdict = ", ".join(f"{n} {level}" for level, n in sorted(levels.items())) or "no"
    lines += ["", f"{verdict} violation(s); {len(pack.policies)} policies checked against {resources} resources"]
    lines += offline_notes(offline_meta(report.preview))
    return "\n".join(lines)


def events(report: CheckReport, strict_inputs: bool = False) -> list[dict[str, Any]]:
    """The violations as the engine's JSON event stream carries them (`policyEvent`), then each
    input problem as a `diagnosticEvent` (an error with `strict_inputs`, else a warning) with
    the problem itself under `inputProblem`, as the digest's `offline.inputProblems` has it."""
    now = int(time.time())
    violations = [
        {
            "sequence": sequence,
            "timestamp": now,
            "policyEvent": {
                "resourceUrn": d.urn,
                "message": d.message or d.description,
                "color": "never",
                "policyName": d.policy_name,
                "policyPackName": d.policy_pack_name,
                "policyPackVersion": d.policy_pack_version,
                "policyPackVersionTag": d.policy_pack_version,
                "enforcementLevel": d.enforcement_level,
                "severity": d.severity,
            },
        }
        for sequence, d in enumerate(report.diagnostics, start=1)
    ]
    severity = input_problem_level(strict_inputs)
    problems = [
        {
            "sequence": sequence,
            "timestamp": now,
            "diagnosticEvent": {
                "urn": p.urn,
                "prefix": f"{severity}: ",
                "message": f"{p.type} resource '{p.name}': {p.problem.path}: {p.problem.message}",
                "color": "never",
                "severity": severity,
            },
            "inputProblem": problem_entry(p, report.preview.program_dir),
        }
        for sequence, p in enumerate(report.preview.input_problems, start=len(violations) + 1)
    ]
    return violations + problems


def run_check(
    program: Path,
    stack: str | None,
    pack_dir: str | None,
    config_file: str | None,
    fmt: str,
    also: dict[str, str | None],
    preview: Preview | None = None,
    answers: str | None = None,
    strict_inputs: bool = False,
    *,
    config: StackConfig | None = None,
    python: Interpreter | None = None,
    pack_python: str | None = None,
) -> int:
    """The `check` command: print the report in `fmt`, write the formats in `also` (format →
    file) from the same run, exit 1 on any mandatory violation (and, with `strict_inputs`, on
    any input problem)."""
    report = check(
        program,
        stack,
        pack_dir,
        config_file,
        preview,
        answers=answers,
        config=config,
        python=python,
        pack_python=pack_python,
    )
    renderers = {
        "text": lambda: text(report),
        "json": lambda: json.dumps(events(report, strict_inputs), indent=2),
        "sarif": lambda: json.dumps(sarif(report, strict_inputs), indent=2),
    }
    print(renderers[fmt]())
    for extra, path in also.items():
        if path:
            Path(path).write_text(renderers[extra]() + "\n")
    return exit_status(report, strict_inputs)


def exit_status(report: CheckReport, strict_inputs: bool = False) -> int:
    """1 on a mandatory violation or, with `strict_inputs`, an input problem; else 0. Input
    problems are findings of their own: the SDK's types are the only schema offline."""
    return 1 if report.mandatory or (strict_inputs and report.preview.input_problems) else 0
