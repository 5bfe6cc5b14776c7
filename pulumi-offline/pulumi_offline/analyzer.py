"""Run a CrossGuard policy pack the way the Pulumi engine does, against a recorded graph.

The engine boots a Python pack with `python -u -m pulumi.policy <engine address> .` in the pack's
directory (its `venv` if it has one), with the stack's config in `PULUMI_CONFIG` and
`PULUMI_PROJECT`/`PULUMI_STACK`/`PULUMI_DRY_RUN`; the pack prints the port of its gRPC Analyzer
server on stdout. The engine then calls `Handshake` (packs may not implement it),
`ConfigureStack`, `GetAnalyzerInfo`, `Configure` (the `--policy-pack-config` file, reconciled
with every policy's defaults and validated against its schema), then `Remediate` and `Analyze`
for each resource's inputs and finally `AnalyzeStack` with every resource's outputs.

    with PolicyPackServer("policies", project="platform", stack="prod") as pack:
        pack.info()                       # PackInfo: name, version, policies
        pack.configure(json.load(open("policies/config/prod.json")))
        diagnostics = pack.analyze_graph(graph, stack_config.values)

Properties go over the wire as the engine marshals them: secrets as secret-signature objects,
values unknown during preview as the unknown sentinel. Every resource gets its provider: the
explicit provider registration, or the default `pulumi:providers:<pkg>` configured from the
stack's `<pkg>:*` config values, as the engine creates it.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc
import jsonschema
import yaml
from google.protobuf import empty_pb2, json_format, struct_pb2
from pulumi.runtime import rpc
from pulumi.runtime.proto import analyzer_pb2 as pb
from pulumi.runtime.proto import analyzer_pb2_grpc

from .program import Graph, Registration, Secret, Unknown
from .providers import with_default_providers
from .stackconfig import StackConfig

ENFORCEMENT_LEVELS = {
    pb.ADVISORY: "advisory",
    pb.MANDATORY: "mandatory",
    pb.REMEDIATE: "remediate",
    pb.DISABLED: "disabled",
}
_LEVEL_VALUES = {v: k for k, v in ENFORCEMENT_LEVELS.items()}
SEVERITIES = {
    pb.POLICY_SEVERITY_UNSPECIFIED: "",
    pb.POLICY_SEVERITY_LOW: "low",
    pb.POLICY_SEVERITY_MEDIUM: "medium",
    pb.POLICY_SEVERITY_HIGH: "high",
    pb.POLICY_SEVERITY_CRITICAL: "critical",
}
# The pack never calls back into the engine (Python packs ignore the address), but the
# launcher requires one.
ENGINE_ADDRESS = "127.0.0.1:0"
_GRPC_OPTIONS = [("grpc.max_receive_message_length", 400 * 1024 * 1024)]


class PackStartError(RuntimeError):
    """The policy pack process did not start its analyzer server."""


class PolicyConfigError(ValueError):
    """The policy pack config names an unknown policy or breaks a policy's config schema."""


@dataclass(frozen=True)
class Diagnostic:
    """One policy violation, as the engine reports it."""

    policy_name: str
    policy_pack_name: str
    policy_pack_version: str
    enforcement_level: str
    message: str
    urn: str
    description: str
    severity: str

    @classmethod
    def from_proto(cls, d: pb.AnalyzeDiagnostic, urn: str = "") -> Diagnostic:
        return cls(
            policy_name=d.policyName,
            policy_pack_name=d.policyPackName,
            policy_pack_version=d.policyPackVersion,
            enforcement_level=ENFORCEMENT_LEVELS[d.enforcementLevel],
            message=d.message,
            # Resource diagnostics carry no URN; the engine attributes them to the analyzed resource.
            urn=d.urn or urn,
            description=d.description,
            severity=SEVERITIES.get(d.severity, ""),
        )

    @property
    def mandatory(self) -> bool:
        return self.enforcement_level == "mandatory"


@dataclass(frozen=True)
class Remediation:
    """A policy's rewrite of a resource's inputs."""

    policy_name: str
    urn: str
    properties: dict[str, Any]
    diagnostic: str


@dataclass(frozen=True)
class PolicyInfo:
    name: str
    description: str
    enforcement_level: str
    severity: str
    tags: tuple[str, ...]
    remediation_steps: str
    config_schema: dict[str, Any]
    stack_policy: bool


@dataclass(frozen=True)
class PackInfo:
    name: str
    version: str
    policies: tuple[PolicyInfo, ...]

    def policy(self, name: str) -> PolicyInfo:
        for policy in self.policies:
            if policy.name == name:
                return policy
        raise KeyError(name)


# ---- the engine's wire format -----------------------------------------------------------------


def to_wire(value: Any) -> Any:
    """A recorded value as the engine marshals it (KeepSecrets, KeepUnknowns)."""
    if isinstance(value, Secret):
        return {rpc._special_sig_key: rpc._special_secret_sig, "value": to_wire(value.value)}
    if isinstance(value, Unknown):
        return rpc.UNKNOWN
    if isinstance(value, dict):
        return {k: to_wire(v) for k, v in value.items()}
    if isinstance(value, list):
        return [to_wire(v) for v in value]
    return value


def to_struct(props: Mapping[str, Any]) -> struct_pb2.Struct:
    struct = struct_pb2.Struct()
    struct.update({k: to_wire(v) for k, v in props.items() if v is not None})
    return struct


def _seconds(duration: str) -> float:
    """A Go duration ("1h30m", "90s") in seconds."""
    units = {"h": 3600, "m": 60, "s": 1, "ms": 0.001}
    return sum(float(n) * units[u] for n, u in re.findall(r"([\d.]+)(ms|h|m|s)", duration or ""))


def resource_options(r: Registration) -> pb.AnalyzerResourceOptions:
    timeouts = r.options.get("customTimeouts") or {}
    return pb.AnalyzerResourceOptions(
        protect=r.protect,
        ignoreChanges=r.options.get("ignoreChanges", []),
        deleteBeforeReplace=r.options.get("deleteBeforeReplace", False),
        deleteBeforeReplaceDefined=bool(r.options.get("deleteBeforeReplace")),
        additionalSecretOutputs=r.options.get("additionalSecretOutputs", []),
        aliases=r.aliases,
        customTimeouts=pb.AnalyzerResourceOptions.CustomTimeouts(
            create=_seconds(timeouts.get("create", "")),
            update=_seconds(timeouts.get("update", "")),
            delete=_seconds(timeouts.get("delete", "")),
        ),
        parent=r.parent,
    )


def provider_of(graph: Graph, r: Registration) -> pb.AnalyzerProviderResource | None:
    """The provider registration `r` was created with (explicit, or the engine's default one
    that `pulumi_offline.providers.with_default_providers` added to the graph)."""
    if not r.provider_urn:
        return None
    provider = graph.by_urn(r.provider_urn)
    return pb.AnalyzerProviderResource(
        type=provider.type, urn=provider.urn, name=provider.name, properties=to_struct(provider.raw_inputs)
    )


def analyze_request(graph: Graph, r: Registration) -> pb.AnalyzeRequest:
    """What the engine sends to `Analyze`/`Remediate`: the resource's inputs."""
    request = pb.AnalyzeRequest(
        type=r.type, urn=r.urn, name=r.name, properties=to_struct(r.raw_inputs), options=resource_options(r)
    )
    provider = provider_of(graph, r)
    if provider is not None:
        request.provider.CopyFrom(provider)
    return request


def _outputs(r: Registration) -> dict[str, Any]:
    # Outputs echo inputs; keep the inputs' secrecy, which the mock's echo loses.
    secret_inputs = {k: v for k, v in r.raw_inputs.items() if k in r.secret_inputs}
    return {**r.outputs, **secret_inputs}


def analyze_stack_request(graph: Graph) -> pb.AnalyzeStackRequest:
    """What the engine sends to `AnalyzeStack`: every resource's outputs, parents and dependencies."""
    resources = []
    for r in graph:
        resource = pb.AnalyzerResource(
            type=r.type,
            urn=r.urn,
            name=r.name,
            properties=to_struct(_outputs(r)),
            options=resource_options(r),
            parent=r.parent,
            dependencies=r.dependencies,
            propertyDependencies={
                k: pb.AnalyzerPropertyDependencies(urns=v)
                for k, v in (r.options.get("propertyDependencies") or {}).items()
                if v
            },
        )
        provider = provider_of(graph, r)
        if provider is not None:
            resource.provider.CopyFrom(provider)
        resources.append(resource)
    return pb.AnalyzeStackRequest(resources=resources)


# ---- policy config, as `--policy-pack-config` ------------------------------------------------


def reconcile_config(info: PackInfo, config: Mapping[str, Any]) -> dict[str, pb.PolicyConfig]:
    """Every policy's enforcement level and properties, validated like the engine validates them."""
    known = {p.name for p in info.policies}
    unknown = sorted(set(config) - known - {"all"})
    if unknown:
        raise PolicyConfigError(f"policy config names unknown policies: {', '.join(unknown)}")
    everyone = config.get("all")
    problems, reconciled = [], {}
    for policy in info.policies:
        entry = config.get(policy.name, {})
        entry = {"enforcementLevel": entry} if isinstance(entry, str) else dict(entry)
        level = entry.pop("enforcementLevel", None) or everyone or policy.enforcement_level
        if level not in _LEVEL_VALUES:
            problems.append(f"{policy.name}.enforcementLevel: {level!r} is not one of {sorted(_LEVEL_VALUES)}")
            continue
        schema = {"type": "object", "properties": policy.config_schema, "additionalProperties": False}
        for error in jsonschema.Draft7Validator(schema).iter_errors(entry):
            where = ".".join(str(p) for p in error.absolute_path) or "(config)"
            problems.append(f"{policy.name}.{where}: {error.message}")
        properties = struct_pb2.Struct()
        properties.update(entry)
        reconciled[policy.name] = pb.PolicyConfig(enforcementLevel=_LEVEL_VALUES[level], properties=properties)
    if problems:
        raise PolicyConfigError("invalid policy config:\n" + "\n".join(problems))
    return reconciled


# ---- the pack process ------------------------------------------------------------------------


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


class Analyzer:
    """The engine's side of the Analyzer protocol, over any stub with the Analyzer methods."""

    def __init__(self, stub: Any, stack_config: Mapping[str, str] | None = None) -> None:
        self._stub = stub
        self.stack_config = dict(stack_config or {})
        self.remediations: list[Remediation] = []
        self._info: PackInfo | None = None

    def info(self) -> PackInfo:
        if self._info is None:
            self._info = pack_info(self._stub.GetAnalyzerInfo(empty_pb2.Empty()))
        return self._info

    def configure(self, config: Mapping[str, Any]) -> None:
        """Apply a `--policy-pack-config` document (`{policy: level | {enforcementLevel, …}}`)."""
        self._stub.Configure(pb.ConfigureAnalyzerRequest(policyConfig=reconcile_config(self.info(), config)))

    def analyze(self, request: pb.AnalyzeRequest) -> list[Diagnostic]:
        return [Diagnostic.from_proto(d, request.urn) for d in self._stub.Analyze(request).diagnostics]

    def analyze_stack(self, request: pb.AnalyzeStackRequest) -> list[Diagnostic]:
        return [Diagnostic.from_proto(d) for d in self._stub.AnalyzeStack(request).diagnostics]

    def remediate(self, request: pb.AnalyzeRequest) -> list[Remediation]:
        return [
            Remediation(r.policyName, request.urn, json_format.MessageToDict(r.properties), r.diagnostic)
            for r in self._stub.Remediate(request).remediations
        ]

    def analyze_graph(self, graph: Graph, stack_config: Mapping[str, str] | None = None) -> list[Diagnostic]:
        """Remediate and analyze every resource, then analyze the stack, as a deployment does.
        Remediations applied are kept in `self.remediations`."""
        config = self.stack_config if stack_config is None else stack_config
        # Resources without an explicit provider reach the pack with the engine's default one.
        graph = with_default_providers(graph, StackConfig(graph.project, graph.stack, dict(config)))
        diagnostics: list[Diagnostic] = []
        self.remediations = []
        for r in graph:
            request = analyze_request(graph, r)
            remediations = self.remediate(request)
            for remediation in remediations:
                if remediation.properties:
                    request.properties.Clear()
                    request.properties.update(remediation.properties)
            self.remediations += remediations
            diagnostics += self.analyze(request)
        diagnostics += self.analyze_stack(analyze_stack_request(graph))
        return diagnostics


def pack_info(response: pb.AnalyzerInfo) -> PackInfo:
    return PackInfo(
        name=response.name,
        version=response.version,
        policies=tuple(
            PolicyInfo(
                name=p.name,
                description=p.description,
                enforcement_level=ENFORCEMENT_LEVELS[p.enforcementLevel],
                severity=SEVERITIES.get(p.severity, ""),
                tags=tuple(p.tags),
                remediation_steps=p.remediation_steps,
                config_schema=json_format.MessageToDict(p.configSchema.properties),
                stack_policy=p.policy_type == pb.POLICY_TYPE_STACK,
            )
            for p in response.policies
        ),
    )


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
        super().__init__(None, stack_config)
        self.pack_dir = Path(pack_dir).resolve()
        self.project, self.stack, self.organization, self.dry_run = project, stack, organization, dry_run
        self.secret_keys = list(secret_keys)
        self.python = python or _pack_python(self.pack_dir)
        self.start_timeout = start_timeout
        self._process: subprocess.Popen | None = None
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
        threading.Thread(target=self._drain, args=(self._process.stderr, self._stderr), daemon=True).start()
        port = self._read_port()
        threading.Thread(target=self._drain, args=(self._process.stdout, []), daemon=True).start()
        self._channel = grpc.insecure_channel(f"127.0.0.1:{port}", options=_GRPC_OPTIONS)
        try:
            grpc.channel_ready_future(self._channel).result(timeout=self.start_timeout)
        except grpc.FutureTimeoutError as exc:
            self.close()
            raise PackStartError(f"policy pack at {self.pack_dir} did not accept connections on port {port}") from exc
        self._stub = analyzer_pb2_grpc.AnalyzerStub(self._channel)
        self._handshake()

    def _read_port(self) -> int:
        result: list[str] = []
        reader = threading.Thread(target=lambda: result.append(self._process.stdout.readline()), daemon=True)
        reader.start()
        reader.join(self.start_timeout)
        line = result[0].strip() if result else ""
        if not line.isdigit():
            self.close()
            detail = f"printed {line!r} instead of its port" if line else "did not print its port"
            raise PackStartError(f"policy pack at {self.pack_dir} {detail}; its stderr:\n{self.stderr}")
        return int(line)

    @staticmethod
    def _drain(stream, sink: list[str]) -> None:
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
