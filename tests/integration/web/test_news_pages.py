"""The news pages on every backend: officers only, upload, evidence marked in escaped text, review
forms with CSRF tokens, commit with links to the agreements."""

from __future__ import annotations

import re

ARTICLE = ("ISLAMABAD, 3 March 2026: Frontier Works Organisation signed a memorandum of understanding with "
           "Orion Lithium Company on Monday to explore lithium in Chagai. Costs < 5% & gains > 2%. "
           "Officials said the deal would bring new investment.\n")


def _upload(web, csrf: str, content: str = ARTICLE, published: str = "2026-03-03"):
    return web.client.post("/news", data={"csrf_token": csrf, "published": published},
                           files={"file": ("orion.txt", content.encode(), "text/plain")}, follow_redirects=False)


def test_news_pages_are_for_officers(web):
    r = web.client.get("/news", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login?next=%2Fnews")
    web.user("applicant.n", "applicant", "ussm")
    web.login("applicant.n")
    assert 'href="/news"' not in web.client.get("/").text
    assert web.client.get("/news").status_code == 403
    r = _upload(web, web.csrf())
    assert r.status_code == 403
    web.client.post("/logout", data={"csrf_token": web.csrf()})
    web.user("officer.n", "officer")
    web.login("officer.n")
    page = web.client.get("/news")
    assert page.status_code == 200 and '<a href="/news" aria-current="page">News</a>' in page.text
    assert '<label for="news-file">' in page.text and '<label for="news-published">' in page.text
    assert _upload(web, "forged").status_code == 403


def test_upload_review_and_commit(web):
    web.user("officer.n", "officer")
    web.login("officer.n")
    csrf = web.csrf("/news")
    r = _upload(web, csrf, published="March 3")
    assert r.status_code == 422 and "published" in r.text and "not a date" in r.text
    r = _upload(web, csrf)
    assert r.status_code == 303
    doc_url = r.headers["location"]
    page = web.client.get(doc_url).text
    assert "Costs &lt; 5% &amp; gains &gt; 2%." in page  # the article is text, escaped, never markup
    assert '<mark title="kind, title">memorandum of understanding</mark>' in page
    assert "<mark" in page and page.count('name="csrf_token" value="' + csrf + '"') > 10
    assert _upload(web, csrf).headers["location"] == doc_url + "?seen=1"
    assert "nothing new was created" in web.client.get(doc_url + "?seen=1").text

    ids = [int(x) for x in re.findall(r'<tr id="p-(\d+)">', page)]
    r = web.client.post(f"{doc_url}/commit", data={"csrf_token": csrf})
    assert r.status_code == 409 and "pending" in r.text
    signed = re.search(r'<tr id="p-(\d+)">\s*<th scope="row">signed</th>', page).group(1)
    r = web.client.post(f"{doc_url}/proposals/{signed}", data={"csrf_token": csrf, "decision": "edit",
                                                               "value": "31 Feb"})
    assert r.status_code == 422 and "signed" in r.text
    r = web.client.post(f"{doc_url}/proposals/{signed}", data={"csrf_token": csrf, "decision": "edit",
                                                               "value": "2026-03-02"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].endswith(f"#p-{signed}")
    first = [i for i in ids if i != int(signed)][0]
    r = web.client.post(f"{doc_url}/proposals/{first}", data={"csrf_token": csrf, "decision": "accept"})
    assert r.status_code == 200
    r = web.client.post(f"{doc_url}/accept-all", data={"csrf_token": csrf})
    assert r.status_code == 200 and "0 pending" in r.text and "Accept all" not in r.text
    r = web.client.post(f"{doc_url}/commit", data={"csrf_token": csrf})
    assert r.status_code == 200 and "Committed" in r.text
    ident = re.search(r'Agreements: <a href="/agreements/([^"]+)">', r.text).group(1)
    agreement = web.client.get(f"/agreements/{ident}")
    assert agreement.status_code == 200 and "Orion Lithium Company" in agreement.text
    assert 'data-action="accept"' not in r.text  # closed after commit
    assert web.client.get("/news/zzzzzzzz").status_code == 404
