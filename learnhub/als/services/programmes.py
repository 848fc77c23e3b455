"""Programmes, their members, sets (groups) and the hub's theme list."""

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from learnhub.accounts.models import User
from learnhub.als import grouping
from learnhub.als.access import administers_own_hub
from learnhub.als.member_csv import KnownPerson, MemberCsvResult, check_member_csv
from learnhub.als.models import (
    DEFAULT_THEMES,
    AlsFacilitation,
    AlsFacilitator,
    AlsGroup,
    AlsMember,
    AlsProgramme,
    AlsSession,
    AlsTheme,
)
from learnhub.als.services.common import AlsError
from learnhub.audit import Action, audit
from learnhub.extensions import db
from learnhub.idempotent import insert_or_get
from learnhub.identifiers import anonymise_message, find_identifiers
from learnhub.roles import PROFESSIONAL_ROLES
from learnhub.timeutil import utcnow


def hub_themes(hub_id: int) -> list[AlsTheme]:
    """The hub's active themes, creating the defaults the first time.

    The defaults are inserted with an upsert, so two facilitators opening their first record
    page at once both get the same ten themes (no unique-name error, no duplicate).
    """
    themes = db.session.scalars(select(AlsTheme).where(AlsTheme.hub_id == hub_id).order_by(AlsTheme.name)).all()
    if not themes:
        for name in DEFAULT_THEMES:
            insert_or_get(AlsTheme, key={"hub_id": hub_id, "name": name})
        themes = db.session.scalars(select(AlsTheme).where(AlsTheme.hub_id == hub_id).order_by(AlsTheme.name)).all()
    return [t for t in themes if t.active]


def add_theme(actor: User, hub_id: int, name: str) -> bool:
    """Add a theme to the hub's list; False if it is there already (or was added by a twin request).

    Refuses patient identifiers (a theme is shown to every facilitator of the hub).
    """
    findings = find_identifiers(name)
    if findings:
        raise AlsError(anonymise_message(findings))
    hub_themes(hub_id)
    name = name.strip()
    exists = db.session.scalar(select(AlsTheme.id).where(AlsTheme.hub_id == hub_id, func.lower(AlsTheme.name) == name.lower()))
    if exists:
        return False
    _theme, created = insert_or_get(AlsTheme, key={"hub_id": hub_id, "name": name})
    if created:
        audit(actor, Action.ALS_THEME_ADDED, hub=hub_id, name=name)
    return created


def create_programme(actor: User, hub_id: int, **fields: object) -> AlsProgramme:
    """Create a programme in the actor's hub."""
    programme = AlsProgramme(hub_id=hub_id, **fields)
    db.session.add(programme)
    hub_themes(hub_id)
    db.session.flush()
    audit(actor, Action.ALS_PROGRAMME_CREATED, programme=programme.id)
    return programme


def _has_sessions(programme: AlsProgramme) -> bool:
    return bool(
        db.session.scalar(
            select(func.count()).select_from(AlsSession).join(AlsGroup).where(AlsGroup.programme_id == programme.id)
        )
    )


def add_member(actor: User, programme: AlsProgramme, user: User) -> AlsMember:
    """Add one person to a programme (not yet in a group)."""
    if user.hub_id != programme.hub_id:
        raise AlsError("Nobody in your hub has this email address: invite them first")
    if administers_own_hub(user, programme.hub_id):
        raise AlsError(f"{user.name} is an administrator of your hub, who cannot be a member of its sets")
    if user.professional_role not in programme.role_codes:
        raise AlsError(f"{user.name} is a {user.professional_role_label}, which this programme is not open to")
    waiting = utcnow() if sets_are_full(programme) else None
    member, created = insert_or_get(
        AlsMember, key={"programme_id": programme.id, "user_id": user.id}, values={"waiting_since": waiting}
    )
    if not created:
        raise AlsError(f"{user.name} is already a member of this programme")
    audit(actor, Action.ALS_MEMBER_ADDED, programme=programme.id, user=user.id, waiting=waiting is not None)
    return member


def sets_are_full(programme: AlsProgramme) -> bool:
    """True once the schedule exists and every set has its maximum size: newcomers then wait."""
    if not programme.groups or not _has_sessions(programme):
        return False
    return all(len(g.members) >= programme.max_group_size for g in programme.groups)


def waiting_list(programme: AlsProgramme) -> list[AlsMember]:
    """Members waiting for a place, first come first served."""
    return sorted(
        (m for m in programme.members if m.waiting_since is not None and m.group_id is None),
        key=lambda m: (m.waiting_since, m.id),
    )


def import_members(actor: User, programme: AlsProgramme, data: bytes | str) -> MemberCsvResult:
    """Add everyone in a CSV (any encoding Excel writes), or nobody if any row has a problem."""
    people = {
        u.email: KnownPerson(u.id, u.professional_role, administers_own_hub(u, programme.hub_id))
        for u in db.session.scalars(select(User).where(User.hub_id == programme.hub_id))
    }
    existing = set(db.session.scalars(select(AlsMember.user_id).where(AlsMember.programme_id == programme.id)))
    result = check_member_csv(
        data, people=people, eligible_roles=programme.role_codes, existing=existing, role_labels=PROFESSIONAL_ROLES
    )
    if result.ok:
        waiting = utcnow() if sets_are_full(programme) else None
        added = sum(
            insert_or_get(AlsMember, key={"programme_id": programme.id, "user_id": user_id}, values={"waiting_since": waiting})[1]
            for user_id in result.user_ids
        )
        audit(actor, Action.ALS_MEMBERS_IMPORTED, programme=programme.id, count=added)
    return result


def create_group(actor: User, programme: AlsProgramme, name: str) -> AlsGroup:
    """Add an empty group by hand (a twin request gets the same group, not a second one)."""
    name = name.strip()
    if any(g.name.lower() == name.lower() for g in programme.groups):
        raise AlsError("This programme already has a group with that name")
    group, created = insert_or_get(AlsGroup, key={"programme_id": programme.id, "name": name})
    if created:
        audit(actor, Action.ALS_GROUP_CREATED, programme=programme.id, group=group.id)
    db.session.refresh(programme)
    return group


def has_met(group: AlsGroup, now: datetime | None = None) -> bool:
    """True once any session of the set has been held or has started."""
    now = now or utcnow()
    return any(s.status == AlsSession.HELD or (s.status != AlsSession.CANCELLED and s.starts_at <= now) for s in group.sessions)


def _join(member: AlsMember, group: AlsGroup | None, now: datetime) -> None:
    member.group = group
    if group is not None:
        member.waiting_since = None  # a place in a set ends the wait
    member.joined_group_at = now if group else None
    # A late joiner reads only sessions from their join on (docs/als.md).
    member.sees_from = now if group is not None and has_met(group, now) else None


def set_member_group(actor: User, member: AlsMember, group: AlsGroup | None, now: datetime | None = None) -> None:
    """Put a member in a group (or take them out of one that has not met yet).

    Joining a set that has already met records the join time: the member then sees only
    sessions from then on (never earlier notes, presenters or actions).
    """
    now = now or utcnow()
    if group is not None and administers_own_hub(member.user, member.programme.hub_id):
        raise AlsError(f"{member.user.name} is an administrator of your hub, who cannot be a member of its sets")
    if member.group is not None and has_met(member.group, now):
        if group is None:
            raise AlsError(f"{member.user.name}'s group has already met: use Remove from set to take them out")
        if group.id != member.group_id:
            raise AlsError(f"{member.user.name}'s group has already met: they stay in it")
    if group is not None and group.id == member.group_id:
        return
    _join(member, group, now)
    db.session.flush()
    audit(actor, Action.ALS_MEMBER_GROUPED, member=member.id, group=group.id if group else None)


def remove_from_set(actor: User, member: AlsMember, now: datetime | None = None) -> AlsGroup | None:
    """Take a member out of their set, even one that has met; they lose access to all of it.

    Their own actions stay theirs; the removal is audited. Returns the set they left.
    """
    group = member.group
    if group is None:
        return None
    _join(member, None, now or utcnow())
    db.session.flush()
    audit(actor, Action.ALS_MEMBER_REMOVED_FROM_SET, member=member.id, group=group.id, programme=member.programme_id)
    return group


def _group_name(i: int) -> str:
    return "Set " + (chr(ord("A") + i) if i < 26 else str(i + 1))


def auto_form_groups(actor: User, programme: AlsProgramme) -> list[AlsGroup]:
    """Split every member into balanced groups that mix PCNs and practices.

    Refused once sessions exist, so nobody is moved out of a set that has started.
    """
    now = utcnow()
    if _has_sessions(programme):
        raise AlsError("Groups cannot be re-formed after the schedule has been made")
    members = sorted((m for m in programme.members if m.waiting_since is None), key=lambda m: m.id)
    people = [grouping.Person(m.id, m.user.pcn_id, m.user.practice_id) for m in members]
    try:
        split = grouping.form_groups(people, programme.min_group_size, programme.max_group_size)
    except grouping.GroupingError as error:
        raise AlsError(str(error)) from error
    by_id = {m.id: m for m in members}
    programme.groups.clear()  # delete-orphan: the old sets go at the flush
    db.session.flush()
    groups = []
    for i, ids in enumerate(split):
        group = AlsGroup(programme=programme, name=_group_name(i))
        db.session.add(group)
        for member_id in ids:
            _join(by_id[member_id], group, now)
        groups.append(group)
    db.session.flush()
    audit(actor, Action.ALS_GROUPS_FORMED, programme=programme.id, groups=len(groups))
    return groups


def group_size_problems(programme: AlsProgramme) -> list[str]:
    """Messages for groups outside the size limits."""
    problems = []
    for group in programme.groups:
        n = len(group.members)
        if n < programme.min_group_size:
            problems.append(f"{group.name} has {n} members: a group needs at least {programme.min_group_size}")
        elif n > programme.max_group_size:
            problems.append(f"{group.name} has {n} members: a group can have at most {programme.max_group_size}")
    return problems


def programme_sessions(programme: AlsProgramme) -> list[AlsSession]:
    """Every session of a programme in time order."""
    return list(
        db.session.scalars(
            select(AlsSession)
            .join(AlsGroup)
            .where(AlsGroup.programme_id == programme.id)
            .order_by(AlsSession.starts_at, AlsSession.group_id)
            # What the schedule, the planner and the dashboard read of every session, loaded
            # in a fixed number of statements whatever the number of sessions.
            .options(
                contains_eager(AlsSession.group),
                selectinload(AlsSession.facilitations).joinedload(AlsFacilitation.user),
                selectinload(AlsSession.attendance),
                selectinload(AlsSession.themes),
            )
        )
    )


def load_programme_people(programme: AlsProgramme) -> None:
    """Load the programme's groups, members (with person, PCN and practice) and facilitators at once."""
    person = joinedload(AlsMember.user).options(joinedload(User.pcn), joinedload(User.practice))
    db.session.scalars(
        select(AlsProgramme)
        .where(AlsProgramme.id == programme.id)
        .options(
            selectinload(AlsProgramme.groups).selectinload(AlsGroup.members).options(person),
            selectinload(AlsProgramme.members).options(person),
            selectinload(AlsProgramme.facilitators).options(
                joinedload(AlsFacilitator.user), selectinload(AlsFacilitator.unavailable)
            ),
        )
        .execution_options(populate_existing=True)
    ).all()
