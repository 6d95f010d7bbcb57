"""OGC API documents and links, built without a server or a database."""

from datetime import date, datetime, timezone
from urllib.parse import parse_qsl, urlsplit

import pytest
import shapely

from maadan.ogc import features as docs
from maadan.ogc.query import parse_items

URLS = docs.Urls("http://host/base/ogc/", "http://host/base/")


def rels(links):
    return {ln["rel"]: ln for ln in links}


def query_of(href):
    return dict(parse_qsl(urlsplit(href).query))


@pytest.mark.parametrize("key, fid", [
    ("PK-BA/EL/2026/0001", "PK-BA~EL~2026~0001"),
    ("SYN-PK-BA/SSPL/2025/0002", "SYN-PK-BA~SSPL~2025~0002"),
    ("PK-BA/A12", "PK-BA~A12"),
    ("reko-diq", "reko-diq"),
    ("odd~number/1", "odd%7Enumber~1"),
    ("with space/and%", "with%20space~and%25"),
])
def test_feature_ids_round_trip(key, fid):
    assert docs.encode_id(key) == fid and docs.decode_id(fid) == key


def test_item_urls_survive_one_decoding():
    # The server percent-decodes the path once before routing; the id must come out as made.
    from urllib.parse import unquote

    for key in ("PK-BA/EL/2026/0001", "odd~number/1", "with space/and%"):
        fid = docs.encode_id(key)
        href = URLS.item("titles", fid)
        assert "/" not in href.rsplit("/items/", 1)[1]
        assert docs.decode_id(unquote(href.rsplit("/items/", 1)[1])) == key


def test_landing_page_links():
    links = rels(docs.landing_page(URLS)["links"])
    assert links["self"]["href"] == "http://host/base/ogc"
    assert links["conformance"]["href"] == "http://host/base/ogc/conformance"
    assert links["data"]["href"] == "http://host/base/ogc/collections"
    descs = {link["type"]: link["href"] for link in docs.landing_page(URLS)["links"] if link["rel"] == "service-desc"}
    assert descs == {"application/vnd.oai.openapi+json;version=3.1": "http://host/base/openapi.json",
                     "application/vnd.oai.openapi+json;version=3.0": "http://host/base/openapi-3.0.json"}
    assert links["service-doc"] == {"href": "http://host/base/docs", "rel": "service-doc", "type": "text/html",
                                    "title": "The API documentation"}


def test_conformance_classes():
    classes = docs.conformance()["conformsTo"]
    assert "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core" in classes
    assert "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson" in classes
    assert "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30" in classes


def test_collection_doc_extent_and_links():
    info = docs.CollectionInfo("titles", "Mineral titles", "May include SYNTHETIC titles")
    doc = docs.collection_doc(URLS, info, docs.Extent((60.0, 25.0, 66.0, 30.0), ("2020-01-01T00:00:00Z", None)))
    assert doc["extent"]["spatial"]["bbox"] == [[60.0, 25.0, 66.0, 30.0]]
    assert doc["extent"]["temporal"]["interval"] == [["2020-01-01T00:00:00Z", None]]
    assert doc["itemType"] == "feature"
    assert rels(doc["links"])["items"] == {"href": "http://host/base/ogc/collections/titles/items", "rel": "items",
                                           "type": "application/geo+json", "title": "The Mineral titles as GeoJSON"}
    empty = docs.collection_doc(URLS, info, docs.Extent())
    assert "extent" not in empty


def test_first_page_has_next_and_no_prev():
    pairs = [("bbox", "62,28,63,29"), ("limit", "10")]
    links = rels(docs.page_links(URLS, "titles", pairs, parse_items(pairs), returned=10, matched=25))
    assert set(links) == {"self", "next", "collection"}
    assert query_of(links["self"]["href"]) == {"bbox": "62,28,63,29", "limit": "10"}
    assert query_of(links["next"]["href"]) == {"bbox": "62,28,63,29", "limit": "10", "offset": "10"}
    assert links["next"]["type"] == "application/geo+json"
    assert links["collection"]["href"] == "http://host/base/ogc/collections/titles"


def test_middle_and_last_pages():
    pairs = [("datetime", "2025-01-01/.."), ("offset", "10"), ("limit", "10"), ("f", "json")]
    links = rels(docs.page_links(URLS, "titles", pairs, parse_items(pairs), returned=10, matched=25))
    assert query_of(links["next"]["href"]) == {"datetime": "2025-01-01/..", "f": "json", "limit": "10", "offset": "20"}
    assert query_of(links["prev"]["href"]) == {"datetime": "2025-01-01/..", "f": "json", "limit": "10", "offset": "0"}
    pairs = [("offset", "20")]
    links = rels(docs.page_links(URLS, "titles", pairs, parse_items(pairs), returned=5, matched=25))
    assert "next" not in links and query_of(links["prev"]["href"]) == {"limit": "10", "offset": "10"}


def test_prev_never_goes_below_zero_and_clamped_limit_is_stated():
    pairs = [("offset", "3"), ("limit", "50000")]
    q = parse_items(pairs)
    links = rels(docs.page_links(URLS, "titles", pairs, q, returned=10_000, matched=20_000))
    assert query_of(links["prev"]["href"])["offset"] == "0"
    assert query_of(links["next"]["href"]) == {"limit": "10000", "offset": "10003"}


def test_past_the_end_has_prev_only():
    pairs = [("offset", "100")]
    links = rels(docs.page_links(URLS, "titles", pairs, parse_items(pairs), returned=0, matched=25))
    assert "next" not in links and "prev" in links


def test_feature_collection_and_feature():
    f = docs.Feature("PK-BA~EL~2026~0001", shapely.box(62, 28, 62.1, 28.1), {"number": "PK-BA/EL/2026/0001"})
    fc = docs.feature_collection(URLS, "titles", [], parse_items([]), [f], 1,
                                 datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc))
    assert fc["type"] == "FeatureCollection" and fc["numberMatched"] == 1 and fc["numberReturned"] == 1
    assert fc["timeStamp"] == "2026-01-02T03:04:05Z"
    assert fc["features"][0]["id"] == "PK-BA~EL~2026~0001" and fc["features"][0]["geometry"]["type"] == "Polygon"
    one = docs.feature_doc(URLS, "titles", f)
    assert rels(one["links"])["self"]["href"] == "http://host/base/ogc/collections/titles/items/PK-BA~EL~2026~0001"


def test_rfc3339():
    assert docs.rfc3339(date(2026, 1, 31)) == "2026-01-31T00:00:00Z"
    assert docs.rfc3339(datetime(2026, 1, 31, 12)) == "2026-01-31T12:00:00Z"
