"""A `Paper` drawn two ways: a PDF (fpdf2, fonts embedded, its dates fixed to the issue time, so the
same paper gives the same bytes) and a self-contained HTML page (inline CSS and SVG, no script, no
link out but the QR code's address). Nothing here reads a clock, a file of the user's or the network."""

from __future__ import annotations

import html
import math
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from maadan.documents.model import AreaMap, Facts, Heading, Paper, QRCode, Table, Text

KM_PER_DEGREE = 111.32  # of latitude, near enough for a scale bar (the area itself is measured on the ellipsoid)


def local_time(at: datetime, tz: str) -> str:
    """'2026-12-04 08:14 PKT (UTC+05:00)': the jurisdiction's time, its zone named."""
    local = at.astimezone(ZoneInfo(tz))
    offset = local.strftime("%z")
    return f"{local:%Y-%m-%d %H:%M} {local.tzname()} (UTC{offset[:3]}:{offset[3:]})"


# --- the map, projected once for both renderings ---------------------------------------------------

def _nice(length: float) -> float:
    """The largest 1, 2 or 5 × 10^k not above `length`."""
    if length <= 0:
        return 0.0
    power = 10 ** math.floor(math.log10(length))
    return max(step * power for step in (1, 2, 5) if step * power <= length)


def project(m: AreaMap, width: float, height: float, margin: float) -> tuple[list[list[list[tuple[float, float]]]],
                                                                              float, tuple[float, float, float, float]]:
    """The polygons' rings in drawing units (y down) inside width × height, an equirectangular
    projection at the mean latitude; also the drawing units per km and the lon/lat bounds."""
    points = [p for poly in m.polygons for ring in poly for p in ring]
    lons, lats = [p[0] for p in points], [p[1] for p in points]
    west, east, south, north = min(lons), max(lons), min(lats), max(lats)
    k = math.cos(math.radians((south + north) / 2))
    span_x, span_y = max((east - west) * k, 1e-9), max(north - south, 1e-9)
    scale = min((width - 2 * margin) / span_x, (height - 2 * margin) / span_y)
    off_x = (width - span_x * scale) / 2
    off_y = (height - span_y * scale) / 2
    rings = [[[(off_x + (lon - west) * k * scale, height - off_y - (lat - south) * scale) for lon, lat in ring]
              for ring in poly] for poly in m.polygons]
    return rings, scale / KM_PER_DEGREE, (west, south, east, north)


def scale_bar(units_per_km: float, width: float) -> tuple[float, str]:
    """A bar about a quarter of the width: its length in drawing units and its label."""
    km = _nice(width / 4 / units_per_km)
    label = f"{km:g} km" if km >= 1 else f"{km * 1000:g} m"
    return km * units_per_km, label


def qr_matrix(url: str) -> list[list[bool]]:
    import segno

    return [[bool(v) for v in row] for row in segno.make_qr(url, error="m").matrix]


# --- HTML ------------------------------------------------------------------------------------------

CSS = ("body{font-family:'DejaVu Sans',Arial,sans-serif;max-width:820px;margin:1.5em auto;padding:0 1em;"
       "color:#1b1b1b;line-height:1.45}header{border-bottom:2px solid #1b4d3e;margin-bottom:1em}"
       ".authority{font-weight:bold;color:#1b4d3e;margin:0}h1{font-size:1.5em;margin:.2em 0}"
       ".meta{color:#444;margin:.2em 0 .6em}h2{font-size:1.1em;margin:1.2em 0 .4em;color:#1b4d3e}"
       "dl{display:grid;grid-template-columns:max-content 1fr;gap:.2em 1em;margin:.4em 0}dt{font-weight:bold}"
       "dd{margin:0}table{border-collapse:collapse;margin:.4em 0 1em;width:100%}"
       "th,td{border:1px solid #999;padding:2px 6px;font-size:.9em;text-align:left}th{background:#e8efe9}"
       "td.num{text-align:right;font-variant-numeric:tabular-nums}caption{text-align:left;font-size:.85em;color:#444}"
       "figure{margin:.6em 0}figcaption{font-size:.85em;color:#444}svg{max-width:100%;height:auto}"
       ".small{font-size:.85em;color:#444}footer{border-top:1px solid #999;margin-top:1.5em;font-size:.8em;color:#444}"
       "@media print{body{margin:0}}")


def _svg_map(m: AreaMap) -> str:
    w, h, margin = 480.0, 320.0, 24.0
    rings, per_km, (west, south, east, north) = project(m, w, h, margin)
    paths = []
    for poly in rings:
        d = " ".join("M " + " L ".join(f"{x:.2f} {y:.2f}" for x, y in ring) + " Z" for ring in poly)
        paths.append(f'<path d="{d}" fill="#c9e2d3" stroke="#1b4d3e" stroke-width="1.5" fill-rule="evenodd"/>')
    bar, label = scale_bar(per_km, w)
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w:g} {h:g}" width="{w:g}" height="{h:g}" '
            f'role="img" aria-label="{html.escape(m.caption)}">'
            f'<rect x="0.5" y="0.5" width="{w - 1:g}" height="{h - 1:g}" fill="#fff" stroke="#999"/>' + "".join(paths) +
            f'<line x1="12" y1="{h - 12:g}" x2="{12 + bar:.2f}" y2="{h - 12:g}" stroke="#000" stroke-width="3"/>'
            f'<text x="12" y="{h - 18:g}" font-size="11">{html.escape(label)}</text>'
            f'<text x="{w - 20:g}" y="20" font-size="14" font-weight="bold">N</text>'
            f'<path d="M {w - 16:g} 24 L {w - 20:g} 36 L {w - 12:g} 36 Z" fill="#000"/>'
            f'<text x="{w - 8:g}" y="{h - 6:g}" font-size="10" text-anchor="end">'
            f'{south:.4f}°N-{north:.4f}°N, {west:.4f}°E-{east:.4f}°E</text></svg>')


def _svg_qr(url: str) -> str:
    matrix = qr_matrix(url)
    n, quiet = len(matrix), 4
    size = n + 2 * quiet
    cells = "".join(f"M{x + quiet} {y + quiet}h1v1h-1z" for y, row in enumerate(matrix) for x, dark in enumerate(row)
                    if dark)
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" width="132" height="132" '
            f'role="img" aria-label="QR code: {html.escape(url)}" shape-rendering="crispEdges">'
            f'<rect width="{size}" height="{size}" fill="#fff"/><path d="{cells}" fill="#000"/></svg>')


def to_html(paper: Paper) -> bytes:
    """The paper as one HTML file (UTF-8 bytes) that draws with no network."""
    e = html.escape
    out = [f'<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
           f'<meta name="viewport" content="width=device-width, initial-scale=1">'
           f"<title>{e(paper.title)} {e(paper.number)}</title><style>{CSS}</style></head><body>"
           f'<header><p class="authority">{e(paper.authority)}</p><h1>{e(paper.title)}</h1>'
           f'<p class="meta">No. {e(paper.number)} · issued {e(local_time(paper.issued_at, paper.timezone))}</p>'
           f"</header><main>"]
    for b in paper.blocks:
        if isinstance(b, Heading):
            out.append(f"<h2>{e(b.text)}</h2>")
        elif isinstance(b, Text):
            out.append(f'<p class="small">{e(b.text)}</p>' if b.small else f"<p>{e(b.text)}</p>")
        elif isinstance(b, Facts):
            out.append("<dl>" + "".join(f"<dt>{e(k)}</dt><dd>{e(v)}</dd>" for k, v in b.rows) + "</dl>")
        elif isinstance(b, Table):
            cap = f"<caption>{e(b.caption)}</caption>" if b.caption else ""
            head = "".join(f'<th scope="col">{e(h)}</th>' for h in b.headers)
            body = "".join("<tr>" + "".join(
                f'<td class="num">{e(c)}</td>' if i in b.align_right else f"<td>{e(c)}</td>" for i, c in enumerate(r))
                + "</tr>" for r in b.rows)
            out.append(f"<table>{cap}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")
        elif isinstance(b, AreaMap):
            out.append(f"<figure>{_svg_map(b)}<figcaption>{e(b.caption)}</figcaption></figure>")
        elif isinstance(b, QRCode):
            out.append(f'<figure>{_svg_qr(b.url)}<figcaption>{e(b.caption)} '
                       f'<a href="{e(b.url)}">{e(b.url)}</a></figcaption></figure>')
    out.append(f"</main><footer><p>{e(paper.footer)}</p></footer></body></html>\n")
    return "".join(out).encode("utf-8")


# --- PDF -------------------------------------------------------------------------------------------

def _strings(paper: Paper):
    yield from (paper.title, paper.number, paper.authority, paper.footer, local_time(paper.issued_at, paper.timezone))
    for b in paper.blocks:
        if isinstance(b, (Heading, Text)):
            yield b.text
        elif isinstance(b, Facts):
            yield from (s for row in b.rows for s in row)
        elif isinstance(b, Table):
            yield from (*b.headers, b.caption, *(s for row in b.rows for s in row))
        elif isinstance(b, (AreaMap, QRCode)):
            yield b.caption
            if isinstance(b, QRCode):
                yield b.url


# Typographic punctuation the core fonts lack, written as its plain equivalent in the PDF (the HTML keeps it).
PLAIN = str.maketrans({"\u2014": "-", "\u2013": "-", "\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"',
                       "\u2026": "...", "\u2212": "-", "\u00a0": " "})


def latin1(paper: Paper) -> bool:
    """Whether the core PDF fonts can write every character of the paper (typographic dashes and
    quotes written plain)."""
    try:
        for s in _strings(paper):
            s.translate(PLAIN).encode("latin-1")
    except UnicodeEncodeError:
        return False
    return True


def font_dir() -> Path | None:
    """DejaVu Sans as matplotlib ships it (full Unicode: Urdu names, km², °); None: Latin-1 core fonts."""
    try:
        import matplotlib
    except ImportError:  # pragma: no cover - matplotlib is a dependency
        return None
    d = Path(matplotlib.__file__).parent / "mpl-data" / "fonts" / "ttf"
    return d if (d / "DejaVuSans.ttf").is_file() and (d / "DejaVuSans-Bold.ttf").is_file() else None


def to_pdf(paper: Paper) -> bytes:
    """The paper as an A4 PDF. Its creation date is the issue time and its file id a hash of its
    content, so the same paper gives the same bytes."""
    from fpdf import FPDF
    from fpdf.enums import XPos, YPos

    pdf = FPDF(format="A4")
    pdf.set_creation_date(paper.issued_at)
    pdf.set_title(f"{paper.title} {paper.number}")
    pdf.set_author(paper.authority)
    pdf.set_creator("Maadan")
    pdf.set_auto_page_break(True, margin=18)
    fonts = None if latin1(paper) else font_dir()
    if fonts:
        pdf.add_font("dejavu", "", str(fonts / "DejaVuSans.ttf"))
        pdf.add_font("dejavu", "B", str(fonts / "DejaVuSans-Bold.ttf"))
        family = "dejavu"

        def t(s: str) -> str:
            return s
    else:  # every character is Latin-1: the core fonts, nothing to embed (ten times faster)
        family = "helvetica"

        def t(s: str) -> str:
            return s.translate(PLAIN)
    pdf.add_page()
    w = pdf.epw
    line = dict(new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_text_color(27, 77, 62)
    pdf.set_font(family, "B", 10)
    pdf.multi_cell(w, 5, t(paper.authority), **line)
    pdf.set_text_color(0, 0, 0)
    pdf.set_font(family, "B", 16)
    pdf.multi_cell(w, 8, t(paper.title), **line)
    pdf.set_font(family, "", 9)
    pdf.multi_cell(w, 5, t(f"No. {paper.number} · issued {local_time(paper.issued_at, paper.timezone)}"), **line)
    pdf.set_draw_color(27, 77, 62)
    pdf.line(pdf.l_margin, pdf.get_y() + 1, pdf.l_margin + w, pdf.get_y() + 1)
    pdf.ln(4)
    for b in paper.blocks:
        if isinstance(b, Heading):
            pdf.ln(2)
            pdf.set_font(family, "B", 11)
            pdf.set_text_color(27, 77, 62)
            pdf.multi_cell(w, 6, t(b.text), **line)
            pdf.set_text_color(0, 0, 0)
        elif isinstance(b, Text):
            pdf.set_font(family, "", 8 if b.small else 10)
            pdf.multi_cell(w, 4.5 if b.small else 5.2, t(b.text), **line)
            pdf.ln(1)
        elif isinstance(b, Facts):
            label_w = min(60.0, max(pdf.get_string_width(t(k)) for k, _ in b.rows) + 8) if b.rows else 40.0
            for k, v in b.rows:
                pdf.set_font(family, "B", 9.5)
                y = pdf.get_y()
                pdf.multi_cell(label_w, 5, t(k), new_x=XPos.RIGHT, new_y=YPos.TOP)
                pdf.set_font(family, "", 9.5)
                pdf.multi_cell(w - label_w, 5, t(v), **line)
                pdf.set_y(max(pdf.get_y(), y + 5))
            pdf.ln(1)
        elif isinstance(b, Table):
            pdf.set_font(family, "", 8.5)
            if b.caption:
                pdf.multi_cell(w, 4.5, t(b.caption), **line)
            aligns = tuple("RIGHT" if i in b.align_right else "LEFT" for i in range(len(b.headers)))
            with pdf.table(text_align=aligns, line_height=4.6, first_row_as_headings=True) as table:
                row = table.row()
                for h in b.headers:
                    row.cell(t(h))
                for r in b.rows:
                    row = table.row()
                    for c in r:
                        row.cell(t(c))
            pdf.ln(1)
        elif isinstance(b, AreaMap):
            _pdf_map(pdf, b, family, t)
        elif isinstance(b, QRCode):
            _pdf_qr(pdf, b, family, t)
    if paper.footer:
        pdf.ln(3)
        pdf.set_font(family, "", 7.5)
        pdf.set_text_color(68, 68, 68)
        pdf.multi_cell(w, 4, t(paper.footer), **line)
    return bytes(pdf.output())


def _pdf_map(pdf, m: AreaMap, family: str, t) -> None:
    from fpdf.enums import XPos, YPos

    w, h, margin = 120.0, 80.0, 6.0
    if pdf.will_page_break(h + 10):
        pdf.add_page()
    x0, y0 = pdf.l_margin, pdf.get_y()
    rings, per_km, (west, south, east, north) = project(m, w, h, margin)
    pdf.set_draw_color(150, 150, 150)
    pdf.rect(x0, y0, w, h)
    pdf.set_draw_color(27, 77, 62)
    pdf.set_fill_color(201, 226, 211)
    pdf.set_line_width(0.4)
    for poly in rings:
        for ring in poly:
            pdf.polygon([(x0 + x, y0 + y) for x, y in ring], style="DF")
    pdf.set_line_width(0.8)
    bar, label = scale_bar(per_km, w)
    pdf.set_draw_color(0, 0, 0)
    pdf.line(x0 + 4, y0 + h - 4, x0 + 4 + bar, y0 + h - 4)
    pdf.set_line_width(0.2)
    pdf.set_font(family, "", 7)
    pdf.text(x0 + 4, y0 + h - 6, t(label))
    pdf.set_font(family, "B", 9)
    pdf.text(x0 + w - 7, y0 + 6, "N")
    pdf.set_fill_color(0, 0, 0)
    pdf.polygon([(x0 + w - 5.5, y0 + 7), (x0 + w - 7, y0 + 11), (x0 + w - 4, y0 + 11)], style="F")
    pdf.set_font(family, "", 6.5)
    corner = f"{south:.4f}°N-{north:.4f}°N, {west:.4f}°E-{east:.4f}°E"
    pdf.text(x0 + w - pdf.get_string_width(t(corner)) - 2, y0 + h - 2, t(corner))
    pdf.set_xy(x0, y0 + h + 1)
    pdf.set_font(family, "", 8)
    pdf.multi_cell(pdf.epw, 4.2, t(m.caption), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(1)


def _pdf_qr(pdf, q: QRCode, family: str, t) -> None:
    from fpdf.enums import XPos, YPos

    matrix = qr_matrix(q.url)
    module = 0.8  # mm
    size = (len(matrix) + 8) * module
    if pdf.will_page_break(size + 12):
        pdf.add_page()
    x0, y0 = pdf.l_margin, pdf.get_y()
    pdf.set_fill_color(0, 0, 0)
    for y, row in enumerate(matrix):
        for x, dark in enumerate(row):
            if dark:
                pdf.rect(x0 + (x + 4) * module, y0 + (y + 4) * module, module, module, style="F")
    pdf.set_xy(x0 + size + 3, y0 + 4)
    pdf.set_font(family, "", 8.5)
    pdf.multi_cell(pdf.epw - size - 3, 4.5, t(f"{q.caption} {q.url}"), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_y(max(pdf.get_y(), y0 + size))
    pdf.ln(1)
