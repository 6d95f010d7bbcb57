"""The public rules pages (issue 13 item 7) and the rule version shown with a title."""


def test_rules_pages(read_web):
    index = read_web.client.get("/cadastre/rules?at=2025-10-01")
    assert index.status_code == 200
    for name in ("Balochistan", "Punjab", "Khyber Pakhtunkhwa", "Sindh", "Gilgit-Baltistan"):
        assert name in index.text
    assert 'href="/cadastre/rules"' in read_web.client.get("/").text  # in the navigation, for everyone
    page = read_web.client.get("/cadastre/rules/PK-BA?at=2025-10-01")
    assert page.status_code == 200
    assert 'id="applied"' in page.text and "uncertain" in page.text and "2020-03-03" in page.text
    assert "Balochistan Mines and Minerals Act 2025" in page.text and "suspended" in page.text
    assert 'id="values"' in page.text and "placeholder" in page.text
    diff = read_web.client.get("/cadastre/rules/PK-BA?diff_from=2002-03-08&diff_to=2020-03-03")
    assert diff.status_code == 200 and 'id="diff"' in diff.text and "application fee" in diff.text


def test_rules_pages_refuse_bad_input_clearly(read_web):
    r = read_web.client.get("/cadastre/rules/PK-XX")
    assert r.status_code == 404 and "PK-BA" in r.text
    r = read_web.client.get("/cadastre/rules?at=yesterday")
    assert r.status_code == 422 and "YYYY-MM-DD" in r.text
    r = read_web.client.get("/cadastre/rules/PK-BA?version=<script>")
    assert r.status_code == 422 and "<script>" not in r.text


def test_a_granted_title_shows_the_rules_applied(web):
    from datetime import datetime, timedelta, timezone

    from maadan.cadastre import service as cadastre

    # filed two days ago: nothing is offered on its day of receipt (rule 10, issue 10)
    app = web.apply(now=datetime.now(timezone.utc) - timedelta(days=2))
    # the public register's row names the version applied, linked to the rules page, flagged as uncertain
    register = web.client.get("/cadastre", params={"jurisdiction": "PK-BA"})
    row = register.text.split(f'id="A-PK-BA-{app.number}"', 1)[1].split("</tr>", 1)[0]
    assert f">{app.rules_version}</a>" in row and 'href="/cadastre/rules/PK-BA?at=' in row and "uncertain" in row
    for action in ("accept", "review", "offer", "grant"):
        _, title = cadastre.decide(web.uow(True), "PK-BA", app.number, action, "user:officer")
    page = web.client.get(f"/cadastre/titles/{title.number}")
    assert page.status_code == 200
    assert 'id="rules-basis"' in page.text and f"PK-BA {title.rules_version}" in page.text
    assert "uncertain" in page.text  # the 2025 Act is suspended: which rules are in force is uncertain
