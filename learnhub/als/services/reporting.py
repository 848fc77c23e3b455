"""The hub's programme dashboard: counts only, never notes or actions."""

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from learnhub.accounts.models import User
from learnhub.als.models import AlsGroup, AlsMember, AlsProgramme, AlsSession
from learnhub.als.services.programmes import hub_themes, load_programme_people, programme_sessions
from learnhub.extensions import db
from learnhub.suppression import MASK, mask_total, suppress_row


@dataclass
class GroupStats:
    """Attendance of one group."""

    group: AlsGroup
    present: int
    recorded: int

    @property
    def rate(self) -> float | None:
        """Share of recorded attendances that were present."""
        return self.present / self.recorded if self.recorded else None

    def published(self) -> tuple[int | str, int | str, str]:
        """Present, expected and rate as they may be shown.

        Present and not-present are suppressed as a row whose total (expected) is shown, so a
        small number of absences cannot be worked out by subtraction.
        """
        present, _absent = suppress_row([self.present, self.recorded - self.present])
        expected = mask_total(self.recorded)
        if self.rate is None:
            rate = "–"
        elif present == MASK or expected == MASK:
            rate = MASK
        else:
            rate = f"{round(self.rate * 100)}%"
        return present, expected, rate


@dataclass
class Dashboard:
    """A programme's counts for its hub administrators."""

    status_counts: Counter
    groups: list[GroupStats]
    load: list[tuple[User, int, int]]
    themes: list[tuple[str, int]]


def dashboard(programme: AlsProgramme, now: datetime | None = None) -> Dashboard:
    """Sessions by status, attendance per group, facilitator load and theme frequencies."""
    sessions = programme_sessions(programme)
    status = Counter({"planned": 0, "held": 0, "cancelled": 0})
    for s in sessions:
        status["planned" if s.is_open else s.status] += 1
    load_programme_people(programme)
    by_group: dict[int, list[AlsSession]] = defaultdict(list)
    for s in sessions:
        by_group[s.group_id].append(s)
    groups = []
    for group in programme.groups:
        rows = [a for s in by_group[group.id] if s.status == AlsSession.HELD for a in s.attendance]
        groups.append(GroupStats(group, sum(a.status == "present" for a in rows), len(rows)))
    held: Counter = Counter()
    planned: Counter = Counter()
    people: dict[int, User] = {f.user_id: f.user for f in programme.facilitators}
    for s in sessions:
        for f in s.facilitations:
            people.setdefault(f.user_id, f.user)
            if s.status == AlsSession.HELD:
                held[f.user_id] += 1
            elif s.is_open:
                planned[f.user_id] += 1
    load = sorted(((u, held[i], planned[i]) for i, u in people.items()), key=lambda t: t[0].name)
    theme_counts: Counter = Counter()
    for s in sessions:
        if s.status == AlsSession.HELD:
            for t in s.themes:
                theme_counts[t.name] += 1
    themes = [(t.name, theme_counts[t.name]) for t in hub_themes(programme.hub_id)]
    for name, n in theme_counts.items():
        if name not in {t for t, _ in themes}:
            themes.append((name, n))
    return Dashboard(status, groups, load, sorted(themes, key=lambda t: (-t[1], t[0])))


@dataclass
class MemberRow:
    """One member's record in their set: for the set's facilitators only."""

    user: User
    held: int
    present: int
    apologies: int
    absent: int
    presentations: int


def cohort_report(group: AlsGroup) -> list[MemberRow]:
    """Attendance and presentations per current member over the set's held sessions.

    Names are shown: the report is for the set's own facilitators (access.get_group_for_facilitator),
    who already know who was there. A late joiner is counted from their join only.
    """
    held = db.session.scalars(
        select(AlsSession)
        .where(AlsSession.group_id == group.id, AlsSession.status == AlsSession.HELD)
        .options(selectinload(AlsSession.attendance), selectinload(AlsSession.presenters))
    ).all()
    members = db.session.scalars(
        select(AlsMember).where(AlsMember.group_id == group.id).options(joinedload(AlsMember.user))
    ).all()
    rows = []
    for m in sorted(members, key=lambda m: (m.user.name, m.user_id)):
        mine = [s for s in held if m.sees_from is None or s.starts_at >= m.sees_from]
        status = Counter(a.status for s in mine for a in s.attendance if a.user_id == m.user_id)
        presented = sum(1 for s in mine for p in s.presenters if p.user_id == m.user_id)
        rows.append(MemberRow(m.user, len(mine), status["present"], status["apologies"], status["absent"], presented))
    return rows
