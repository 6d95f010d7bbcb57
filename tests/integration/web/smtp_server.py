"""A local SMTP server (aiosmtpd on a free port) that keeps what it receives: the dispatcher's
tests send real SMTP to it."""

from __future__ import annotations

import socket
from email import message_from_bytes
from email.message import Message
from typing import Iterator

import pytest


class Inbox:
    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.refuse = False  # answer 451 to every message (a failing server)

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd's handler hook
        if self.refuse:
            return "451 Requested action aborted: local error in processing"
        msg = message_from_bytes(envelope.content)
        self.messages.append(msg)
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[Message]:
        return [m for m in self.messages if m["To"] == address]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    from aiosmtpd.controller import Controller

    inbox = Inbox()
    for attempt in range(5):  # a port found free may be taken (by a parallel test worker) before it is bound
        port = free_port()
        controller = Controller(inbox, hostname="127.0.0.1", port=port)
        try:
            controller.start()
            break
        except OSError:
            if attempt == 4:
                raise
    try:
        yield inbox, port
    finally:
        controller.stop()
