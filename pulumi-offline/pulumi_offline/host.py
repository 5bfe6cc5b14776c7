"""Run a program as the engine runs it: in its own directory and Python environment, talking
to a resource monitor and engine service this process serves over the SDK's gRPC protocol.

The program's interpreter (its Pulumi.yaml `runtime.options.virtualenv`, or `--python` /
`--venv`) executes `pulumi_offline/runner.py` by path, so the program's dependencies never mix
with the tool's; the recording engine is the one the in-process path uses.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from concurrent import futures
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

import grpc
import pulumi.runtime
from pulumi.runtime.proto import engine_pb2_grpc, resource_pb2_grpc

from .engine import EngineService, RecordingEngine, Registration
from .mocks import RealisticMocks
from .program import Graph, ProgramError, engine_failure, failure
from .stackconfig import StackConfig, project_main, project_virtualenv

RUNNER = Path(__file__).with_name("runner.py")
_GRPC_OPTIONS = [
    ("grpc.max_receive_message_length", 400 * 1024 * 1024),
    ("grpc.max_send_message_length", 400 * 1024 * 1024),
]


@dataclass(frozen=True)
class Interpreter:
    """The Python a program runs with, and why that one (printed when it is a fallback)."""

    python: str
    note: str = ""


def _venv_python(venv: Path) -> Path:
    return venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def interpreter(program_dir: Path, python: str | None = None, venv: str | None = None) -> Interpreter:
    """`--python`, else `--venv`, else the virtualenv Pulumi.yaml names (relative to the
    program), else this interpreter with a note saying so."""
    if python:
        if not Path(python).exists():
            raise ProgramError(f"--python {python}: no such interpreter")
        # Absolute, not resolved: a virtualenv's python is a symlink that must stay one.
        return Interpreter(os.path.abspath(python))
    if venv:
        candidate = _venv_python(Path(venv).absolute())
        if not candidate.exists():
            raise ProgramError(f"--venv {venv}: no virtualenv there ({candidate} does not exist)")
        return Interpreter(str(candidate))
    named = project_virtualenv(program_dir)
    if named:
        candidate = _venv_python(program_dir / named)
        if candidate.exists():
            return Interpreter(str(candidate))
        return Interpreter(
            sys.executable,
            f"note: Pulumi.yaml names the virtualenv '{named}', which does not exist ({program_dir / named}); "
            f"running the program with {sys.executable} (pass --python or --venv to choose)",
        )
    return Interpreter(
        sys.executable,
        f"note: Pulumi.yaml names no virtualenv; running the program with {sys.executable} "
        "(pass --python or --venv to choose)",
    )


def _serve(engine: RecordingEngine, log: EngineService) -> tuple[grpc.Server, str]:
    # One worker per concurrent registration the SDK makes is plenty; more only contend for the GIL.
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=8), options=_GRPC_OPTIONS)
    resource_pb2_grpc.add_ResourceMonitorServicer_to_server(engine, server)
    engine_pb2_grpc.add_EngineServicer_to_server(log, server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    return server, f"127.0.0.1:{port}"


def run_hosted(
    program_dir: Path | str,
    config: StackConfig,
    python: Interpreter,
    *,
    echo: TextIO | None = None,
    on_register: Callable[[Registration], None] | None = None,
) -> Graph:
    """Run the program in `program_dir` for `config` with `python`; what it printed goes to
    `echo` (default stderr, so stdout stays the tool's), its warnings and errors too;
    `on_register` is told of each registration as it is recorded."""
    out: TextIO = echo or sys.stderr
    program_dir = Path(program_dir).resolve()
    main = project_main(program_dir)
    engine = RecordingEngine(RealisticMocks(), config.project, config.stack, program_dir)
    engine.on_register = on_register
    log = EngineService(out)
    # The mocks answer as the stack's providers are configured (`aws:region`…), from this process.
    pulumi.runtime.set_all_config(dict(config.values), sorted(config.secret_keys))
    server, address = _serve(engine, log)
    env = dict(os.environ)
    env.update(
        PULUMI_CONFIG=json.dumps(config.values),
        PULUMI_CONFIG_SECRET_KEYS=json.dumps(sorted(config.secret_keys)),
        PULUMI_DRY_RUN="true",
        PULUMI_PROJECT=config.project,
        PULUMI_STACK=config.stack,
    )
    try:
        with tempfile.TemporaryDirectory(prefix="pulumi-offline-") as scratch:
            result = Path(scratch) / "result.json"
            argv = [python.python, str(RUNNER), "--monitor", address, "--engine", address]
            argv += ["--project", config.project, "--stack", config.stack, "--result", str(result)]
            try:
                completed = subprocess.run(
                    [*argv, str(program_dir), str(main)], cwd=program_dir, env=env, capture_output=True, text=True
                )
            except OSError as exc:
                raise ProgramError(f"cannot start the program's interpreter {python.python}: {exc.strerror}") from exc
            outcome = json.loads(result.read_text()) if result.is_file() else None
    finally:
        server.stop(grace=None)
    for text in (completed.stdout, completed.stderr):
        if text:
            out.write(text if text.endswith("\n") else text + "\n")
    for warning in dict.fromkeys(engine.warnings):
        print(f"warning: {warning}", file=out)
    if outcome is None:
        raise ProgramError(
            f"the program's interpreter {python.python} exited with status {completed.returncode} "
            "before the program ran to the end (its output is above)"
        )
    if outcome["kind"] == "no-sdk":
        raise ProgramError(
            f"{python.python} cannot import the pulumi SDK ({outcome['message']}): install the program's "
            "requirements into its virtualenv (pip install -r requirements.txt), or pass --python/--venv"
        )
    problem = engine_failure(engine.errors + log.errors) or failure(outcome, program_dir, config.stack)
    if problem is not None:
        raise problem
    return Graph(config.project, config.stack, list(engine.registrations.values()), engine.stack_outputs)
