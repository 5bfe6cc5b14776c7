"""`pulumi-offline`: preview, policy-check, diff and draw a Pulumi Python program offline.

Exit status: 0 success; 1 `check` found a mandatory violation (with --strict-inputs, also an
input problem); 2 the command could not run (unknown stack, the program raised or exited
non-zero, missing config, the policy pack failed to start, unreadable input or answers file).

The program runs as the engine runs it: in its own directory and interpreter (the virtualenv
its Pulumi.yaml names, or `--python`/`--venv`), against a resource monitor this tool serves
over gRPC. `--in-process` runs it inside the tool instead (faster; the program's packages must
then be importable here).
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from . import diff, graph
from .check import CheckError, chosen_pack_python, run_check
from .datasources import AnswersFileError
from .host import Interpreter, interpreter
from .preview import Preview, digest, run_preview, summary
from .program import ProgramError, collect_rarely
from .stackconfig import StackConfig, StackConfigError, available_stacks, load_stack_config


class UsageError(Exception):
    """Bad input the user can fix; printed without a traceback."""


def _program_dir(args: argparse.Namespace) -> Path:
    program = Path(args.program).resolve()
    if not (program / "Pulumi.yaml").is_file():
        raise UsageError(f"{program}: no Pulumi.yaml (not a Pulumi project directory)")
    return program


def _stack(args: argparse.Namespace, program: Path) -> str | None:
    """The chosen stack; a program with one stack file needs no --stack, one with none runs
    with its default config."""
    if args.stack:
        return args.stack
    stacks = available_stacks(program)
    if len(stacks) > 1:
        raise UsageError(f"{program}: choose a stack with --stack ({', '.join(stacks)})")
    return stacks[0] if stacks else None


def _overrides(pairs: list[str]) -> dict[str, str]:
    """`--config key=value` pairs (as `pulumi preview --config`)."""
    values = {}
    for pair in pairs:
        key, equals, value = pair.partition("=")
        if not equals or not key:
            raise UsageError(f"--config {pair}: expected key=value (the policy config is --policy-pack-config FILE)")
        values[key] = value
    return values


def _run_inputs(args: argparse.Namespace) -> tuple[Path, StackConfig, Interpreter | None]:
    """The program, its stack's config with `--config` applied, and the interpreter to run it
    with (None: `--in-process`)."""
    program = _program_dir(args)
    config = load_stack_config(program, _stack(args, program), _overrides(args.config))
    python = None
    if not args.in_process:
        python = interpreter(program, args.python, args.venv)
        if python.note:
            print(python.note, file=sys.stderr)
    return program, config, python


def _preview(args: argparse.Namespace) -> Preview:
    program, config, python = _run_inputs(args)
    return run_preview(program, config.stack, config=config, python=python, answers=args.answers)


def _preview_document(args: argparse.Namespace) -> dict[str, Any]:
    return digest(_preview(args))


def _write(path: str | None, text: str) -> None:
    if path in (None, "-"):
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    else:
        Path(path).write_text(text if text.endswith("\n") else text + "\n")


def _read_json(path: str, what: str) -> Any:
    try:
        return json.loads(Path(path).read_text())
    except OSError as exc:
        raise UsageError(f"{path}: cannot read the {what}: {exc.strerror}") from exc
    except json.JSONDecodeError as exc:
        raise UsageError(f"{path}: the {what} is not valid JSON: {exc}") from exc


def cmd_preview(args: argparse.Namespace) -> int:
    document = _preview_document(args)
    print(summary(document))
    if args.json:
        _write(args.json, json.dumps(document, indent=2))
    return 0


def cmd_graph(args: argparse.Namespace) -> int:
    document = _preview_document(args)
    if args.embed:
        path = Path(args.embed)
        try:
            path.write_text(graph.embed(path.read_text(), graph.mermaid(document)))
        except (OSError, ValueError) as exc:
            raise UsageError(f"{path}: {exc}") from exc
        return 0
    _write(args.output, graph.mermaid(document) if args.format == "mermaid" else graph.dot(document))
    return 0


def cmd_diff(args: argparse.Namespace) -> int:
    base, head = _read_json(args.base, "base digest"), _read_json(args.head, "head digest")
    for path, document in ((args.base, base), (args.head, head)):
        if not isinstance(document, dict) or not isinstance(document.get("steps", []), list):
            raise UsageError(f"{path}: not a preview digest (expected an object with 'steps')")
    if args.format == "markdown":
        events = _read_json(args.policy, "policy events") if args.policy else None
        _write(args.output, diff.markdown(base, head, events))
    else:
        _write(args.output, diff.text(base, head))
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    program, config, python = _run_inputs(args)
    pack_python = chosen_pack_python(program, args.policy_pack, args.policy_python, args.policy_venv)
    also = {"json": args.json, "sarif": args.sarif}
    return run_check(
        program,
        config.stack,
        args.policy_pack,
        args.policy_pack_config,
        args.format,
        also,
        answers=args.answers,
        strict_inputs=args.strict_inputs,
        config=config,
        python=python,
        pack_python=pack_python,
    )


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="pulumi-offline", description=(__doc__ or "").partition("\n")[0])
    commands = top.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def program_options(command: argparse.ArgumentParser, stack_help: str) -> None:
        command.add_argument("--stack", "-s", help=stack_help + " (no stack file: dev)")
        command.add_argument("--program", default=".", help="Pulumi Python program directory (default: .)")
        command.add_argument(
            "--config", "-c", action="append", default=[], metavar="KEY=VALUE", help="set a config value for this run"
        )
        where = command.add_mutually_exclusive_group()
        where.add_argument("--python", metavar="PATH", help="the program's interpreter (default: its virtualenv)")
        where.add_argument("--venv", metavar="DIR", help="the program's virtualenv")
        where.add_argument("--in-process", action="store_true", help="run the program inside this tool")
        command.add_argument("--answers", metavar="FILE", help="answers to provider functions (YAML or JSON)")

    preview = commands.add_parser("preview", help="run the program for a stack; print a summary, write a digest")
    program_options(preview, "stack whose Pulumi.<stack>.yaml config to use")
    preview.add_argument("--json", metavar="FILE", help="write the `pulumi preview --json` digest here (- : stdout)")
    preview.set_defaults(run=cmd_preview)

    check = commands.add_parser("check", help="run the policy pack against the program, as the engine does")
    program_options(check, "stack to check (config from Pulumi.<stack>.yaml)")
    check.add_argument("--policy-pack", metavar="DIR", help="policy pack directory (default: <program>/policies)")
    check.add_argument(
        "--policy-pack-config", metavar="FILE", help="policy config JSON (default: policies/config/<stack>.json)"
    )
    pack_where = check.add_mutually_exclusive_group()
    pack_where.add_argument(
        "--policy-python", metavar="PATH", help="the pack's interpreter (default: its PulumiPolicy.yaml virtualenv)"
    )
    pack_where.add_argument("--policy-venv", metavar="DIR", help="the pack's virtualenv")
    check.add_argument("--format", choices=["text", "json", "sarif"], default="text", help="what to print")
    check.add_argument("--json", metavar="FILE", help="also write the policy events (JSON) here")
    check.add_argument("--sarif", metavar="FILE", help="also write the SARIF 2.1.0 report here")
    check.add_argument("--strict-inputs", action="store_true", help="exit 1 on input problems too")
    check.set_defaults(run=cmd_check)

    compare = commands.add_parser("diff", help="compare two digests (base branch and pull request)")
    compare.add_argument("base", help="the base branch's digest (preview --json)")
    compare.add_argument("head", help="the pull request's digest")
    compare.add_argument("--format", choices=["text", "markdown"], default="text")
    compare.add_argument("--policy", metavar="FILE", help="`check --format json` output to include (markdown)")
    compare.add_argument("--output", "-o", metavar="FILE", help="write the result here instead of stdout")
    compare.set_defaults(run=cmd_diff)

    draw = commands.add_parser("graph", help="draw the stack's components and main resources")
    program_options(draw, "stack to draw")
    draw.add_argument("--format", choices=["mermaid", "dot"], default="mermaid")
    draw.add_argument("--output", "-o", metavar="FILE", help="write the diagram here instead of stdout")
    draw.add_argument("--embed", metavar="FILE", help=f"replace the Mermaid block after `{graph.EMBED_MARKER}` in FILE")
    draw.set_defaults(run=cmd_graph)
    return top


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    collect_rarely()
    try:
        return args.run(args)
    except (UsageError, StackConfigError, CheckError, ProgramError, AnswersFileError) as exc:
        print(f"error: {exc}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    # Piped into `head`: stop quietly, like other command-line tools.
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    sys.exit(main())
