"""Reader for the USGS Mineral Commodity Summaries world-data CSV (e.g. MCS2025_World_Data.csv).

The official layout has one row per (commodity, series, country) and one column per figure:
PROD_<year>, PROD_EST_<year> (sometimes with a stray space), CAP_..., RESERVES_<year>, and a
notes column for each group. Empty cells mean "no data"; markers such as W (withheld) and NA
also appear in the notes ("W for 23-24"). Nothing here touches the database."""

from __future__ import annotations

import csv
import hashlib
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Mapping

from maadan.errors import DataFileError
from maadan.minerals.model import (
    ESTIMATED,
    NO_DATA,
    NOT_AVAILABLE,
    QUALITATIVE,
    REPORTED,
    WITHHELD,
    Figure,
    WorldStatistic,
)

REQUIRED = ("SOURCE", "COMMODITY", "COUNTRY", "TYPE", "UNIT_MEAS")
DOIS = {"MCS 2025": "doi:10.5066/P13XCP3R"}
_VALUE_COLUMN = re.compile(r"^(PROD|CAP|RESERVES)_(EST_)?(\d{4})$")
_METRIC = {"PROD": "production", "CAP": "capacity", "RESERVES": "reserves"}
_NOTES = {"production": "PROD_NOTES", "capacity": "CAP_NOTES", "reserves": "RESERVE_NOTES"}
_DASHES = {"-", "--", "—", "–", "(-)", "-- "}
_WITHHELD_NOTE = re.compile(r"^W\b(?: for (\d{2})-(\d{2}))?", re.IGNORECASE)
_FOOTNOTE = re.compile(r"\s+\d{1,2}$")
_QUALITATIVE = {"large", "moderate to large", "moderate", "small"}


@dataclass(frozen=True)
class SkippedRow:
    line: int
    reason: str


@dataclass
class ParsedFile:
    path: str
    checksum: str
    edition: str
    statistics: list[WorldStatistic] = field(default_factory=list)
    skipped: list[SkippedRow] = field(default_factory=list)
    rows_read: int = 0


def _decode(path: Path, data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise DataFileError(
            str(path),
            f"is not UTF-8 text: byte 0x{data[exc.start]:02x} at character {column} cannot be decoded "
            "(save the file as UTF-8, as USGS publishes it)",
            line=line,
        ) from None


def _country_kind(country: str) -> str:
    low = country.lower()
    if low.startswith("world total"):
        return "world"
    if low.startswith("other countries"):
        return "other"
    return "country"


def _edition(raw: str) -> str:
    m = re.fullmatch(r"MCS\s*(\d{4})", raw.strip(), re.IGNORECASE)
    return f"MCS {m.group(1)}" if m else raw.strip()


def parse_cell(raw: str, note: str, *, estimated: bool, year: int) -> Figure | None:
    """Turn one cell (and its group's note) into a Figure; None when the text is not understood."""
    text = raw.strip().replace("\u00a0", "")
    note = (note or "").strip()
    if text in ("", *_DASHES):
        w = _WITHHELD_NOTE.match(note)
        if w and (w.group(1) is None or int(w.group(1)) <= year % 100 <= int(w.group(2))):
            return Figure(None, WITHHELD)
        if note.upper() == "NA" or note.upper().startswith("NA "):
            return Figure(None, NOT_AVAILABLE)
        if note.lower() in _QUALITATIVE:
            return Figure(None, QUALITATIVE)
        return Figure(None, NO_DATA)
    if text.upper() == "W":
        return Figure(None, WITHHELD)
    if text.upper() == "NA":
        return Figure(None, NOT_AVAILABLE)
    qualifier = None
    if text[0] in "<>":
        qualifier, text = text[0], text[1:].strip()
    try:
        value = float(text.replace(",", ""))
    except ValueError:
        return None
    if value != value or value in (float("inf"), float("-inf")) or value < 0:
        return None
    low_note = note.lower()
    is_estimate = estimated or low_note.startswith("estimated") and (
        str(year) in low_note or low_note in ("estimated", "estimated, includes production of crude ore")
    )
    return Figure(value, ESTIMATED if is_estimate else REPORTED, qualifier)


def parse_world_data(path: Path, labels: Mapping[str, str]) -> ParsedFile:
    """Parse the whole file or raise DataFileError naming line and column; `labels` maps
    USGS commodity labels (stripped) to mineral ids. Rows it cannot use are listed in `skipped`."""
    data = path.read_bytes()
    text = _decode(path, data)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise DataFileError(str(path), "is empty: expected the USGS world-data header row", line=1) from None
    names = [h.strip().replace(" ", "") for h in header]
    index = {n: i for i, n in enumerate(names)}
    missing = [c for c in REQUIRED if c not in index]
    value_cols = [(i, _VALUE_COLUMN.match(n)) for i, n in enumerate(names)]
    value_cols = [(i, m) for i, m in value_cols if m]
    if missing or not any(m.group(1) == "PROD" for _, m in value_cols):
        missing = missing or ["PROD_<year>"]
        raise DataFileError(
            str(path),
            f"missing column(s) {', '.join(missing)}; this is not a USGS MCS world-data file "
            f"(found: {', '.join(h.strip() for h in header) or 'nothing'})",
            line=1,
        )
    parsed = ParsedFile(path=str(path), checksum=hashlib.sha256(data).hexdigest(), edition="")
    seen: dict[tuple, int] = {}
    line = 1
    for row in reader:
        start = line + 1
        line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        parsed.rows_read += 1
        if len(row) < len(header):
            row = row + [""] * (len(header) - len(row))
        elif len(row) > len(header) and any(c.strip() for c in row[len(header):]):
            raise DataFileError(str(path), f"has {len(row)} fields where the header has {len(header)}", line=start)

        def cell(name: str) -> str:
            return row[index[name]].strip() if name in index else ""

        edition = _edition(cell("SOURCE"))
        if not parsed.edition:
            parsed.edition = edition
        elif edition != parsed.edition:
            raise DataFileError(str(path), f"mixes editions {parsed.edition!r} and {edition!r}",
                                line=start, column="SOURCE")
        label = cell("COMMODITY")
        mineral_id = labels.get(label)
        if mineral_id is None:
            parsed.skipped.append(SkippedRow(start, f"unknown commodity label {label!r}"))
            continue
        unit = cell("UNIT_MEAS")
        if not unit:
            parsed.skipped.append(SkippedRow(start, f"{label} / {cell('COUNTRY')}: no unit of measure (UNIT_MEAS empty)"))
            continue
        country = re.sub(r"\s+", " ", cell("COUNTRY"))
        # "World total (rounded) 10": a footnote number from the PDF, not part of the name.
        country = _FOOTNOTE.sub("", country) if _country_kind(country) != "country" else country
        series = re.sub(r"\s+", " ", cell("TYPE"))
        if not country or not series:
            parsed.skipped.append(SkippedRow(start, "COUNTRY or TYPE is empty"))
            continue
        for i, m in value_cols:
            metric, year = _METRIC[m.group(1)], int(m.group(3))
            key = (label, series, country, metric, year)
            if key in seen:
                raise DataFileError(str(path), f"repeats {label} / {series} / {country} first given on line "
                                    f"{seen[key]}", line=start)
            seen[key] = start
            note = cell(_NOTES[metric])
            fig = parse_cell(row[i], note, estimated=bool(m.group(2)), year=year)
            if fig is None:
                raise DataFileError(
                    str(path),
                    f"{row[i].strip()!r} is not a number nor a known marker (empty, W, NA, >N, <N)",
                    line=start, column=header[i],
                )
            doi = DOIS.get(edition)
            source = f"USGS {edition} Data Release{', ' + doi if doi else ''}, {path.name} line {start}, column {header[i].strip()}"
            parsed.statistics.append(WorldStatistic(
                edition=edition, usgs_label=label, mineral_id=mineral_id, series=series, country=country,
                country_kind=_country_kind(country), metric=metric, year=year, figure=fig, unit=unit,
                source=source, note=note or None,
            ))
    if parsed.rows_read == 0:
        raise DataFileError(str(path), "has a header but no data rows", line=2)
    return parsed


ProgressCallback = Callable[[int, int], None]
