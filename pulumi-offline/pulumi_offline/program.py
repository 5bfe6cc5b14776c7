"""Run a Pulumi Python program and record what it asks the engine to create.

`run` and `run_program` run it in this process against `pulumi_offline.engine.RecordingEngine`
(the tests' fast path); `pulumi_offline.host` runs it as the engine does, in its own interpreter,
against the same engine over gRPC. Both return the same `Graph`.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import pulumi
from pulumi.runtime import mocks as pulumi_mocks

from .engine import (
    ROOT_STACK_TYPE,
    UNKNOWN,
    EngineError,
    EngineService,
    RecordingEngine,
    Registration,
    Secret,
    Unknown,
    make_urn,
    reveal,
)
from .mocks import RealisticMocks
from .quiescence import linear_wait
from .runner import describe, run_main
from .sourcepos import fast_source_positions
from .stackconfig import StackConfig, load_stack_config, project_main

__all__ = [
    "ROOT_STACK_TYPE",
    "UNKNOWN",
    "Graph",
    "ProgramError",
    "Registration",
    "Secret",
    "Unknown",
    "collect_rarely",
    "make_urn",
    "reveal",
    "run",
    "run_program",
]


def collect_rarely() -> None:
    """Set this process's garbage collector to run far less often. A program run builds one
    large graph and frees little until it ends (the SDK keeps every resource's outputs and
    futures alive): with the default thresholds the collector re-scanned that ever-growing heap
    for almost nothing, half of a 4,000-resource run. The program's runner does the same."""
    gc.set_threshold(100_000, 50, 1_000)


class ProgramError(Exception):
    """The program did not run to the end: `str()` says how, with the program's own frames.
    In-process, `__cause__` is the program's own exception; `exit_code` is set for `sys.exit`."""

    def __init__(self, message: str, exit_code: int | None = None) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def missing_config_message(key: str, secret: bool, program_dir: Path, stack: str) -> str:
    """Name the stack-file lines that would fix a missing required key (there is no CLI here
    to run `pulumi config set` with)."""
    value = "<value>  # a secret: offline any placeholder will do" if secret else "<value>"
    return (
        f"the program requires the configuration value '{key}', which stack '{stack}' does not set;\n"
        f"add to {program_dir / f'Pulumi.{stack}.yaml'}:\n  config:\n    {key}: {value}\n"
        f"or set it for one run with --config {key}=<value>"
    )


def failure(outcome: dict[str, Any], program_dir: Path, stack: str) -> ProgramError | None:
    """The error for a run that ended as `outcome` (`pulumi_offline.runner.describe`), if any."""
    kind = outcome.get("kind")
    if kind == "ok":
        return None
    if kind == "exit":
        detail = f": {outcome['message']}" if outcome.get("message") else ""
        return ProgramError(f"the program exited with status {outcome['code']}{detail}", outcome["code"])
    if kind == "config":
        return ProgramError(missing_config_message(outcome["key"], outcome["secret"], program_dir, stack))
    if kind == "exception":
        return ProgramError(f"the program raised an exception:\n{outcome['traceback']}")
    return ProgramError(outcome.get("message") or f"the program failed ({kind})")


def engine_failure(errors: list[str]) -> ProgramError | None:
    """What the engine itself refused (as a real preview fails on those resources)."""
    if not errors:
        return None
    return ProgramError("preview failed:\n" + "\n".join(f"  {e}" for e in errors))


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

    @cached_property
    def _by_urn(self) -> dict[str, Registration]:
        return {r.urn: r for r in self.resources}

    @property
    def remote_components(self) -> list[Registration]:
        """Multi-language components, whose children nobody previews offline."""
        return [r for r in self.resources if r.remote]

    def of_type(self, *type_tokens: str) -> list[Registration]:
        return [r for r in self.resources if r.type in type_tokens]

    def named(self, name: str) -> Registration:
        matches = [r for r in self.resources if r.name == name]
        if len(matches) != 1:
            raise KeyError(f"{len(matches)} resources named {name!r}")
        return matches[0]

    def by_urn(self, urn: str) -> Registration:
        return self._by_urn[urn]

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


def _quiet_engine_errors(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
    """The engine's own refusals are reported once, after the run; the SDK's futures that
    carried them need not each print "exception was never retrieved"."""
    if not isinstance(context.get("exception"), EngineError):
        loop.default_exception_handler(context)


def run_engine(
    program: Callable[[], None],
    engine: RecordingEngine,
    *,
    config: dict[str, str] | None = None,
    secret_keys: set[str] | frozenset[str] = frozenset(),
    preview: bool = True,
) -> Graph:
    """Run `program` (a function that creates resources) in this process against `engine`."""
    loop = asyncio.new_event_loop()
    loop.set_exception_handler(_quiet_engine_errors)
    asyncio.set_event_loop(loop)
    # What `set_mocks` does, minus the root stack it makes for unit tests: the program gets
    # its own from run_in_stack, as under the CLI, so the engine sees exactly one.
    pulumi.runtime.settings.ROOT.set(None)
    pulumi.runtime.settings.configure(
        pulumi_mocks.MockSettings(
            monitor=engine,
            monitor_features=set(engine.GetDeploymentInfo(None).supportedFeatures),
            engine=EngineService(),
            project=engine.project,
            stack=engine.stack,
            dry_run=preview,
            organization="organization",
            callbacks=None,
        )
    )
    pulumi.runtime.set_all_config(dict(config or {}), sorted(secret_keys))
    try:
        with linear_wait(), fast_source_positions():
            loop.run_until_complete(pulumi.runtime.stack.run_in_stack(program))
    finally:
        loop.close()
        asyncio.set_event_loop(None)
    return Graph(engine.project, engine.stack, list(engine.registrations.values()), engine.stack_outputs)


def run(
    program: Callable[[], None],
    *,
    project: str = "fixture",
    stack: str = "test",
    config: dict[str, str] | None = None,
    secret_keys: set[str] | frozenset[str] = frozenset(),
    preview: bool = True,
) -> Graph:
    """Run `program` (a function that creates resources) against the recording engine."""
    engine = RecordingEngine(RealisticMocks(), project, stack)
    return run_engine(program, engine, config=config, secret_keys=secret_keys, preview=preview)


def run_program(
    program_dir: Path | str,
    stack: str | None = None,
    *,
    config: StackConfig | None = None,
    extra_config: dict[str, str] | None = None,
    extra_secret_keys: set[str] | frozenset[str] = frozenset(),
    preview: bool = True,
    on_register: Callable[[Registration], None] | None = None,
) -> Graph:
    """Run the program in `program_dir` (its `__main__.py`, or the `main:` of its Pulumi.yaml)
    in this process, for `stack` with that stack file's config, in its own directory.

    `extra_config` overrides or adds `ns:key` values (tests use it for bad input);
    keys in `extra_secret_keys` are marked as set with `--secret`; `on_register` is told of
    each registration as it is recorded. A program that fails
    gives ProgramError, whose cause is the program's own exception.
    """
    program_dir = Path(program_dir).resolve()
    config = config or load_stack_config(program_dir, stack)
    main = project_main(program_dir)
    engine = RecordingEngine(RealisticMocks(), config.project, config.stack, program_dir)
    engine.on_register = on_register
    already_imported = set(sys.modules)
    sys.path.insert(0, str(main.parent))
    error: BaseException | None = None
    graph: Graph | None = None
    try:
        with contextlib.chdir(program_dir):
            graph = run_engine(
                lambda: run_main(main),
                engine,
                config={**config.values, **(extra_config or {})},
                secret_keys=set(config.secret_keys) | set(extra_secret_keys),
                preview=preview,
            )
    except (Exception, SystemExit) as exc:
        error = exc
    finally:
        sys.path.remove(str(main.parent))
        _forget_program_modules(program_dir, already_imported)
    problem = engine_failure(engine.errors) or failure(describe(error, program_dir), program_dir, config.stack)
    if problem is not None:
        raise problem from error
    # A program that ends with `sys.exit(0)` registered what it registered.
    return graph or Graph(config.project, config.stack, list(engine.registrations.values()), engine.stack_outputs)
