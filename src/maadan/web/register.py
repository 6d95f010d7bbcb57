"""A public that can check (issue 16 item 5): the register of changes in plain language (what it
proves, the server's check now, the last signed checkpoint, how to verify it offline), its history
as the public sees it (each event's leaf: private fields redacted by `maadan.audit.leaf`, the one
place that decides), the register as CSV, GeoJSON and GeoPackage with its licence, and the
register's statistics with charts and CSV."""

from __future__ import annotations

import csv
import io
import logging
from email.utils import formatdate
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import FileResponse, PlainTextResponse, Response
from starlette.background import BackgroundTask

from maadan.audit import service as register
from maadan.cadastre import public_exports, statistics
from maadan.cadastre.views import parse_ref
from maadan.errors import NotFound
from maadan.http import conditional
from maadan.http.base_url import absolute
from maadan.http.compression import accepts_gzip
from maadan.http.deps import UoW
from maadan.http.errors import PAGE_TAG
from maadan.web import download_files
from maadan.web.charts import Bar, bar_chart
from maadan.web.templating import NavLink, money, number, render

router = APIRouter(include_in_schema=False, tags=[PAGE_TAG])
log = logging.getLogger("maadan.web")
NAV = (NavLink(75, "/register", "Register"),)
HISTORY_PAGE = 50


@router.get("/register")
def verification(request: Request, uow: UoW) -> Response:
    check = register.quick_check(uow)
    latest = register.latest_checkpoint(uow)
    return render(request, "register.html", {
        "check": check, "latest": latest, "base": absolute(request, ""),
        "max_age": request.app.state.settings.download_max_age,
        "downloads": [(layer, fmt) for layer in public_exports.LAYERS for fmt in public_exports.FORMATS]})


def _subject_link(subject: str) -> str | None:
    if subject.startswith("title "):
        return "/cadastre/titles/" + subject.removeprefix("title ")
    return None


@router.get("/register/history")
def history(request: Request, uow: UoW, page: Annotated[int | None, Query(ge=1, le=10**9)] = None,
            seq: Annotated[int | None, Query(ge=1, le=2**53)] = None) -> Response:
    """The register's events as the public sees them, newest page first by default; `seq` opens the
    page holding that event."""
    _, total = register.public_events(uow, 1, 0)
    pages = max(1, -(-total // HISTORY_PAGE))
    if seq is not None:
        page = min(pages, (seq - 1) // HISTORY_PAGE + 1)
    page = min(page or pages, pages)
    events, _ = register.public_events(uow, HISTORY_PAGE, (page - 1) * HISTORY_PAGE)
    rows = [{**e, "link": _subject_link(e["subject"]), "application": parse_ref(e["subject"]) is not None}
            for e in reversed(events)]
    return render(request, "register_history.html", {"events": rows, "page": page, "pages": pages, "total": total,
                                                      "seq": seq})


@router.get("/register/downloads/LICENCE.txt")
def licence() -> PlainTextResponse:
    return PlainTextResponse(public_exports.licence_text())


@router.get("/register/downloads/{name}",
            description="Kept as a file and sent for up to MAADAN_DOWNLOAD_MAX_AGE after the register moves "
                        "(web/download_files.py); X-Register-Sequence says which state it holds; ETag and 304.")
def download(name: Annotated[str, PathParam(max_length=40)], request: Request, uow: UoW,
             jurisdiction: Annotated[str | None, Query(pattern=r"^[A-Z]{2}(-[A-Z0-9]{1,4})?$")] = None) -> Response:
    layer, dot, fmt = name.partition(".")
    if not dot:
        raise NotFound("download", name)
    download_files.check(layer, fmt, jurisdiction)  # a name that is none of the downloads: 404 before any read
    lic = public_exports.LICENCE
    headers = {"Link": f'<{lic["url"]}>; rel="license"', "X-License": lic["id"]}
    sequence = conditional.register_sequence(request)
    if request.app.state.engine is not uow.engine or uow.claim is not None:
        # On a replica (its own sequence, read above: http/replicas.py) or in a held write: built for
        # this request, not kept (kept files are the primary's).
        tag = conditional.register_etag(request, sequence=sequence)
        if (unchanged := conditional.not_modified(request, tag)) is not None:
            return unchanged
        return _built_for_request(request, uow, layer, fmt, jurisdiction, headers)

    def hash_at(seq: int) -> str | None:
        with uow:
            return uow.audit.hash_at(seq)

    settings = request.app.state.settings
    try:
        k = download_files.kept(settings.data_dir / "downloads", sequence, hash_at, layer, fmt, jurisdiction,
                                lambda path: public_exports.write(_one_state(uow), layer, fmt, jurisdiction, path),
                                settings.download_max_age)
    except download_files.NotKept as exc:  # the data folder cannot be written: built for this request
        log.warning("download not kept: %s", exc.__cause__)
        return _built_for_request(request, uow, layer, fmt, jurisdiction, headers)
    tag = conditional.register_etag(request, k.head, sequence=k.sequence)  # the state the file holds
    if (unchanged := conditional.not_modified(request, tag)) is not None:
        return unchanged
    headers |= {"Content-Disposition": f'attachment; filename="{k.name}"', "X-Feature-Count": str(k.features),
                "X-Register-Sequence": str(k.sequence), "Last-Modified": formatdate(k.built_at, usegmt=True)}
    if accepts_gzip(request.headers.get("accept-encoding")):
        response = FileResponse(k.gzipped, media_type=k.media_type, headers={**headers, "Content-Encoding": "gzip"})
    else:
        response = FileResponse(k.path, media_type=k.media_type, headers=headers)
    return conditional.tagged(response, request, tag)


def _one_state(uow):
    """What a download reads: one snapshot of the request's store, or the request's own held write
    transaction when it has one (a snapshot beside it would not see that transaction's writes)."""
    return uow if uow.claim is not None else uow.snapshot()


def _built_for_request(request: Request, uow, layer: str, fmt: str, jurisdiction: str | None,
                       headers: dict[str, str]) -> Response:
    """A download built for this request and not kept (download_files.built_for_one), read in one
    snapshot, sent from the file and removed once sent. Its ETag and X-Register-Sequence are of the
    state the snapshot held."""
    one = download_files.built_for_one(layer, fmt, jurisdiction,
                                       lambda path: public_exports.write(_one_state(uow), layer, fmt, jurisdiction, path))
    return conditional.tagged(FileResponse(
        one.path, media_type=public_exports.FORMATS[fmt], background=BackgroundTask(download_files.discard, one.folder),
        headers={**headers, "Content-Disposition": f'attachment; filename="{one.path.name}"',
                 "X-Feature-Count": str(one.features), "X-Register-Sequence": str(one.sequence)}),
        request, conditional.register_etag(request, sequence=one.sequence))


def _charts(s: statistics.Statistics) -> list[dict]:
    charts = []
    for t in s.types:
        bars = [Bar(m, float(s.per_month[m][t]), number(s.per_month[m][t])) for m in s.months]
        title = f"Applications received per month — title type {t}"
        charts.append({"id": f"chart-apps-{t}", "title": title, "svg": bar_chart(f"chart-apps-{t}", title, bars)})
    if s.area_granted:
        title = "Area granted per year (km², titles granted that year, real titles only)"
        bars = [Bar(y, a, f"{number(a, 1)} km²") for y, a in s.area_granted.items()]
        charts.append({"id": "chart-area", "title": title, "svg": bar_chart("chart-area", title, bars)})
    for cur, m in s.rent.items():
        title = f"Rent in {cur}: invoiced, collected and in arrears"
        bars = [Bar("invoiced", m.invoiced, money(m.invoiced, cur)), Bar("collected", m.collected, money(m.collected, cur)),
                Bar("in arrears", m.arrears, money(m.arrears, cur))]
        charts.append({"id": f"chart-rent-{cur}", "title": title, "svg": bar_chart(f"chart-rent-{cur}", title, bars)})
    return charts


@router.get("/register/statistics")
def statistics_page(request: Request, uow: UoW) -> Response:
    s = statistics.register_statistics(uow)
    return render(request, "register_statistics.html", {"s": s, "charts": _charts(s)})


@router.get("/register/statistics.csv")
def statistics_csv(uow: UoW) -> Response:
    s = statistics.register_statistics(uow)
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["section", "key", "measure", "value"])
    w.writerows(s.csv_rows())
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="maadan-register-statistics-{s.as_of}.csv"'})
