"""Notifications: every message is a row in a transactional outbox, delivered after commit.

``notify(...)`` (:mod:`learnhub.notifications.services`) writes the message in the caller's
transaction (flush only); once the transaction commits, :mod:`learnhub.notifications.delivery`
hands it to SMTP (or, with no MAIL_SERVER, to the outbox folder) — on an RQ worker when
REDIS_URL is set, else after the response in the same process; ``flask send-outbox`` (cron)
picks up whatever is due (retries with backoff, abandoned claims).
"""
