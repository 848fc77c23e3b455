"""The notifications outbox: queueing a 1,000-person wave, and the send rate against a local SMTP sink.

    .venv/bin/python -m benchmarks.outbox [--people 1000] [--postgres-url URL]

Builds a throw-away database (SQLite, or the PostgreSQL database given, which is emptied) with
``--people`` accounts, then times:

1. queueing one optional email per person with ``notify`` in one transaction and committing it
   (what a request or the survey cron does; delivery is switched off for this step, as it
   happens after the response or on the worker);
2. ``deliver_due`` sending them all to an ``aiosmtpd`` sink on loopback (one SMTP connection per
   run, one claim and one outcome commit per message): messages per second.
"""

import argparse
import tempfile
import time
from pathlib import Path


class _Sink:
    def __init__(self) -> None:
        self.count = 0

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]  # noqa: N802
        self.count += 1
        return "250 OK"


def main() -> None:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=1000)
    parser.add_argument("--postgres-url", default=None)
    args = parser.parse_args()

    from aiosmtpd.controller import Controller
    from flask_migrate import upgrade

    from benchmarks.load import free_port
    from learnhub import create_app
    from learnhub.accounts.models import User
    from learnhub.extensions import db
    from learnhub.notifications import delivery
    from learnhub.notifications.services import notify
    from learnhub.organisations.models import Hub
    from tests.conftest import drop_everything

    sink = _Sink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    workdir = Path(tempfile.mkdtemp(prefix="learnhub-bench-"))
    url = args.postgres_url or f"sqlite:///{workdir / 'bench.sqlite'}"
    if args.postgres_url:
        drop_everything(url)
    app = create_app(
        {
            "SECRET_KEY": "bench",
            "PUBLIC_BASE_URL": "https://learnhub.example.org",
            "SQLALCHEMY_DATABASE_URI": url,
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": port,
            "MAIL_USE_TLS": False,
        },
        instance_path=str(workdir / "instance"),
    )
    with app.app_context():
        upgrade()
        hub = Hub(name="Bench hub")
        db.session.add(hub)
        db.session.flush()
        users = [
            User(email=f"person{n}@example.org", name=f"Person {n}", professional_role="gp", hub_id=hub.id, password_hash="x")
            for n in range(args.people)
        ]
        db.session.add_all(users)
        db.session.commit()
        ids = [u.id for u in users]

        real_schedule = delivery.schedule
        delivery.schedule = lambda ids: None  # type: ignore[assignment]  # measure queueing alone
        start = time.perf_counter()
        for uid in ids:
            user = db.session.get(User, uid)
            notify(
                f"bench:survey-invitation:user-{uid}",
                category="surveys",
                user=user,
                subject="Please answer the survey",
                body="Hello,\n\nPlease answer the survey.\n",
            )
        db.session.commit()
        queued = time.perf_counter() - start
        delivery.schedule = real_schedule  # type: ignore[assignment]

    start = time.perf_counter()
    result = delivery.deliver_due(app)
    sent = time.perf_counter() - start
    controller.stop()
    backend = "PostgreSQL" if args.postgres_url else "SQLite"
    print(f"{backend}: queue {args.people} emails in one transaction: {queued:.2f} s ({queued / args.people * 1000:.2f} ms each)")
    rate = len(result.sent) / sent
    print(f"{backend}: deliver_due sent {len(result.sent)} (sink received {sink.count}) in {sent:.2f} s: {rate:.0f} messages/s")


if __name__ == "__main__":
    main()
