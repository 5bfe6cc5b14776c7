"""The pack's evaluation time grows linearly with the size of the stack (the stack view is
indexed once; `scripts/policy_scaling.py` times 400 against 4,000 resources).

CPU time of this process, the best of a few runs, so other work on the machine barely counts.
"""

from __future__ import annotations

from scripts.policy_scaling import pack_seconds, synthetic_graph


def test_ten_times_the_resources_take_at_most_eleven_times_as_long():
    small, large = synthetic_graph(100), synthetic_graph(1000)
    best_small = min(pack_seconds(small) for _ in range(5))
    best_large = min(pack_seconds(large) for _ in range(3))
    assert best_large <= 11 * best_small, (
        f"{len(small)} resources: {best_small:.3f} s, {len(large)}: {best_large:.3f} s"
    )
