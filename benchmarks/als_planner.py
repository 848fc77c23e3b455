"""How long the ALS facilitator planner takes for a large hub. Prints figures; asserts nothing.

Run: .venv/bin/python -m benchmarks.als_planner
"""

import random
import time
from datetime import UTC, datetime, timedelta

from learnhub.als.rotation import Facilitator, Slot, needing_cover, plan_facilitators, replan, replan_without


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
    replan_after_changes(slots, pool, members, plan.assignments, start)


def replan_after_changes(slots, pool, members, current, start) -> None:  # type: ignore[no-untyped-def]
    """50 random changes (unavailable days, withdrawals, moved sessions, facilitators joining a set), then one re-plan."""
    rng = random.Random(16)
    now = start + timedelta(days=30)
    pool = {f.id: f for f in pool}
    slots = list(slots)
    members = {g: list(m) for g, m in members.items()}
    for _ in range(50):
        kind = rng.choice(["unavailable", "withdraw", "move", "join"])
        person = rng.choice(sorted(pool)) if pool else None
        if kind == "unavailable" and person is not None:
            first = (start + timedelta(days=rng.randint(30, 170))).date()
            pool[person] = Facilitator(person, (*pool[person].unavailable, (first, first + timedelta(days=rng.randint(0, 6)))))
        elif kind == "withdraw" and person is not None and len(pool) > 8:
            pool.pop(person)
        elif kind == "move":
            i = rng.randrange(len(slots))
            s = slots[i]
            new = start + timedelta(days=rng.randint(31, 170), hours=rng.choice([0, 2, 4]))
            if s.start > now:
                slots[i] = Slot(s.id, s.group_id, new, new + (s.end - s.start))
        elif kind == "join" and person is not None:
            members[rng.randrange(40)].append(person)
    facilitators = list(pool.values())
    t0 = time.perf_counter()
    broken = needing_cover(slots, facilitators, members, current, now)
    after = replan(slots, facilitators, members, current, now, co_facilitation=True)
    elapsed = 1000 * (time.perf_counter() - t0)
    moved = sum(1 for sid, a in after.assignments.items() if a != current.get(sid))
    print(
        f"re-plan {len(slots)} sessions after 50 random changes: {elapsed:.1f} ms; "
        f"{len(broken)} roles needed cover, {moved} sessions changed, uncovered {len(after.uncovered)}"
    )


if __name__ == "__main__":
    main()
