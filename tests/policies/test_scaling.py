"""The pack's evaluation time grows linearly with the size of the stack (the stack view is
indexed once; `scripts/policy_scaling.py` times 400 against 4,000 resources, this test 60
against 600 to stay cheap).

CPU time of this process, the best of a few runs, so other work on the machine barely counts.
"""

from __future__ import annotations

from scripts.policy_scaling import pack_seconds, synthetic_graph


def test_ten_times_the_resources_take_at_most_eleven_times_as_long():
    small, large = synthetic_graph(60), synthetic_graph(600)
    # Alternate the runs, so whatever else the process does weighs on both sizes alike.
    timings = [(pack_seconds(small), pack_seconds(large)) for _ in range(3)]
    best_small, best_large = min(t[0] for t in timings), min(t[1] for t in timings)
    shown = f"{len(small)} resources: {best_small:.3f} s; {len(large)}: {best_large:.3f} s"
    assert best_large <= 11 * best_small, shown
