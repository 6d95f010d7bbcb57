"""E-mail without a second process: with MAADAN_SMTP_HOST set (and MAADAN_MAIL_DISPATCH_SECONDS
not 0), every worker of `maadan serve` runs a background thread that, every interval, tries to take
the database lease `portal.DISPATCH_LEASE` and, holding it, sends the outbox's due e-mails. So one
worker dispatches at a time across every worker and host on the database; when it stops, it gives
the lease up, and when it dies another takes over once the lease runs out (LEASE_ROUNDS
intervals). A failing round is logged and retried on the next; requests never wait for mail."""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from datetime import timedelta

from fastapi import FastAPI

from maadan.portal import service as portal
from maadan.store.uow import UnitOfWork

log = logging.getLogger("maadan.mail")
LEASE_ROUNDS = 3  # the lease lasts this many intervals; the holder renews it every round


class MailDispatcher:
    def __init__(self, app: FastAPI):
        s = app.state.settings
        self.engine = app.state.engine
        self.every = float(s.mail_dispatch_seconds)
        self.sender = portal.SmtpSender(s.smtp_host, s.smtp_port, s.smtp_user, s.smtp_password, s.smtp_tls)
        self.sender_address = s.smtp_from
        self.base_url = s.public_base_url or f"http://{s.host}:{s.port}"
        self.holder = f"{socket.gethostname()[:60]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.stopping = threading.Event()
        self.rounds = 0  # rounds in which this process held the lease
        self.sent = 0
        self.thread = threading.Thread(target=self.run, name="maadan-mail", daemon=True)

    def round(self) -> None:
        report = portal.dispatch_as_leader(
            UnitOfWork(self.engine, write=True), self.sender, self.holder,
            timedelta(seconds=self.every * LEASE_ROUNDS), sender_address=self.sender_address, base_url=self.base_url)
        if report is None:
            return
        self.rounds += 1
        self.sent += report.sent
        if report.sent or report.failed:
            log.info("mail dispatch: %d sent, %d failed", report.sent, report.failed)
        for error in report.errors:
            log.warning("mail dispatch: %s", error)

    def run(self) -> None:
        while not self.stopping.is_set():
            try:
                self.round()
            except Exception:  # a database or mail server down: try again next round
                log.exception("mail dispatch round failed")
            self.stopping.wait(self.every)

    def stop(self) -> None:
        self.stopping.set()
        self.thread.join(timeout=30)
        try:
            portal.release_dispatch_lease(UnitOfWork(self.engine, write=True), self.holder)
        except Exception:  # the lease then simply runs out
            log.exception("releasing the mail dispatch lease failed")


def start(app: FastAPI) -> MailDispatcher | None:
    """Start the background dispatcher when e-mail is configured; None otherwise."""
    s = app.state.settings
    if not s.smtp_host or not s.mail_dispatch_seconds:
        app.state.mail_dispatcher = None
        return None
    dispatcher = MailDispatcher(app)
    app.state.mail_dispatcher = dispatcher
    dispatcher.thread.start()
    return dispatcher
