"""`maadan mail ...` and `maadan accounts ...` on both backends: the dispatcher through a real
(local) SMTP server, its refusal without a configured server, the outbox, the reminders, and the
officer's confirmation from the command line."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from maadan.cadastre import service as cadastre
from maadan.portal import service as portal

from .conftest import PASSWORD

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=timezone.utc)


@pytest.fixture
def run(web, capsys, monkeypatch):
    """run(*args) -> (exit code, stdout, stderr) of `maadan ARGS` on the test's database."""
    from maadan.cli.app import main

    monkeypatch.setenv("MAADAN_DATABASE_URL", web.url)
    monkeypatch.setenv("COLUMNS", "200")

    def run(*args: str) -> tuple[int, str, str]:
        capsys.readouterr()
        code = main(list(args))
        out = capsys.readouterr()
        return code, out.out, out.err
    return run


def test_mail_and_accounts_commands(web, smtp, run, monkeypatch):
    inbox, port = smtp

    portal.register(web.uow(True), "cli.applicant", PASSWORD, "cli@example.org", organisation_id="rdmc")
    code, out, _ = run("accounts", "pending", "--json")
    assert code == 0 and '"cli.applicant"' in out
    assert run("accounts", "confirm", "cli.applicant", "--actor", "amina")[0] == 0
    assert run("accounts", "confirm", "cli.applicant")[0] != 0  # nothing waits any more: not found
    user = web.uow()
    with user:
        me = user.auth.user("cli.applicant")
    portal.set_preferences(web.uow(True), me, "cli@example.org", False)
    app = web.apply(org="rdmc", holder="Reko Diq Mining Company (Pvt) Ltd", now=T0)
    cadastre.decide(web.uow(True), "PK-BA", app.number, "accept", "user:officer", now=T0 + timedelta(hours=1))

    monkeypatch.delenv("MAADAN_SMTP_HOST", raising=False)
    code, _, err = run("mail", "dispatch")
    assert code == 78 and "MAADAN_SMTP_HOST is not set" in err  # a configuration error, nothing sent
    code, out, _ = run("mail", "outbox", "--pending", "--json")
    assert code == 0 and '"cli@example.org"' in out and '"waiting"' in out

    monkeypatch.setenv("MAADAN_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("MAADAN_SMTP_PORT", str(port))
    monkeypatch.setenv("MAADAN_SMTP_FROM", "cadastre@example.gov.pk")
    monkeypatch.setenv("MAADAN_PUBLIC_BASE_URL", "https://cadastre.example.gov.pk")
    code, out, _ = run("mail", "dispatch", "--json")
    assert code == 0 and '"sent": 1' in out
    [msg] = inbox.to("cli@example.org")
    assert f"https://cadastre.example.gov.pk/cadastre/applications/PK-BA/{app.number}" in msg.get_payload(decode=True).decode()
    assert run("mail", "dispatch", "--json")[1].count('"sent": 0') == 1  # sent once
    code, out, _ = run("mail", "remind", "--within", "30", "--json")
    assert code == 0 and out.strip() == "[]"  # nothing granted, no rent


def test_proposed_organisations_from_the_command_line(web, run):

    portal.register(web.uow(True), "cli.newco", PASSWORD, "newco@example.org", proposed_organisation="Makran Metals Ltd")
    portal.register(web.uow(True), "cli.other", PASSWORD, "other@example.org", proposed_organisation="Lasbela Ores")
    code, out, _ = run("accounts", "organisations", "--json")
    assert code == 0 and '"makran-metals-ltd"' in out and '"registration of cli.newco"' in out
    code, _, err = run("accounts", "confirm-organisation", "makran-metals-ltd", "--actor", "amina")
    assert code == 0 and "in the directory as makran-metals-ltd" in err
    code, _, err = run("accounts", "confirm-organisation", "lasbela-ores", "--into", "nowhere")
    assert code != 0 and "not an organisation of the directory" in err
    code, _, err = run("accounts", "confirm-organisation", "lasbela-ores", "--into", "rdmc")
    assert code == 0 and "Merged Lasbela Ores into rdmc" in err
    assert run("accounts", "confirm-organisation", "lasbela-ores")[0] != 0  # decided already
    assert "makran-metals-ltd" in dict(portal.directory(web.uow()))
    assert run("accounts", "organisations", "--json")[1].strip() == "[]"
