"""E-mail without a second process (issue 16 item 4), on both backends: the database lease that lets
one dispatcher run at a time across workers, and `maadan serve`'s background dispatcher delivering
the outbox to a local SMTP server, each e-mail once although two app processes' dispatchers run."""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

from fastapi.testclient import TestClient

from maadan.cadastre import service as cadastre
from maadan.config import load_settings
from maadan.http.app import create_app
from maadan.portal import service as portal

from .test_portal_services import T0, applicant_with_email, outbox


def test_the_dispatch_lease_is_held_by_one_holder_until_it_runs_out_or_is_released(web):
    now = datetime.now(timezone.utc)
    def held(who: str, at: datetime) -> bool:
        with web.uow(True) as u:
            ok = u.portal.take_lease(portal.DISPATCH_LEASE, who, at, at + timedelta(seconds=90))
            u.commit()
        return ok

    assert held("worker-a", now) and not held("worker-b", now)  # the first taker holds it
    assert held("worker-a", now + timedelta(seconds=60))  # its holder renews it
    assert not held("worker-b", now + timedelta(seconds=149))  # renewed until now + 150 s
    assert held("worker-b", now + timedelta(seconds=151)) and not held("worker-a", now + timedelta(seconds=152))
    portal.release_dispatch_lease(web.uow(True), "worker-a")  # not the holder: nothing changes
    assert not held("worker-a", now + timedelta(seconds=153))
    portal.release_dispatch_lease(web.uow(True), "worker-b")
    assert held("worker-a", now + timedelta(seconds=154))  # released: taken at once


def test_dispatch_as_leader_sends_only_while_holding_the_lease(web, smtp):
    inbox, port = smtp
    applicant_with_email(web, "leader.test", "chagai-minerals", "leader@example.org")
    app = web.apply(now=T0)
    cadastre.decide(web.uow(True), "PK-BA", app.number, "accept", "user:officer", now=T0 + timedelta(hours=1))
    sender = portal.SmtpSender("127.0.0.1", port)
    now = datetime.now(timezone.utc)
    args = dict(sender_address="cadastre@example.gov.pk", base_url="https://x", now=now)
    first = portal.dispatch_as_leader(web.uow(True), sender, "a", timedelta(seconds=60), **args)
    second = portal.dispatch_as_leader(web.uow(True), sender, "b", timedelta(seconds=60), **args)
    assert first is not None and first.sent == 1 and second is None
    assert len(inbox.to("leader@example.org")) == 1 and outbox(web)[0].state == "sent"


def test_serve_dispatches_the_outbox_in_the_background_once_across_workers(web, smtp):
    """Two app processes' worth of dispatchers (two apps, one database) run every 0.2 s; an e-mail
    queued by a decision arrives once, with no `maadan mail dispatch` running."""
    inbox, port = smtp
    env = {"MAADAN_DATABASE_URL": web.url, "MAADAN_SMTP_HOST": "127.0.0.1", "MAADAN_SMTP_PORT": str(port),
           "MAADAN_SMTP_FROM": "cadastre@example.gov.pk", "MAADAN_PUBLIC_BASE_URL": "https://cadastre.example.gov.pk"}
    applicant_with_email(web, "background", "chagai-minerals", "background@example.org")
    apps = [create_app(load_settings(env | {"MAADAN_MAIL_DISPATCH_SECONDS": "1"})) for _ in range(2)]
    try:
        with TestClient(apps[0]), TestClient(apps[1]):
            dispatchers = [a.state.mail_dispatcher for a in apps]
            assert all(d is not None and d.thread.is_alive() for d in dispatchers)
            filed = web.apply(now=T0)
            for action in ("accept", "withdraw"):
                cadastre.decide(web.uow(True), "PK-BA", filed.number, action, "user:officer",
                                now=T0 + timedelta(hours=1))
            deadline = time.monotonic() + 60
            while len(inbox.to("background@example.org")) < 2 and time.monotonic() < deadline:
                time.sleep(0.2)
            time.sleep(2.5)  # two more rounds each: nothing is sent again
        got = inbox.to("background@example.org")
        assert len(got) == 2 and len({m["Message-ID"] for m in got}) == 2
        assert "https://cadastre.example.gov.pk/cadastre/applications/PK-BA/" in got[0].get_payload(decode=True).decode()
        assert all(m.state == "sent" for m in outbox(web))
        assert sum(d.sent for d in dispatchers) == 2
        assert all(not d.thread.is_alive() for d in dispatchers)  # stopped with the app
        with web.engine.connect() as c:  # and the lease given up
            assert c.exec_driver_sql("SELECT count(*) FROM service_lease").scalar_one() == 0
    finally:
        for a in apps:
            a.state.engine.dispose()


def test_no_background_dispatcher_without_smtp_or_when_turned_off(web, smtp):
    _inbox, port = smtp
    plain = create_app(load_settings({"MAADAN_DATABASE_URL": web.url}))
    off = create_app(load_settings({"MAADAN_DATABASE_URL": web.url, "MAADAN_SMTP_HOST": "127.0.0.1",
                                    "MAADAN_SMTP_PORT": str(port), "MAADAN_MAIL_DISPATCH_SECONDS": "0"}))
    try:
        with TestClient(plain), TestClient(off):
            assert plain.state.mail_dispatcher is None and off.state.mail_dispatcher is None
    finally:
        plain.state.engine.dispose()
        off.state.engine.dispose()
