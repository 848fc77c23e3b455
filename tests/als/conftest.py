"""A small ALS world: one hub, an administrator, three facilitators, two groups of six."""

from dataclasses import dataclass, field
from datetime import date, time, timedelta

import pytest
from sqlalchemy import select

from learnhub.extensions import db


@dataclass
class World:
    hub: int
    admin: int
    facilitators: list[int]
    programme: int
    groups: list[int]
    members: dict[int, list[int]]
    #: Session ids by group id, in order. Session 1 is in the past, the rest are to come.
    sessions: dict[int, list[int]] = field(default_factory=dict)
    other_hub_admin: int | None = None

    def facilitator_of(self, session_id: int) -> int:
        from learnhub.als.models import AlsFacilitation

        return db.session.scalar(
            select(AlsFacilitation.user_id).where(AlsFacilitation.session_id == session_id, AlsFacilitation.role == "lead")
        )


@pytest.fixture
def build_world(app, make_hub, make_user):
    """Build the world; ``schedule=False`` stops before sessions exist."""

    def factory(schedule: bool = True, members_per_group: int = 6) -> World:
        from learnhub.accounts.models import User
        from learnhub.als.models import AlsMember
        from learnhub.als.services import common, planning, programmes

        hub = make_hub()
        admin = make_user(hub_id=hub, hub_role="hub_admin", name="Ada Admin")
        facilitators = [
            make_user(hub_id=hub, hub_role="facilitator", name=f"Fac {i}", professional_role="nurse") for i in range(3)
        ]
        people = [
            make_user(hub_id=hub, professional_role="splw", name=f"Member {i:02d}", email=f"member{i}.{hub}@example.org")
            for i in range(members_per_group * 2)
        ]
        other = make_user(hub_id=make_hub(), hub_role="hub_admin", name="Other Admin")
        with app.app_context():
            admin_user = db.session.get(User, admin)
            today = date.today()
            start = today - timedelta(days=14)
            programme = programmes.create_programme(
                admin_user,
                hub,
                name="Test programme",
                start_date=start,
                end_date=start + timedelta(weeks=30),
                session_time=time(10, 0),
                session_count=4,
                cadence_weeks=4,
            )
            for uid in people:
                db.session.add(AlsMember(programme=programme, user_id=uid))
            db.session.commit()
            groups = programmes.auto_form_groups(admin_user, programme)
            db.session.commit()
            world = World(
                hub=hub,
                admin=admin,
                facilitators=facilitators,
                programme=programme.id,
                groups=[g.id for g in groups],
                members={g.id: sorted(m.user_id for m in g.members) for g in groups},
                other_hub_admin=other,
            )
            for uid in facilitators:
                planning.add_facilitator(admin_user, programme, db.session.get(User, uid))
            db.session.commit()
            if schedule:
                planning.generate_schedule(admin_user, programme)
                planning.run_planner(admin_user, programme, now=common.local_start(start - timedelta(days=7), time(0, 0)))
                db.session.commit()
                world.sessions = {g.id: [s.id for s in g.sessions] for g in groups}
            return world

    return factory


@pytest.fixture
def world(build_world) -> World:
    return build_world()
