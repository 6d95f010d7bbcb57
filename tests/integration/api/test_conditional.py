"""Fast reads (issue 12 item 4): ETag / If-None-Match -> 304 and Cache-Control from the register
sequence, gzip for large bodies, and OGC pages encoded with orjson (streamed when large) that say
exactly what the plain documents say."""

from __future__ import annotations

import json
from datetime import datetime, timezone

from maadan.cadastre import service
from maadan.ogc import features as docs
from maadan.ogc.collections import title_feature
from maadan.ogc.query import parse_items
from maadan.store.uow import UnitOfWork

ITEMS = "/ogc/collections/titles/items?limit=20&bbox=60,24,72,32"


def _demo(client, titles: int = 600) -> list[str]:
    made = service.load_demo_cadastre(UnitOfWork(client.app.state.engine, write=True), titles, 5, "test")
    return [t.number for t in made]


def test_an_unchanged_register_answers_304_and_a_change_a_new_tag(role_client):
    client = role_client
    numbers = _demo(client)
    for url in (ITEMS, f"/ogc/collections/titles/items/{docs.encode_id(numbers[0])}",
                f"/api/cadastre/titles/{numbers[0]}", f"/cadastre/titles/{numbers[0]}"):
        first = client.get(url)
        assert first.status_code == 200, url
        tag = first.headers["etag"]
        assert tag.startswith('W/"') and first.headers["cache-control"] == "public, no-cache", url
        again = client.get(url, headers={"If-None-Match": tag})
        assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == tag, url
        assert client.get(url, headers={"If-None-Match": f'"other", {tag.removeprefix("W/")}'}).status_code == 304
        assert client.get(url, headers={"If-None-Match": '"other"'}).status_code == 200
    tag = client.get(ITEMS).headers["etag"]
    officer = client.token("officer.a")
    signed_in = client.get(ITEMS, headers=officer)
    assert signed_in.headers["cache-control"] == "private, no-cache" and signed_in.headers["etag"] != tag
    assert client.get(ITEMS, headers=officer | {"If-None-Match": tag}).status_code == 200  # not the public's copy
    r = client.post("/api/cadastre/title-actions", headers=officer,
                    json={"number": numbers[0], "action": "surrender", "reason": "test"})
    assert r.status_code == 200, r.text
    moved = client.get(ITEMS, headers={"If-None-Match": tag})
    assert moved.status_code == 200 and moved.headers["etag"] != tag  # the register moved on


def test_large_pages_are_gzipped_and_streamed_and_say_what_the_documents_say(client):
    _demo(client, 700)
    url = "/ogc/collections/titles/items?limit=650"
    from starlette import testclient  # its own client's library (httpx2 when installed, else httpx)

    with testclient.httpx.Client(transport=client._transport, base_url="http://testserver") as raw:
        zipped = raw.get(url, headers={"Accept-Encoding": "gzip"})
        plain = raw.get(url, headers={"Accept-Encoding": "identity"})
        refused = raw.get(url, headers={"Accept-Encoding": "gzip;q=0, identity"})  # weight 0: not acceptable
    assert zipped.headers["content-encoding"] == "gzip" and "content-encoding" not in plain.headers
    assert "content-encoding" not in refused.headers and refused.num_bytes_downloaded == plain.num_bytes_downloaded
    assert zipped.headers["content-type"].startswith("application/geo+json")
    for sent in (zipped, plain):  # each field once, though a route and the gzip middleware both name one
        assert sent.headers.get_list("vary") == ["Accept, Accept-Encoding, Authorization, Cookie"]
    assert zipped.num_bytes_downloaded < plain.num_bytes_downloaded / 3  # compressed on the wire
    got = zipped.json()  # httpx decompresses
    assert got["numberReturned"] == 650 and len(got["features"]) == 650
    assert json.loads(plain.content)["features"] == got["features"]
    # the same page as the plain documents (shapely mapping + json) describe it
    with UnitOfWork(client.app.state.engine) as uow:
        titles, matched = uow.cadastre.titles_page(limit=650)
    urls = docs.Urls("http://testserver/ogc", "http://testserver")
    pairs = [("limit", "650")]
    expected = json.loads(json.dumps(docs.feature_collection(urls, "titles", pairs, parse_items(pairs),
                                                             [title_feature(t) for t in titles], matched,
                                                             datetime.now(timezone.utc))))
    assert got["features"] == expected["features"] and got["links"] == expected["links"]
    assert got["numberMatched"] == expected["numberMatched"] == matched
    small = client.get("/ogc/conformance", headers={"Accept-Encoding": "gzip"})
    assert "content-encoding" not in small.headers  # under 1 KiB: sent as it is


def test_a_title_body_is_served_from_its_cache_until_the_register_moves(role_client):
    client = role_client
    numbers = _demo(client, 20)
    url = f"/api/cadastre/titles/{numbers[0]}"
    first = client.get(url)
    assert first.status_code == 200 and first.headers["content-type"] == "application/json"
    body = first.json()
    assert body["number"] == numbers[0] and body["state"] == "active" and body["geometry"]["type"] == "Polygon"
    assert "obligations" in body and "invoices" in body
    assert client.get(url).content == first.content  # the same bytes, from the cache
    officer = client.token("officer.a")
    r = client.post("/api/cadastre/title-actions", headers=officer,
                    json={"number": numbers[0], "action": "surrender", "reason": "test"})
    assert r.status_code == 200, r.text
    after = client.get(url)
    assert after.status_code == 200 and after.json()["state"] == r.json()["state"] != "active"
    assert after.headers["etag"] != first.headers["etag"]
    assert client.get("/api/cadastre/titles/NOPE/1").status_code == 404
