"""Two hosts run ``send-eligibility-reminders`` at the same moment: each person gets one reminder.

Two real processes (``flask send-eligibility-reminders``) on the suite's database, SQLite or
PostgreSQL, sending by SMTP to a mail server on loopback, started together. One takes the lock
(``learnhub.locks``) and sends; the other says another host holds it, or — if it starts after
the first finished — finds every reminder already recorded. Either way nobody gets two.
"""

import os
import subprocess
import sys
import threading
from datetime import date
from pathlib import Path

from learnhub.accounts.models import User
from learnhub.eligibility.models import EligibilityRecord
from learnhub.extensions import db
from tests.smtp_sink import smtp_sink

ROOT = Path(__file__).resolve().parents[2]
PEOPLE = 30


def _people_due_a_reminder(app, make_hub) -> list[str]:  # type: ignore[no-untyped-def]
    hub_id = make_hub()
    emails = []
    with app.app_context():
        for n in range(PEOPLE):
            user = User(email=f"gp{n}@example.org", name=f"Dr {n}", professional_role="gp", hub_id=hub_id)
            db.session.add(user)
            db.session.flush()
            db.session.add(
                EligibilityRecord(
                    user_id=user.id,
                    hub_id=hub_id,
                    eligibility_type="arrs_clinical_supervisor",
                    first_granted_on=date(2026, 1, 10),
                    certified_on=date(2026, 1, 10),
                    expires_on=date(2029, 1, 10),
                    renewal_window_days=90,
                )
            )
            emails.append(user.email)
        db.session.commit()
    return emails


def test_two_processes_at_once_send_each_person_exactly_one_reminder(app, make_hub, database_url, tmp_path):
    emails = _people_due_a_reminder(app, make_hub)
    # A slow relay (0.2 s a message) makes one run last seconds, so the two runs overlap.
    with smtp_sink(delay=0.2) as sink:
        env = {
            **os.environ,
            **sink.environment(),
            "LEARNHUB_DATABASE_URL": database_url,
            "LEARNHUB_SECRET_KEY": "two-hosts-test",
            "LEARNHUB_PUBLIC_BASE_URL": "http://127.0.0.1",
        }
        go = threading.Barrier(2)
        results: list[subprocess.CompletedProcess] = []

        def host(n: int) -> None:
            instance = tmp_path / f"host{n}"
            instance.mkdir()
            go.wait()
            results.append(
                subprocess.run(
                    [
                        sys.executable,
                        "-m",
                        "flask",
                        "--app",
                        f"learnhub:create_app(instance_path='{instance}')",
                        "send-eligibility-reminders",
                        "--today",
                        "2028-10-12",
                    ],
                    cwd=ROOT,
                    env=env,
                    capture_output=True,
                    text=True,
                    timeout=300,
                )
            )

        threads = [threading.Thread(target=host, args=(n,)) for n in (1, 2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        received = sink.recipients()

    assert [r.returncode for r in results] == [0, 0], [r.stderr[-2000:] for r in results]
    outputs = sorted(r.stdout.strip() for r in results)
    assert f"Sent {PEOPLE} eligibility reminders." in outputs
    assert sorted(received) == sorted(emails)  # exactly one each
    assert not any((tmp_path / f"host{n}" / "outbox").exists() for n in (1, 2))
