"""Wall time of the offline preview and policy check of a stack, as a user runs them.

    python scripts/benchmark.py [--stack prod] [--runs 5]

Each run is a fresh `pulumi-offline …` process (interpreter start, program run, for `check`
the policy pack's own process too), so the numbers are what CI and a laptop see.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def timed(argv: list[str]) -> float:
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "pulumi_offline", *argv], cwd=REPO, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    # `check` exits 1 on mandatory violations: still a complete run.
    if result.returncode not in (0, 1):
        sys.exit(f"pulumi-offline {' '.join(argv)} failed:\n{result.stderr}")
    return elapsed


def main() -> None:
    options = argparse.ArgumentParser(description=(__doc__ or "").partition("\n")[0])
    options.add_argument("--stack", default="prod")
    options.add_argument("--runs", type=int, default=5)
    args = options.parse_args()

    with tempfile.TemporaryDirectory() as scratch:
        digest = Path(scratch) / "digest.json"
        commands = {
            "preview": ["preview", "--stack", args.stack, "--json", str(digest)],
            "check": ["check", "--stack", args.stack, "--json", str(Path(scratch) / "policy.json")],
        }
        times = {name: [timed(argv) for _ in range(args.runs)] for name, argv in commands.items()}
        steps = json.loads(digest.read_text())["steps"]
        violations = json.loads((Path(scratch) / "policy.json").read_text())

    custom = sum(1 for s in steps if s["newState"]["custom"])
    print(f"stack {args.stack}: {len(steps)} resources ({custom} custom, {len(steps) - custom} components and stack)")
    print(f"policy violations: {len(violations)}; {args.runs} runs each, wall time in seconds")
    print()
    print("| command | min | median | max |")
    print("|---|---|---|---|")
    for name, samples in times.items():
        print(f"| `{name}` | {min(samples):.2f} | {statistics.median(samples):.2f} | {max(samples):.2f} |")


if __name__ == "__main__":
    main()
