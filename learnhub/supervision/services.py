"""Staff lists, arrangements, the session log and the dashboards (services only flush)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from learnhub.accounts.models import User
from learnhub.audit import Action, audit
from learnhub.csvread import CsvProblem, read_table
from learnhub.eligibility.models import EligibilityRecord
from learnhub.extensions import db
from learnhub.identifiers import find_identifiers, survey_answer_message
from learnhub.organisations.models import Hub, Pcn, Practice
from learnhub.supervision import rules
from learnhub.supervision.models import StaffMember, SupervisionArrangement, SupervisionLog


class SupervisionError(ValueError):
    """A change that cannot be made; the message is for the user."""


# --- loading plain values for the rules ----------------------------------------------------------


def hub_cap(hub_id: int) -> int:
    """The hub's cap on any supervisor's one-to-one supervisees."""
    hub = db.session.get(Hub, hub_id)
    return hub.supervisee_cap if hub is not None else rules.DEFAULT_CAP


def _supervisors(hub_id: int, user_ids: set[int] | None = None) -> dict[int, rules.Supervisor]:
    """Plain supervisors: every user of the hub with a register entry, plus ``user_ids``."""
    records = db.session.scalars(select(EligibilityRecord).where(EligibilityRecord.hub_id == hub_id)).all()
    by_user: dict[int, list[rules.Eligibility]] = defaultdict(list)
    for r in records:
        by_user[r.user_id].append(
            rules.Eligibility(
                r.eligibility_type, r.first_granted_on, r.expires_on, r.renewal_window_days, r.revoked_at is not None
            )
        )
    wanted = set(by_user) | set(user_ids or ())
    if not wanted:
        return {}
    users = db.session.scalars(select(User).where(User.id.in_(wanted))).all()
    managers: dict[int, set[int]] = defaultdict(set)
    for staff_user, manager in db.session.execute(
        select(StaffMember.user_id, StaffMember.line_manager_id).where(
            StaffMember.user_id.in_(wanted), StaffMember.line_manager_id.is_not(None)
        )
    ):
        managers[staff_user].add(manager)
    return {
        u.id: rules.Supervisor(
            u.id,
            u.name,
            bool(u.active and u.erased_at is None and u.hub_id == hub_id),
            tuple(by_user.get(u.id, ())),
            frozenset(managers.get(u.id, ())),
        )
        for u in users
    }


def _plain(a: SupervisionArrangement) -> rules.Arrangement:
    return rules.Arrangement(a.staff_id, a.supervisor_id, a.kind, a.start_date, a.end_date, a.id)


def _plain_staff(s: StaffMember) -> rules.Staff:
    return rules.Staff(s.id, s.role, s.user_id, s.name)


def _hub_arrangements(hub_id: int) -> tuple[list[SupervisionArrangement], dict[int, str]]:
    """Every arrangement of a hub, with each staff member's role."""
    rows = db.session.execute(
        select(SupervisionArrangement, StaffMember.role)
        .join(StaffMember, SupervisionArrangement.staff_id == StaffMember.id)
        .where(StaffMember.hub_id == hub_id)
    ).all()
    return [a for a, _ in rows], {a.staff_id: role for a, role in rows}


# --- staff -----------------------------------------------------------------------------------


@dataclass
class StaffInput:
    """A staff member as typed or imported."""

    name: str
    role: str
    start_date: date
    email: str = ""
    practice_id: int | None = None
    hours_per_week: float | None = None
    line_manager_email: str = ""


def _resolve(pcn: Pcn, data: StaffInput) -> tuple[User | None, User | None, list[str]]:
    problems = []
    if data.role not in rules.REQUIREMENTS:
        problems.append("Select an ARRS role")
    if not data.name.strip():
        problems.append("Enter the staff member's name")
    if data.practice_id is not None and data.practice_id not in {p.id for p in pcn.practices}:
        problems.append(f"The practice must be one of {pcn.name}'s practices")
    if data.hours_per_week is not None and not 0 < data.hours_per_week <= 80:
        problems.append("Enter hours per week from 0.5 to 80")
    user = manager = None
    if data.email:
        user = db.session.scalar(select(User).where(User.email == data.email.strip().lower(), User.hub_id == pcn.hub_id))
        if user is None:
            problems.append(f"No account in this hub has the email {data.email}")
        elif user.pcn_id is not None and user.pcn_id != pcn.id:
            problems.append(f"{user.name} belongs to another PCN: you can only add staff of {pcn.name}")
    if data.line_manager_email:
        manager = db.session.scalar(
            select(User).where(User.email == data.line_manager_email.strip().lower(), User.hub_id == pcn.hub_id)
        )
        if manager is None:
            problems.append(f"No account in this hub has the email {data.line_manager_email}")
    return user, manager, problems


def _duplicate(pcn: Pcn, data: StaffInput, user: User | None, exclude: int | None = None) -> str | None:
    stmt = select(StaffMember).where(StaffMember.pcn_id == pcn.id)
    conditions = [(StaffMember.name == data.name.strip()) & (StaffMember.role == data.role)]
    if user is not None:
        conditions.append(StaffMember.user_id == user.id)
    stmt = stmt.where(or_(*conditions))
    if exclude is not None:
        stmt = stmt.where(StaffMember.id != exclude)
    found = db.session.scalars(stmt).first()
    if found is not None:
        return f"{found.name} ({found.role_label}) is already on {pcn.name}'s staff list"
    return None


def add_staff(actor: User, pcn: Pcn, data: StaffInput) -> StaffMember:
    """Add one ARRS staff member to a PCN's list."""
    user, manager, problems = _resolve(pcn, data)
    if not problems and (dup := _duplicate(pcn, data, user)):
        problems.append(dup)
    if problems:
        raise SupervisionError(problems[0])
    staff = StaffMember(
        hub_id=pcn.hub_id,
        pcn_id=pcn.id,
        practice_id=data.practice_id,
        user_id=user.id if user else None,
        name=data.name.strip(),
        role=data.role,
        start_date=data.start_date,
        hours_per_week=data.hours_per_week,
        line_manager_id=manager.id if manager else None,
    )
    db.session.add(staff)
    db.session.flush()
    audit(actor, Action.SUPERVISION_STAFF_ADDED, pcn=pcn.id, staff=staff.id, role=data.role)
    return staff


def update_staff(actor: User, staff: StaffMember, data: StaffInput) -> None:
    """Change a staff member's details (the PCN stays the same)."""
    user, manager, problems = _resolve(staff.pcn, data)
    if not problems and (dup := _duplicate(staff.pcn, data, user, exclude=staff.id)):
        problems.append(dup)
    if problems:
        raise SupervisionError(problems[0])
    staff.name, staff.role, staff.start_date = data.name.strip(), data.role, data.start_date
    staff.practice_id, staff.hours_per_week = data.practice_id, data.hours_per_week
    staff.user_id = user.id if user else None
    staff.line_manager_id = manager.id if manager else None
    db.session.flush()
    audit(actor, Action.SUPERVISION_STAFF_CHANGED, pcn=staff.pcn_id, staff=staff.id, role=data.role)


@dataclass
class ImportResult:
    """What a CSV import found: rows to fix (nothing saved) or the number added."""

    errors: list[tuple[int, str]] = field(default_factory=list)
    added: int = 0


IMPORT_COLUMNS = ("name", "role", "start date", "email", "practice", "hours", "pcn", "line manager email")
_ROLE_BY_TEXT = {**{c: c for c in rules.REQUIREMENTS}, **{n.lower(): c for c, n in rules.STAFF_ROLES}}


def import_staff(actor: User, pcn: Pcn, data: bytes) -> ImportResult:
    """Add staff from a CSV: every row is checked first; one bad row and nothing is saved."""
    result = ImportResult()
    try:
        table = read_table(data)
    except CsvProblem as problem:
        result.errors.append((1, str(problem)))
        return result
    missing = [c for c in ("name", "role", "start date") if c not in table.columns]
    if missing:
        result.errors.append((1, f"The first row must name the columns; missing: {', '.join(missing)}"))
        return result
    practices = {p.name.lower(): p.id for p in pcn.practices}
    seen: dict[tuple[str, str], int] = {}
    emails: dict[str, int] = {}
    rows: list[StaffInput] = []
    for line, row in table.rows:
        problems = []
        if (row.get("pcn") or pcn.name).strip().lower() != pcn.name.lower():
            problems.append(f"PCN {row.get('pcn')!r} is not {pcn.name}: import each PCN's staff from its own page")
        role = _ROLE_BY_TEXT.get((row.get("role") or "").strip().lower())
        if role is None:
            problems.append(f"Role {row.get('role')!r} is not an ARRS role")
        try:
            start = date.fromisoformat((row.get("start date") or "").strip())
        except ValueError:
            problems.append("Start date must be a date like 2026-04-01")
            start = date.today()
        practice_id = None
        if row.get("practice"):
            practice_id = practices.get(row["practice"].strip().lower())
            if practice_id is None:
                problems.append(f"Practice {row['practice']!r} is not one of {pcn.name}'s practices")
        hours = None
        if row.get("hours"):
            try:
                hours = float(row["hours"])
            except ValueError:
                problems.append("Hours must be a number, like 37.5")
        item = StaffInput(
            name=(row.get("name") or "").strip(),
            role=role or "",
            start_date=start,
            email=(row.get("email") or "").strip().lower(),
            practice_id=practice_id,
            hours_per_week=hours,
            line_manager_email=(row.get("line manager email") or "").strip(),
        )
        if not problems:
            user, _, found = _resolve(pcn, item)
            problems += found
            if not found and (dup := _duplicate(pcn, item, user)):
                problems.append(dup)
        key = (item.name.lower(), item.role)
        if key in seen:
            problems.append(f"Duplicate of row {seen[key]}")
        seen.setdefault(key, line)
        if item.email:
            if item.email in emails:
                problems.append(f"Same email as row {emails[item.email]}")
            emails.setdefault(item.email, line)
        result.errors += [(line, p) for p in problems]
        rows.append(item)
    if not rows and not result.errors:
        result.errors.append((1, "The file has no staff rows"))
    if result.errors:
        return result
    for item in rows:
        add_staff(actor, pcn, item)
    result.added = len(rows)
    audit(actor, Action.SUPERVISION_STAFF_IMPORTED, pcn=pcn.id, count=len(rows))
    return result


# --- arrangements --------------------------------------------------------------------------------


@dataclass
class Candidate:
    """A person the picker offers: eligible for this kind and role, with their current load."""

    user: User
    load: int
    cap: int
    warnings: list[str]


def candidates(staff: StaffMember, kind: str, today: date) -> list[Candidate]:
    """People who may give this kind of supervision to this staff member today, least loaded first.

    Only valid choices: anyone the rules would refuse (at the cap or ratio, already arranged,
    the staff member's own line manager) is left out; warnings (renewal open) are kept.

    Kinds that need a register entry: any current holder in the hub. Others (CPD, day-to-day
    contact): active accounts of the staff member's PCN.
    """
    need = rules.need_for(staff.role, kind)
    if need is None:
        return []
    cap = hub_cap(staff.hub_id)
    ids: set[int] = set()
    if need.qualifying is None:
        ids = set(
            db.session.scalars(
                select(User.id).where(User.hub_id == staff.hub_id, User.pcn_id == staff.pcn_id, User.active.is_(True))
            )
        )
        supervisors = _supervisors(staff.hub_id, ids)
    else:
        supervisors = _supervisors(staff.hub_id)
    arrangements, roles = _hub_arrangements(staff.hub_id)
    roles[staff.id] = staff.role
    plain = [_plain(a) for a in arrangements]
    people = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(supervisors)))}
    found = []
    for sup in supervisors.values():
        if need.qualifying is None and sup.user_id not in ids:
            continue  # register holders elsewhere in the hub: only for kinds that need the register
        if not rules.is_valid_choice(sup, _plain_staff(staff), kind, today):
            continue
        problems = rules.check_arrangement(
            rules.Arrangement(staff.id, sup.user_id, kind, today), _plain_staff(staff), sup, plain, roles, cap=cap, today=today
        )
        if rules.errors(problems):  # at the cap or ratio, already arranged, their line manager…: not a valid choice
            continue
        found.append(
            Candidate(
                people[sup.user_id],
                len(rules.supervisees_of(sup.user_id, plain, today)),
                cap,
                [p.message for p in problems if p.severity == "warning"],
            )
        )
    return sorted(found, key=lambda c: (c.load, c.user.name))


def assign(
    actor: User, staff: StaffMember, supervisor_id: int, kind: str, start: date, end: date | None, today: date
) -> SupervisionArrangement:
    """Name a supervisor for one kind of supervision; refused with the rule broken."""
    if rules.need_for(staff.role, kind) is None:
        raise SupervisionError(f"A {staff.role_label.lower()} does not need {rules.kind_label(kind).lower()}")
    person = db.session.get(User, supervisor_id)
    if person is None or person.hub_id != staff.hub_id:
        raise SupervisionError("Select a supervisor from the list")
    supervisors = _supervisors(staff.hub_id, {supervisor_id})
    arrangements, roles = _hub_arrangements(staff.hub_id)
    roles[staff.id] = staff.role
    need = rules.need_for(staff.role, kind)
    if need is not None and need.qualifying is None and person.pcn_id != staff.pcn_id:
        raise SupervisionError(f"{rules.kind_label(kind)} is given by someone in {staff.pcn.name}")
    problems = rules.check_arrangement(
        rules.Arrangement(staff.id, supervisor_id, kind, start, end),
        _plain_staff(staff),
        supervisors[supervisor_id],
        [_plain(a) for a in arrangements],
        roles,
        cap=hub_cap(staff.hub_id),
        today=today,
    )
    refused = rules.errors(problems)
    if refused:
        raise SupervisionError(refused[0].message)
    arrangement = SupervisionArrangement(
        staff_id=staff.id, supervisor_id=supervisor_id, kind=kind, start_date=start, end_date=end, created_by_id=actor.id
    )
    db.session.add(arrangement)
    db.session.flush()
    audit(actor, Action.SUPERVISION_ASSIGNED, staff=staff.id, supervisor=supervisor_id, kind=kind, arrangement=arrangement.id)
    return arrangement


def end_arrangement(actor: User, arrangement: SupervisionArrangement, today: date) -> None:
    """End an arrangement today (its log is kept)."""
    if arrangement.end_date is not None and arrangement.end_date <= today:
        raise SupervisionError("This arrangement has already ended")
    arrangement.end_date = max(today, arrangement.start_date)
    db.session.flush()
    audit(actor, Action.SUPERVISION_ENDED, arrangement=arrangement.id, staff=arrangement.staff_id)


def log_session(
    actor: User, arrangement: SupervisionArrangement, day: date, minutes: int, note: str, today: date
) -> SupervisionLog:
    """Record that a session happened (no clinical content: the identifier guard checks the note)."""
    if day > today:
        raise SupervisionError("The session date must be today or in the past")
    if day < arrangement.start_date:
        raise SupervisionError(
            f"The session date must be on or after the arrangement started ({arrangement.start_date.isoformat()})"
        )
    if arrangement.end_date is not None and day > arrangement.end_date:
        raise SupervisionError(
            f"The session date must be on or before the arrangement ended ({arrangement.end_date.isoformat()})"
        )
    if not 1 <= minutes <= 600:
        raise SupervisionError("Enter the length in minutes, from 1 to 600")
    note = (note or "").strip()
    if findings := find_identifiers(note, today=today):
        raise SupervisionError(survey_answer_message(findings).replace("Your answer", "The note"))
    entry = SupervisionLog(
        arrangement_id=arrangement.id,
        session_date=day,
        kind=arrangement.kind,
        minutes=minutes,
        note=note or None,
        recorded_by_id=actor.id,
    )
    db.session.add(entry)
    db.session.flush()
    audit(actor, Action.SUPERVISION_LOGGED, arrangement=arrangement.id, date=day.isoformat())
    return entry


def set_cap(actor: User, hub: Hub, cap: int) -> None:
    """Set the hub's cap on one-to-one supervisees per supervisor."""
    if not 1 <= cap <= 50:
        raise SupervisionError("Enter a cap from 1 to 50")
    before, hub.supervisee_cap = hub.supervisee_cap, cap
    db.session.flush()
    audit(actor, Action.SUPERVISION_CAP_SET, hub=hub.id, cap=cap, before=before)


# --- dashboards ----------------------------------------------------------------------------------


@dataclass
class Dashboard:
    """A PCN dashboard: the rules' report with the objects to name."""

    pcn: Pcn
    staff: list[StaffMember]
    arrangements: list[SupervisionArrangement]
    report: rules.PcnReport
    due: dict[int, rules.Due]
    people: dict[int, User]
    cap: int

    @property
    def staff_by_id(self) -> dict[int, StaffMember]:
        """Staff by id."""
        return {s.id: s for s in self.staff}

    @property
    def arrangement_by_id(self) -> dict[int, SupervisionArrangement]:
        """Arrangements by id."""
        return {a.id: a for a in self.arrangements}

    def counts(self) -> dict[str, int]:
        """The measures the hub view shows for this PCN."""
        return {
            "staff": len(self.staff),
            "without_supervisor": len(self.report.uncovered_staff),
            "overdue": len(self.report.overdue),
            "over_capacity": len(self.report.over_cap) + len({r[0] for r in self.report.over_ratio} - set(self.report.over_cap)),
            "flagged": len(self.report.flagged),
            "lapsing": len(self.report.lapsing),
            "more_supervisors": sum(g.more for g in self.report.gaps),
        }


def pcn_dashboards(hub_id: int, pcns: list[Pcn], today: date) -> list[Dashboard]:
    """Dashboards for several PCNs of one hub, with a fixed number of queries."""
    pcn_ids = [p.id for p in pcns]
    staff = db.session.scalars(
        select(StaffMember)
        .where(StaffMember.pcn_id.in_(pcn_ids))
        .options(selectinload(StaffMember.practice))
        .order_by(StaffMember.name)
    ).all()
    arrangements, roles = _hub_arrangements(hub_id)
    logs = db.session.execute(
        select(SupervisionLog.arrangement_id, SupervisionLog.session_date).where(
            SupervisionLog.arrangement_id.in_([a.id for a in arrangements])
        )
    ).all()
    sessions: dict[int, list[date]] = defaultdict(list)
    for arrangement_id, day in logs:
        sessions[arrangement_id].append(day)
    supervisors = _supervisors(hub_id, {a.supervisor_id for a in arrangements})
    people = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(supervisors)))} if supervisors else {}
    cap = hub_cap(hub_id)
    plain_all = [_plain(a) for a in arrangements]
    out = []
    for pcn in pcns:
        mine = [s for s in staff if s.pcn_id == pcn.id]
        ids = {s.id for s in mine}
        theirs = [a for a in arrangements if a.staff_id in ids]
        report = rules.check_pcn(
            [_plain_staff(s) for s in mine],
            [_plain(a) for a in theirs],
            supervisors,
            sessions,
            cap=cap,
            today=today,
            all_arrangements=plain_all,
            roles=roles,
        )
        due = {}
        for a in theirs:
            need = rules.need_for(roles.get(a.staff_id, ""), a.kind)
            due[a.id] = rules.due_state(need.every_months if need else None, a.start_date, sessions.get(a.id, []), today)
        out.append(Dashboard(pcn, mine, theirs, report, due, people, cap))
    return out


HUB_HEADER = [
    "PCN",
    "ARRS staff",
    "Staff without a required supervisor",
    "Overdue sessions",
    "Supervisors over capacity",
    "Arrangements flagged",
    "Eligibilities lapsing within 90 days",
    "More supervisors needed",
]
HUB_KEYS = ["staff", "without_supervisor", "overdue", "over_capacity", "flagged", "lapsing", "more_supervisors"]


def pcn_table(board: Dashboard) -> tuple[list[str], list[list[object]]]:
    """The PCN dashboard as a table (one row per staff member and kind) for CSV."""
    header = ["Name", "Role", "Practice", "Kind of supervision", "Supervisor", "Start", "End", "Next due", "State"]
    rows: list[list[object]] = []
    for s in board.staff:
        arrangements = [a for a in board.arrangements if a.staff_id == s.id]
        for need in rules.needs(s.role):
            found = [
                a
                for a in arrangements
                if a.kind == need.kind and a.start_date <= date.today() and (a.end_date is None or a.end_date >= date.today())
            ]
            if not found:
                state = "Missing" if (s.id, need.kind) in board.report.missing else "Not arranged (recommended)"
                rows.append(
                    [
                        s.name,
                        s.role_label,
                        s.practice.name if s.practice else "",
                        rules.kind_label(need.kind),
                        "",
                        "",
                        "",
                        "",
                        state,
                    ]
                )
            for a in found:
                due = board.due.get(a.id)
                state = "Missing: supervisor no longer qualifies" if a.id in board.report.flagged else (due.label if due else "")
                rows.append(
                    [
                        s.name,
                        s.role_label,
                        s.practice.name if s.practice else "",
                        a.kind_label,
                        board.people[a.supervisor_id].name if a.supervisor_id in board.people else "",
                        a.start_date.isoformat(),
                        a.end_date.isoformat() if a.end_date else "",
                        due.due_on.isoformat() if due and due.due_on else "",
                        state,
                    ]
                )
    return header, rows


@dataclass
class Mine:
    """A person's own supervision: as a supervisee and as a supervisor."""

    as_supervisee: list[tuple[SupervisionArrangement, rules.Due]]
    as_supervisor: list[tuple[SupervisionArrangement, rules.Due]]


def mine(user: User, today: date) -> Mine:
    """Arrangements where the user is the supervisee or the supervisor, with what is due."""
    arrangements = db.session.scalars(
        select(SupervisionArrangement)
        .join(StaffMember, SupervisionArrangement.staff_id == StaffMember.id)
        .where(or_(StaffMember.user_id == user.id, SupervisionArrangement.supervisor_id == user.id))
        .options(selectinload(SupervisionArrangement.staff), selectinload(SupervisionArrangement.supervisor))
        .order_by(SupervisionArrangement.start_date)
    ).all()
    sessions: dict[int, list[date]] = defaultdict(list)
    if arrangements:
        for arrangement_id, day in db.session.execute(
            select(SupervisionLog.arrangement_id, SupervisionLog.session_date).where(
                SupervisionLog.arrangement_id.in_([a.id for a in arrangements])
            )
        ):
            sessions[arrangement_id].append(day)
    result = Mine([], [])
    for a in arrangements:
        need = rules.need_for(a.staff.role, a.kind)
        due = rules.due_state(need.every_months if need else None, a.start_date, sessions[a.id], today)
        if a.staff.user_id == user.id:
            result.as_supervisee.append((a, due))
        if a.supervisor_id == user.id:
            result.as_supervisor.append((a, due))
    return result


def logs_of(arrangement: SupervisionArrangement) -> list[SupervisionLog]:
    """Sessions logged for an arrangement, newest first."""
    return list(
        db.session.scalars(
            select(SupervisionLog)
            .where(SupervisionLog.arrangement_id == arrangement.id)
            .order_by(SupervisionLog.session_date.desc(), SupervisionLog.id.desc())
        )
    )


def practices_of(pcn: Pcn) -> list[Practice]:
    """A PCN's practices, by name."""
    return list(db.session.scalars(select(Practice).where(Practice.pcn_id == pcn.id).order_by(Practice.name)))


def training_courses(hub_id: int) -> dict[str, list[tuple[int, str]]]:
    """Published courses of the hub that grant each eligibility: {eligibility: [(course id, title)]}."""
    from learnhub.courses.models import Course
    from learnhub.eligibility.models import EligibilityDeclaration

    found: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for kind, course_id, title in db.session.execute(
        select(EligibilityDeclaration.eligibility_type, Course.id, Course.title)
        .join(Course, EligibilityDeclaration.course_id == Course.id)
        .where(EligibilityDeclaration.hub_id == hub_id, Course.published.is_(True))
        .order_by(Course.title)
    ):
        found[kind].append((course_id, title))
    return found
