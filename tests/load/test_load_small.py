"""A small run of the load benchmark: gunicorn on the suite's database, 16 simulated users.

Every third form is sent twice at once (a double click). Fails on any error response, any
lost or duplicated submission, or anything half written.
The figures are not checked (timings never go in tests): ``benchmarks/load.py`` prints them.
"""

import pytest

from benchmarks.load import Server, Stats, double_click_mix, prepare, run_load, verify, verify_mix

pytestmark = pytest.mark.load

ROUNDS = 2


def test_sixteen_users_lose_and_duplicate_nothing(app, database_url, tmp_path):
    world = prepare(app, users=16, rounds=ROUNDS)
    with Server(database_url, tmp_path, workers=3) as server:
        stats, acks, _ = run_load(server.url, world, rounds=ROUNDS, double_every=3)

    assert stats.problems == []
    errors = {page: dict(s) for page, s in stats.status.items() if any(not code.startswith(("2", "3")) for code in s)}
    assert errors == {}
    by_role = {role: sum(1 for p in world.people if p.role == role) for role in ("participant", "learner", "facilitator")}
    assert len(acks.surveys) == by_role["participant"] * ROUNDS
    assert sum(len(ids) for ids in acks.checks.values()) == by_role["learner"] * ROUNDS
    assert len(acks.sessions) == by_role["facilitator"] * ROUNDS
    assert verify(app, world, acks) == []


def test_double_click_mix_on_every_route_of_issue_13_fails_and_duplicates_nothing(app, database_url, tmp_path, request):
    """Each route of issue 13 from two tabs at once (and the ALS page 16 times at once) on gunicorn."""
    if database_url.startswith("sqlite"):
        # Known and open: two learners completing the course at the same moment on SQLite, on a
        # busy machine, can wait past the 10 s busy timeout (the certificate PDF is rendered in
        # the completion's transaction), so one gets the 503 page. Never a 500 nor a duplicate.
        request.node.add_marker(pytest.mark.xfail(reason="SQLite: a completion can wait past the busy timeout", strict=False))
    world = prepare(app, users=6, rounds=1)
    stats = Stats()
    server = Server(database_url, tmp_path, workers=3).start(timeout=300)  # a busy 2-core machine boots slowly
    try:
        double_click_mix(server.url, world, stats)
    finally:
        server.stop()

    assert stats.problems == [], "\n".join(stats.problems)
    errors = {page: dict(s) for page, s in stats.status.items() if any(code.startswith("5") for code in s)}
    assert errors == {}
    covered = {page.split(" (")[0] for page in stats.status}
    assert {
        "self-enrol",
        "complete the last module",
        "enrol in a full cohort",
        "ALS home",
        "ALS bid",
        "ALS apologies",
        "add facilitator",
        "add set",
        "add theme",
        "invite",
        "issue a cohort's certificates",
        "create hub",
        "register",
        "invitation link",
    } <= covered
    problems = verify_mix(app, world)
    assert problems == [], "\n".join(problems)
