"""Two hosts run ``send-eligibility-reminders`` at the same moment: each person gets one reminder.

Two real processes (``flask send-eligibility-reminders``) on the suite's database, SQLite or
PostgreSQL, sending by SMTP to a mail server on loopback, started together. One takes the lock
(``learnhub.locks``) and sends; the other says another host holds it, or — if it starts after
the first finished — finds every reminder already recorded. Either way nobody gets two.
"""

import os

from tests.scale_flows import REMINDER_DAY, flask_command, people_due_a_reminder, run_at_once
from tests.smtp_sink import smtp_sink

PEOPLE = 30


def test_two_processes_at_once_send_each_person_exactly_one_reminder(app, make_hub, database_url, tmp_path):
    emails = people_due_a_reminder(app, make_hub(), PEOPLE)
    hosts = [tmp_path / "host1", tmp_path / "host2"]
    for host in hosts:
        host.mkdir()
    # A slow relay (0.2 s a message) makes one run last seconds, so the two runs overlap.
    with smtp_sink(delay=0.2) as sink:
        environment = {
            **os.environ,
            **sink.environment(),
            "LEARNHUB_DATABASE_URL": database_url,
            "LEARNHUB_SECRET_KEY": "two-hosts-test",
            "LEARNHUB_PUBLIC_BASE_URL": "http://127.0.0.1",
        }
        commands = [flask_command(host, "send-eligibility-reminders", "--today", REMINDER_DAY) for host in hosts]
        results = run_at_once(commands, environment)
        received = sink.recipients()

    assert [r.returncode for r in results] == [0, 0], [r.stderr[-2000:] for r in results]
    outputs = [r.stdout.strip() for r in results]
    assert f"Sent {PEOPLE} eligibility reminders." in outputs
    assert sorted(received) == sorted(emails)  # exactly one each
    assert not any((host / "outbox").exists() for host in hosts)
