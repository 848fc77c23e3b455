"""Supervision arrangements: what each ARRS role needs, and the checks (pure, no Flask, no database).

One table, :data:`REQUIREMENTS`, is the rule set: for each ARRS role (codes from
:mod:`learnhub.roles`), the kinds of supervision it needs, which register eligibilities
(:data:`learnhub.eligibility.rules.ELIGIBILITY_TYPES`) qualify a supervisor for each kind, how
often a session is due, and any ratio limit (most supervisees of this role one supervisor may
have for this kind). It follows the per-role table of the domain notes (NHS England ARRS
guidance, seeds 000 and 003). A hub also sets a cap on any supervisor's total supervisees
(``Hub.supervisee_cap``). See docs/supervision.md for how to change the table.

Everything here takes plain values (dataclasses of ids, codes and dates) so it can be tested
with Hypothesis without Flask; :mod:`learnhub.supervision.services` loads them from the database.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from learnhub.eligibility.certification import add_months
from learnhub.eligibility.rules import ELIGIBILITY_TYPES
from learnhub.roles import PROFESSIONAL_ROLES

# --- the table ------------------------------------------------------------------------------

#: Kinds of supervision (domain notes, "Types of supervision"), in the order they are shown.
KINDS: dict[str, str] = {
    "clinical": "Clinical supervision",
    "gp_clinical": "Assigned GP clinical supervisor",
    "cpd": "CPD supervision",
    "day_to_day": "Named day-to-day contact",
    "group": "Group / ALS supervision",
}

#: Kinds whose supervisees count towards a supervisor's hub cap (one-to-one supervision).
CAPPED_KINDS = frozenset({"clinical", "gp_clinical", "cpd"})

#: Default hub cap on one supervisor's total supervisees (the hub can change it).
DEFAULT_CAP = 5


@dataclass(frozen=True)
class Need:
    """One kind of supervision a role needs."""

    kind: str
    #: Register eligibilities that qualify a supervisor; None: anyone suitable in the PCN
    #: (line manager, senior professional, named contact) — no register entry required.
    qualifying: frozenset[str] | None = None
    #: A session is due this many months after the last one (or the start); None: not tracked.
    every_months: int | None = None
    #: Most supervisees of this role one supervisor may have for this kind; None: only the hub cap.
    ratio: int | None = None
    #: False for recommended supervision (ALS sets): shown, never counted as missing.
    required: bool = True


_CLINICAL = frozenset({"arrs_clinical_supervisor"})
_CPD_EVERY = None  # "regular (e.g. six-weekly)": agreed locally, not tracked as due/overdue
_CLINICAL_ROLE = (Need("clinical", _CLINICAL), Need("cpd", every_months=_CPD_EVERY))

REQUIREMENTS: dict[str, tuple[Need, ...]] = {
    "clinical_pharmacist": (
        Need("clinical", frozenset({"pharmacist_supervisor"}), every_months=1, ratio=5),
        Need("gp_clinical", frozenset({"gp_clinical_supervisor"})),
        Need("cpd"),
    ),
    "senior_clinical_pharmacist": (Need("clinical", frozenset({"gp_clinical_supervisor"}), every_months=3), Need("cpd")),
    "pharmacy_technician": (Need("clinical", frozenset({"arrs_clinical_supervisor", "pharmacist_supervisor"})), Need("cpd")),
    "physician_associate": (Need("clinical", frozenset({"gp_clinical_supervisor"})), Need("cpd")),
    "advanced_practitioner": _CLINICAL_ROLE,
    "physiotherapist": _CLINICAL_ROLE,
    "dietitian": _CLINICAL_ROLE,
    "podiatrist": _CLINICAL_ROLE,
    "occupational_therapist": _CLINICAL_ROLE,
    "paramedic": _CLINICAL_ROLE,
    "nurse": _CLINICAL_ROLE,
    "nursing_associate": (*_CLINICAL_ROLE, Need("day_to_day")),
    "mental_health_practitioner": _CLINICAL_ROLE,
    "splw": (
        Need("clinical", frozenset({"personalised_care_supervisor"})),
        Need("day_to_day"),
        Need("group", frozenset({"als_facilitator"}), required=False),
    ),
    "hwbc": (
        Need("clinical", frozenset({"personalised_care_supervisor"})),
        Need("day_to_day"),
        Need("group", frozenset({"als_facilitator"}), required=False),
    ),
    "care_coordinator": (
        Need("clinical", frozenset({"personalised_care_supervisor"})),
        Need("day_to_day"),
        Need("group", frozenset({"als_facilitator"}), required=False),
    ),
}

#: Roles a staff list may hold (every role with a row in the table).
STAFF_ROLES = [(code, name) for code, name in PROFESSIONAL_ROLES.items() if code in REQUIREMENTS]


def needs(role: str) -> tuple[Need, ...]:
    """The kinds of supervision a role needs (empty for an unknown role)."""
    return REQUIREMENTS.get(role, ())


def need_for(role: str, kind: str) -> Need | None:
    """The requirement of one kind for a role, or None if the role has no such kind."""
    return next((n for n in needs(role) if n.kind == kind), None)


def kind_label(kind: str) -> str:
    """Readable name of a kind of supervision."""
    return KINDS.get(kind, kind)


def qualifying_label(qualifying: frozenset[str] | None) -> str:
    """Readable list of the eligibilities that qualify (or "anyone suitable")."""
    if qualifying is None:
        return "anyone suitable in the PCN"
    return " or ".join(ELIGIBILITY_TYPES[q].label for q in sorted(qualifying) if q in ELIGIBILITY_TYPES)


# --- plain inputs ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Eligibility:
    """A supervisor's register entry, as the checks need it."""

    type: str
    granted_on: date
    expires_on: date
    window_days: int = 90
    revoked: bool = False


@dataclass(frozen=True)
class Supervisor:
    """A possible supervisor: their account, its state and their register entries."""

    user_id: int
    name: str = ""
    active: bool = True
    eligibilities: tuple[Eligibility, ...] = ()
    #: Accounts that line-manage this supervisor (they cannot supervise their own line manager).
    line_managers: frozenset[int] = frozenset()


@dataclass(frozen=True)
class Staff:
    """An ARRS staff member of a PCN."""

    id: int
    role: str
    #: Their account, if they have one (None: a name-only record).
    user_id: int | None = None
    name: str = ""


@dataclass(frozen=True)
class Arrangement:
    """Who supervises whom, for what, from when (end None: open-ended)."""

    staff_id: int
    supervisor_id: int
    kind: str
    start: date
    end: date | None = None
    id: int | None = None

    def current_on(self, day: date) -> bool:
        """True if the arrangement is running on ``day``."""
        return self.start <= day and (self.end is None or day <= self.end)


@dataclass(frozen=True)
class Problem:
    """Why an arrangement is refused (``error``) or worth a look (``warning``)."""

    code: str
    message: str
    severity: str = "error"


# --- one arrangement -------------------------------------------------------------------------


def qualifying_eligibility(supervisor: Supervisor, need: Need, on: date) -> Eligibility | None:
    """The supervisor's register entry that qualifies them for ``need`` on a day (latest expiry first)."""
    if need.qualifying is None:
        return None
    found = [
        e for e in supervisor.eligibilities if e.type in need.qualifying and not e.revoked and e.granted_on <= on < e.expires_on
    ]
    return max(found, key=lambda e: e.expires_on, default=None)


def is_valid_choice(supervisor: Supervisor, staff: Staff, kind: str, on: date) -> bool:
    """True if the picker may offer this supervisor (eligible today, not the person themselves)."""
    need = need_for(staff.role, kind)
    if need is None or not supervisor.active or supervisor.user_id == staff.user_id:
        return False
    return need.qualifying is None or qualifying_eligibility(supervisor, need, on) is not None


def supervisees_of(supervisor_id: int, arrangements: Iterable[Arrangement], on: date) -> set[int]:
    """Staff ids the supervisor supervises on a day in a capped (one-to-one) kind."""
    return {a.staff_id for a in arrangements if a.supervisor_id == supervisor_id and a.kind in CAPPED_KINDS and a.current_on(on)}


def check_arrangement(
    proposed: Arrangement,
    staff: Staff,
    supervisor: Supervisor,
    existing: Sequence[Arrangement],
    roles: dict[int, str],
    *,
    cap: int,
    today: date,
) -> list[Problem]:
    """Every rule a proposed arrangement breaks (errors) and what to watch (warnings).

    ``existing`` is every current arrangement of the supervisor's hub (or at least of this
    supervisor); ``roles`` maps staff ids in it to their ARRS role.
    """
    problems: list[Problem] = []
    need = need_for(staff.role, proposed.kind)
    role_name = PROFESSIONAL_ROLES.get(staff.role, staff.role)
    if need is None:
        return [Problem("kind", f"A {role_name.lower()} does not need {kind_label(proposed.kind).lower()}.")]
    if proposed.end is not None and proposed.end < proposed.start:
        problems.append(Problem("dates", "The end date must be on or after the start date."))
    if staff.user_id is not None and supervisor.user_id == staff.user_id:
        problems.append(Problem("self", "Nobody can supervise themselves."))
    if staff.user_id is not None and staff.user_id in supervisor.line_managers:
        problems.append(Problem("line_manager", "Nobody can supervise their own line manager."))
    if not supervisor.active:
        problems.append(Problem("inactive", f"{supervisor.name or 'This person'}'s account is not active."))
    if need.qualifying is not None:
        eligibility = qualifying_eligibility(supervisor, need, proposed.start)
        if eligibility is None:
            problems.append(
                Problem(
                    "eligibility",
                    f"{kind_label(proposed.kind)} of a {role_name.lower()} needs a current eligibility as "
                    f"{qualifying_label(need.qualifying)} on the register from the start date; "
                    f"{supervisor.name or 'this person'} has none.",
                )
            )
        elif proposed.end is not None and eligibility.expires_on <= proposed.end:
            problems.append(
                Problem(
                    "eligibility_period",
                    f"The supervisor's eligibility expires on {eligibility.expires_on.isoformat()}, before the "
                    "arrangement ends: it must be current for the whole period.",
                )
            )
        elif today >= eligibility.expires_on - timedelta(days=eligibility.window_days):
            problems.append(
                Problem(
                    "expiring",
                    f"The supervisor's eligibility expires on {eligibility.expires_on.isoformat()} (renewal is open).",
                    "warning",
                )
            )
    others = [a for a in existing if a.id is None or a.id != proposed.id]
    same = [
        a
        for a in others
        if a.staff_id == proposed.staff_id
        and a.kind == proposed.kind
        and a.supervisor_id == proposed.supervisor_id
        and a.current_on(proposed.start)
    ]
    if same:
        problems.append(Problem("duplicate", "This supervisor already has this arrangement with this person."))
    # Loads are checked on every day the count can rise during the proposed period: its start
    # and the start of every other arrangement of this supervisor that begins within it.
    days = sorted(
        {proposed.start} | {a.start for a in others if a.supervisor_id == proposed.supervisor_id and proposed.current_on(a.start)}
    )
    if need.ratio is not None:
        peers = max(
            (
                {
                    a.staff_id
                    for a in others
                    if a.supervisor_id == proposed.supervisor_id
                    and a.kind == proposed.kind
                    and roles.get(a.staff_id) == staff.role
                    and a.current_on(day)
                }
                for day in days
            ),
            key=len,
        )
        if proposed.staff_id not in peers and len(peers) + 1 > need.ratio:
            problems.append(
                Problem(
                    "ratio",
                    f"One supervisor may give {kind_label(proposed.kind).lower()} to no more than {need.ratio} "
                    f"{role_name.lower()}s; {supervisor.name or 'this person'} already has {len(peers)}.",
                )
            )
    if proposed.kind in CAPPED_KINDS:
        load = max((supervisees_of(proposed.supervisor_id, others, day) for day in days), key=len)
        if proposed.staff_id not in load and len(load) + 1 > cap:
            problems.append(
                Problem(
                    "cap",
                    f"The hub's cap is {cap} supervisees per supervisor; {supervisor.name or 'this person'} "
                    f"already has {len(load)}.",
                )
            )
    return problems


def errors(problems: Iterable[Problem]) -> list[Problem]:
    """Only the problems that refuse an arrangement."""
    return [p for p in problems if p.severity == "error"]


# --- due dates --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Due:
    """When the next session of an arrangement is due, and its state on a day."""

    due_on: date | None
    state: str  # "not_tracked", "ok", "due_soon", "overdue"

    @property
    def label(self) -> str:
        """Readable state."""
        return {"not_tracked": "As agreed", "ok": "Up to date", "due_soon": "Due soon", "overdue": "Overdue"}[self.state]


#: A session is "due soon" this many days before its due date.
DUE_SOON_DAYS = 14


def due_date(every_months: int | None, start: date, sessions: Iterable[date]) -> date | None:
    """Date the next session is due: ``every_months`` after the latest session (or the start)."""
    if every_months is None:
        return None
    latest = max((d for d in sessions if d >= start), default=start)
    return add_months(latest, every_months)


def due_state(every_months: int | None, start: date, sessions: Iterable[date], today: date) -> Due:
    """The next due date and whether it is up to date, due soon or overdue on ``today``."""
    due_on = due_date(every_months, start, sessions)
    if due_on is None:
        return Due(None, "not_tracked")
    if today > due_on:
        return Due(due_on, "overdue")
    if today >= due_on - timedelta(days=DUE_SOON_DAYS):
        return Due(due_on, "due_soon")
    return Due(due_on, "ok")


# --- a PCN as a whole -----------------------------------------------------------------------


@dataclass
class PcnReport:
    """What a PCN dashboard shows (ids and counts; the view adds names)."""

    #: (staff id, kind) of each required kind of supervision nobody gives.
    missing: list[tuple[int, str]] = field(default_factory=list)
    #: Arrangement ids whose next session is overdue.
    overdue: list[int] = field(default_factory=list)
    #: Supervisor id -> (supervisees, cap) for supervisors over the hub cap.
    over_cap: dict[int, tuple[int, int]] = field(default_factory=dict)
    #: (supervisor id, kind, role, count, limit) for each ratio exceeded.
    over_ratio: list[tuple[int, str, str, int, int]] = field(default_factory=list)
    #: Arrangement ids whose supervisor no longer qualifies (revoked, expired, inactive).
    flagged: list[int] = field(default_factory=list)
    #: Arrangement ids whose supervisor's eligibility lapses within ``horizon`` days with no renewal.
    lapsing: list[int] = field(default_factory=list)
    #: Gaps: how many more supervisors of which kind would cover whom.
    gaps: list[Gap] = field(default_factory=list)

    @property
    def uncovered_staff(self) -> set[int]:
        """Staff with at least one required kind missing."""
        return {staff_id for staff_id, _ in self.missing}


@dataclass(frozen=True)
class Gap:
    """A gap in cover: "N more X supervisors would cover your M Ys at C each"."""

    qualifying: frozenset[str]
    kind: str
    uncovered: Counter
    more: int
    per_supervisor: int

    def sentence(self) -> str:
        """The dashboard's sentence for this gap."""
        who = ", ".join(
            f"{n} {PROFESSIONAL_ROLES.get(r, r).lower()}{'s' if n != 1 else ''}" for r, n in sorted(self.uncovered.items())
        )
        noun = "supervisor" if self.more == 1 else "supervisors"
        return (
            f"{self.more} more {noun} eligible as {qualifying_label(self.qualifying)} would cover your {who} "
            f"({kind_label(self.kind).lower()}) at {self.per_supervisor} supervisees each."
        )


def check_pcn(
    staff: Sequence[Staff],
    arrangements: Sequence[Arrangement],
    supervisors: dict[int, Supervisor],
    sessions: dict[int, list[date]],
    *,
    cap: int,
    today: date,
    horizon_days: int = 90,
    all_arrangements: Sequence[Arrangement] | None = None,
    roles: dict[int, str] | None = None,
) -> PcnReport:
    """Everything a PCN dashboard shows, from plain values.

    ``arrangements`` are the PCN's; ``all_arrangements`` (default the same) are every
    arrangement of the hub's supervisors, for loads that cross PCNs; ``sessions`` maps an
    arrangement id to its logged session dates; ``supervisors`` holds every supervisor named in
    an arrangement and every eligible person who could take more.
    """
    report = PcnReport()
    every = list(all_arrangements if all_arrangements is not None else arrangements)
    role_of = dict(roles or {})
    role_of.update({s.id: s.role for s in staff})
    by_staff: dict[int, list[Arrangement]] = defaultdict(list)
    for a in arrangements:
        if a.current_on(today):
            by_staff[a.staff_id].append(a)
    staff_by_id = {s.id: s for s in staff}
    for s in staff:
        for need in needs(s.role):
            if not need.required:
                continue
            ok = [
                a
                for a in by_staff.get(s.id, [])
                if a.kind == need.kind and _still_qualifies(supervisors.get(a.supervisor_id), need, today)
            ]
            if not ok:
                report.missing.append((s.id, need.kind))
    for a in arrangements:
        if not a.current_on(today) or a.staff_id not in staff_by_id:
            continue
        need = need_for(staff_by_id[a.staff_id].role, a.kind)
        if need is None:
            continue
        supervisor = supervisors.get(a.supervisor_id)
        if not _still_qualifies(supervisor, need, today):
            report.flagged.append(a.id or 0)
        elif supervisor is not None and need.qualifying is not None:
            eligibility = qualifying_eligibility(supervisor, need, today)
            if eligibility is not None and (eligibility.expires_on - today).days <= horizon_days:
                report.lapsing.append(a.id or 0)
        if due_state(need.every_months, a.start, sessions.get(a.id or 0, []), today).state == "overdue":
            report.overdue.append(a.id or 0)
    current = [a for a in every if a.current_on(today)]
    involved = {a.supervisor_id for a in arrangements if a.current_on(today)}
    for sup_id in sorted(involved):
        load = len(supervisees_of(sup_id, current, today))
        if load > cap:
            report.over_cap[sup_id] = (load, cap)
        per_kind_role: Counter = Counter((a.kind, role_of.get(a.staff_id, "")) for a in current if a.supervisor_id == sup_id)
        for (kind, role), count in sorted(per_kind_role.items()):
            need = need_for(role, kind)
            if need is not None and need.ratio is not None and count > need.ratio:
                report.over_ratio.append((sup_id, kind, role, count, need.ratio))
    report.gaps = supervisor_gaps(staff, report.missing, supervisors, current, cap=cap, today=today)
    return report


def _still_qualifies(supervisor: Supervisor | None, need: Need, today: date) -> bool:
    if supervisor is None or not supervisor.active:
        return False
    return need.qualifying is None or qualifying_eligibility(supervisor, need, today) is not None


def supervisor_gaps(
    staff: Sequence[Staff],
    missing: Sequence[tuple[int, str]],
    supervisors: dict[int, Supervisor],
    current: Sequence[Arrangement],
    *,
    cap: int,
    today: date,
) -> list[Gap]:
    """How many more trained supervisors of which kind would cover the staff still missing one.

    Spare places of eligible supervisors already known (cap minus current load, and the ratio
    limit where there is one) are used first; each new supervisor brings ``min(cap, ratio)``
    places. Kinds anyone suitable can give (no register entry) are not counted: they need no
    training.
    """
    role_of = {s.id: s.role for s in staff}
    groups: dict[tuple[frozenset[str], str], Counter] = defaultdict(Counter)
    per: dict[tuple[frozenset[str], str], int] = {}
    for staff_id, kind in missing:
        need = need_for(role_of[staff_id], kind)
        if need is None or need.qualifying is None:
            continue
        key = (need.qualifying, kind)
        groups[key][role_of[staff_id]] += 1
        per[key] = min(per.get(key, cap), need.ratio or cap, cap)
    gaps = []
    for key, uncovered in sorted(groups.items(), key=lambda kv: (sorted(kv[0][0]), kv[0][1])):
        qualifying, kind = key
        places = max(per[key], 1)
        spare = 0
        for sup in supervisors.values():
            if not sup.active:
                continue
            if qualifying_eligibility(sup, Need(kind, qualifying), today) is None:
                continue
            spare += max(0, min(cap - len(supervisees_of(sup.user_id, current, today)), places))
        still = max(0, sum(uncovered.values()) - spare)
        if still:
            gaps.append(Gap(qualifying, kind, uncovered, math.ceil(still / places), places))
    return gaps
