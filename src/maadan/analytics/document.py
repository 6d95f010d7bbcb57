"""A report as plain data (headings, paragraphs, tables, figures, sources) and its two renderings:
a self-contained HTML page (figures as PNG data URIs, no external links) and a PDF made with fpdf2
(tables, the same figures as images, sources at the end). Renderers return bytes/str; no files."""

from __future__ import annotations

import base64
import html
import io
from dataclasses import dataclass, field
from datetime import date
from typing import Sequence, Union

from maadan.documents.render import font_dir


@dataclass(frozen=True)
class Heading:
    text: str


@dataclass(frozen=True)
class Paragraph:
    text: str


@dataclass(frozen=True)
class TableBlock:
    headers: Sequence[str]
    rows: Sequence[Sequence[str]]
    caption: str = ""


@dataclass(frozen=True)
class Figure:
    png: bytes
    caption: str
    svg: str | None = None  # preferred in HTML when given (crisp, hoverable)


Block = Union[Heading, Paragraph, TableBlock, Figure]


@dataclass
class Document:
    title: str
    subtitle: str
    blocks: list[Block] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    generated_on: date = field(default_factory=date.today)

    def add(self, *blocks: Block) -> "Document":
        self.blocks.extend(blocks)
        return self

    def cite(self, *sources: str) -> None:
        for s in sources:
            if s and s not in self.sources:
                self.sources.append(s)


_CSS = ("body{font-family:sans-serif;max-width:960px;margin:2em auto;color:#222}"
        "table{border-collapse:collapse;margin:.5em 0 1em}td,th{border:1px solid #bbb;padding:3px 6px;"
        "font-size:.9em;text-align:left}th{background:#eee}figure{margin:1em 0}figcaption{font-size:.85em;"
        "color:#555}img{max-width:100%}.sub{color:#555}")


def to_html(doc: Document) -> str:
    """One HTML file that renders with no network: CSS inline, figures inline (SVG or PNG data URI)."""
    e = html.escape
    out = [f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{e(doc.title)}</title>'
           f"<style>{_CSS}</style></head><body><h1>{e(doc.title)}</h1>"
           f'<p class="sub">{e(doc.subtitle)} Generated {doc.generated_on.isoformat()} by Maadan.</p>']
    for b in doc.blocks:
        if isinstance(b, Heading):
            out.append(f"<h2>{e(b.text)}</h2>")
        elif isinstance(b, Paragraph):
            out.append(f"<p>{e(b.text)}</p>")
        elif isinstance(b, TableBlock):
            head = "".join(f"<th>{e(h)}</th>" for h in b.headers)
            body = "".join("<tr>" + "".join(f"<td>{e(str(c))}</td>" for c in r) + "</tr>" for r in b.rows)
            cap = f"<caption>{e(b.caption)}</caption>" if b.caption else ""
            out.append(f"<table>{cap}<tr>{head}</tr>{body}</table>")
        elif isinstance(b, Figure):
            img = b.svg if b.svg else (f'<img alt="{e(b.caption)}" src="data:image/png;base64,'
                                       f'{base64.b64encode(b.png).decode("ascii")}">')
            out.append(f"<figure>{img}<figcaption>{e(b.caption)}</figcaption></figure>")
    out.append("<h2>Sources</h2><ol>" + "".join(f"<li>{e(s)}</li>" for s in doc.sources) + "</ol></body></html>")
    return "".join(out)


def to_pdf(doc: Document, *, unicode: bool = True, compress: bool = True) -> bytes:
    """The same content as a PDF: headings, paragraphs, tables, figures as PNG images, sources last.
    `unicode=False` uses Latin-1 core fonts and, with `compress=False`, leaves the text readable in the file."""
    from fpdf import FPDF
    from fpdf.fonts import FontFace

    pdf = FPDF(format="A4")
    pdf.set_compression(compress)
    pdf.set_auto_page_break(True, margin=15)
    fonts = font_dir() if unicode else None
    if fonts:
        pdf.add_font("dejavu", "", str(fonts / "DejaVuSans.ttf"))
        pdf.add_font("dejavu", "B", str(fonts / "DejaVuSans-Bold.ttf"))
        family = "dejavu"

        def t(s: str) -> str:
            return s
    else:
        family = "helvetica"

        def t(s: str) -> str:
            return s.encode("latin-1", "replace").decode("latin-1")
    pdf.set_title(doc.title)
    pdf.set_creator("Maadan")
    pdf.add_page()
    w = pdf.epw
    pdf.set_font(family, "B", 15)
    pdf.multi_cell(w, 8, t(doc.title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(family, "", 9)
    pdf.multi_cell(w, 5, t(f"{doc.subtitle} Generated {doc.generated_on.isoformat()} by Maadan."),
                   new_x="LMARGIN", new_y="NEXT")
    for b in doc.blocks:
        if isinstance(b, Heading):
            pdf.ln(3)
            pdf.set_font(family, "B", 12)
            pdf.multi_cell(w, 7, t(b.text), new_x="LMARGIN", new_y="NEXT")
        elif isinstance(b, Paragraph):
            pdf.set_font(family, "", 9)
            pdf.multi_cell(w, 4.5, t(b.text), new_x="LMARGIN", new_y="NEXT")
            pdf.ln(1)
        elif isinstance(b, TableBlock):
            size = 8 if len(b.headers) <= 6 else 6.5
            pdf.set_font(family, "", size)
            if b.caption:
                pdf.multi_cell(w, 4.5, t(b.caption), new_x="LMARGIN", new_y="NEXT")
            with pdf.table(text_align="LEFT", line_height=size * 0.5,
                           headings_style=FontFace(emphasis="BOLD", fill_color=(235, 235, 235))) as table:
                table.row([t(str(h)) for h in b.headers])
                for r in b.rows:
                    table.row([t(str(c)) for c in r])
            pdf.ln(2)
        elif isinstance(b, Figure):
            pdf.image(io.BytesIO(b.png), w=w)
            pdf.set_font(family, "", 8)
            pdf.multi_cell(w, 4, t(b.caption), new_x="LMARGIN", new_y="NEXT")
            pdf.ln(2)
    pdf.ln(3)
    pdf.set_font(family, "B", 12)
    pdf.cell(w, 7, "Sources", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(family, "", 8)
    for i, s in enumerate(doc.sources, 1):
        pdf.multi_cell(w, 4, t(f"[{i}] {s}"), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
