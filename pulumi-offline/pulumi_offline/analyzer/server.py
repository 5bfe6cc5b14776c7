"""The policy pack's process, started as the engine starts it, handshaken and stopped.

The engine boots a Python pack with `python -u -m pulumi.policy <engine address> .` in the pack's
directory (its `virtualenv` if it has one), with the stack's config in `PULUMI_CONFIG` and
`PULUMI_PROJECT`/`PULUMI_STACK`/`PULUMI_DRY_RUN`; the pack prints the port of its gRPC Analyzer
server on stdout. The engine then calls `Handshake` (packs may not implement it) and
`ConfigureStack`; everything after that is the protocol in `client.Analyzer`.

Like the CLI's launcher (`pulumi-analyzer-policy-python`), this installs nothing: a pack whose
interpreter lacks the policy SDK fails with the commands that create its virtualenv.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import shlex
import signal
import subprocess
import sys
import threading
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import IO, Any

import grpc
import yaml
from pulumi.runtime.proto import analyzer_pb2 as pb
from pulumi.runtime.proto import analyzer_pb2_grpc

from ..host import Interpreter
from .client import Analyzer
from .results import PackInfo

# The pack never calls back into the engine (Python packs ignore the address), but the
# launcher requires one.
ENGINE_ADDRESS = "127.0.0.1:0"
_GRPC_OPTIONS = [("grpc.max_receive_message_length", 400 * 1024 * 1024)]


# What `python -m pulumi.policy` and a Python pack import first: absent, the pack cannot start.
PACK_MODULES = ("pulumi", "pulumi_policy")
_FIND_MODULES = "import importlib.util, sys; print(*(m for m in sys.argv[1:] if importlib.util.find_spec(m) is None))"
_NO_MODULE = re.compile(r"No module named '([\w.]+)'")


class PackStartError(RuntimeError):
    """The policy pack process did not start its analyzer server."""


class PackInterpreterError(PackStartError):
    """The pack's interpreter lacks a module the pack needs (the message says how to install it)."""


def _pack_manifest(pack_dir: Path) -> dict[str, Any]:
    try:
        return yaml.safe_load((pack_dir / "PulumiPolicy.yaml").read_text()) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise PackStartError(f"{pack_dir}: cannot read PulumiPolicy.yaml: {exc}") from exc


def _pack_virtualenv(pack_dir: Path) -> Path | None:
    """The `runtime.options.virtualenv` of PulumiPolicy.yaml, relative to the pack, if any."""
    runtime = _pack_manifest(pack_dir).get("runtime")
    options = runtime.get("options") if isinstance(runtime, dict) else None
    venv = options.get("virtualenv") if isinstance(options, dict) else None
    return pack_dir / str(venv) if venv else None


def pack_interpreter(pack_dir: Path, python: str | None = None, venv: str | None = None) -> Interpreter:
    """`python`, else `venv`'s interpreter, else the virtualenv PulumiPolicy.yaml names, else
    this interpreter with a note saying why."""
    if python:
        if not Path(python).exists():
            raise PackStartError(f"--policy-python {python}: no such interpreter")
        # Absolute, not resolved: a virtualenv's python is a symlink that must stay one.
        return Interpreter(os.path.abspath(python))
    if venv:
        candidate = Path(venv).absolute() / "bin" / "python"
        if not candidate.exists():
            raise PackStartError(f"--policy-venv {venv}: no virtualenv there ({candidate} does not exist)")
        return Interpreter(str(candidate))
    named = _pack_virtualenv(Path(pack_dir))
    if named and (named / "bin" / "python").exists():
        return Interpreter(str(named / "bin" / "python"))
    why = f"names the virtualenv {named.name!r}, which does not exist ({named})" if named else "names no virtualenv"
    return Interpreter(
        sys.executable,
        f"note: the policy pack's PulumiPolicy.yaml {why}; running the pack with {sys.executable} "
        "(pass --policy-python or --policy-venv to choose)",
    )


def _shown(path: Path | str) -> str:
    """A path as a command line shows it: relative to the working directory when inside it."""
    relative = os.path.relpath(path)
    return shlex.quote(str(path) if relative.startswith("..") else relative)


def missing_modules(python: str) -> list[str]:
    """Which of the modules every Python pack needs (`PACK_MODULES`) `python` lacks; a look-up,
    no import (a few tens of milliseconds)."""
    probe = subprocess.run([python, "-c", _FIND_MODULES, *PACK_MODULES], capture_output=True, text=True, timeout=60)
    return probe.stdout.split()


def install_advice(pack_dir: Path, python: str, missing: list[str], chosen: bool) -> str:
    """Which interpreter lacks what, and the command that installs the pack's requirements into
    it; for the pack's own (not `chosen` by the caller), creating the virtualenv its
    PulumiPolicy.yaml names when that does not exist."""
    requirements = pack_dir / "requirements.txt"
    # Without a requirements file, the distributions of the missing modules (`pulumi_policy`: `pulumi-policy`).
    distributions = " ".join(m.split(".")[0].replace("_", "-") for m in missing)
    wanted = f"-r {_shown(requirements)}" if requirements.is_file() else distributions
    venv = _pack_virtualenv(pack_dir)
    if venv and not chosen and not (venv / "bin" / "python").exists():
        fix = f"python3 -m venv {_shown(venv)} && {_shown(venv / 'bin' / 'pip')} install {wanted}"
    else:
        fix = f"{_shown(python)} -m pip install {wanted}"
    modules = ("module named " if len(missing) == 1 else "modules named ") + ", ".join(f"'{m}'" for m in missing)
    return (
        f"policy pack {_shown(pack_dir)}: its interpreter {python} has no {modules}; "
        f"install the pack's requirements: {fix}"
    )


def ensure_pack_modules(pack_dir: Path, python: str, chosen: bool = False) -> None:
    """Fail before anything runs when `python` cannot run a Python pack (PackInterpreterError)."""
    if missing := missing_modules(python):
        raise PackInterpreterError(install_advice(Path(pack_dir), python, missing, chosen))


class PolicyPackServer(Analyzer):
    """A running policy pack process, driven over gRPC like the engine drives it. Use as a context manager."""

    def __init__(
        self,
        pack_dir: Path | str,
        *,
        project: str = "project",
        stack: str = "stack",
        stack_config: Mapping[str, str] | None = None,
        secret_keys: Iterable[str] = (),
        dry_run: bool = True,
        organization: str = "organization",
        python: str | None = None,
        start_timeout: float = 60.0,
    ) -> None:
        # The SDK's pack server answers with four threads: keep them busy.
        super().__init__(None, stack_config, concurrency=4)
        self.pack_dir = Path(pack_dir).resolve()
        self.project, self.stack, self.organization, self.dry_run = project, stack, organization, dry_run
        self.secret_keys = list(secret_keys)
        # Chosen by the caller, or the pack's own (whose virtualenv the advice may say to create).
        self.chosen_python = python is not None
        self.python = python or pack_interpreter(self.pack_dir).python
        self.start_timeout = start_timeout
        self._process: subprocess.Popen[str] | None = None
        self._channel: grpc.Channel | None = None
        self._stderr: list[str] = []

    # -- lifecycle --

    def __enter__(self) -> PolicyPackServer:
        self.start()
        return self

    def __exit__(self, *_exc) -> None:
        self.close()

    def _environment(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            PULUMI_CONFIG=json.dumps(self.stack_config),
            PULUMI_PROJECT=self.project,
            PULUMI_STACK=self.stack,
            PULUMI_DRY_RUN="true" if self.dry_run else "false",
            PULUMI_ORGANIZATION=self.organization,
        )
        return env

    def info(self) -> PackInfo:
        """As the CLI reports it: a Python pack's version comes from PulumiPolicy.yaml (the SDK
        itself always answers 0.0.1)."""
        info = super().info()
        version = _pack_manifest(self.pack_dir).get("version")
        return dataclasses.replace(info, version=str(version)) if version else info

    def start(self) -> None:
        self.launch()
        self.connect()

    def launch(self) -> None:
        """Start the pack's process without waiting for it: it loads while the caller works
        (`check` runs the program meanwhile); `connect` then waits for its port."""
        if not (self.pack_dir / "PulumiPolicy.yaml").is_file():
            raise PackStartError(f"{self.pack_dir}: no PulumiPolicy.yaml (not a policy pack)")
        self._process = subprocess.Popen(
            [self.python, "-u", "-m", "pulumi.policy", ENGINE_ADDRESS, "."],
            cwd=self.pack_dir,
            env=self._environment(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert self._process.stderr is not None  # piped above
        threading.Thread(target=self._drain, args=(self._process.stderr, self._stderr), daemon=True).start()

    def connect(self) -> None:
        """Wait for the launched pack's port, connect and hand it the stack (as the engine does)."""
        assert self._process is not None and self._process.stdout is not None, "launch() first"
        port = self._read_port(self._process.stdout)
        threading.Thread(target=self._drain, args=(self._process.stdout, []), daemon=True).start()
        self._channel = grpc.insecure_channel(f"127.0.0.1:{port}", options=_GRPC_OPTIONS)
        try:
            grpc.channel_ready_future(self._channel).result(timeout=self.start_timeout)
        except grpc.FutureTimeoutError as exc:
            self.close()
            raise PackStartError(f"policy pack at {self.pack_dir} did not accept connections on port {port}") from exc
        self._stub = analyzer_pb2_grpc.AnalyzerStub(self._channel)
        self._handshake()

    def _read_port(self, stdout: IO[str]) -> int:
        result: list[str] = []
        reader = threading.Thread(target=lambda: result.append(stdout.readline()), daemon=True)
        reader.start()
        reader.join(self.start_timeout)
        line = result[0].strip() if result else ""
        if not line.isdigit():
            self.close()
            # The pack's error may name a module only its requirements provide.
            named = _NO_MODULE.search(self.stderr)
            if missing := missing_modules(self.python) or ([named.group(1)] if named else []):
                raise PackInterpreterError(install_advice(self.pack_dir, self.python, missing, self.chosen_python))
            detail = f"printed {line!r} instead of its port" if line else "did not print its port"
            raise PackStartError(f"policy pack at {self.pack_dir} {detail}; its stderr:\n{self.stderr}")
        return int(line)

    @staticmethod
    def _drain(stream: IO[str], sink: list[str]) -> None:
        for line in iter(stream.readline, ""):
            sink.append(line)

    def _handshake(self) -> None:
        try:
            self._stub.Handshake(
                pb.AnalyzerHandshakeRequest(
                    engine_address=ENGINE_ADDRESS,
                    root_directory=str(self.pack_dir),
                    program_directory=str(self.pack_dir),
                )
            )
        except grpc.RpcError as exc:
            if exc.code() != grpc.StatusCode.UNIMPLEMENTED:
                raise
        try:
            self._stub.ConfigureStack(
                pb.AnalyzerStackConfigureRequest(
                    stack=self.stack,
                    project=self.project,
                    organization=self.organization,
                    dry_run=self.dry_run,
                    config=self.stack_config,
                    config_secret_keys=self.secret_keys,
                )
            )
        except grpc.RpcError as exc:
            if exc.code() != grpc.StatusCode.UNIMPLEMENTED:
                raise

    @property
    def stderr(self) -> str:
        return "".join(self._stderr)

    def close(self) -> None:
        """Stop the pack: SIGINT (the SDK stops its server on KeyboardInterrupt), then kill."""
        if self._channel is not None:
            self._channel.close()
            self._channel = None
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
