"""A real SMTP server on loopback (aiosmtpd) that keeps every message it receives."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller


@dataclass
class Received:
    """One message as the server got it: the envelope and the parsed message."""

    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage

    @property
    def body(self) -> str:
        """Return the plain-text body, decoded."""
        return self.message.get_body(preferencelist=("plain",)).get_content()


@dataclass
class SmtpServer:
    """The running server's address and its mailbox."""

    host: str
    port: int
    received: list[Received] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)  # recipients answered with 550
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def messages(self) -> list[Received]:
        """Return a snapshot of the messages received so far."""
        with self._lock:
            return list(self.received)

    def to(self, address: str) -> list[Received]:
        """Return the messages sent to an address."""
        return [m for m in self.messages() if address in m.rcpt_tos]

    def configure(self, app) -> None:
        """Point the app's outgoing mail at this server."""
        app.config.update(SMTP_HOST=self.host, SMTP_PORT=self.port, MAIL_FROM="repapp@agency.test")


class _Handler:
    """Store each message; refuse recipients the test asked to refuse."""

    def __init__(self, server: SmtpServer) -> None:
        self.server = server

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 (aiosmtpd hook)
        if address in self.server.refuse:
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd hook)
        message = message_from_bytes(envelope.original_content or envelope.content, policy=policy.default)
        with self.server._lock:
            self.server.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 Message accepted"


def free_port() -> int:
    """Return a TCP port free on 127.0.0.1 right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    """Run an SMTP server on a free loopback port for one test."""
    server = SmtpServer(host="127.0.0.1", port=free_port())
    controller = Controller(_Handler(server), hostname=server.host, port=server.port, ready_timeout=5)
    controller.start()
    try:
        yield server
    finally:
        controller.stop()


@pytest.fixture
def mailbox(app, smtp_server: SmtpServer) -> SmtpServer:
    """The loopback SMTP server, with the app's mail pointed at it."""
    smtp_server.configure(app)
    return smtp_server
