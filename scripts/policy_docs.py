"""Regenerate the generated parts of docs/policies.md and docs/coverage-matrix.md from the pack.

    python scripts/policy_docs.py

Everything between `<!-- generated -->` and `<!-- /generated -->` is rewritten; the prose around
it is kept.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from hardening import MODULES, PACK_ENFORCEMENT

ROOT = Path(__file__).resolve().parent.parent

CHECKLIST = next(p / "shared" / "hardening-checklist.md" for p in ROOT.parents if (p / "shared").is_dir())
TEST_FILES = {
    module.__name__.rsplit(".", 1)[-1]: f"tests/policies/test_{module.__name__.rsplit('.', 1)[-1]}_policies.py"
    for module in MODULES
}
# Checklist items no policy can check from a resource graph, and why.
NOT_INFRASTRUCTURE = {
    "SEC-3": "Account level: CloudTrail records Secrets Manager access for the whole account; documented, not "
    "built per stack (docs/data-and-recovery.md).",
    "DEP-1": "Deployment behaviour, not a resource property: the blue-green listener weights come from stack "
    "config and are tested on the program (tests/components/edge/test_load_balancer.py, test_edge_config.py).",
}


def _level(policy) -> str:
    return (policy.enforcement_level or PACK_ENFORCEMENT).value


def _config(policy) -> str:
    if not policy.config_schema:
        return ""
    return "<br>".join(
        f"`{k}` = `{json.dumps(v.get('default'))[:60]}`" for k, v in policy.config_schema.properties.items()
    )


def catalogue() -> str:
    rows = [
        "| Policy | Checklist | Severity | Default | Kind | Config (default) | What it requires |",
        "|---|---|---|---|---|---|---|",
    ]
    for module in MODULES:
        for p in module.POLICIES:
            kind = "stack" if type(p).__name__.startswith("Stack") else "resource"
            rows.append(
                f"| `{p.name}` | {', '.join(p.tags)} | {p.severity.value} | {_level(p)} | {kind} | {_config(p)} | "
                f"{p.description} |"
            )
    return "\n".join(rows)


def matrix() -> str:
    ids = re.findall(r"^- ((?:SEC|NET|DB|HOST|OBS|DEP|IAM|API|K8S)-\d+) (.*)$", CHECKLIST.read_text(), re.MULTILINE)
    rows = ["| ID | Requirement | Enforced by | Proved by |", "|---|---|---|---|"]
    for item, text in ids:
        policies = [(m, p) for m in MODULES for p in m.POLICIES if item in p.tags]
        summary = text.split(". ")[0][:90]
        if policies:
            names = "<br>".join(f"`{p.name}`" for _, p in policies)
            tests = "<br>".join(sorted({TEST_FILES[m.__name__.rsplit(".", 1)[-1]] for m, _ in policies}))
            rows.append(f"| {item} | {summary} | {names} | {tests}<br>tests/policies/test_repo_stacks.py |")
        else:
            rows.append(f"| {item} | {summary} | — | {NOT_INFRASTRUCTURE[item]} |")
    return "\n".join(rows)


def _rewrite(path: Path, body: str) -> None:
    text = path.read_text()
    new = re.sub(
        r"<!-- generated -->.*<!-- /generated -->",
        f"<!-- generated -->\n{body}\n<!-- /generated -->",
        text,
        flags=re.DOTALL,
    )
    path.write_text(new)


if __name__ == "__main__":
    _rewrite(ROOT / "docs" / "policies.md", catalogue())
    _rewrite(ROOT / "docs" / "coverage-matrix.md", matrix())
    print("docs/policies.md and docs/coverage-matrix.md regenerated")
