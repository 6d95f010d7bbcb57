"""Every page renders on a seeded database with a demo cadastre; text from the database is escaped;
figures show their sources and never turn a withheld figure into a zero."""

from __future__ import annotations

import pytest

from maadan.web.charts import Bar, Series, bar_chart, column_chart

from .conftest import square

PUBLIC_PAGES = ["/", "/map", "/minerals", "/minerals?list=eu-2023", "/minerals/lithium", "/minerals/rare-earth-elements",
                "/projects", "/projects?kind=deposit", "/projects/reko-diq", "/projects/saindak", "/cadastre",
                "/cadastre?type=EL&state=active", "/cadastre?state=received&jurisdiction=PK-BA", "/cadastre?page=2",
                "/login", "/docs"]


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_page_renders(read_web, path):
    r = read_web.client.get(path)
    assert r.status_code == 200, r.text[:500]
    assert r.headers["content-type"].startswith("text/html")
    if path != "/docs":
        assert '<main id="main"' in r.text and "</html>" in r.text


def test_vendored_assets_and_favicon_are_served(read_web):
    for path in ("/static/vendor/swagger-ui/swagger-ui-bundle.js", "/static/vendor/swagger-ui/swagger-ui.css",
                 "/static/vendor/leaflet/leaflet.js", "/static/vendor/leaflet/leaflet.css",
                 "/static/vendor/leaflet-geoman/leaflet-geoman.js", "/static/favicon.svg",
                 "/static/css/maadan.css", "/static/js/layers.js", "/static/js/map.js", "/static/js/apply.js",
                 "/static/js/maadan-map.js", "/static/vendor/maplibre-gl/maplibre-gl-csp.js",
                 "/static/vendor/maplibre-gl/maplibre-gl-csp-worker.js", "/static/vendor/maplibre-gl/maplibre-gl.css"):
        assert read_web.client.get(path).status_code == 200, path
    docs = read_web.client.get("/docs").text
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in docs and "cdn" not in docs.lower()


def test_home_shows_key_numbers_synthetic_count_and_decisions(read_web):
    html = read_web.client.get("/").text
    assert "Mineral titles" in html and "of which 50" in html and "SYNTHETIC" in html
    assert "demo.cadastre-loaded" in html and "operator (command line)" in html
    assert "Needs attention" not in html  # officers only


def test_home_for_officers_shows_what_needs_attention(web):
    web.user("officer.home", "officer")
    web.apply()
    assert web.login("officer.home").status_code == 303
    html = web.client.get("/").text
    assert "Needs attention" in html and "pending application" in html


def test_title_page_and_unknown_pages(read_web):
    with read_web.uow() as uow:
        number = uow.cadastre.titles(limit=1)[0].number
    r = read_web.client.get(f"/cadastre/titles/{number}")
    assert r.status_code == 200 and number in r.text and "SYNTHETIC demonstration title" in r.text
    assert read_web.client.get("/cadastre/titles/PK-BA/EL/1999/9999").status_code == 404
    missing = read_web.client.get("/minerals/lithum")
    assert missing.status_code == 404 and 'href="/minerals/lithium"' in missing.text  # suggestion
    assert read_web.client.get("/projects/no-such-place").status_code == 404
    assert read_web.client.get("/minerals/li", follow_redirects=False).headers["location"] == "/minerals/lithium"


def test_register_filters_are_checked(read_web):
    r = read_web.client.get("/cadastre?state=bogus")
    assert r.status_code == 422 and "state must be one of" in r.text
    html = read_web.client.get("/cadastre?type=SSML").text
    rows = [line for line in html.split("<tr>") if "/cadastre/titles/SYN-" in line]
    assert rows and all("<td>SSML</td>" in row or "<td>SSML<br>" in row for row in rows)  # type, then rules
    assert "/api/cadastre/titles?" in html and "/ogc/collections/titles/items?f=json" in html


def test_mineral_page_withheld_is_not_zero_and_sources_are_listed(read_web):
    html = read_web.client.get("/minerals/lithium").text
    assert "W (withheld)" in html  # the United States' production
    assert "MCS2025_World_Data.csv" in html and "Every source on this page" in html
    assert "<svg" in html and 'role="img"' in html and "US net import reliance" in html


def test_project_page_shows_owners_totals_and_sources(read_web):
    html = read_web.client.get("/projects/reko-diq").text
    assert "Owners and stakes" in html and "total 99.99%" in html
    assert "Barrick" in html and "dawn.com/news/1890305" in html and "Every source on this page" in html
    assert "Capital expenditure" in html and "Key dates" in html
    assert "(as of 2026-03-26)" in html  # the status that changes over time, dated by its newest source
    lakhra = read_web.client.get("/projects/lakhra-coal").text
    assert "as of: unknown, its sources are undated" in lakhra


def test_holder_name_with_script_is_escaped(web):
    evil = '<script>alert("owned")</script> Mining'
    web.apply(holder=evil)
    web.user("officer.esc", "officer")
    web.login("officer.esc")
    for path in ("/cadastre", "/cadastre/queue"):
        html = web.client.get(path).text
        assert evil not in html and "<script>alert" not in html, path
        assert "&lt;script&gt;alert(&#34;owned&#34;)&lt;/script&gt; Mining" in html, path


def test_map_fetches_no_tiles_unless_configured(read_web, seeded_db):
    assert 'data-tile-url=""' in read_web.client.get("/map").text
    from .conftest import make_web

    client, _ = make_web(seeded_db.url, MAADAN_TILE_URL="https://tiles.example.org/{z}/{x}/{y}.png")
    with client:
        assert 'data-tile-url="https://tiles.example.org/{z}/{x}/{y}.png"' in client.get("/map").text


def test_bar_chart_draws_no_bar_for_withheld_and_escapes_labels():
    svg = bar_chart("c", "t", [Bar("<b>A</b>", 10.0, "10"), Bar("B", None, "W (withheld)"), Bar("C", 5.0, ">5", ">")])
    assert svg.count("<rect") == 2 and "W (withheld)" in svg and "&lt;b&gt;A&lt;/b&gt;" in svg
    assert 'class="bar bound"' in svg


def test_column_chart_labels_net_exporter_at_baseline():
    s = Series("MCS 2025", {"2023": Bar("2023", None, "E (net exporter)"), "2024": Bar("2024", 50.0, ">50", ">")})
    svg = column_chart("r", "reliance", [s])
    assert svg.count('class="col') == 1 and ">E<" in svg and ">&gt;50<" in svg


def test_demo_area_helper_is_inside_the_jurisdiction(read_web):
    r = read_web.client.post("/api/cadastre/check", json={"jurisdiction": "PK-BA", "title_type": "EL",
                                                     "area": {"geojson": square(66.5, 28.0)}})
    assert r.status_code == 200 and r.json()["ok"], r.text
