"""Component diagram of a preview digest: components as boxes, their main resources inside,
and an edge wherever one uses another (its dependencies). Minor resources (routes, rules,
associations…) are folded into their component so the diagram stays readable."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from .aws_types import MAIN_TYPES
from .preview import states
from .program import ROOT_STACK_TYPE

# Marks the diagram a document embeds (`graph --embed`): the next ```mermaid block is replaced.
EMBED_MARKER = "<!-- pulumi-offline graph -->"


@dataclass
class Box:
    """A component (cluster) of the diagram."""

    id: str
    label: str
    boxes: list[Box] = field(default_factory=list)
    nodes: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class Diagram:
    # The root stack: its own resources are drawn loose, its components as the outer boxes.
    root: Box
    edges: list[tuple[str, str]]


def _short_type(type_token: str) -> str:
    """`aws:rds/instance:Instance` → `rds Instance`; `platform:data:Postgres` → `Postgres`."""
    package, module, name = [*type_token.split(":"), "", ""][:3]
    return f"{module.split('/')[0]} {name}" if package == "aws" else name


def _name(urn: str) -> str:
    return urn.rsplit("::", 1)[-1]


# A node lists at most this many names; a diagram is for shape, the preview lists everything.
MAX_NAMES = 5


def _node_label(type_: str, urns: list[str], component: str) -> str:
    names = sorted(_name(u).removeprefix(f"{component}-") for u in urns)
    count = f" ({len(urns)})" if len(urns) > 1 else ""
    shown = ", ".join(names[:MAX_NAMES]) + (", …" if len(names) > MAX_NAMES else "")
    return f"{_short_type(type_)}{count}<br/>{shown}"


def build(document: dict[str, Any]) -> Diagram:
    # Sorted: resources register asynchronously, the diagram must not change between runs.
    resources = sorted(states(document), key=lambda s: s["urn"])
    by_urn = {s["urn"]: s for s in resources}
    ids: dict[str, str] = {}
    boxes: dict[str, Box] = {}
    for state in resources:
        if not state["custom"]:
            ids[state["urn"]] = f"c{len(boxes)}"
            boxes[state["urn"]] = Box(ids[state["urn"]], f"{_short_type(state['type'])}: {_name(state['urn'])}")

    def component_of(urn: str) -> str | None:
        """The nearest enclosing component of a resource (itself, if a component)."""
        while urn and urn not in boxes:
            urn = by_urn.get(urn, {}).get("parent", "")
        return urn or None

    root = next((boxes[s["urn"]] for s in resources if s["type"] == ROOT_STACK_TYPE), Box("stack", "stack"))
    for urn, box in boxes.items():
        if box is not root:
            parent = component_of(by_urn[urn].get("parent", ""))
            (boxes[parent] if parent else root).boxes.append(box)
    # Main resources of one type in one component share a node (`kms Key (5)`).
    groups: dict[tuple[str, str], list[str]] = {}
    for state in resources:
        if state["custom"] and state["type"] in MAIN_TYPES and (home := component_of(state["urn"])):
            groups.setdefault((home, state["type"]), []).append(state["urn"])
    order = list(boxes)
    ordered = sorted(groups.items(), key=lambda item: (order.index(item[0][0]), item[0][1]))
    for number, ((home, type_), urns) in enumerate(ordered):
        node_id = f"r{number}"
        ids.update(dict.fromkeys(urns, node_id))
        boxes[home].nodes.append((node_id, _node_label(type_, urns, _name(home))))

    def shown_as(urn: str) -> str | None:
        return urn if urn in ids else component_of(urn)

    def ancestors(urn: str) -> set[str]:
        found = set()
        while urn := by_urn.get(urn, {}).get("parent", ""):
            found.add(urn)
        return found

    edges: dict[tuple[str, str], None] = {}
    for state in resources:
        used_by = shown_as(state["urn"])
        uses = set(state.get("dependencies", [])) | {
            u for us in state.get("propertyDependencies", {}).values() for u in us
        }
        for dependency in uses:
            source = shown_as(dependency)
            if not source or not used_by or source == used_by:
                continue
            if source in ancestors(used_by) or used_by in ancestors(source):
                continue
            edges[(ids[source], ids[used_by])] = None
    home = {b.id: parent.id for parent in boxes.values() for b in parent.boxes}
    home |= {node_id: b.id for b in boxes.values() for node_id, _ in b.nodes}
    return Diagram(root, sorted(_collapse(set(edges), home, root.id)))


def _collapse(edges: set[tuple[str, str]], home: dict[str, str], root: str) -> set[tuple[str, str]]:
    """Edges from one node to several things in one component become one edge to the
    component (then the same for edges into one node), so a key used everywhere stays legible."""

    def enclosing(node: str) -> set[str]:
        found = set()
        while node := home.get(node, ""):
            found.add(node)
        return found

    for towards_target in (True, False):
        grouped: dict[tuple[str, str], list[tuple[str, str]]] = {}
        for edge in edges:
            fixed, moving = edge if towards_target else edge[::-1]
            grouped.setdefault((fixed, home.get(moving, root)), []).append(edge)
        collapsed = set()
        for (fixed, box), group in grouped.items():
            box_edge = (fixed, box) if towards_target else (box, fixed)
            if box != root and box not in enclosing(fixed) and (len(group) > 1 or box_edge in edges):
                collapsed.add(box_edge)
            else:
                collapsed.update(group)
        edges = collapsed
    return edges


def _label(text: str) -> str:
    return text.replace('"', "#quot;")


def mermaid(document: dict[str, Any]) -> str:
    diagram = build(document)
    lines = ["flowchart LR"]

    def contents(b: Box, pad: str) -> None:
        lines.extend(f'{pad}{node_id}["{_label(label)}"]' for node_id, label in b.nodes)
        for child in b.boxes:
            lines.append(f'{pad}subgraph {child.id}["{_label(child.label)}"]')
            contents(child, pad + "  ")
            if not child.nodes and not child.boxes:
                # Mermaid drops empty subgraphs; keep the component visible.
                lines.append(f"{pad}  {child.id}_empty[ ]:::hidden")
            lines.append(f"{pad}end")

    contents(diagram.root, "  ")
    lines += [f"  {a} --> {b}" for a, b in diagram.edges]
    lines.append("  classDef hidden display:none;")
    return "\n".join(lines)


def dot(document: dict[str, Any]) -> str:
    diagram = build(document)
    lines = ["digraph stack {", "  compound=true;", "  rankdir=LR;", "  node [shape=box, fontsize=10];"]
    clusters: set[str] = set()

    def contents(b: Box, pad: str) -> None:
        for node_id, label in b.nodes:
            lines.append(f'{pad}{node_id} [label="{label.replace("<br/>", chr(92) + "n")}"];')
        for child in b.boxes:
            clusters.add(child.id)
            lines.append(f"{pad}subgraph cluster_{child.id} {{")
            lines.append(f'{pad}  label="{child.label}";')
            # Edges can't end on a cluster; they end on an invisible point inside it.
            lines.append(f'{pad}  {child.id} [shape=point, style=invis, label=""];')
            contents(child, pad + "  ")
            lines.append(f"{pad}}}")

    contents(diagram.root, "  ")
    for a, b in diagram.edges:
        attrs = [f"ltail=cluster_{a}"] if a in clusters else []
        attrs += [f"lhead=cluster_{b}"] if b in clusters else []
        suffix = f" [{', '.join(attrs)}]" if attrs else ""
        lines.append(f"  {a} -> {b}{suffix};")
    lines.append("}")
    return "\n".join(lines)


def embed(document: str, diagram: str) -> str:
    """`document` with the Mermaid block after EMBED_MARKER replaced by `diagram`."""
    pattern = re.compile(re.escape(EMBED_MARKER) + r"\n```mermaid\n.*?```", flags=re.S)
    if not pattern.search(document):
        raise ValueError(f"no {EMBED_MARKER} line followed by a ```mermaid block")
    return pattern.sub(lambda _: f"{EMBED_MARKER}\n```mermaid\n{diagram}\n```", document, count=1)
