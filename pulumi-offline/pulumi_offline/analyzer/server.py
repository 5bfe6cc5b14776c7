"""The policy pack's process, started as the engine starts it, handshaken and stopped.

The engine boots a Python pack with `python -u -m pulumi.policy <engine address> .` in the pack's
directory (its `virtualenv` if it has one), with the stack's config in `PULUMI_CONFIG` and
`PULUMI_PROJECT`/`PULUMI_STACK`/`PULUMI_DRY_RUN`; the pack prints the port of its gRPC Analyzer
server on stdout. The engine then calls `Handshake` (packs may not implement it) and
`ConfigureStack`; everything after that is the protocol in `client.Analyzer`.
"""

from __future__ import annotations

import dataclasses
import json
import os
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

from .client import Analyzer
from .results import PackInfo

# The pack never calls back into the engine (Python packs ignore the address), but the
# launcher requires one.
ENGINE_ADDRESS = "127.0.0.1:0"
_GRPC_OPTIONS = [("grpc.max_receive_message_length", 400 * 1024 * 1024)]


class PackStartError(RuntimeError):
    """The policy pack process did not start its analyzer server."""


def _pack_manifest(pack_dir: Path) -> dict[str, Any]:
    try:
        return yaml.safe_load((pack_dir / "PulumiPolicy.yaml").read_text()) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise PackStartError(f"{pack_dir}: cannot read PulumiPolicy.yaml: {exc}") from exc


def _pack_python(pack_dir: Path) -> str:
    """The interpreter the CLI would use: the pack's `virtualenv` option, else this one."""
    runtime = _pack_manifest(pack_dir).get("runtime")
    venv = (runtime.get("options") or {}).get("virtualenv") if isinstance(runtime, dict) else None
    candidate = pack_dir / venv / "bin" / "python" if venv else None
    return str(candidate) if candidate and candidate.exists() else sys.executable


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
        self.python = python or _pack_python(self.pack_dir)
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
