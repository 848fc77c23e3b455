"""How long the ALS facilitator planner takes for a large hub. Prints figures; asserts nothing.

Run: .venv/bin/python -m benchmarks.als_planner
"""

import time
from datetime import UTC, datetime, timedelta

from learnhub.als.rotation import Facilitator, Slot, plan_facilitators, replan_without


def main() -> None:
    """Plan 40 groups x 6 sessions with 15 facilitators, then re-plan after one withdraws."""
    start = datetime(2027, 1, 4, 10, tzinfo=UTC)
    slots = [
        Slot(g * 10 + i, g, start + timedelta(days=28 * i + g % 5, hours=(g // 5) % 3 * 2), start)
        for g in range(40)
        for i in range(6)
    ]
    slots = [Slot(s.id, s.group_id, s.start, s.start + timedelta(minutes=90)) for s in slots]
    pool = [Facilitator(i) for i in range(1, 16)]
    members = {g: [] for g in range(40)}
    for co in (False, True):
        t0 = time.perf_counter()
        plan = plan_facilitators(slots, pool, members, co_facilitation=co)
        t1 = time.perf_counter()
        load = plan.load()
        print(
            f"plan {len(slots)} sessions, {len(pool)} facilitators, co={co}: {1000 * (t1 - t0):.1f} ms; "
            f"load {min(load.values())}-{max(load.values())}; uncovered {len(plan.uncovered)}"
        )
    t0 = time.perf_counter()
    after = replan_without(slots, pool, members, plan.assignments, 1, start + timedelta(days=60), co_facilitation=True)
    print(f"re-plan after a withdrawal: {1000 * (time.perf_counter() - t0):.1f} ms; uncovered {len(after.uncovered)}")


if __name__ == "__main__":
    main()
