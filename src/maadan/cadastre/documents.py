"""Documents the licensing authority issues (issue 16 item 3): the application receipt, the offer
letter, the refusal notice with its reasons, the title certificate, the rent invoice, the payment
receipt and the notice of default before revocation. One template each (a function building a
`Paper`), drawn as PDF and HTML by `maadan.documents.render`.

A document documents one register event and is dated by it, so the same event always gives the
same bytes. It is issued once, on its first request (or, for a notice of default, by the officer's
action): its PDF and HTML are kept and their SHA-256 recorded in the register by a
`document.issued` event, which anyone can check a copy against (`find_by_hash`)."""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Any, Callable
from zoneinfo import ZoneInfo

import shapely

from maadan.audit.events import Document, Event
from maadan.audit.service import record
from maadan.cadastre import lifecycle as lc
from maadan.cadastre.caches import rules_for
from maadan.cadastre.geometry import WGS84, transformer
from maadan.cadastre.model import Application, Invoice, Title
from maadan.config import load_settings
from maadan.documents.model import AreaMap, Facts, Heading, IssuedDocument, Paper, QRCode, Table, Text
from maadan.documents.render import local_time, to_html, to_pdf
from maadan.errors import Conflict, InvalidInput, NotFound
from maadan.unit_of_work import AbstractUnitOfWork

KINDS = ("receipt", "offer", "refusal", "certificate", "invoice", "payment", "default-notice")
TITLES = {"receipt": "Application receipt", "offer": "Offer letter", "refusal": "Refusal notice",
          "certificate": "Title certificate", "invoice": "Invoice", "payment": "Payment receipt",
          "default-notice": "Notice of default before revocation"}
CERTIFYING = ("title.transfer", "title.renew", "title.relinquish")  # events after which a new certificate edition
DEFAULT_NOTICE_DAYS = 30
FOOTER = ("Issued by Maadan for the licensing authority. This document's SHA-256 is recorded in the public "
          "register of changes (event {seq}); compare a copy at /register/documents. "
          "Amounts and rules marked 'unverified' come from rule data whose source was not confirmed.")


def money(amount: float | None, currency: str | None) -> str:
    """'PKR 1,000,000.00'; unknown when there is no amount."""
    if amount is None or (isinstance(amount, float) and math.isnan(amount)):
        return "unknown"
    return f"{currency or ''} {amount:,.2f}".strip()


def area(km2: float) -> str:
    return f"{km2:,.3f} km²"


def base_url() -> str:
    """Where the public entry of a title lives, for the certificate's QR code: MAADAN_PUBLIC_BASE_URL,
    else the default address of `maadan serve`."""
    s = load_settings()
    return s.public_base_url or f"http://{s.host}:{s.port}"


def utm_zone(geometry: Any) -> int:
    lon = shapely.centroid(geometry).x
    return int(math.floor((lon + 180) / 6)) + 1


def vertex_rows(geometry: Any) -> tuple[tuple[tuple[str, ...], ...], int]:
    """Each exterior and interior ring's vertices (closing vertex left out) in WGS 84 and in the
    UTM zone of the area's centre (northern hemisphere)."""
    zone = utm_zone(geometry)
    tr = transformer(WGS84, f"EPSG:{32600 + zone}")
    rows = []
    polygons = list(geometry.geoms) if geometry.geom_type == "MultiPolygon" else [geometry]
    for p, poly in enumerate(polygons, 1):
        for r, ring in enumerate([poly.exterior, *poly.interiors]):
            for v, (lon, lat) in enumerate(list(ring.coords)[:-1], 1):
                e, n = tr.transform(lon, lat)
                label = f"{p}.{v}" if r == 0 else f"{p}.h{r}.{v}"
                rows.append((label, f"{lat:.6f}", f"{lon:.6f}", f"{e:,.1f}", f"{n:,.1f}"))
    return tuple(rows), zone


def area_blocks(geometry: Any, km2: float, what: str) -> tuple:
    polygons = list(geometry.geoms) if geometry.geom_type == "MultiPolygon" else [geometry]
    rings = tuple(tuple(tuple((float(x), float(y)) for x, y in ring.coords) for ring in [p.exterior, *p.interiors])
                  for p in polygons)
    rows, zone = vertex_rows(geometry)
    return (Heading("Area"),
            AreaMap(rings, f"The {what} ({area(km2)}), WGS 84, drawn to scale."),
            Table(("Vertex", "Latitude (°N)", "Longitude (°E)", f"Easting (m, UTM {zone}N)", f"Northing (m, UTM {zone}N)"),
                  rows, f"Vertices in WGS 84 (EPSG:4326) and UTM zone {zone}N (EPSG:{32600 + zone}); "
                        "h marks a hole.", (1, 2, 3, 4)))


def holders_table(holders) -> Table:
    return Table(("Holder", "Share", "Country", "Kind"),
                 tuple((h.name, f"{h.share_pct:g}%", h.country or "-", h.kind) for h in holders), "", (1,))


def _at(ev: Event | None, fallback: date, tz: str) -> datetime:
    if ev is not None:
        return datetime.fromisoformat(ev.at)
    return datetime.combine(fallback, time(0), tzinfo=ZoneInfo(tz)).astimezone(timezone.utc)


def _verified(v) -> str:
    return "" if v is None or v.verified else " (unverified)"


# --- the templates: one per kind ---------------------------------------------------------------------

def receipt_paper(app: Application, ev: Event, rs) -> Paper:
    tz = rs.timezone
    facts = [("Application", app.ref), ("Received", local_time(app.received_at, tz)),
             ("Title type", f"{rs.title_types[app.title_type].name if app.title_type in rs.title_types else app.title_type}"
                            f" ({app.title_type})"),
             ("Minerals", ", ".join(app.minerals)), ("Area", area(app.area_km2)),
             ("Application fee", money(app.fee_amount, app.fee_currency) + ("" if app.fee_verified else " (unverified)")),
             ("Rules applied", f"{rs.label} (version {app.rules_version})"),
             ("Priority", {"clear": "first on its ground", "competing": "competes with same-day filings",
                           "behind": "behind an earlier claim"}.get(app.priority, app.priority))]
    return Paper("receipt", "", TITLES["receipt"], rs.authority, _at(ev, app.received_at.date(), tz), tz, (
        Text("The authority acknowledges receipt of the application below. Its number fixes its place in the "
             "order of receipt; it is not a grant of any right."),
        Facts(tuple(facts)), Heading("Holders"), holders_table(app.holders),
        *area_blocks(app.geometry, app.area_km2, "area applied for")))


def offer_paper(app: Application, ev: Event, rs) -> Paper:
    tt = rs.title_types.get(app.title_type)
    term = f"{tt.term_years.value:g} years{_verified(tt.term_years)}" if tt and tt.term_years else "unknown"
    fee = tt.grant_fee if tt else None
    fee_text = "none set in the rules"
    if fee is not None and hasattr(fee.value, "amount"):
        fee_text = money(fee.value.amount, fee.value.currency) + _verified(fee)
    return Paper("offer", "", TITLES["offer"], rs.authority, _at(ev, app.received_at.date(), rs.timezone), rs.timezone, (
        Text(f"The authority offers to grant a {tt.name if tt else app.title_type} over the area of application "
             f"{app.ref} to the holders below, on the terms of {rs.label}. The title is granted when the offer is "
             "accepted and what the rules require before grant has been paid."),
        Facts((("Application", app.ref), ("Title type", app.title_type), ("Term", term),
               ("Grant fee", fee_text), ("Minerals", ", ".join(app.minerals)), ("Area", area(app.area_km2)))),
        Heading("Holders"), holders_table(app.holders),
        *area_blocks(app.geometry, app.area_km2, "area offered")))


def refusal_paper(app: Application, ev: Event, rs) -> Paper:
    what = "rejected as incomplete" if ev.kind == "application.reject-incomplete" else "refused"
    return Paper("refusal", "", TITLES["refusal"], rs.authority, _at(ev, app.received_at.date(), rs.timezone),
                 rs.timezone, (
        Text(f"Application {app.ref}, received {local_time(app.received_at, rs.timezone)}, is {what}."),
        Heading("Reasons"), Text(ev.reason or "No reason was recorded."),
        Facts((("Application", app.ref), ("Title type", app.title_type), ("Area", area(app.area_km2)),
               ("Rules applied", f"{rs.label} (version {app.rules_version})"))),
        Heading("Holders"), holders_table(app.holders),
        Text("The ground applied for is free again for the next claim in the queue. A decision of the licensing "
             "authority may be appealed as the rules in force provide.", small=True)))


def certificate_paper(title: Title, ev: Event | None, rs, obligations, url: str) -> Paper:
    tt = rs.title_types.get(title.title_type)
    basis = []
    if tt is not None:
        basis.append(("Title type", f"{tt.name} ({tt.code}): {tt.term_years.legal_basis if tt.term_years else ''}".rstrip(": ")))
    basis.append(("Rules", f"{rs.label} (version {title.rules_version})"))
    ob_rows = tuple((o.code, o.description, o.due_on.isoformat(), o.legal_basis + ("" if o.verified else " (unverified)"),
                     o.met_on.isoformat() if o.met_on else "open") for o in obligations)
    facts = (("Title", title.number), ("State", title.state), ("Granted", title.granted_on.isoformat()),
             ("Expires", title.expires_on.isoformat() if title.expires_on else "no expiry in the rules"),
             ("Renewals", str(title.renewals)), ("Minerals", ", ".join(title.minerals) or "-"),
             ("Area", area(title.area_km2)))
    if ev is not None:
        facts += (("Register event", f"{ev.seq} ({ev.kind}), hash {ev.hash}"),)
    blocks = [Text(f"The authority certifies that the holders below hold title {title.number} over the area shown, "
                   "on the terms and with the obligations below." +
                   (" SYNTHETIC: a demonstration title, not a real right." if title.synthetic else "")),
              Facts(facts), Heading("Holders and shares"), holders_table(title.holders),
              *area_blocks(title.geometry, title.area_km2, "title's area"),
              Heading("Obligations"),
              Table(("Code", "Obligation", "Due", "Legal basis", "Met"), ob_rows) if ob_rows
              else Text("No obligation is recorded on this title."),
              Heading("Legal basis"), Facts(tuple(basis)),
              QRCode(url, "The title's public entry in the register:")]
    return Paper("certificate", "", TITLES["certificate"], rs.authority, _at(ev, title.granted_on, rs.timezone),
                 rs.timezone, tuple(blocks))


def invoice_paper(inv: Invoice, jurisdiction: str, rs, holders) -> Paper:
    what = (f"rent of title {inv.title_number}, year {inv.period}" if inv.kind == "rent"
            else f"application fee of {jurisdiction}/A{inv.application_number}")
    return Paper("invoice", "", TITLES["invoice"], rs.authority, _at(None, inv.due_on, rs.timezone), rs.timezone, (
        Text(f"Invoice for the {what}."),
        Facts((("Invoice", str(inv.id)), ("For", what), ("Due on", inv.due_on.isoformat()),
               ("Amount", money(inv.amount, inv.currency) + ("" if inv.verified else " (rate unverified)")))),
        Heading("Billed to"), holders_table(holders) if holders else Text("The applicant."),
        Text("Pay by the due date; the payment's bank reference is recorded against this invoice.", small=True)))


def payment_paper(inv: Invoice, ev: Event, jurisdiction: str, rs) -> Paper:
    d = ev.data
    outstanding = d.get("outstanding")
    return Paper("payment", "", TITLES["payment"], rs.authority, _at(ev, inv.due_on, rs.timezone), rs.timezone, (
        Text(f"The authority acknowledges the payment below against invoice {inv.id}."),
        Facts((("Invoice", str(inv.id)), ("Invoice amount", money(inv.amount, inv.currency)),
               ("Paid", money(d.get("amount"), d.get("currency"))), ("Paid on", str(d.get("paid_on", ""))),
               ("For", f"title {inv.title_number}" if inv.title_number else f"application {jurisdiction}/A{inv.application_number}"),
               *((("Outstanding after it", money(outstanding, inv.currency)),) if outstanding is not None else ()))),
        Text("The bank reference is kept by the authority and not shown on public copies.", small=True)))


def default_notice_paper(title: Title, ev: Event, rs) -> Paper:
    d = ev.data
    inv_rows = tuple((str(i[0]), i[1], i[2], money(i[3], i[4])) for i in d.get("invoices", []))
    ob_rows = tuple((o[0], o[1], o[2]) for o in d.get("obligations", []))
    blocks = [Text(f"The holders of title {title.number} are in default of the obligations below. Unless the default is "
                   f"remedied by {d.get('remedy_by')} the authority may revoke the title."),
              Facts((("Title", title.number), ("Remedy by", str(d.get("remedy_by"))), ("Notice period", f"{d.get('days')} days"))),
              Heading("Reasons"), Text(ev.reason or "-")]
    if inv_rows:
        blocks += [Heading("Unpaid invoices"), Table(("Invoice", "For", "Due on", "Outstanding"), inv_rows, "", (3,))]
    if ob_rows:
        blocks += [Heading("Obligations overdue"), Table(("Code", "Obligation", "Due on"), ob_rows)]
    blocks += [Heading("Holders"), holders_table(title.holders)]
    return Paper("default-notice", "", TITLES["default-notice"], rs.authority, _at(ev, title.granted_on, rs.timezone),
                 rs.timezone, tuple(blocks))


# --- finding what a document documents ---------------------------------------------------------------

@dataclass(frozen=True)
class Source:
    """What one document would be made of: its number, the register subject, the event, a builder."""

    number: str
    subject: str
    jurisdiction: str
    event: Event | None
    build: Callable[[], Paper]
    owner_org: str | None  # the applicant organisation the document is addressed to
    holders_orgs: tuple[str, ...] = ()
    public: bool = False


def _last(events: list[Event], kinds: tuple[str, ...]) -> Event | None:
    found = [e for e in events if e.kind in kinds]
    return found[-1] if found else None


def _application(uow: AbstractUnitOfWork, key: str) -> Application:
    jurisdiction, sep, number = key.rpartition("/A")
    if not sep or not number.isdigit() or len(number) > 10:
        raise NotFound("application", key)
    app = uow.cadastre.application(jurisdiction, int(number))
    if app is None:
        raise NotFound("application", key)
    return app


def _title(uow: AbstractUnitOfWork, number: str) -> Title:
    t = uow.cadastre.title(number)
    if t is None:
        raise NotFound("title", number)
    return t


def _orgs(holders) -> tuple[str, ...]:
    return tuple(h.organisation_id for h in holders if h.organisation_id)


def source(uow: AbstractUnitOfWork, kind: str, key: str) -> Source:
    """What document `kind` of `key` (an application PK-BA/A7, a title number, an invoice id, a
    payment's register event number) documents. NotFound when there is none yet (an application
    not yet offered has no offer letter). Call inside `with uow`."""
    if kind not in KINDS:
        raise NotFound("document kind", kind)
    if kind in ("receipt", "offer", "refusal"):
        app = _application(uow, key)
        rs = rules_for(app.jurisdiction, app.received_at)
        events = uow.cadastre.events(app.ref)
        kinds = {"receipt": ("application.received",), "offer": ("application.offer",),
                 "refusal": ("application.refuse", "application.reject-incomplete")}[kind]
        ev = _last(events, kinds)
        if ev is None:
            raise NotFound(f"{TITLES[kind].lower()}", f"{app.ref}: no such decision has been recorded")
        build = {"receipt": receipt_paper, "offer": offer_paper, "refusal": refusal_paper}[kind]
        return Source(f"{app.ref}/{kind}-{ev.seq}", app.ref, app.jurisdiction, ev, lambda: build(app, ev, rs),
                      app.applicant_org, _orgs(app.holders))
    if kind in ("certificate", "default-notice"):
        title = _title(uow, key)
        rs = rules_for(title.jurisdiction, title.granted_on)
        events = uow.cadastre.events(f"title {title.number}")
        if kind == "default-notice":
            ev = _last(events, ("title.default-notice",))
            if ev is None:
                raise NotFound("notice of default", f"{title.number}: none has been given")
            return Source(f"{title.number}/default-notice-{ev.seq}", f"title {title.number}", title.jurisdiction, ev,
                          lambda: default_notice_paper(title, ev, rs), None, _orgs(title.holders))
        ev = _last(events, CERTIFYING)
        if ev is None and title.application_number is not None:
            ref = f"{title.jurisdiction}/A{title.application_number}"
            ev = _last([e for e in uow.cadastre.events(ref) if e.data.get("title") == title.number],
                       ("application.grant",))
        obligations = uow.cadastre.obligations(title.number)
        url = f"{base_url()}/cadastre/titles/{title.number}"
        number = f"{title.number}/certificate-{ev.seq if ev else 0}"
        return Source(number, f"title {title.number}", title.jurisdiction, ev,
                      lambda: certificate_paper(title, ev, rs, obligations, url), None, _orgs(title.holders),
                      public=True)
    if kind == "invoice":
        inv = _invoice(uow, key)
        jurisdiction, holders, owner = _billed(uow, inv)
        rs = rules_for(jurisdiction, inv.due_on)
        return Source(f"{jurisdiction}/invoice-{inv.id}", f"invoice {inv.id}", jurisdiction, None,
                      lambda: invoice_paper(inv, jurisdiction, rs, holders), owner, _orgs(holders))
    # payment: key is the register event that recorded it
    if not key.isdigit() or len(key) > 12:
        raise NotFound("payment", key)
    ev = uow.audit.event(int(key))
    if ev is None or ev.kind != "payment.recorded":
        raise NotFound("payment", key)
    inv = _invoice(uow, str(ev.data.get("invoice")))
    jurisdiction, holders, owner = _billed(uow, inv)
    rs = rules_for(jurisdiction, inv.due_on)
    return Source(f"{jurisdiction}/payment-{ev.seq}", ev.subject, jurisdiction, ev,
                  lambda: payment_paper(inv, ev, jurisdiction, rs), owner, _orgs(holders))


def _invoice(uow: AbstractUnitOfWork, key: str) -> Invoice:
    if not key.isdigit() or len(key) > 12:
        raise NotFound("invoice", key)
    found = uow.cadastre.invoices(invoice_id=int(key))
    if not found:
        raise NotFound("invoice", key)
    return found[0]


def _billed(uow: AbstractUnitOfWork, inv: Invoice) -> tuple[str, list, str | None]:
    if inv.title_number:
        t = _title(uow, inv.title_number)
        owner = None
        if t.application_number is not None:
            app = uow.cadastre.application(t.jurisdiction, t.application_number)
            owner = app.applicant_org if app else None
        return t.jurisdiction, t.holders, owner
    jurisdiction = inv.jurisdiction or ""
    app = uow.cadastre.application(jurisdiction, inv.application_number or 0) if jurisdiction else None
    if app is None:
        raise NotFound("invoice", str(inv.id))
    return app.jurisdiction, app.holders, app.applicant_org


# --- who may have it, issuing, finding ---------------------------------------------------------------

def may_have(src: Source, viewer) -> bool:
    """Certificates are public (titles are); every other document is for officers and admins and for
    the organisation it is addressed to (the applicant, or a holder of the title)."""
    if src.public:
        return True
    if viewer is None:
        return False
    if viewer.role in ("officer", "admin"):
        return True
    org = getattr(viewer, "organisation_id", None)
    return viewer.role == "applicant" and org is not None and (org == src.owner_org or org in src.holders_orgs)


def render(src: Source) -> tuple[bytes, bytes]:
    """(PDF, HTML) of a document: the same source always gives the same bytes."""
    paper = src.build()
    paper = Paper(paper.kind, src.number, paper.title, paper.authority, paper.issued_at, paper.timezone, paper.blocks,
                  FOOTER.format(seq=src.event.seq if src.event else "-"))
    return to_pdf(paper), to_html(paper)


def issue(uow: AbstractUnitOfWork, kind: str, key: str, actor: str, viewer=None, *,
          everything: bool = False) -> IssuedDocument:
    """The document, issued now if it has not been: its bytes kept and their SHA-256 recorded in the
    register (`document.issued`). A viewer who may not have it gets NotFound, as if it did not exist."""
    with uow:
        src = source(uow, kind, key)
        if not (everything or may_have(src, viewer)):
            raise NotFound(TITLES[kind].lower(), key)
        found = uow.documents.by_number(src.number)
        if found is not None:
            return found
        pdf, html = render(src)
        pdf_sha, html_sha = hashlib.sha256(pdf).hexdigest(), hashlib.sha256(html).hexdigest()
        ev = record(uow, actor, "document.issued", src.subject,
                    {"kind": kind, "number": src.number, "of_event": src.event.seq if src.event else None,
                     "pdf_sha256": pdf_sha, "html_sha256": html_sha},
                    documents=(Document(f"{src.number}.pdf", pdf_sha), Document(f"{src.number}.html", html_sha)))
        doc = IssuedDocument(id=None, number=src.number, kind=kind, subject=src.subject, jurisdiction=src.jurisdiction,
                             source_seq=src.event.seq if src.event else None,
                             issued_at=datetime.fromisoformat(ev.at), register_seq=ev.seq, pdf_sha256=pdf_sha,
                             html_sha256=html_sha, pdf=pdf, html=html)
        doc_id = uow.documents.add(doc)
        uow.commit()
    return IssuedDocument(**{**doc.__dict__, "id": doc_id})


def find_by_hash(uow: AbstractUnitOfWork, sha256: str) -> IssuedDocument | None:
    """The issued document whose PDF or HTML has this SHA-256 (a copy someone holds), else None."""
    sha256 = sha256.strip().lower()
    if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
        raise InvalidInput("sha256: give the 64 hexadecimal digits of a SHA-256")
    with uow:
        return uow.documents.by_hash(sha256)


def issued_for(uow: AbstractUnitOfWork, subjects: list[str]) -> list[IssuedDocument]:
    """The documents issued about these register subjects (without their bytes)."""
    with uow:
        return uow.documents.for_subjects(subjects)


# --- notice of default ---------------------------------------------------------------------------------

def default_notice(uow: AbstractUnitOfWork, number: str, actor: str, reason: str, days: int = DEFAULT_NOTICE_DAYS,
                   today: date | None = None, now: datetime | None = None) -> IssuedDocument:
    """Give the holders of an active title notice of their default (invoices unpaid after their due
    date, obligations overdue) before revocation: recorded as `title.default-notice`, the notice
    issued with it. Conflict when nothing is in default; a reason is required."""
    if not reason or not reason.strip():
        raise InvalidInput("reason: say what the default is and what must be done")
    if not 1 <= days <= 365:
        raise InvalidInput(f"days: the notice period is 1 to 365 days, got {days}")
    now = now or datetime.now(timezone.utc)
    with uow:
        title = _title(uow, number)
        uow.cadastre.lock(title.jurisdiction)
        if title.state != lc.ACTIVE:
            raise Conflict(f"{title.number} is {title.state}: notice of default is given on an active title")
        rs = rules_for(title.jurisdiction, now)
        today = today or now.astimezone(ZoneInfo(rs.timezone)).date()
        unpaid = [i for i in uow.cadastre.invoices(title_number=title.number) if i.outstanding > 0 and i.due_on < today]
        overdue = [o for o in uow.cadastre.obligations(title.number) if o.met_on is None and o.due_on < today]
        if not unpaid and not overdue:
            raise Conflict(f"{title.number} is not in default on {today.isoformat()}: no invoice unpaid after its due "
                           "date, no obligation overdue")
        data = {"days": days, "remedy_by": (today + timedelta(days=days)).isoformat(),
                "invoices": [[i.id, f"{i.kind} {i.period}", i.due_on.isoformat(), i.outstanding, i.currency]
                             for i in unpaid],
                "obligations": [[o.code, o.description, o.due_on.isoformat()] for o in overdue]}
        record(uow, actor, "title.default-notice", f"title {title.number}", data, reason.strip(), at=now)
        uow.commit()
    return issue(uow, "default-notice", number, actor, everything=True)
