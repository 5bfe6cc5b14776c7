"""Run a Pulumi Python program the way the engine's Python language host runs it.

The program's own interpreter executes this file by path, so it needs nothing but the `pulumi`
SDK the program has installed (and imports nothing else of the tool's):

    <venv>/bin/python runner.py --monitor ADDR --engine ADDR --project P --stack S \\
        --result FILE [--organization O] [--parallel N] PROGRAM_DIR MAIN

As `pulumi-language-python`'s executor does, it points the SDK at the resource monitor and
engine (here the ones `pulumi_offline.host` serves), sets the project, stack, organization and
preview mode, reads the stack's config from `PULUMI_CONFIG`/`PULUMI_CONFIG_SECRET_KEYS`, changes
to the program directory, runs MAIN in a root stack and waits for every outstanding RPC. How the
program ended goes to FILE as JSON (`describe`): the tool reports it, with the program's frames.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import importlib.util
import inspect
import json
import os
import runpy
import sys
import traceback
from pathlib import Path
from typing import Any


def describe(error: BaseException | None, program_dir: str | Path) -> dict[str, Any]:
    """How a program run ended, as data: `ok`, `exit` (a non-zero `sys.exit`), `config` (a
    required key is missing) or `exception` (its traceback limited to the program's own files)."""
    if error is None or (isinstance(error, SystemExit) and error.code in (None, 0)):
        return {"kind": "ok"}
    if isinstance(error, SystemExit):
        code = error.code if isinstance(error.code, int) else 1
        return {"kind": "exit", "code": code, "message": "" if isinstance(error.code, int) else str(error.code)}
    key = getattr(error, "key", None)
    if type(error).__name__ == "ConfigMissingError" and isinstance(key, str):
        return {"kind": "config", "key": key, "secret": bool(getattr(error, "secret", False))}
    root = f"{Path(program_dir).resolve()}/"
    frames = traceback.StackSummary.from_list(
        [
            f
            for f in traceback.extract_tb(error.__traceback__)
            if f.filename.startswith(root) and "-packages/" not in f.filename
        ]
    )
    text = "".join(traceback.format_list(frames)) + "".join(traceback.format_exception_only(type(error), error))
    return {"kind": "exception", "traceback": text.rstrip()}


def _speedup(module: str, name: str) -> contextlib.AbstractContextManager[None]:
    """One of the tool's SDK speed-ups (its sibling `quiescence.py`'s linear end-of-program
    wait, `sourcepos.py`'s source positions), where this SDK has the internals it replaces."""
    try:
        spec = importlib.util.spec_from_file_location(f"_offline_{module}", Path(__file__).with_name(f"{module}.py"))
        assert spec is not None and spec.loader is not None
        loaded = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(loaded)
        return getattr(loaded, name)()
    except Exception:  # an SDK older or newer than the one these were written against
        return contextlib.nullcontext()


def run_main(main: Path) -> None:
    """Run the program's entry point as `python main.py` would (the language host's way)."""
    runpy.run_path(str(main), run_name="__main__")


def _settings(pulumi_runtime: Any, args: argparse.Namespace) -> Any:
    """`Settings` for this SDK version: older ones lack some keywords."""
    wanted = {
        "monitor": args.monitor,
        "engine": args.engine,
        "project": args.project,
        "stack": args.stack,
        "parallel": args.parallel,
        "dry_run": True,
        "organization": args.organization,
        "root_directory": args.program_dir,
    }
    accepted = inspect.signature(pulumi_runtime.Settings).parameters
    return pulumi_runtime.Settings(**{k: v for k, v in wanted.items() if k in accepted})


def _plain_invoke_site(token: str, program_dir: str) -> tuple[str, int] | None:
    """Where the program called `token` in the plain form (`aws.get_ami()`), which blocks in
    the SDK's `invoke` until the answer comes: the program's own frame on that thread's stack.
    The Output form (`get_ami_output()`) returned long before: None."""
    root = f"{Path(program_dir).resolve()}/"
    for top in sys._current_frames().values():
        frame: Any = top
        blocked = False
        while frame is not None:
            code = frame.f_code
            if not blocked:
                blocked = (
                    code.co_name == "invoke"
                    and code.co_filename.endswith(os.path.join("pulumi", "runtime", "invoke.py"))
                    and frame.f_locals.get("tok") == token
                )
            elif code.co_filename.startswith(root) and "-packages/" not in code.co_filename:
                return code.co_filename, frame.f_lineno
            frame = frame.f_back
    return None


class _Monitor:
    """The SDK's resource monitor client, telling the engine where a plain invoke was called
    (`sourcePosition`, which this SDK leaves empty for invokes): an unanswered one can then
    name the program's line, and only the Output form may be answered unknown."""

    def __init__(self, stub: Any, program_dir: str) -> None:
        self._stub = stub
        self._program_dir = program_dir

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stub, name)

    def Invoke(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        site = _plain_invoke_site(request.tok, self._program_dir)
        if site is not None and not request.sourcePosition.uri:
            request.sourcePosition.uri = Path(site[0]).as_uri()
            request.sourcePosition.line = site[1]
        return self._stub.Invoke(request, *args, **kwargs)


def _run_main(main: Path) -> None:
    runpy.run_path(str(main), run_name="__main__")


def run(args: argparse.Namespace) -> dict[str, Any]:
    try:
        import pulumi.runtime
    except ImportError as exc:
        return {"kind": "no-sdk", "python": sys.executable, "message": str(exc)}

    # `program.collect_rarely`, which this file, run by the program's own interpreter, cannot
    # import: the SDK keeps every output alive to the end, and collections were half of a run.
    gc.set_threshold(100_000, 50, 1_000)
    # The CLI shows debug messages only with --debug; the SDK sends each one as a blocking
    # Log RPC from the event loop (several per resource), so they are dropped here.
    pulumi.log.debug = lambda *_args, **_kwargs: None
    main = Path(args.main)
    os.chdir(args.program_dir)
    sys.path.insert(0, str(main.parent))
    settings = _settings(pulumi.runtime, args)
    settings.monitor = _Monitor(settings.monitor, args.program_dir)
    pulumi.runtime.configure(settings)
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    error: BaseException | None = None
    try:
        with _speedup("quiescence", "linear_wait"), _speedup("sourcepos", "fast_source_positions"):
            loop.run_until_complete(pulumi.runtime.run_in_stack(lambda: run_main(main)))
    except BaseException as exc:  # everything a program can end with is reported
        error = exc
    finally:
        loop.close()
    return describe(error, args.program_dir)


def main() -> None:
    parser = argparse.ArgumentParser(description="Run a Pulumi Python program against an offline engine")
    parser.add_argument("--monitor", required=True)
    parser.add_argument("--engine", required=True)
    parser.add_argument("--project", required=True)
    parser.add_argument("--stack", required=True)
    parser.add_argument("--organization", default="organization")
    parser.add_argument("--parallel", type=int, default=None)
    parser.add_argument("--result", required=True)
    parser.add_argument("program_dir")
    parser.add_argument("main")
    args = parser.parse_args()
    outcome = run(args)
    sys.stdout.flush()
    sys.stderr.flush()
    Path(args.result).write_text(json.dumps(outcome))
    # The outcome is in the result file; a zero status means this runner did its job.
    os._exit(0)


if __name__ == "__main__":
    main()
