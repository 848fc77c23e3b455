"""A real SMTP server on loopback (aiosmtpd) that keeps what it accepts and can refuse addresses."""

import threading
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller

from benchmarks.load import free_port


class Inbox:
    """An aiosmtpd handler: keeps every accepted message; refuses RCPT for ``bounce*`` addresses with 550."""

    def __init__(self) -> None:
        self.received: list[tuple[list[str], bytes]] = []
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # type: ignore[no-untyped-def]  # noqa: N802
        if address.startswith("bounce"):
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]  # noqa: N802 - aiosmtpd's name
        with self.lock:
            self.received.append((list(envelope.rcpt_tos), envelope.content))
        return "250 OK"

    @property
    def messages(self) -> list[EmailMessage]:
        with self.lock:
            return [message_from_bytes(raw, policy=policy.default) for _, raw in self.received]  # type: ignore[misc]

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]


@pytest.fixture
def smtp():  # type: ignore[no-untyped-def]
    """``(port, inbox)`` of a running loopback SMTP server."""
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller.port, inbox
    controller.stop()


@pytest.fixture
def app(database_url, _schema, tmp_path, smtp):  # type: ignore[no-untyped-def]
    """Here the test app (and every fixture built on it) sends to the loopback SMTP server.

    Retries are due at once (no backoff wait in tests).
    """
    from learnhub import create_app
    from tests.conftest import ClosingClient, _empty_tables, make_test_config

    port, _ = smtp
    config = make_test_config(
        database_url, MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_USE_TLS=False, MAIL_RETRY_BASE_SECONDS=0
    )
    made = create_app(config, instance_path=str(tmp_path / "instance"))
    made.test_client_class = ClosingClient
    yield made
    _empty_tables(made)


@pytest.fixture
def mail_app(app):  # type: ignore[no-untyped-def]
    return app
