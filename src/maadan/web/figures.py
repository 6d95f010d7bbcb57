"""Published figures shaped for the pages: chart bars with their display text, data-table rows and
the sources behind each chart; project facts as labelled rows. No I/O."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from maadan.evidence.model import Source
from maadan.minerals.model import Figure, ImportReliance, SeriesTable
from maadan.projects.model import OwnershipReading, Project, ProjectFact
from maadan.web.charts import Bar, Series, bar_chart, column_chart

MAX_BARS = 15


def figure_bar(label: str, figure: Figure) -> Bar:
    bound = figure.qualifier if figure.qualifier in ("<", ">") else None
    return Bar(label, figure.value if figure.known else None, figure.display(), bound)


def cell_ref(source: str) -> str:
    """'..., file.csv line 12, column X' -> 'line 12, column X' (the cell); '' when not given."""
    return "line " + source.split(" line ", 1)[1] if " line " in source else ""


def file_source(source: str) -> str:
    return source.split(" line ", 1)[0]


@dataclass
class Chart:
    id: str
    title: str
    svg: Markup
    caption: str
    rows: list[dict[str, str]]  # the data table under the chart
    sources: list[str]
    notes: list[str]


def chart_title(table: SeriesTable) -> str:
    """Labelled by its own series and year: 'Refinery production, copper 2023 by country (thousand
    metric tons), reported'; reserves name what they are reserves of."""
    if table.metric == "production":
        return f"{table.series} {table.year} by country ({table.unit}), {table.status}"
    of = table.series.split(",", 1)[1].strip() if "," in table.series else table.series
    return f"{table.metric.capitalize()} {table.year} by country ({table.unit}, {of}), {table.status}"


def charted(table: SeriesTable) -> bool:
    """Whether a table has a number to draw: a chart of unknowns is not drawn."""
    return any(r.statistic.figure.known for r in table.rows) or any(o.figure.known for o in table.other)


def series_chart(table: SeriesTable, chart_id: str) -> Chart:
    """One USGS series (production or reserves, one year) by country, largest first as published."""
    title = chart_title(table)
    rows = list(table.rows)
    shown = rows[:MAX_BARS]
    bars = [figure_bar(r.statistic.country, r.statistic.figure) for r in shown]
    bars += [figure_bar(o.country, o.figure) for o in table.other]
    data = [{"country": r.statistic.country, "figure": r.statistic.figure.display(),
             "share": (f"{r.share_qualifier or ''}{r.share_pct:.1f}%" if r.share_pct is not None else "not computable")
             + (" (above the world total)" if r.exceeds_world else ""),
             "cell": cell_ref(r.statistic.source), "note": r.statistic.note or ""} for r in rows]
    data += [{"country": o.country, "figure": o.figure.display(), "share": "", "cell": cell_ref(o.source),
              "note": o.note or ""} for o in table.other]
    sources: list[str] = []
    for s in [r.statistic.source for r in rows] + [o.source for o in table.other] + \
             ([table.world.source] if table.world else []):
        if file_source(s) not in sources:
            sources.append(file_source(s))
    world = f"World total: {table.world.figure.display()} {table.unit}" if table.world else "No world total published"
    notes = []
    if len(rows) > MAX_BARS:
        notes.append(f"The chart shows the first {MAX_BARS} of {len(rows)} countries; the table lists all.")
    if any(b.value is None for b in bars):
        notes.append("Countries without a number (withheld, not available) are named without a bar, not drawn as zero.")
    if any(b.bound for b in bars):
        notes.append("Hatched bars are bounds (more than / less than), not exact figures.")
    desc = "; ".join(f"{b.label}: {b.text}" for b in bars)
    return Chart(chart_id, title, bar_chart(chart_id, title, bars, desc), world, data, sources, notes)


def reliance_chart(items: list[ImportReliance], chart_id: str) -> Chart | None:
    """US net import reliance by year, one series per edition and basis."""
    if not items:
        return None
    groups: dict[tuple[str, str], list[ImportReliance]] = {}
    for r in items:
        groups.setdefault((r.edition, r.basis), []).append(r)
    series = [Series(f"{edition}, {basis}", {str(r.year): figure_bar(str(r.year), r.figure) for r in rs})
              for (edition, basis), rs in groups.items()]
    title = "US net import reliance, % of apparent consumption"
    rows = [{"year": str(r.year), "edition": r.edition, "basis": r.basis, "figure": r.figure.display()
             + ("%" if r.figure.known else ""), "status": r.figure.status, "note": r.note or ""} for r in items]
    sources: list[str] = []
    for r in items:
        if r.source not in sources:
            sources.append(r.source)
    notes = ["E = net exporter (no reliance figure), W = withheld: labelled at the baseline, not drawn as zero."]
    if any(r.figure.qualifier in ("<", ">") for r in items):
        notes.append("Hatched columns are bounds: '>50' means more than 50%.")
    desc = "; ".join(f"{s.name} {x}: {b.text}" for s in series for x, b in s.points.items())
    return Chart(chart_id, title, column_chart(chart_id, title, series, desc=desc), "", rows, sources, notes)


# --- projects ----------------------------------------------------------------------------------

def _num(v: Any) -> str:
    if v is None:
        return "unknown"
    if isinstance(v, (int, float)):
        return f"{v:,}" if float(v).is_integer() else f"{v:,.4g}" if abs(v) < 1 else f"{v:,.2f}".rstrip("0").rstrip(".")
    return str(v)


def _range(d: dict[str, Any], key: str, high: str, qualifier: str | None = None) -> str:
    q = d.get(qualifier or "qualifier") or ""
    q = "~" if q == "approx" else q
    text = f"{q}{_num(d.get(key))}"
    if d.get(high) is not None:
        text += f"–{_num(d[high])}"
    return text


def _amounts(items: list[dict[str, Any]] | None) -> str:
    return ", ".join(f"{i.get('commodity', '')} {_num(i.get('value'))} {i.get('unit', '')}".strip() for i in items or [])


def resource_row(data: dict[str, Any]) -> dict[str, str]:
    ore = data.get("ore_reported") or (_range(data, "ore_mt", "ore_mt_high", "ore_qualifier") + " Mt"
                                       if data.get("ore_mt") is not None else "not stated")
    return {"what": data.get("label", ""), "category": " / ".join(
                str(x) for x in (data.get("category"), data.get("classification")) if x),
            "year": str(data["year"]) if data.get("year") else "", "basis": data.get("basis") or "",
            "ore": ore, "grades": _amounts(data.get("grades")), "contained": _amounts(data.get("contained")),
            "note": data.get("note", "")}


def capex_row(data: dict[str, Any]) -> dict[str, str]:
    unit = {"m": "million", "bn": "billion", "b": "billion"}.get(data.get("unit", ""), data.get("unit", ""))
    return {"what": data.get("label", ""), "amount": f"{data.get('currency', '')} {_range(data, 'value', 'value_high')} {unit}".strip(),
            "year": str(data["year"]) if data.get("year") else "", "note": data.get("note", "")}


def production_row(data: dict[str, Any]) -> dict[str, str]:
    when = data.get("period") or (str(data["year"]) if data.get("year") else "undated")
    grade = data.get("grade")
    return {"what": f"{data.get('commodity', '')} ({data.get('kind', '')})", "amount":
            f"{_range(data, 'value', 'value_high')} {data.get('unit', '')}".strip(), "when": when,
            "note": "; ".join(x for x in (data.get("phase"), _amounts([grade]) if grade else "", data.get("note")) if x)}


def _meta(f: ProjectFact) -> dict[str, Any]:
    """What every fact row carries beside its figures: its sources (as links), "as of", and whether it is
    another source's reading of a figure given differently."""
    return {"sources": f.sources, "as_of": f.as_of or "", "reading": f.reading or "", "alternative": f.alternative}


def date_rows(project: Project) -> list[dict[str, Any]]:
    """Key dates: events and phase starts, in date order, each with its sources."""
    rows = [{"date": str(f.data.get("date", "")), "what": f.data.get("event", ""), "note": f.data.get("note", "")}
            | _meta(f) for f in project.facts_of("event")]
    rows += [{"date": str(f.data.get("start", "")), "what": f"{f.data.get('name', 'Phase')} starts"
              + (f" ({f.data['throughput_mtpa']} Mt/yr)" if f.data.get("throughput_mtpa") else ""),
              "note": f.data.get("note", "")} | _meta(f) for f in project.facts_of("phase")]
    return sorted(rows, key=lambda r: r["date"])


def fact_rows(facts: list[ProjectFact], shape) -> list[dict[str, Any]]:
    return [shape(f.data) | _meta(f) for f in facts]


def reading_total(reading: OwnershipReading) -> str:
    total = reading.total_pct
    if total is None:
        return "unknown (a share is not stated)"
    return f"{total:g}%" + ("" if reading.complete else " (not 100%)")


def project_sources(project: Project) -> list[Source]:
    """Every publication behind the page, once each (by address), in order of first use."""
    seen: dict[tuple[str, str | None], Source] = {}
    for s in project.all_sources():
        seen.setdefault((s.publisher, s.url), s)
    return list(seen.values())
