"""A mail server on loopback (aiosmtpd) that keeps what it accepts, for tests with MAIL_SERVER set.

With ``MAIL_SERVER`` pointing here the app sends by SMTP as in production and never writes
to the ``instance/outbox`` folder.
"""

import asyncio
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from email import message_from_bytes
from email.message import Message

from aiosmtpd.controller import Controller

from benchmarks.load import free_port


class Sink:
    """An aiosmtpd handler that keeps every message it accepts."""

    def __init__(self, delay: float = 0.0) -> None:
        self.messages: list[Message] = []
        self.lock = threading.Lock()
        self.port = 0
        #: Seconds to take over each message (a slow relay), so that a run sending many overlaps another.
        self.delay = delay

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]  # noqa: N802 - aiosmtpd's name
        if self.delay:
            await asyncio.sleep(self.delay)
        with self.lock:
            self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"

    def recipients(self) -> list[str]:
        """The To address of every message, in arrival order."""
        with self.lock:
            return [str(m["To"]) for m in self.messages]

    def config(self) -> dict:
        """App configuration that sends here (plain SMTP on loopback)."""
        return {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": self.port, "MAIL_USE_TLS": False}

    def environment(self) -> dict[str, str]:
        """The same as ``LEARNHUB_*`` variables for a server or command in another process."""
        return {"LEARNHUB_MAIL_SERVER": "127.0.0.1", "LEARNHUB_MAIL_PORT": str(self.port), "LEARNHUB_MAIL_USE_TLS": "false"}


@contextmanager
def smtp_sink(delay: float = 0.0) -> Iterator[Sink]:
    """Run a :class:`Sink` on 127.0.0.1 for the duration."""
    sink = Sink(delay)
    controller = Controller(sink, hostname="127.0.0.1", port=free_port())
    controller.start()
    sink.port = controller.port
    try:
        yield sink
    finally:
        controller.stop()
