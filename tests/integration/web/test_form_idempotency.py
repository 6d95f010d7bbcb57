"""A web form with a hidden `idempotency_key` field is acted on once (issue 18 item 1): a double submit
or a resubmit after a lost answer gets the first answer again."""

from __future__ import annotations

from maadan.http.idempotency import FORM_FIELD, form_key


def test_a_resubmitted_decision_form_acts_once(web):
    app = web.apply()
    web.user("officer.idem", "officer")
    web.login("officer.idem")
    key = form_key()
    form = {"action": "accept", "csrf_token": web.csrf(), FORM_FIELD: key}
    first = web.client.post(f"/cadastre/queue/PK-BA/{app.number}", data=form, follow_redirects=False)
    assert first.status_code == 303, first.text
    again = web.client.post(f"/cadastre/queue/PK-BA/{app.number}", data=form | {"csrf_token": web.csrf()},
                            follow_redirects=False)
    assert again.status_code == 303 and again.headers["location"] == first.headers["location"]
    assert again.headers["idempotent-replayed"] == "true"
    unkeyed = web.client.post(f"/cadastre/queue/PK-BA/{app.number}",
                              data={"action": "accept", "csrf_token": web.csrf()})
    assert unkeyed.status_code == 409  # accepting twice is refused: the keyed resubmit did not act again
    other = web.client.post(f"/cadastre/queue/PK-BA/{app.number}", data=form | {"action": "review"},
                            follow_redirects=False)
    assert other.status_code == 409 and other.json()["error"] == "idempotency_key_reused"
