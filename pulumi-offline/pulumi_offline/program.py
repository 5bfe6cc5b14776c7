"""Run a Pulumi Python program in-process and record what it asks the engine to create."""

from __future__ import annotations

import asyncio
import contextlib
import runpy
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi
from google.protobuf import empty_pb2, json_format, struct_pb2
from pulumi.runtime import mocks as pulumi_mocks
from pulumi.runtime import rpc
from pulumi.runtime.proto import resource_pb2

from .mocks import RealisticMocks
from .quiescence import linear_wait
from .stackconfig import StackConfig, load_stack_config

SECRET_SIG = rpc._special_secret_sig
SIG_KEY = rpc._special_sig_key
RESOURCE_SIG = rpc._special_resource_sig
ROOT_STACK_TYPE = "pulumi:pulumi:Stack"


def make_urn(stack: str, project: str, parent_urn: str, type_: str, name: str) -> str:
    """The URN the engine gives a resource: its parent's full type chain, the root stack left out
    (the SDK's mock monitor keeps only the last parent type and includes the stack's)."""
    parent_type = parent_urn.split("::")[2] if parent_urn else ""
    qualified = f"{parent_type}${type_}" if parent_type and parent_type != ROOT_STACK_TYPE else type_
    return f"urn:pulumi:{stack}::{project}::{qualified}::{name}"


class ProgramError(Exception):
    """The program itself raised; `__cause__` is its exception."""


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


def _from_wire(value: Any) -> Any:
    """Engine wire format (JSON-ish) to Python: secrets wrapped, resource refs as their URN."""
    if isinstance(value, dict):
        sig = value.get(SIG_KEY)
        if sig == SECRET_SIG:
            return Secret(_from_wire(value.get("value")))
        if sig == RESOURCE_SIG:
            return value.get("urn")
        return {k: _from_wire(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_from_wire(v) for v in value]
    if value == rpc.UNKNOWN:
        return UNKNOWN
    return value


def reveal(value: Any) -> Any:
    """`value` with every Secret unwrapped (for assertions, never for printing)."""
    if isinstance(value, Secret):
        return reveal(value.value)
    if isinstance(value, dict):
        return {k: reveal(v) for k, v in value.items()}
    if isinstance(value, list):
        return [reveal(v) for v in value]
    return value


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


def _contains_secret(value: Any) -> bool:
    if isinstance(value, Secret):
        return True
    if isinstance(value, dict):
        return any(_contains_secret(v) for v in value.values())
    if isinstance(value, list):
        return any(_contains_secret(v) for v in value)
    return False


def _struct_to_python(struct: struct_pb2.Struct) -> dict[str, Any]:
    return _from_wire(json_format.MessageToDict(struct))


def _mark_secret_outputs(obj: struct_pb2.Struct, names: list[str]) -> None:
    """Honour `additional_secret_outputs`, as the engine does, so secrecy propagates."""
    for key in names:
        if key in obj.fields:
            wrapped = struct_pb2.Struct()
            wrapped.update({SIG_KEY: SECRET_SIG})
            wrapped.fields["value"].CopyFrom(obj.fields[key])
            obj.fields[key].struct_value.CopyFrom(wrapped)


@contextlib.contextmanager
def _thread_loop_scope() -> Iterator[None]:
    """The SDK's mock monitor runs on executor threads and gives each an event loop it never
    closes; at interpreter exit their finalizers then print errors. Close the ones made here."""
    try:
        asyncio.get_event_loop()
        fresh = False
    except RuntimeError:
        fresh = True
    try:
        yield
    finally:
        if fresh:
            with contextlib.suppress(RuntimeError):
                asyncio.get_event_loop().close()
            asyncio.set_event_loop(None)


class RecordingMonitor(pulumi_mocks.MockMonitor):
    """The SDK's mock monitor, keeping every registration with its options."""

    def __init__(self, mocks: pulumi.runtime.Mocks) -> None:
        super().__init__(mocks)
        self.registrations: dict[str, Registration] = {}
        self.stack_outputs: dict[str, Any] = {}

    def make_urn(self, parent: str, type_: str, name: str) -> str:
        return make_urn(pulumi.get_stack(), pulumi.get_project(), parent, type_, name)

    def _alias_urn(self, alias: Any, request: resource_pb2.RegisterResourceRequest) -> str:
        """An alias as the engine resolves it: a full URN, or a spec whose blanks default to the
        resource's own name, type, stack, project and parent."""
        if alias.urn:
            return alias.urn
        spec = alias.spec
        parent = "" if spec.noParent else (spec.parentUrn or request.parent)
        return make_urn(
            spec.stack or pulumi.get_stack(),
            spec.project or pulumi.get_project(),
            parent,
            spec.type or request.type,
            spec.name or request.name,
        )

    def RegisterResource(self, request: resource_pb2.RegisterResourceRequest):
        with _thread_loop_scope():
            response = super().RegisterResource(request)
        _mark_secret_outputs(response.object, list(request.additionalSecretOutputs))
        self.registrations[response.urn] = Registration(
            urn=response.urn,
            type=request.type,
            name=request.name,
            custom=request.custom,
            parent=request.parent,
            provider=request.provider,
            raw_inputs=_struct_to_python(request.object),
            protect=request.protect,
            dependencies=list(request.dependencies),
            aliases=[a.urn or a.spec.name for a in request.aliases] + list(request.aliasURNs),
            options={
                "deleteBeforeReplace": request.deleteBeforeReplace,
                "ignoreChanges": list(request.ignoreChanges),
                "additionalSecretOutputs": list(request.additionalSecretOutputs),
                "retainOnDelete": request.retainOnDelete,
                "replaceOnChanges": list(request.replaceOnChanges),
                "propertyDependencies": {k: list(v.urns) for k, v in request.propertyDependencies.items()},
                "customTimeouts": json_format.MessageToDict(request.customTimeouts),
            },
            id=response.id,
            outputs=_struct_to_python(response.object),
            alias_urns=[self._alias_urn(a, request) for a in request.aliases] + list(request.aliasURNs),
            source_position=(
                f"{request.sourcePosition.uri}#{request.sourcePosition.line}" if request.sourcePosition.uri else ""
            ),
        )
        return response

    def RegisterResourceOutputs(self, request):
        if request.urn.split("::")[2] == "pulumi:pulumi:Stack":
            self.stack_outputs = _struct_to_python(request.outputs)
        return super().RegisterResourceOutputs(request)


@dataclass
class Graph:
    """Everything one program run registered."""

    project: str
    stack: str
    resources: list[Registration]
    outputs: dict[str, Any]

    def __iter__(self) -> Iterator[Registration]:
        return iter(self.resources)

    def __len__(self) -> int:
        return len(self.resources)

    def of_type(self, *type_tokens: str) -> list[Registration]:
        return [r for r in self.resources if r.type in type_tokens]

    def named(self, name: str) -> Registration:
        matches = [r for r in self.resources if r.name == name]
        if len(matches) != 1:
            raise KeyError(f"{len(matches)} resources named {name!r}")
        return matches[0]

    def by_urn(self, urn: str) -> Registration:
        for r in self.resources:
            if r.urn == urn:
                return r
        raise KeyError(urn)

    def children_of(self, parent: Registration) -> list[Registration]:
        return [r for r in self.resources if r.parent == parent.urn]


def _forget_program_modules(program_dir: Path, keep: set[str]) -> None:
    """Drop the modules the program imported from its own directory, so the next program (which
    may have its own `components` package) imports its own code. Modules the caller had
    imported before the run (`keep`) stay, so their classes keep their identity."""
    root = str(program_dir.resolve()) + "/"
    for name, module in list(sys.modules.items()):
        file = getattr(module, "__file__", None) or ""
        # A virtualenv inside the project (CI's .venv, Pulumi's venv/) holds installed packages,
        # not program code: re-importing pulumi_aws would try to register it twice.
        if file.startswith(root) and "site-packages" not in file and name not in keep:
            del sys.modules[name]


def run(
    program: Callable[[], None],
    *,
    project: str = "fixture",
    stack: str = "test",
    config: dict[str, str] | None = None,
    secret_keys: set[str] | frozenset[str] = frozenset(),
    preview: bool = True,
) -> Graph:
    """Run `program` (a function that creates resources) against the recording mock engine."""
    mocks = RealisticMocks()
    monitor = RecordingMonitor(mocks)
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    # What `set_mocks` does, minus the root stack it makes for unit tests: the program gets
    # its own from run_in_stack, as under the CLI, so the engine sees exactly one.
    pulumi.runtime.settings.ROOT.set(None)
    pulumi.runtime.settings.configure(
        pulumi_mocks.MockSettings(
            monitor=monitor,
            monitor_features=set(monitor.GetDeploymentInfo(empty_pb2.Empty()).supportedFeatures),
            engine=pulumi_mocks.MockEngine(None),
            project=project,
            stack=stack,
            dry_run=preview,
            organization="organization",
            callbacks=None,
        )
    )
    pulumi.runtime.set_all_config(dict(config or {}), sorted(secret_keys))
    try:
        with linear_wait():
            loop.run_until_complete(pulumi.runtime.stack.run_in_stack(program))
    finally:
        loop.close()
        asyncio.set_event_loop(None)
    return Graph(project, stack, list(monitor.registrations.values()), monitor.stack_outputs)


def run_program(
    program_dir: Path | str,
    stack: str | None = None,
    *,
    config: StackConfig | None = None,
    extra_config: dict[str, str] | None = None,
    extra_secret_keys: set[str] | frozenset[str] = frozenset(),
    preview: bool = True,
) -> Graph:
    """Run `program_dir/__main__.py` for `stack` with that stack file's config.

    `extra_config` overrides or adds `ns:key` values (tests use it for bad input);
    keys in `extra_secret_keys` are marked as set with `--secret`. A program that raises
    gives ProgramError, whose cause is the program's own exception.
    """
    program_dir = Path(program_dir).resolve()
    config = config or load_stack_config(program_dir, stack)
    main = program_dir / "__main__.py"
    if not main.is_file():
        raise ProgramError(f"{program_dir}: no __main__.py (only Python programs run offline)")
    already_imported = set(sys.modules)
    sys.path.insert(0, str(program_dir))

    def main_module() -> None:
        runpy.run_path(str(main), run_name="__main__")

    try:
        return run(
            main_module,
            project=config.project,
            stack=config.stack,
            config={**config.values, **(extra_config or {})},
            secret_keys=set(config.secret_keys) | set(extra_secret_keys),
            preview=preview,
        )
    except Exception as exc:
        raise ProgramError(f"{main}: {type(exc).__name__}: {exc}") from exc
    finally:
        sys.path.remove(str(program_dir))
        _forget_program_modules(program_dir, already_imported)
