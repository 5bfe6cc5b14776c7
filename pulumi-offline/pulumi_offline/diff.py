"""The pull-request comment for one stack: what the change does to the stack, data loss first."""

from __future__ import annotations

import json
from typing import Any

from . import graph
from .changes import Change, change_summary, compare, value_at
from .preview import SECRET_TEXT

# GitHub rejects issue comments longer than this.
COMMENT_LIMIT = 65_536
# Room kept for the trimming note and the closing of an open block.
_RESERVE = 600
_SYMBOL = {"create": "+", "update": "~", "replace": "+-", "delete": "-", "same": " "}
_REVIEW_ORDER = ("replace", "delete", "update", "create")
_VERB = {"create": "to create", "update": "to update", "replace": "to replace", "delete": "to delete"}


def _short(value: Any, limit: int = 60) -> str:
    if value is None:
        return "(absent)"
    if value == SECRET_TEXT:
        return SECRET_TEXT
    text = json.dumps(value, sort_keys=True) if not isinstance(value, str) else json.dumps(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _property_line(change: Change, path: str) -> str:
    if path.startswith("["):
        return f"  - `{path}`"
    old, new = value_at(change.old, path), value_at(change.new, path)
    hidden = SECRET_TEXT in (old, new)
    values = (
        f"{SECRET_TEXT} (changed or not: secret values are not compared)"
        if hidden
        else f"`{_short(old)}` → `{_short(new)}`"
    )
    forces = " **(forces replacement)**" if path.split(".")[0].split("[")[0] in change.replace_reasons else ""
    return f"  - `{path}`: {values}{forces}"


def _resource_block(change: Change) -> str:
    head = f"- `{_SYMBOL[change.op]}` **{change.op}** `{change.type}` **{change.name}**"
    if change.old and change.new and change.old["urn"] != change.new["urn"]:
        head += f" (moved from `{change.old['urn']}` by alias)"
    lines = [head]
    if change.op == "replace":
        lines.append(f"  - replaced because of: {', '.join(f'`{r}`' for r in change.replace_reasons)}")
    lines += [_property_line(change, p) for p in change.paths]
    return "\n".join(lines)


def _for_review(changes: list[Change]) -> list[Change]:
    """The changed resources, most consequential first: what loses or rebuilds something, then
    edits, then additions."""
    return sorted((c for c in changes if c.op != "same"), key=lambda c: _REVIEW_ORDER.index(c.op))


def _data_loss(changes: list[Change]) -> list[str]:
    flagged = [c for c in changes if c.loses_data]
    if not flagged:
        return []
    lines = ["> [!CAUTION]", "> **Stateful resources would be deleted or replaced (their data is lost):**"]
    for c in flagged:
        note = " — protected: `pulumi up` refuses until `protect` is removed" if c.protected else ""
        why = f" (because of {', '.join(f'`{r}`' for r in c.replace_reasons)})" if c.op == "replace" else ""
        lines.append(f"> - **{c.op}** `{c.type}` **{c.name}**{why}{note}")
    return [*lines, ""]


def _counts(changes: list[Change]) -> str:
    summary = change_summary(changes)
    parts = [f"`{_SYMBOL[op]}` {summary[op]} {_VERB[op]}" for op in _VERB if summary.get(op)]
    parts.append(f"{summary.get('same', 0)} unchanged")
    return "**Changes:** " + " · ".join(parts)


def _policy_section(events: list[dict[str, Any]] | None) -> list[str]:
    if events is None:
        return ["### Policy check", "", "_Not run._", ""]
    violations = [e["policyEvent"] for e in events if "policyEvent" in e]
    if not violations:
        return ["### Policy check", "", "✅ No policy violations.", ""]
    mandatory = sum(1 for v in violations if v.get("enforcementLevel") == "mandatory")
    lines = [
        "### Policy check",
        "",
        f"{'❌' if mandatory else '⚠️'} {mandatory} mandatory, {len(violations) - mandatory} advisory violation(s)",
        "",
        "| level | policy | resource | message |",
        "|---|---|---|---|",
    ]
    for v in sorted(violations, key=lambda v: (v.get("enforcementLevel") != "mandatory", v.get("policyName", ""))):
        resource = (v.get("resourceUrn") or "stack").rsplit("::", 1)[-1]
        # The policy's description opens the message; the table keeps the finding itself.
        lines_of_message = [line for line in str(v.get("message", "")).splitlines() if line.strip()] or [""]
        message = " ".join(lines_of_message[-1].split()).replace("|", "\\|")
        lines.append(f"| {v.get('enforcementLevel')} | `{v.get('policyName')}` | `{resource}` | {message} |")
    return [*lines, ""]


def markdown(
    base: dict[str, Any],
    head: dict[str, Any],
    policy_events: list[dict[str, Any]] | None = None,
    limit: int = COMMENT_LIMIT,
) -> str:
    """The comment body: data loss warning, counts, policy results, changed resources, diagram;
    kept under `limit` characters, the longest parts (resources, then diagram) trimmed first."""
    stack = head.get("offline", {}).get("stack") or base.get("offline", {}).get("stack") or "?"
    changes = compare(base, head)
    changed = _for_review(changes)
    top = [
        f"## Offline preview of stack `{stack}`",
        "",
        *_data_loss(changes),
        _counts(changes),
        "",
        *_policy_section(policy_events),
    ]
    diagram = ["### Components", "", "```mermaid", graph.mermaid(head), "```", ""]
    footer = ["<sub>`pulumi-offline preview/check/diff`: the program run offline against a recording engine.</sub>"]

    body = "\n".join(top)
    budget = limit - _RESERVE - len(body) - len("\n".join(footer))
    diagram_text = "\n".join(diagram)
    keep_diagram = len(diagram_text) < budget // 2 or not changed
    if keep_diagram:
        budget -= len(diagram_text)

    blocks = [_resource_block(c) for c in changed]
    shown: list[str] = []
    for block in blocks:
        if sum(len(b) + 1 for b in shown) + len(block) > budget:
            break
        shown.append(block)
    parts = [body]
    if changed:
        parts += ["### Changed resources", "", f"<details open><summary>{len(changed)} resource(s)</summary>", ""]
        parts += shown
        if len(shown) < len(blocks):
            parts.append(
                f"\n_…{len(blocks) - len(shown)} more changed resource(s) not shown: the comment is kept under "
                f"GitHub's {COMMENT_LIMIT:,}-character limit. Run `pulumi-offline diff` locally for all._"
            )
        parts += ["", "</details>", ""]
    if keep_diagram:
        parts.append(diagram_text)
    else:
        parts.append("_Component diagram left out to keep the comment under GitHub's size limit._\n")
    parts += footer
    text = "\n".join(parts)
    return text if len(text) <= limit else text[: limit - 200] + "\n\n_…trimmed to GitHub's comment limit._\n"


def text(base: dict[str, Any], head: dict[str, Any]) -> str:
    """The same comparison for a terminal: counts, data loss, then each changed resource."""
    changes = compare(base, head)
    lines = [line.removeprefix("> ").replace("[!CAUTION]", "WARNING") for line in _data_loss(changes)]
    lines += [_counts(changes).replace("**", "").replace("`", ""), ""]
    lines += [_resource_block(c).replace("**", "").replace("`", "") for c in _for_review(changes)]
    return "\n".join(lines)
