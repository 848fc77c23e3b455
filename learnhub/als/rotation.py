"""Facilitator rotation planner. Plain functions, no Flask.

Every session of every group gets a lead facilitator (and, if asked, a co-facilitator) so that

* nobody is booked for two sessions that overlap in time,
* nobody facilitates a group they are a member of, or on a day they said they are unavailable,
* the load is balanced: at each step the least-loaded eligible facilitator is chosen, which
  keeps max − min ≤ 1 whenever availability allows,
* a group meets a rotation of facilitators (ties go to whoever has facilitated the group
  least, and never to the one who ran its previous session if someone else is free),
* with ``continuity`` each group keeps one lead and the co-facilitator rotates (here rotation
  comes before load balance, which a fixed lead already gives up).

The result depends only on the inputs (everything is ordered by time and id), so planning
twice gives the same plan. ``replan_without`` handles a facilitator withdrawing.
"""

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

LEAD = "lead"
CO = "co"


@dataclass(frozen=True)
class Slot:
    """A session to staff."""

    id: int
    group_id: int
    start: datetime
    end: datetime

    def overlaps(self, other: "Slot") -> bool:
        """True when the two sessions share any time."""
        return self.start < other.end and other.start < self.end


@dataclass(frozen=True)
class Facilitator:
    """Someone in the pool; ``unavailable`` holds inclusive (first, last) date ranges."""

    id: int
    unavailable: tuple[tuple[date, date], ...] = ()

    def available_on(self, day: date) -> bool:
        """False if the day falls in any unavailable range."""
        return not any(first <= day <= last for first, last in self.unavailable)


@dataclass(frozen=True)
class Assignment:
    """Who facilitates one session."""

    lead: int | None = None
    co: int | None = None

    def people(self) -> list[int]:
        """The facilitators assigned, lead first."""
        return [p for p in (self.lead, self.co) if p is not None]


@dataclass
class Plan:
    """Assignments by session id, and the (session id, role) pairs nobody could cover."""

    assignments: dict[int, Assignment] = field(default_factory=dict)
    uncovered: list[tuple[int, str]] = field(default_factory=list)

    def load(self) -> dict[int, int]:
        """Sessions per facilitator (lead and co both count)."""
        counts: dict[int, int] = defaultdict(int)
        for a in self.assignments.values():
            for p in a.people():
                counts[p] += 1
        return dict(counts)


class _State:
    """Bookings so far, used to check clashes and balance the load."""

    def __init__(self, facilitators: list[Facilitator]) -> None:
        self.load: dict[int, int] = {f.id: 0 for f in facilitators}
        self.booked: dict[int, list[Slot]] = defaultdict(list)
        self.group_count: dict[tuple[int, int], int] = defaultdict(int)
        self.last_for_group: dict[int, set[int]] = {}
        self.last_lead: dict[int, int | None] = {}

    def book(self, person: int, slot: Slot) -> None:
        if person in self.load:
            self.load[person] += 1
        self.booked[person].append(slot)
        self.group_count[(person, slot.group_id)] += 1

    def free(self, person: int, slot: Slot) -> bool:
        return not any(s.overlaps(slot) for s in self.booked[person])


def _eligible(f: Facilitator, slot: Slot, members: Mapping[int, Iterable[int]], state: _State, taken: set[int]) -> bool:
    return (
        f.id not in taken
        and f.id not in set(members.get(slot.group_id, ()))
        and f.available_on(slot.start.date())
        and state.free(f.id, slot)
    )


def _choose(candidates: list[Facilitator], slot: Slot, state: _State, role: str, continuity: bool) -> Facilitator | None:
    if not candidates:
        return None
    previous = state.last_for_group.get(slot.group_id, set())
    last_lead = state.last_lead.get(slot.group_id) if role == LEAD else None

    def key(f: Facilitator) -> tuple:
        load = state.load[f.id]
        seen = state.group_count[(f.id, slot.group_id)]
        if continuity and role == CO:
            # With a fixed lead, the rotating co-facilitator is the point: rotation comes first.
            return (f.id in previous, load, seen, f.id)
        return (load, f.id == last_lead, f.id in previous, seen, f.id)

    return min(candidates, key=key)


def plan_facilitators(
    slots: Iterable[Slot],
    facilitators: Iterable[Facilitator],
    members: Mapping[int, Iterable[int]],
    *,
    co_facilitation: bool = False,
    continuity: bool = False,
    fixed: Mapping[int, Assignment] | None = None,
    only: set[int] | None = None,
) -> Plan:
    """Assign facilitators to sessions.

    :param members: member ids by group id (facilitators who are members are skipped).
    :param co_facilitation: also assign a co-facilitator (always true with ``continuity``).
    :param continuity: keep one lead per group where possible; the co-facilitator rotates.
    :param fixed: assignments already made; they are kept and count towards load and clashes.
    :param only: fill only these sessions (others keep their ``fixed`` assignment as it is).
    """
    pool = sorted(facilitators, key=lambda f: f.id)
    by_id = {f.id: f for f in pool}
    ordered = sorted(slots, key=lambda s: (s.start, s.group_id, s.id))
    fixed = dict(fixed or {})
    co_facilitation = co_facilitation or continuity
    state = _State(pool)
    plan = Plan()
    # Bookings already made count first, so a partial re-plan sees the whole picture.
    for slot in ordered:
        for person in fixed.get(slot.id, Assignment()).people():
            state.book(person, slot)
    group_lead: dict[int, int] = {}
    if continuity:
        for slot in ordered:
            lead = fixed.get(slot.id, Assignment()).lead
            if lead is not None:
                group_lead.setdefault(slot.group_id, lead)
    for slot in ordered:
        current = fixed.get(slot.id, Assignment())
        if only is not None and slot.id not in only:
            plan.assignments[slot.id] = current
            if current.people():
                state.last_for_group[slot.group_id] = set(current.people())
                state.last_lead[slot.group_id] = current.lead
            continue
        lead, co = current.lead, current.co
        taken = set(current.people())

        def pick(role: str, taken: set[int] = taken, slot: Slot = slot) -> int | None:
            candidates = [f for f in pool if _eligible(f, slot, members, state, taken)]
            chosen = _choose(candidates, slot, state, role, continuity)
            if chosen is None:
                return None
            state.book(chosen.id, slot)
            taken.add(chosen.id)
            return chosen.id

        if lead is None:
            wanted = group_lead.get(slot.group_id) if continuity else None
            if wanted is not None and wanted in by_id and _eligible(by_id[wanted], slot, members, state, taken):
                state.book(wanted, slot)
                taken.add(wanted)
                lead = wanted
            else:
                lead = pick(LEAD)
                if continuity and lead is not None:
                    group_lead.setdefault(slot.group_id, lead)
            if lead is None:
                plan.uncovered.append((slot.id, LEAD))
        if co_facilitation and co is None:
            co = pick(CO)
            if co is None:
                plan.uncovered.append((slot.id, CO))
        assignment = Assignment(lead, co)
        plan.assignments[slot.id] = assignment
        if assignment.people():
            state.last_for_group[slot.group_id] = set(assignment.people())
            state.last_lead[slot.group_id] = assignment.lead
    return plan


def replan_without(
    slots: Iterable[Slot],
    facilitators: Iterable[Facilitator],
    members: Mapping[int, Iterable[int]],
    current: Mapping[int, Assignment],
    withdrawn: int,
    now: datetime,
    *,
    co_facilitation: bool = False,
    continuity: bool = False,
) -> Plan:
    """Re-plan after ``withdrawn`` leaves the pool.

    Only their sessions starting after ``now`` change; every other assignment stays exactly as
    it was. ``Plan.uncovered`` lists the freed roles nobody else could take.
    """
    slots = list(slots)
    fixed: dict[int, Assignment] = {}
    freed: set[int] = set()
    for slot in slots:
        a = current.get(slot.id, Assignment())
        if slot.start > now and withdrawn in a.people():
            freed.add(slot.id)
            a = Assignment(None if a.lead == withdrawn else a.lead, None if a.co == withdrawn else a.co)
        fixed[slot.id] = a
    pool = [f for f in facilitators if f.id != withdrawn]
    plan = plan_facilitators(
        slots, pool, members, co_facilitation=co_facilitation, continuity=continuity, fixed=fixed, only=freed
    )
    # Only freed roles are reported: a role that was empty before is not news.
    plan.uncovered = [
        (sid, role)
        for sid, role in plan.uncovered
        if (role == LEAD and current.get(sid, Assignment()).lead == withdrawn)
        or (role == CO and current.get(sid, Assignment()).co == withdrawn)
    ]
    return plan


def needing_cover(
    slots: Iterable[Slot],
    facilitators: Iterable[Facilitator],
    members: Mapping[int, Iterable[int]],
    current: Mapping[int, Assignment],
    now: datetime,
) -> set[tuple[int, str]]:
    """The (session id, role) pairs of future sessions whose facilitator now breaks a rule.

    A booking made earlier can become invalid after planning: its facilitator left the pool
    (withdrawal, erasure), said they are unavailable that day, joined the set as a member, or
    the session moved onto another of their sessions. Of two overlapping bookings of one
    person, the later (by start, group, id) is the one that needs cover. Past sessions never
    change, so they are never listed (but their bookings still count as clashes).
    """
    pool = {f.id: f for f in facilitators}
    ordered = sorted(slots, key=lambda s: (s.start, s.group_id, s.id))
    kept: dict[int, list[Slot]] = defaultdict(list)
    invalid: set[tuple[int, str]] = set()
    for slot in ordered:
        a = current.get(slot.id, Assignment())
        for role, person in ((LEAD, a.lead), (CO, a.co)):
            if person is None:
                continue
            facilitator = pool.get(person)
            broken = (
                facilitator is None
                or not facilitator.available_on(slot.start.date())
                or person in set(members.get(slot.group_id, ()))
                or any(other.overlaps(slot) for other in kept[person])
            )
            if broken and slot.start > now:
                invalid.add((slot.id, role))
            else:
                kept[person].append(slot)
    return invalid


def replan(
    slots: Iterable[Slot],
    facilitators: Iterable[Facilitator],
    members: Mapping[int, Iterable[int]],
    current: Mapping[int, Assignment],
    now: datetime,
    *,
    co_facilitation: bool = False,
    continuity: bool = False,
) -> Plan:
    """Re-plan after any change: reassign exactly the future roles that need cover, keep the rest.

    Roles listed by :func:`needing_cover` are emptied; then every future session with an empty
    role (invalid before, or never filled) is filled by :func:`plan_facilitators` with every
    other booking fixed, so no valid assignment moves. ``Plan.uncovered`` lists what nobody
    could take.
    """
    slots = list(slots)
    invalid = needing_cover(slots, facilitators, members, current, now)
    need_co = co_facilitation or continuity
    fixed: dict[int, Assignment] = {}
    open_roles: set[int] = set()
    for slot in slots:
        a = current.get(slot.id, Assignment())
        a = Assignment(
            None if (slot.id, LEAD) in invalid else a.lead,
            None if (slot.id, CO) in invalid else a.co,
        )
        fixed[slot.id] = a
        if slot.start > now and (a.lead is None or (need_co and a.co is None)):
            open_roles.add(slot.id)
    return plan_facilitators(
        slots,
        facilitators,
        members,
        co_facilitation=co_facilitation,
        continuity=continuity,
        fixed=fixed,
        only=open_roles,
    )
