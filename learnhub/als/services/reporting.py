"""The hub's programme dashboard: counts only, never notes or actions.

Figures about participants (attendances; sessions touching a theme) follow the rounding rule
of :mod:`learnhub.suppression` (NHS Digital's HES practice): 1 to 7 are shown as ``*``, every
other count is rounded to the nearest 5, and rates are worked out from the rounded figures.
Programme totals are rounded from the true totals, so a typical programme (three sets of six)
can report its attendance even when each set's figures are too small to show.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from learnhub.accounts.models import User
from learnhub.als.models import AlsGroup, AlsMember, AlsProgramme, AlsSession
from learnhub.als.services.programmes import hub_themes, load_programme_people, programme_sessions
from learnhub.extensions import db
from learnhub.suppression import MASK, round_count, rounded_rate


@dataclass
class GroupStats:
    """Attendance of one group (or, with ``group`` None, of the whole programme)."""

    group: AlsGroup | None
    present: int
    recorded: int

    def published(self) -> tuple[int | str, int | str, str]:
        """Present, expected and rate as they may be shown (the rounding rule).

        Both counts are rounded to the nearest 5 (1 to 7 hidden) and the rate comes from the
        rounded figures, so a small number of absences cannot be worked out by subtraction.
        """
        present, expected = round_count(self.present), round_count(self.recorded)
        if not self.recorded:
            return present, expected, "–"
        rate = rounded_rate(self.present, self.recorded)
        return present, expected, MASK if rate == MASK else f"{rate:.0f}%"


@dataclass
class Dashboard:
    """A programme's counts for its hub administrators."""

    status_counts: Counter
    groups: list[GroupStats]
    load: list[tuple[User, int, int]]
    themes: list[tuple[str, int]]

    @property
    def total(self) -> GroupStats:
        """Attendance over every group of the programme."""
        return GroupStats(None, sum(g.present for g in self.groups), sum(g.recorded for g in self.groups))

    def published_themes(self) -> list[tuple[str, int | str]]:
        """Sessions touching each theme, rounded; most frequent first (by the true count)."""
        return [(name, round_count(n)) for name, n in self.themes]


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
