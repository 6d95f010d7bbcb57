"""The news API on every backend: roles, upload, the same text twice, review, commit refused while
anything is pending, commit into the agreements registry."""

from __future__ import annotations

import pytest


ARTICLE = ("ISLAMABAD, 3 March 2026: Frontier Works Organisation signed a memorandum of understanding with "
           "Orion Lithium Company on Monday to explore lithium in Chagai. Officials said the deal would bring "
           "new investment.\n")


@pytest.fixture
def api(role_client):
    return role_client


def upload(client, headers, content: bytes = ARTICLE.encode(), name: str = "orion.txt", published="2026-03-03"):
    data = {"published": published} if published is not None else {}
    return client.post("/api/news", headers=headers, files={"file": (name, content, "text/plain")}, data=data)


def test_roles(api):
    assert upload(api, {}).status_code == 401
    viewer = api.token("applicant.a")
    r = upload(api, viewer)
    assert r.status_code == 403 and r.json()["error"] == "forbidden"
    for path in ("/api/news", "/api/news/abcdef"):
        assert api.get(path).status_code == 401
        assert api.get(path, headers=viewer).status_code == 403
    assert api.post("/api/news/proposals/1/review", json={"decision": "accept"}, headers=viewer).status_code == 403
    assert api.post("/api/news/abcdef/commit", headers=viewer).status_code == 403
    assert api.get("/api/news", headers=api.token("officer.a")).json()["total"] == 0


def test_upload_same_text_twice_review_and_commit(api):
    officer = api.token("officer.a")
    r = upload(api, officer)
    assert r.status_code == 201, r.text
    doc = r.json()
    assert doc["created"] is True and doc["filename"] == "orion.txt" and doc["published"] == "2026-03-03"
    assert r.headers["location"] == f"/api/news/{doc['id']}"
    assert doc["text"].startswith("ISLAMABAD, 3 March 2026")
    [mou] = doc["agreements"]
    fields = {f["field"]: f for f in mou["fields"]}
    assert fields["kind"]["value"] == "mou" and fields["signed"]["value"] == "2026-03-03"
    ev = fields["kind"]["evidence"][0]
    assert ev["text"] == "memorandum of understanding" and doc["text"][ev["start"]:ev["end"]] == ev["text"]
    parties = [f["value"]["name"] for f in mou["fields"] if f["field"] == "party"]
    assert parties == ["Frontier Works Organisation", "Orion Lithium Company"]

    # the same text, re-wrapped, from an admin: nothing new
    again = upload(api, api.token("admin.a"), ARTICLE.replace(" ", "  ").encode(), name="copy.txt")
    assert again.status_code == 200 and again.json()["created"] is False and again.json()["id"] == doc["id"]
    listing = api.get("/api/news", headers=officer, params={"limit": 1}).json()
    assert listing["total"] == 1 and listing["items"][0]["counts"]["pending"] == len(mou["fields"])

    # commit refused while anything is pending
    r = api.post(f"/api/news/{doc['id'][:12]}/commit", headers=officer)
    assert r.status_code == 409 and "pending" in r.json()["message"]

    # review: bad decision, bad edit, then accept all but the mineral, which is edited
    pid = fields["mineral"]["id"]
    r = api.post(f"/api/news/proposals/{pid}/review", json={"decision": "approve"}, headers=officer)
    assert r.status_code == 422
    r = api.post(f"/api/news/proposals/{fields['signed']['id']}/review", json={"decision": "edit", "value": "3/3/26"},
                 headers=officer)
    assert r.status_code == 422 and "signed" in r.json()["message"]
    r = api.post("/api/news/proposals/999999/review", json={"decision": "accept"}, headers=officer)
    assert r.status_code == 404
    r = api.post(f"/api/news/proposals/{fields['signed']['id']}/review", json={"decision": "edit",
                                                                                "value": "2026-03-02"},
                 headers=officer)
    assert r.status_code == 200 and r.json()["status"] == "edited" and r.json()["reviewed_value"] == "2026-03-02"
    assert r.json()["reviewer"] == "user:officer.a"
    for f in mou["fields"]:
        if f["field"] != "signed":
            r = api.post(f"/api/news/proposals/{f['id']}/review", json={"decision": "accept"}, headers=officer)
            assert r.status_code == 200 and r.json()["status"] == "accepted", r.text

    r = api.post(f"/api/news/{doc['id']}/commit", headers=officer)
    assert r.status_code == 200, r.text
    [ident] = r.json()["agreements"]
    assert r.json()["document"] == doc["id"]
    a = api.get(f"/api/agreements/{ident}").json()
    assert a["kind"] == "mou" and a["signed"] == "2026-03-02" and a["place"] == "Chagai"
    assert [p["name"] for p in a["parties"]] == ["Frontier Works Organisation", "Orion Lithium Company"]
    assert a["minerals"] == ["lithium"]
    shown = api.get(f"/api/news/{doc['id']}", headers=officer).json()
    assert shown["status"] == "committed" and shown["agreement_ids"] == {"1": ident}
    # committed: closed
    assert api.post(f"/api/news/{doc['id']}/commit", headers=officer).status_code == 409
    r = api.post(f"/api/news/proposals/{pid}/review", json={"decision": "reject"}, headers=officer)
    assert r.status_code == 409


@pytest.mark.parametrize("content, published, where", [
    (b"", "2026-03-03", "empty"),
    (b"\x00\x01\x02binary\x00" * 20, "2026-03-03", "binary"),
    (ARTICLE.encode(), "3 March", "published"),
    (ARTICLE.encode(), "2026-02-31", "published"),
])
def test_bad_uploads_are_422_with_the_message(api, content, published, where):
    officer = api.token("officer.a")
    r = upload(api, officer, content, published=published)
    assert r.status_code == 422, r.text
    assert where in r.json()["message"].lower()
    assert api.get("/api/news", headers=officer).json()["total"] == 0


def test_unknown_or_short_document_ids(api):
    officer = api.token("officer.a")
    assert api.get("/api/news/abcdef012345", headers=officer).status_code == 404
    assert api.get("/api/news/abc", headers=officer).status_code == 422
    r = api.post("/api/news", headers=officer, json={"file": "x"})
    assert r.status_code == 415
