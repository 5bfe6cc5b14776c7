"""Offline preview: a program's registered graph as a `pulumi preview --json` digest.

Against an empty previous state every step is a `create`; `pulumi_offline.changes` compares two
digests (base branch and pull request) to get updates, replacements and deletions.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pulumi.runtime.rpc import UNKNOWN as UNKNOWN_ID

from . import datasources, shapes
from .host import Interpreter, run_hosted
from .program import ROOT_STACK_TYPE, Graph, Registration, Secret, Unknown, run_program
from .providers import with_default_providers
from .stackconfig import StackConfig, load_stack_config

SECRET_TEXT = "[secret]"
# Bumped when the digest's shape changes, so `diff` can refuse digests it can't compare.
DIGEST_VERSION = 1


@dataclass
class Preview:
    """One offline run: the graph as the engine sees it (default providers included)."""

    program_dir: Path
    config: StackConfig
    graph: Graph
    seconds: float
    # Provider functions answered offline, and inputs that do not fit the SDK's types.
    served: list[datasources.Served] = field(default_factory=list)
    input_problems: list[shapes.InputProblem] = field(default_factory=list)


def run_preview(
    program_dir: Path | str,
    stack: str | None,
    *,
    config: StackConfig | None = None,
    python: Interpreter | None = None,
    answers: Path | str | None = None,
) -> Preview:
    """Run the program for `stack` (None: a program without stack files, stack `dev`) with its
    stack config (or `config`): with `python`, as the engine runs it (its own interpreter, over
    gRPC); without, in this process (fast, for tests). Provider functions are answered from
    `answers` (an answers file) and the built-in answers."""
    program_dir = Path(program_dir).resolve()
    config = config or load_stack_config(program_dir, stack)
    started = time.perf_counter()
    with datasources.serving(answers) as session:
        if python is not None:
            graph = run_hosted(program_dir, config, python)
        else:
            graph = run_program(program_dir, stack, config=config)
    problems = shapes.check_graph(graph)
    graph = with_default_providers(graph, config)
    return Preview(program_dir, config, graph, time.perf_counter() - started, session.served, problems)


def render(value: Any) -> Any:
    """A value as `pulumi preview --json` prints it: secrets hidden, unknowns as the engine's
    unknown sentinel."""
    if isinstance(value, Secret):
        return SECRET_TEXT
    if isinstance(value, Unknown):
        return UNKNOWN_ID
    if isinstance(value, dict):
        return {k: render(v) for k, v in value.items()}
    if isinstance(value, list):
        return [render(v) for v in value]
    # The engine's numbers are float64 and its JSON prints whole ones without a fraction.
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _source_position(position: str, program_dir: Path) -> str:
    """`file:///repo/components/x.py#12` → `project:///components/x.py#12`, as the engine
    records positions inside the project."""
    root = f"file://{program_dir}/"
    return "project:///" + position[len(root) :] if position.startswith(root) else position


def _new_state(resource: Registration, program_dir: Path) -> dict[str, Any]:
    options = resource.options
    state: dict[str, Any] = {
        "urn": resource.urn,
        "custom": resource.custom,
        "type": resource.type,
        "inputs": render(resource.raw_inputs),
        "parent": resource.parent,
        "provider": resource.provider,
        "protect": resource.protect,
        "dependencies": resource.dependencies,
    }
    optional = {
        "propertyDependencies": {k: v for k, v in options.get("propertyDependencies", {}).items() if v},
        "aliases": resource.alias_urns,
        "additionalSecretOutputs": options.get("additionalSecretOutputs"),
        "ignoreChanges": options.get("ignoreChanges"),
        "replaceOnChanges": options.get("replaceOnChanges"),
        "deleteBeforeReplace": options.get("deleteBeforeReplace"),
        "retainOnDelete": options.get("retainOnDelete"),
        "customTimeouts": options.get("customTimeouts"),
        "sourcePosition": _source_position(resource.source_position, program_dir),
    }
    # The engine omits empty fields.
    state.update({k: v for k, v in optional.items() if v})
    return state


def digest(preview: Preview) -> dict[str, Any]:
    """The `pulumi preview --json` document for a first deployment of this graph."""
    config = preview.config
    steps = [
        {"op": "create", "urn": r.urn, "provider": "", "newState": _new_state(r, preview.program_dir)}
        for r in preview.graph
    ]
    return {
        "config": {k: SECRET_TEXT if k in config.secret_keys else v for k, v in sorted(config.values.items())},
        "steps": steps,
        "changeSummary": {"create": len(steps)},
        "duration": int(preview.seconds * 1e9),
        "offline": offline_meta(preview),
    }


def problem_entry(problem: shapes.InputProblem, program_dir: Path) -> dict[str, str]:
    """An input problem as the digest's `offline.inputProblems` and check's reports carry it."""
    entry = problem.as_dict()
    if problem.source_position:
        entry["sourcePosition"] = _source_position(problem.source_position, program_dir)
    return entry


def offline_meta(preview: Preview) -> dict[str, Any]:
    """The digest's own section: version, project, stack and, when there are any, the data
    sources answered offline, the input problems and the multi-language components."""
    config = preview.config
    meta: dict[str, Any] = {"version": DIGEST_VERSION, "project": config.project, "stack": config.stack}
    if preview.served:
        meta["dataSources"] = [s.as_dict() for s in preview.served]
    if preview.input_problems:
        meta["inputProblems"] = [problem_entry(p, preview.program_dir) for p in preview.input_problems]
    if remote := [r.urn for r in preview.graph.remote_components]:
        meta["notPreviewed"] = remote
    return meta


def offline_notes(meta: dict[str, Any]) -> list[str]:
    """The lines preview and check print after their own report: every provider function
    answered offline (so no placeholder passes for a look-up), every input problem and every
    multi-language component whose children nobody previewed."""
    lines = []
    served = meta.get("dataSources", [])
    if served:
        lines += ["", f"Data sources answered offline ({len(served)}; not looked up in any account):"]
        for s in served:
            arguments = f"({s['arguments']})" if s["arguments"] else "()"
            lines.append(f"  {s['source']:<12}  {s['function']}{arguments}")
    problems = meta.get("inputProblems", [])
    if problems:
        lines += ["", f"Input problems ({len(problems)}; the SDK's types, as the provider's Check would see them):"]
        for p in problems:
            position = p.get("sourcePosition", "")
            where = f"  ({position.removeprefix('project:///').replace('#', ':')})" if position else ""
            lines.append(f"  {p['type']}  {p['name']}  {p['path']}: {p['message']}{where}")
    lines += not_previewed(meta.get("notPreviewed", []))
    return lines


NOT_PREVIEWED = "children not previewed; policies did not see them"


def not_previewed(urns: list[str]) -> list[str]:
    """The lines that say which multi-language components' children nobody previewed."""
    if not urns:
        return []
    lines = ["", "Multi-language components (their provider plugin builds the children; offline nobody does):"]
    for urn in urns:
        lines.append(f"  ~ {urn.split('::')[-2].split('$')[-1]}  {urn.rsplit('::', 1)[-1]}: {NOT_PREVIEWED}")
    return lines


def states(document: dict[str, Any]) -> list[dict[str, Any]]:
    """Each step's resource state (the new one; the old one for deletions)."""
    return [s.get("newState") or s.get("oldState") for s in document.get("steps", [])]


def _is_component(state: dict[str, Any]) -> bool:
    return not state["custom"] and state["type"] != ROOT_STACK_TYPE


def summary(document: dict[str, Any]) -> str:
    """A tree of components with their resources counted by type, then the totals by type."""
    resources = states(document)
    children: dict[str, list[dict]] = {}
    for state in resources:
        children.setdefault(state.get("parent", ""), []).append(state)

    meta = document.get("offline", {})
    lines = [
        f"Preview of stack {meta.get('stack', '?')} (project {meta.get('project', '?')}): {len(resources)} to create"
    ]

    def walk(state: dict, depth: int) -> None:
        name = state["urn"].rsplit("::", 1)[-1]
        lines.append(f"{'    ' * depth}+ {state['type']}  {name}")
        kids = children.get(state["urn"], [])
        counts = Counter(k["type"] for k in kids if not _is_component(k) and k["urn"] not in children)
        protected = Counter(k["type"] for k in kids if k.get("protect") and k["urn"] not in children)
        for type_, count in sorted(counts.items()):
            note = f"  ({protected[type_]} protected)" if protected[type_] else ""
            lines.append(f"{'    ' * (depth + 1)}{count:>3}  {type_}{note}")
        for kid in kids:
            if _is_component(kid) or kid["urn"] in children:
                walk(kid, depth + 1)

    for root in children.get("", []):
        if root["urn"] in children or root["type"] == ROOT_STACK_TYPE:
            walk(root, 0)
    orphans = [s for s in children.get("", []) if s["urn"] not in children and s["type"] != ROOT_STACK_TYPE]
    for state in orphans:
        lines.append(f"+ {state['type']}  {state['urn'].rsplit('::', 1)[-1]}")

    lines.append("")
    lines.append("Resources by type:")
    for type_, count in sorted(Counter(s["type"] for s in resources).items(), key=lambda kv: (-kv[1], kv[0])):
        lines.append(f"  {count:>4}  {type_}")
    protected = sum(1 for s in resources if s.get("protect"))
    lines.append(f"  {len(resources):>4}  total ({protected} protected)")
    lines += offline_notes(meta)
    return "\n".join(lines)
