"""Record the URNs of every stateful resource per stack (the inventory the URN-stability test
compares against). Run after adding a stateful resource, and review the diff:

    python scripts/stateful_urns.py
"""

from __future__ import annotations

from pathlib import Path

from pulumi_offline.aws_types import STATEFUL_TYPES
from pulumi_offline.program import run_program

ROOT = Path(__file__).resolve().parent.parent

INVENTORY = ROOT / "tests" / "components" / "stateful_urns"


def stateful_urns(graph) -> list[str]:
    return sorted(r.urn for r in graph if r.type in STATEFUL_TYPES)


def main() -> None:
    INVENTORY.mkdir(parents=True, exist_ok=True)
    for stack in ("staging", "prod"):
        urns = stateful_urns(run_program(ROOT, stack))
        (INVENTORY / f"{stack}.txt").write_text("\n".join(urns) + "\n")
        print(f"{stack}: {len(urns)} stateful resources recorded")


if __name__ == "__main__":
    main()
