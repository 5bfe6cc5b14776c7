"""The recording engine: the engine's side of the resource monitor and engine protocols.

One implementation, two transports. In-process (the tests' fast path) the SDK calls these
methods directly, as it calls its own mock monitor; out of process (`pulumi_offline.host`) a gRPC
server hands them the program's requests. Either way every registration is recorded with its
options, outputs come from `pulumi_offline.mocks` (shaped like AWS's), assets are hashed as the
engine hashes them, and what the engine could not do offline (a missing asset path, a
multi-language component's children) is kept for the report.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn, TextIO

import grpc
import pulumi
from google.protobuf import empty_pb2, json_format, struct_pb2
from pulumi.runtime import rpc
from pulumi.runtime.proto import engine_pb2, engine_pb2_grpc, provider_pb2, resource_pb2, resource_pb2_grpc

from .datasources import UnansweredInvokeError, UnknownInvokeResult

SIG_KEY = rpc._special_sig_key
SECRET_SIG = rpc._special_secret_sig
RESOURCE_SIG = rpc._special_resource_sig
ASSET_SIG = rpc._special_asset_sig
ARCHIVE_SIG = rpc._special_archive_sig
ROOT_STACK_TYPE = "pulumi:pulumi:Stack"

# What the engine offers the SDK. `outputValues` stays off, as in the SDK's own mock monitor,
# so Output objects never reach the recorded inputs. Stack transforms are accepted but not
# applied (that needs callbacks into the program), as by the SDK's mock monitor: the run warns.
SUPPORTED_FEATURES = (
    resource_pb2.RESOURCE_MONITOR_FEATURE_SECRETS,
    resource_pb2.RESOURCE_MONITOR_FEATURE_RESOURCE_REFERENCES,
    resource_pb2.RESOURCE_MONITOR_FEATURE_ALIAS_SPECS,
    resource_pb2.RESOURCE_MONITOR_FEATURE_DELETED_WITH,
    resource_pb2.RESOURCE_MONITOR_FEATURE_REPLACE_WITH,
    resource_pb2.RESOURCE_MONITOR_FEATURE_REPLACEMENT_TRIGGER,
    resource_pb2.RESOURCE_MONITOR_FEATURE_PARAMETERIZATION,
    resource_pb2.RESOURCE_MONITOR_FEATURE_TRANSFORMS,
    resource_pb2.RESOURCE_MONITOR_FEATURE_INVOKE_TRANSFORMS,
)
# The same, by the names SDKs older than GetDeploymentInfo ask for.
LEGACY_FEATURES = frozenset({"secrets", "resourceReferences", "aliasSpecs", "deletedWith", "replaceWith"})


def make_urn(stack: str, project: str, parent_urn: str, type_: str, name: str) -> str:
    """The URN the engine gives a resource: its parent's full type chain, the root stack left out
    (the SDK's mock monitor keeps only the last parent type and includes the stack's)."""
    parent_type = parent_urn.split("::")[2] if parent_urn else ""
    qualified = f"{parent_type}${type_}" if parent_type and parent_type != ROOT_STACK_TYPE else type_
    return f"urn:pulumi:{stack}::{project}::{qualified}::{name}"


class Unknown:
    """A value only known after deployment (rendered like the CLI renders it)."""

    def __repr__(self) -> str:
        return "<unknown>"


UNKNOWN = Unknown()


@dataclass(frozen=True)
class Secret:
    """A value the program marked secret."""

    value: Any

    def __repr__(self) -> str:
        return "[secret]"


def from_wire(value: Any) -> Any:
    """Engine wire format (JSON-ish) to Python: secrets wrapped, resource refs as their URN."""
    if isinstance(value, dict):
        sig = value.get(SIG_KEY)
        if sig == SECRET_SIG:
            return Secret(from_wire(value.get("value")))
        if sig == RESOURCE_SIG:
            return value.get("urn")
        return {k: from_wire(v) for k, v in value.items()}
    if isinstance(value, list):
        return [from_wire(v) for v in value]
    if value == rpc.UNKNOWN:
        return UNKNOWN
    return value


def to_wire(value: Any) -> Any:
    """Python (as `from_wire` makes it, or as mocks answer) to the wire format."""
    if isinstance(value, Secret):
        return {SIG_KEY: SECRET_SIG, "value": to_wire(value.value)}
    if isinstance(value, Unknown):
        return rpc.UNKNOWN
    if isinstance(value, Mapping):
        return {k: to_wire(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_wire(v) for v in value]
    return value


def plain(value: Any) -> Any:
    """What the SDK's mocks receive: secrets unwrapped, unknowns as None, resources as URNs."""
    if isinstance(value, Secret):
        return plain(value.value)
    if isinstance(value, Unknown):
        return None
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


def struct_to_python(struct: struct_pb2.Struct) -> dict[str, Any]:
    return from_wire(json_format.MessageToDict(struct))


def python_to_struct(values: Mapping[str, Any]) -> struct_pb2.Struct:
    struct = struct_pb2.Struct()
    struct.update(to_wire(values))
    return struct


def reveal(value: Any) -> Any:
    """`value` with every Secret unwrapped (for assertions, never for printing)."""
    if isinstance(value, Secret):
        return reveal(value.value)
    if isinstance(value, dict):
        return {k: reveal(v) for k, v in value.items()}
    if isinstance(value, list):
        return [reveal(v) for v in value]
    return value


def _contains_secret(value: Any) -> bool:
    if isinstance(value, Secret):
        return True
    if isinstance(value, dict):
        return any(_contains_secret(v) for v in value.values())
    if isinstance(value, list):
        return any(_contains_secret(v) for v in value)
    return False


@dataclass
class Registration:
    """One RegisterResource request, as the engine would receive it."""

    urn: str
    type: str
    name: str
    custom: bool
    parent: str
    provider: str
    raw_inputs: dict[str, Any]
    protect: bool
    dependencies: list[str]
    aliases: list[str]
    options: dict[str, Any]
    id: str = ""
    outputs: dict[str, Any] = field(default_factory=dict)
    alias_urns: list[str] = field(default_factory=list)
    # Where the program constructed it, as the engine records it (`file:///path#line`).
    source_position: str = ""
    # A multi-language component: its provider plugin builds the children, which offline
    # nobody does, so neither the preview nor the policies see them.
    remote: bool = False

    def __repr__(self) -> str:
        return f"<{self.type} {self.name}>"

    @property
    def inputs(self) -> dict[str, Any]:
        """Inputs with secrets revealed: what tests assert on."""
        return reveal(self.raw_inputs)

    @property
    def secret_inputs(self) -> set[str]:
        """Top-level input names whose value is, or contains, a secret."""
        return {k for k, v in self.raw_inputs.items() if _contains_secret(v)}

    @property
    def provider_urn(self) -> str:
        return self.provider.rsplit("::", 1)[0] if self.provider else ""


class EngineError(Exception):
    """The engine refused a registration (as a real preview fails on that resource)."""


# ---- assets and archives, resolved and hashed as the engine does ------------------------------


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for chunk in iter(lambda: stream.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _hash_tree(root: Path) -> str:
    """A directory archive: every file's relative path and content hash, in order."""
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        digest.update(f"{path.relative_to(root).as_posix()}\0{_sha256_file(path)}\n".encode())
    return digest.hexdigest()


class _Assets:
    """Resolve every asset and archive in a property tree against the program directory and add
    its `hash` (sha256 of the contents), so a changed file changes the digest. A path that does
    not exist fails the resource, as the engine's preview does."""

    def __init__(self, base: Path) -> None:
        self.base = base

    def hash(self, value: Any, prop: str) -> Any:
        if isinstance(value, dict):
            sig = value.get(SIG_KEY)
            if sig in (ASSET_SIG, ARCHIVE_SIG):
                return self._hash_one(value, prop, "asset" if sig == ASSET_SIG else "archive")
            return {k: self.hash(v, prop) for k, v in value.items()}
        if isinstance(value, list):
            return [self.hash(v, prop) for v in value]
        return value

    def _hash_one(self, value: dict, prop: str, kind: str) -> dict:
        value = dict(value)
        if kind == "archive" and isinstance(value.get("assets"), dict):
            members = {k: self.hash(v, prop) for k, v in value["assets"].items()}
            value["assets"] = members
            listing = "".join(f"{k}\0{(v or {}).get('hash', '')}\n" for k, v in sorted(members.items()))
            value["hash"] = hashlib.sha256(listing.encode()).hexdigest()
        elif isinstance(value.get("text"), str):
            value["hash"] = hashlib.sha256(value["text"].encode()).hexdigest()
        elif isinstance(value.get("path"), str):
            path = self.base / value["path"]
            if not path.exists():
                raise EngineError(
                    f'failed to compute {kind} hash for "{prop}": couldn\'t read {kind} path '
                    f"'{value['path']}': no such file or directory (looked in {self.base})"
                )
            value["hash"] = _hash_tree(path) if path.is_dir() else _sha256_file(path)
        return value


# ---- the engine -----------------------------------------------------------------------------


def _refuse(context: Any, error: Exception, cause: BaseException | None = None) -> NoReturn:
    """Fail an RPC: in-process, raise to the SDK; over gRPC, abort with the message (the SDK
    raises it in the program)."""
    if context is not None:
        context.abort(grpc.StatusCode.UNKNOWN, str(error))
    raise error from cause


def _invoke_response(answer: Mapping[str, Any], failures: list[tuple[str, str]]) -> resource_pb2.ResourceInvokeResponse:
    response = resource_pb2.ResourceInvokeResponse(
        failures=[provider_pb2.CheckFailure(property=p, reason=r) for p, r in failures]
    )
    getattr(response, "return").CopyFrom(python_to_struct(answer))
    return response


class RecordingEngine(resource_pb2_grpc.ResourceMonitorServicer):
    """The resource monitor a program talks to, recording what it registers.

    Method names and messages are the ResourceMonitor service's; `context` is gRPC's when served
    over the wire (None in-process), and errors go back on it as the engine's would.
    """

    def __init__(self, mocks: pulumi.runtime.Mocks, project: str, stack: str, program_dir: Path | None = None) -> None:
        self.mocks = mocks
        self.project = project
        self.stack = stack
        self.assets = _Assets(program_dir or Path.cwd())
        self.registrations: dict[str, Registration] = {}
        self.stack_outputs: dict[str, Any] = {}
        # Failures the engine itself raised (as `urn: message`), reported after the run.
        self.errors: list[str] = []
        self.warnings: list[str] = []
        # Told of each registration as it is recorded (on the thread that served it): the
        # policy check analyzes resources while the program runs, as the engine does.
        self.on_register: Callable[[Registration], None] | None = None
        self._lock = threading.Lock()

    # -- what the SDK asks first

    def GetDeploymentInfo(self, request: Any, context: Any = None) -> resource_pb2.DeploymentInfo:
        return resource_pb2.DeploymentInfo(supportedFeatures=list(SUPPORTED_FEATURES))

    def SupportsFeature(self, request: Any, context: Any = None) -> resource_pb2.SupportsFeatureResponse:
        return resource_pb2.SupportsFeatureResponse(hasSupport=request.id in LEGACY_FEATURES)

    # -- resources

    def _fail(self, context: Any, urn: str, error: Exception) -> NoReturn:
        """Refuse the request as the engine would, and keep the refusal for the report."""
        message = f"{urn}: {error}"
        with self._lock:
            self.errors.append(message)
        _refuse(context, EngineError(message), error)

    def _alias_urn(self, alias: Any, request: resource_pb2.RegisterResourceRequest) -> str:
        """An alias as the engine resolves it: a full URN, or a spec whose blanks default to the
        resource's own name, type, stack, project and parent."""
        if alias.urn:
            return alias.urn
        spec = alias.spec
        parent = "" if spec.noParent else (spec.parentUrn or request.parent)
        return make_urn(
            spec.stack or self.stack,
            spec.project or self.project,
            parent,
            spec.type or request.type,
            spec.name or request.name,
        )

    def _outputs(self, request: resource_pb2.RegisterResourceRequest, wire: dict[str, Any]) -> tuple[str, dict]:
        """(id, wire outputs): the inputs echoed as a preview's provider echoes them (secrets
        and references kept), plus the computed values the mocks give."""
        if request.type == ROOT_STACK_TYPE or request.remote:
            # A multi-language component's outputs come from its provider: unknown at preview.
            return "", {}
        inputs = plain(from_wire(wire))
        resource_id, state = self.mocks.new_resource(
            pulumi.runtime.MockResourceArgs(
                typ=request.type,
                name=request.name,
                inputs=inputs,
                provider=request.provider,
                resource_id=request.importId,
                custom=request.custom,
            )
        )
        outputs = dict(wire)
        for key, value in state.items():
            if key not in inputs or inputs[key] != value:
                outputs[key] = to_wire(value)
        for key in request.additionalSecretOutputs:
            if key in outputs and not (isinstance(outputs[key], dict) and outputs[key].get(SIG_KEY) == SECRET_SIG):
                outputs[key] = {SIG_KEY: SECRET_SIG, "value": outputs[key]}
        return resource_id or "", outputs

    def RegisterResource(
        self, request: resource_pb2.RegisterResourceRequest, context: Any = None
    ) -> resource_pb2.RegisterResourceResponse:
        urn = make_urn(self.stack, self.project, request.parent, request.type, request.name)
        try:
            wire = {k: self.assets.hash(v, k) for k, v in json_format.MessageToDict(request.object).items()}
            resource_id, outputs = self._outputs(request, wire)
        except Exception as error:  # the engine's failure on this resource, reported with its URN
            return self._fail(context, urn, error)
        raw_inputs = from_wire(wire)
        registration = Registration(
            urn=urn,
            type=request.type,
            name=request.name,
            custom=request.custom,
            parent=request.parent,
            provider=request.provider,
            raw_inputs=raw_inputs,
            protect=request.protect,
            dependencies=sorted(request.dependencies),
            aliases=[a.urn or a.spec.name for a in request.aliases] + list(request.aliasURNs),
            options={
                "deleteBeforeReplace": request.deleteBeforeReplace,
                "ignoreChanges": list(request.ignoreChanges),
                "additionalSecretOutputs": list(request.additionalSecretOutputs),
                "retainOnDelete": request.retainOnDelete,
                "replaceOnChanges": list(request.replaceOnChanges),
                "propertyDependencies": {k: sorted(v.urns) for k, v in request.propertyDependencies.items()},
                "customTimeouts": json_format.MessageToDict(request.customTimeouts),
            },
            id=resource_id,
            outputs=from_wire(outputs),
            alias_urns=[self._alias_urn(a, request) for a in request.aliases] + list(request.aliasURNs),
            source_position=(
                f"{request.sourcePosition.uri}#{request.sourcePosition.line}" if request.sourcePosition.uri else ""
            ),
            remote=request.remote,
        )
        with self._lock:
            self.registrations[urn] = registration
        if self.on_register is not None:
            self.on_register(registration)
        response = resource_pb2.RegisterResourceResponse(urn=urn, id=resource_id)
        if outputs:
            response.object.update(outputs)
        return response

    def RegisterResourceOutputs(self, request: Any, context: Any = None) -> empty_pb2.Empty:
        if request.urn.split("::")[2] == ROOT_STACK_TYPE:
            self.stack_outputs = struct_to_python(request.outputs)
        return empty_pb2.Empty()

    def ReadResource(self, request: Any, context: Any = None) -> resource_pb2.ReadResourceResponse:
        """`Resource.get(...)`: the mocks' state for an existing resource of that id."""
        urn = make_urn(self.stack, self.project, request.parent, request.type, request.name)
        _, state = self.mocks.new_resource(
            pulumi.runtime.MockResourceArgs(
                typ=request.type,
                name=request.name,
                inputs=plain(struct_to_python(request.properties)),
                provider=request.provider,
                resource_id=request.id,
            )
        )
        return resource_pb2.ReadResourceResponse(urn=urn, properties=python_to_struct(state))

    # -- provider functions

    def Invoke(self, request: Any, context: Any = None) -> resource_pb2.ResourceInvokeResponse:
        args = plain(struct_to_python(request.args))
        if request.tok == "pulumi:pulumi:getResource":
            found = self.registrations.get(args.get("urn", ""))
            if found is None:
                return self._fail(context, args.get("urn", ""), KeyError("unknown resource"))
            return _invoke_response({"urn": found.urn, "id": found.id, "state": found.outputs}, [])
        try:
            answer: Any = self.mocks.call(
                pulumi.runtime.MockCallArgs(token=request.tok, args=args, provider=request.provider)
            )
        except UnknownInvokeResult as unknown:
            if not request.sourcePosition.uri:
                # The Output form: wholly unknown, as the engine answers a look-up it cannot make yet.
                return resource_pb2.ResourceInvokeResponse(unknown=True)
            # A plain call, whose result cannot be unknown: the runner says where it was made.
            site = f"{request.sourcePosition.uri.removeprefix('file://')}:{request.sourcePosition.line}"
            _refuse(context, UnansweredInvokeError(request.tok, unknown.call_args, site), unknown)
        except Exception as error:
            _refuse(context, error)
        if isinstance(answer, tuple):
            return _invoke_response(answer[0] or {}, list(answer[1] or []))
        return _invoke_response(answer or {}, [])

    def ExistsResource(self, request: Any, context: Any = None) -> resource_pb2.ExistsResourceResponse:
        exists = any(r.id == request.id and r.type == request.type for r in list(self.registrations.values()))
        return resource_pb2.ExistsResourceResponse(exists=exists)

    def Call(self, request: Any, context: Any = None) -> provider_pb2.CallResponse:
        """A method of a multi-language component: its provider would answer; unknown offline."""
        return provider_pb2.CallResponse()

    # -- the rest of the protocol: accepted, nothing to record

    def RegisterPackage(self, request: Any, context: Any = None) -> resource_pb2.RegisterPackageResponse:
        return resource_pb2.RegisterPackageResponse(ref=f"offline-{request.name}-{request.version}")

    def RegisterStackTransform(self, request: Any, context: Any = None) -> empty_pb2.Empty:
        self.warnings.append("the program registered a stack transform; offline it is not applied")
        return empty_pb2.Empty()

    def RegisterStackInvokeTransform(self, request: Any, context: Any = None) -> empty_pb2.Empty:
        self.warnings.append("the program registered an invoke transform; offline it is not applied")
        return empty_pb2.Empty()

    def SignalAndWaitForShutdown(self, request: Any, context: Any = None) -> empty_pb2.Empty:
        return empty_pb2.Empty()


class EngineService(engine_pb2_grpc.EngineServicer):
    """The Engine service: the program's log messages, and the root resource older SDKs keep
    in the engine. Warnings and errors go to `echo` as the CLI prints them."""

    SEVERITIES = {engine_pb2.DEBUG: "debug", engine_pb2.INFO: "info", engine_pb2.WARNING: "warning"}

    def __init__(self, echo: TextIO | None = None) -> None:
        self.echo = echo
        self.messages: list[tuple[str, str, str]] = []
        self.root = ""

    def Log(self, request: Any, context: Any = None) -> empty_pb2.Empty:
        severity = self.SEVERITIES.get(request.severity, "error")
        self.messages.append((severity, request.urn, request.message))
        if self.echo is not None and severity in ("warning", "error"):
            print(f"{severity}: {request.message}", file=self.echo)
        return empty_pb2.Empty()

    @property
    def errors(self) -> list[str]:
        return [message for severity, _, message in self.messages if severity == "error"]

    def GetRootResource(self, request: Any, context: Any = None) -> engine_pb2.GetRootResourceResponse:
        return engine_pb2.GetRootResourceResponse(urn=self.root)

    def SetRootResource(self, request: Any, context: Any = None) -> engine_pb2.SetRootResourceResponse:
        self.root = request.urn
        return engine_pb2.SetRootResourceResponse()
