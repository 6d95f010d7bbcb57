"""Signing in and out through the web forms, who may see the queue and the application form,
and an officer's decisions from the queue (CSRF-protected forms)."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import datetime, timedelta, timezone

from maadan.auth.model import MAX_FAILURES

from .conftest import CLEAN, PASSWORD, login_form, make_web


def test_login_form_errors(web):
    web.user("applicant.one", "applicant", "chagai-minerals")
    empty = web.client.post("/login", data=login_form(web.client, **{"username": "", "password": ""}))
    assert empty.status_code == 422 and "Enter your username and your password." in empty.text
    wrong = web.client.post("/login", data=login_form(web.client, **{"username": "applicant.one", "password": "not the password"}))
    assert wrong.status_code == 401 and "Wrong username or password." in wrong.text
    assert 'value="applicant.one"' in wrong.text and 'aria-invalid="true"' in wrong.text
    assert "maadan_session" not in wrong.headers.get("set-cookie", "")


def test_login_is_rate_limited(web):
    web.user("applicant.two", "applicant", "chagai-minerals")
    for _ in range(MAX_FAILURES):
        assert web.client.post("/login", data=login_form(web.client, **{"username": "applicant.two", "password": "nope"})).status_code == 401
    r = web.client.post("/login", data=login_form(web.client, **{"username": "applicant.two", "password": PASSWORD}))
    assert r.status_code == 429 and "Too many failed sign-in attempts" in r.text and r.headers["retry-after"]


def test_login_sets_session_cookie_and_logout_ends_it(web):
    web.user("applicant.three", "applicant", "chagai-minerals")
    r = web.client.post("/login", data=login_form(web.client, **{"username": "applicant.three", "password": PASSWORD,
                                        "next": "/cadastre/apply"}), follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/cadastre/apply"
    cookie = r.headers["set-cookie"].lower()
    assert cookie.startswith("maadan_session=") and "httponly" in cookie and "samesite=lax" in cookie
    assert "secure" not in cookie  # dev settings
    page = web.client.get("/cadastre/apply")
    assert page.status_code == 200 and "applicant.three" in page.text and 'id="apply-config"' in page.text
    assert web.client.post("/logout", data={}).status_code == 403  # no CSRF token
    out = web.client.post("/logout", data={"csrf_token": web.csrf()}, follow_redirects=False)
    assert out.status_code == 303 and 'maadan_session=""' in out.headers["set-cookie"]
    web.client.cookies.clear()
    assert web.client.get("/cadastre/apply", follow_redirects=False).status_code == 303


def test_login_redirects_only_within_the_site(web):
    web.user("applicant.four", "applicant", "chagai-minerals")
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        r = web.client.post("/login", data=login_form(web.client, **{"username": "applicant.four", "password": PASSWORD, "next": target}),
                            follow_redirects=False)
        assert r.headers["location"] == "/", target


def test_session_cookie_is_secure_in_production(web):
    client, _ = make_web(web.url, "https://testserver", MAADAN_ENV="prod", MAADAN_SECRET_KEY="x" * 40)
    web.user("officer.prod", "officer")
    with client:
        r = client.post("/login", data=login_form(client, **{"username": "officer.prod", "password": PASSWORD}), follow_redirects=False)
    assert r.status_code == 303 and "secure" in r.headers["set-cookie"].lower()


def test_queue_is_for_officers_only(web):
    anon = web.client.get("/cadastre/queue", follow_redirects=False)
    assert anon.status_code == 303 and anon.headers["location"] == "/login?next=%2Fcadastre%2Fqueue"
    assert web.client.get("/cadastre/apply", follow_redirects=False).status_code == 303
    web.user("applicant.five", "applicant", "chagai-minerals")
    web.login("applicant.five")
    denied = web.client.get("/cadastre/queue")
    assert denied.status_code == 403 and "needs the officer role" in denied.text
    app = web.apply()
    post = web.client.post(f"/cadastre/queue/PK-BA/{app.number}", data={"action": "accept", "csrf_token": web.csrf()})
    assert post.status_code == 403
    with web.uow() as uow:
        assert uow.cadastre.application("PK-BA", app.number).state == "received"


def test_officer_takes_an_application_through_the_queue(web):
    # 11:00 in Quetta three days ago: both filings on one local day whatever the hour the test runs
    # (from now, the second fell on the next day when the test ran in the 5 minutes before 19:00 UTC).
    days_ago = (datetime.now(timezone.utc) - timedelta(days=3)).replace(hour=6, minute=0, second=0, microsecond=0)
    app = web.apply(now=days_ago)
    other = web.apply(holder="Second Applicant Ltd", now=days_ago + timedelta(minutes=5))  # same ground, same day
    web.user("officer.q", "officer")
    web.login("officer.q")
    html = web.client.get("/cadastre/queue").text
    assert f"PK-BA/A{app.number}" in html and "competing" in html and "PK-BA/G1" in html
    assert html.index(f"PK-BA/A{app.number}") < html.index(f"PK-BA/A{other.number}")  # number order
    assert 'data-action="accept"' in html and 'data-action="grant"' not in html  # only legal moves
    token = web.csrf("/cadastre/queue")
    url = f"/cadastre/queue/PK-BA/{app.number}"

    assert web.client.post(url, data={"action": "accept"}).status_code == 403  # no CSRF token
    refused = web.client.post(url, data={"action": "reject-incomplete", "reason": " ", "csrf_token": token})
    assert refused.status_code == 422 and "give the reason" in refused.text
    illegal = web.client.post(url, data={"action": "grant", "csrf_token": token})
    assert illegal.status_code == 409 and "cannot grant" in illegal.text

    for action in ("accept", "review"):
        r = web.client.post(url, data={"action": action, "reason": "", "csrf_token": token}, follow_redirects=False)
        assert r.status_code == 303, r.text[:300]
    page = web.client.get("/cadastre/queue").text
    assert "Not yet:" in page and "decide the group first" in page  # the offer waits for the competition
    blocked = web.client.post(url, data={"action": "offer", "reason": "", "csrf_token": token})
    assert blocked.status_code == 409 and "PK-BA/G1" in blocked.text

    comp = web.client.get("/cadastre/competitions").text
    assert "PK-BA/G1" in comp and 'data-action="decide"' in comp and "officer decision" in comp
    decide = "/cadastre/competitions/PK-BA/1"
    missing = web.client.post(decide, data={"winner": str(app.number), "reason": "", "csrf_token": token})
    assert missing.status_code == 422 and "reasons" in missing.text
    r = web.client.post(decide, data={"winner": str(app.number), "reason": "complete work programme",
                                      "csrf_token": token}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/cadastre/competitions?done=PK-BA%2FG1")
    assert "complete work programme" in web.client.get("/cadastre/competitions").text

    for action in ("offer", "grant"):
        r = web.client.post(url, data={"action": action, "reason": "", "csrf_token": token}, follow_redirects=False)
        assert r.status_code == 303, r.text[:300]
        assert r.headers["location"].startswith("/cadastre/queue?done=PK-BA%2FA")
    page = web.client.get(f"/cadastre/queue?done=PK-BA/A{app.number}").text
    assert "grant recorded by officer.q" in page and "title PK-BA/EL/" in page
    with web.uow() as uow:
        titles = [t for t in uow.cadastre.titles() if t.application_number == app.number]
        assert uow.cadastre.application("PK-BA", other.number).state == "refused"
    assert len(titles) == 1 and titles[0].number in web.client.get("/cadastre").text


def test_applicants_see_their_notices_and_answer_a_remainder(web, monkeypatch):
    from dataclasses import replace

    from maadan.cadastre.caches import CACHES
    from maadan.cadastre.rules import CompetitionRule

    rule = CompetitionRule(method="officer-decision", losers="remainder", legal_basis="test", verified=False)
    monkeypatch.setattr(CACHES, "rulesets", [replace(r, competition={"*": rule}) if r.jurisdiction == "PK-BA" else r
                                             for r in CACHES.rules()])
    days_ago = datetime.now(timezone.utc) - timedelta(days=3)
    shifted = {"type": "Polygon", "coordinates": [[[x + 0.03, y] for x, y in CLEAN["coordinates"][0]]]}
    mine = web.apply(now=days_ago, org="chagai-minerals")
    web.apply(holder="Second Applicant Ltd", area=shifted, now=days_ago, org="second")
    web.user("officer.n", "officer")
    web.login("officer.n")
    token = web.csrf("/cadastre/competitions")
    r = web.client.post("/cadastre/competitions/PK-BA/1", data={"winner": "2", "reason": "second is stronger",
                                                               "csrf_token": token}, follow_redirects=False)
    assert r.status_code == 303
    web.client.post("/logout", data={"csrf_token": token})
    web.user("applicant.n", "applicant", "chagai-minerals")
    web.login("applicant.n")
    page = web.client.get("/cadastre/notices").text
    assert "lost competition PK-BA/G1" in page and 'data-action="accept-remainder"' in page
    assert "Second Applicant" not in page  # only its own organisation's notices
    token = web.csrf("/cadastre/notices")
    r = web.client.post("/cadastre/competitions/PK-BA/1/remainder",
                        data={"application": str(mine.number), "answer": "accept", "csrf_token": token},
                        follow_redirects=False)
    assert r.status_code == 303
    with web.uow() as uow:
        kept = uow.cadastre.application("PK-BA", mine.number)
    assert kept.state == "received" and kept.area_km2 < mine.area_km2
    assert 'data-action="accept-remainder"' not in web.client.get("/cadastre/notices").text
    r = web.client.post("/cadastre/competitions/PK-BA/1/remainder",
                        data={"application": "2", "answer": "decline", "csrf_token": token})
    assert r.status_code == 403 and "another organisation" in r.text


def test_upload_area_reads_a_zipped_shapefile(web, tmp_path):
    import shapely

    from maadan.ingest import geofiles

    path = geofiles.write(tmp_path / "area.zip", geofiles.Records(
        fields=["name"], rows=[{"name": "block"}], wkb=[shapely.to_wkb(shapely.geometry.shape(CLEAN))]), "area")
    web.user("applicant.up", "applicant", "chagai-minerals")
    web.login("applicant.up")
    headers = {"X-CSRF-Token": web.csrf()}
    r = web.client.post("/cadastre/upload-area", files={"file": ("block.zip", path.read_bytes(), "application/zip")},
                        headers=headers)
    assert r.status_code == 200, r.text
    got = shapely.geometry.shape(r.json()["geometry"])
    assert got.equals_exact(shapely.geometry.shape(CLEAN), 1e-9) or got.symmetric_difference(
        shapely.geometry.shape(CLEAN)).area < 1e-12
    bad = web.client.post("/cadastre/upload-area", files={"file": ("notes.txt", b"hello", "text/plain")}, headers=headers)
    assert bad.status_code == 422 and "not a file Maadan reads" in bad.json()["message"]
    broken = io.BytesIO()
    with zipfile.ZipFile(broken, "w") as zf:
        zf.writestr("readme.txt", "no shapefile here")
    r = web.client.post("/cadastre/upload-area", files={"file": ("x.zip", broken.getvalue(), "application/zip")},
                        headers=headers)
    assert r.status_code == 422 and "exactly one .shp" in r.json()["message"]
    points = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {}, "geometry": {"type": "Point", "coordinates": [66.5, 28.0]}}]}
    r = web.client.post("/cadastre/upload-area", headers=headers,
                        files={"file": ("p.geojson", json.dumps(points).encode(), "application/geo+json")})
    assert r.status_code == 422 and "must be polygons" in r.json()["message"]
    assert web.client.post("/cadastre/upload-area", files={"file": ("block.zip", path.read_bytes())}).status_code == 403


def test_upload_area_needs_an_account(web):
    r = web.client.post("/cadastre/upload-area", files={"file": ("a.geojson", b"{}", "application/geo+json")})
    assert r.status_code == 401


def test_upload_area_reprojects_utm_refuses_other_crs_and_checks_zips(web, tmp_path):
    import shapely
    from pyproj import Transformer

    web.user("applicant.crs", "applicant", "chagai-minerals")
    web.login("applicant.crs")
    headers = {"X-CSRF-Token": web.csrf()}
    clean = shapely.geometry.shape(CLEAN)

    def upload(name: str, data: bytes):
        return web.client.post("/cadastre/upload-area", files={"file": (name, data, "application/octet-stream")},
                               headers=headers)

    def gpkg(crs: str, geometry) -> bytes:
        import numpy as np
        import pyogrio.raw

        path = tmp_path / f"area-{crs.replace(':', '-')}.gpkg"
        pyogrio.raw.write(str(path), np.array([shapely.to_wkb(geometry)], dtype=object), [np.array(["block"],
                          dtype=object)], ["name"], layer="area", driver="GPKG", geometry_type="Polygon", crs=crs)
        return path.read_bytes()

    utm = Transformer.from_crs("EPSG:4326", "EPSG:32642", always_xy=True)
    projected = shapely.transform(clean, lambda xy: __import__("numpy").column_stack(utm.transform(xy[:, 0], xy[:, 1])))
    r = upload("utm.gpkg", gpkg("EPSG:32642", projected))
    assert r.status_code == 200, r.text
    back = shapely.geometry.shape(r.json()["geometry"])
    assert r.json()["source_crs"] == "EPSG:32642" and back.symmetric_difference(clean).area < 1e-9

    merc = Transformer.from_crs("EPSG:4326", "EPSG:3857", always_xy=True)
    other = shapely.transform(clean, lambda xy: __import__("numpy").column_stack(merc.transform(xy[:, 0], xy[:, 1])))
    r = upload("mercator.gpkg", gpkg("EPSG:3857", other))
    assert r.status_code == 422 and "EPSG:3857" in r.json()["message"] and "EPSG:32642" in r.json()["message"]

    many = io.BytesIO()
    with zipfile.ZipFile(many, "w") as zf:
        for i in range(25):
            zf.writestr(f"part{i}.txt", "x")
    r = upload("many.zip", many.getvalue())
    assert r.status_code == 422 and "holds 25 files" in r.json()["message"]
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("area.shp", b"\0" * 60_000_000)
    assert len(bomb.getvalue()) < 1_000_000
    r = upload("bomb.zip", bomb.getvalue())
    assert r.status_code == 422 and "unpacks to 60,000,000 bytes" in r.json()["message"]
    sneaky = io.BytesIO()
    with zipfile.ZipFile(sneaky, "w") as zf:
        zf.writestr("../../etc/area.shp", b"x")
    r = upload("sneaky.zip", sneaky.getvalue())
    assert r.status_code == 422 and "unsafe path" in r.json()["message"]
