"""Scheduled reports and the BKPSDM dashboard section: a local SMTP inbox."""

from __future__ import annotations

import email
import socket
from email.message import EmailMessage

import pytest


class Inbox:
    """Messages received by the local SMTP server (aiosmtpd)."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server, session, envelope) -> str:
        self.messages.append(
            email.message_from_bytes(envelope.original_content, _class=EmailMessage)
        )
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def inbox(app, monkeypatch):
    from aiosmtpd.controller import Controller

    box = Inbox()
    port = _free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setitem(app.config, "SMTP_HOST", "127.0.0.1")
    monkeypatch.setitem(app.config, "SMTP_PORT", port)
    yield box
    controller.stop()
