"""Query parameters of OGC API – Features, parsed once into typed values. Every refusal is an
InvalidParameter (HTTP 400) that names the parameter. No web framework here."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timezone
from typing import Iterable

import shapely

from maadan.errors import MaadanError

DEFAULT_LIMIT = 10
MAX_LIMIT = 10_000  # larger limits are clamped to this (OGC API – Features 1.0, /req/core/fc-limit-response-1)
MAX_OFFSET = 1_000_000_000
FORMATS = ("json",)  # f=json only; f=html is refused (the web app at / is the human view)
ITEMS_PARAMETERS = ("bbox", "datetime", "f", "limit", "offset")
OTHER_PARAMETERS = ("f",)

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")
_INTEGER = re.compile(r"^[+-]?\d+$")


class InvalidParameter(MaadanError):
    """A query parameter the server cannot use; `parameter` names it (or them)."""

    status = 400
    code = "invalid_parameter"

    def __init__(self, parameter: str, message: str):
        super().__init__(f"{parameter}: {message}", details={"parameter": parameter})
        self.parameter = parameter


@dataclass(frozen=True)
class BBox:
    """A 2D box in CRS84 (lon/lat WGS 84), minx <= maxx and miny <= maxy."""

    minx: float
    miny: float
    maxx: float
    maxy: float

    def as_tuple(self) -> tuple[float, float, float, float]:
        return (self.minx, self.miny, self.maxx, self.maxy)

    def geometry(self):
        """The box as a shapely geometry; a box of zero width or height is a line or a point."""
        if self.minx == self.maxx and self.miny == self.maxy:
            return shapely.Point(self.minx, self.miny)
        if self.minx == self.maxx or self.miny == self.maxy:
            return shapely.LineString([(self.minx, self.miny), (self.maxx, self.maxy)])
        return shapely.box(self.minx, self.miny, self.maxx, self.maxy)


@dataclass(frozen=True)
class Interval:
    """A closed UTC interval; None is an open end. An instant has start == end; a date alone
    covers its whole UTC day."""

    start: datetime | None
    end: datetime | None

    @property
    def start_date(self) -> date | None:
        return self.start.date() if self.start else None

    @property
    def end_date(self) -> date | None:
        return self.end.date() if self.end else None


@dataclass(frozen=True)
class ItemsQuery:
    """What an items request asks for: filters, the page, and whether `limit` was clamped."""

    bbox: BBox | None = None
    interval: Interval | None = None
    limit: int = DEFAULT_LIMIT
    offset: int = 0
    limit_clamped: bool = False


def _single(pairs: list[tuple[str, str]], allowed: Iterable[str]) -> dict[str, str]:
    allowed = tuple(allowed)
    unknown = sorted({k for k, _ in pairs if k not in allowed})
    if unknown:
        raise InvalidParameter(", ".join(unknown),
                               f"unknown query parameter{'s' if len(unknown) > 1 else ''}; "
                               f"this endpoint accepts {', '.join(allowed)}")
    out: dict[str, str] = {}
    for key, value in pairs:
        if key in out:
            raise InvalidParameter(key, "given more than once")
        out[key] = value
    return out


def check_format(value: str | None) -> None:
    if value is None or value.lower() in FORMATS:
        return
    raise InvalidParameter("f", f"only f=json is served (GeoJSON for items), not {value!r}")


def parse_plain(pairs: list[tuple[str, str]]) -> None:
    """Checks the parameters of the landing page, conformance, collections and single items: only `f`."""
    params = _single(pairs, OTHER_PARAMETERS)
    check_format(params.get("f"))


def parse_items(pairs: list[tuple[str, str]]) -> ItemsQuery:
    """The items query from the raw (name, value) pairs; unknown or repeated names are refused."""
    params = _single(pairs, ITEMS_PARAMETERS)
    check_format(params.get("f"))
    limit, clamped = parse_limit(params.get("limit"))
    return ItemsQuery(
        bbox=parse_bbox(params["bbox"]) if "bbox" in params else None,
        interval=parse_datetime(params["datetime"]) if "datetime" in params else None,
        limit=limit,
        offset=parse_offset(params.get("offset")),
        limit_clamped=clamped,
    )


def _integer(name: str, value: str) -> int:
    text = value.strip()
    if not _INTEGER.match(text):
        raise InvalidParameter(name, f"must be a whole number, got {value!r}")
    if len(text.lstrip("+-")) > 15:  # far past any limit; avoids huge int parsing
        return MAX_OFFSET * 10 * (-1 if text.startswith("-") else 1)
    return int(text)


def parse_limit(value: str | None) -> tuple[int, bool]:
    """(limit, clamped): default 10; below 1 is refused; above 10,000 is clamped to 10,000."""
    if value is None:
        return DEFAULT_LIMIT, False
    n = _integer("limit", value)
    if n < 1:
        raise InvalidParameter("limit", f"must be at least 1, got {value!r}")
    if n > MAX_LIMIT:
        return MAX_LIMIT, True
    return n, False


def parse_offset(value: str | None) -> int:
    if value is None:
        return 0
    n = _integer("offset", value)
    if n < 0:
        raise InvalidParameter("offset", f"must be 0 or more, got {value!r}")
    if n > MAX_OFFSET:
        raise InvalidParameter("offset", f"must be at most {MAX_OFFSET:,}")
    return n


def parse_bbox(value: str) -> BBox:
    """`minx,miny,maxx,maxy` in CRS84 degrees."""
    parts = value.split(",")
    if len(parts) == 6:
        raise InvalidParameter("bbox", "3D bbox not supported; give minx,miny,maxx,maxy")
    if len(parts) != 4:
        raise InvalidParameter("bbox", f"must be 4 numbers minx,miny,maxx,maxy, got {len(parts)} value(s)")
    numbers: list[float] = []
    for name, part in zip(("minx", "miny", "maxx", "maxy"), parts):
        try:
            x = float(part.strip())
        except ValueError:
            raise InvalidParameter("bbox", f"{name} is not a number: {part!r}") from None
        if not math.isfinite(x):
            raise InvalidParameter("bbox", f"{name} must be a finite number, got {part!r}")
        numbers.append(x)
    minx, miny, maxx, maxy = numbers
    for name, x, bound in (("minx", minx, 180), ("maxx", maxx, 180), ("miny", miny, 90), ("maxy", maxy, 90)):
        if not -bound <= x <= bound:
            raise InvalidParameter("bbox", f"{name} {x:g} is outside -{bound}..{bound} (CRS84 lon/lat degrees)")
    if minx > maxx:
        raise InvalidParameter("bbox", f"minx {minx:g} is greater than maxx {maxx:g} "
                                       "(boxes across the antimeridian are not supported)")
    if miny > maxy:
        raise InvalidParameter("bbox", f"miny {miny:g} is greater than maxy {maxy:g}")
    return BBox(minx, miny, maxx, maxy)


def _instant(text: str, *, end: bool) -> datetime:
    """An RFC 3339 date-time (with Z or an offset), or a full date (its first or last instant)."""
    if _DATE.match(text):
        day = date.fromisoformat(text)
        return datetime.combine(day, time.max if end else time.min, tzinfo=timezone.utc)
    if _DATE_TIME.match(text):
        normal = text.replace("t", "T").replace("z", "+00:00").replace("Z", "+00:00")
        return datetime.fromisoformat(normal).astimezone(timezone.utc)
    raise ValueError(text)


def parse_datetime(value: str) -> Interval:
    """An instant, or an interval start/end with `..` (or nothing) for an open end."""
    text = value.strip()
    if not text:
        raise InvalidParameter("datetime", "is empty; give an RFC 3339 instant or an interval start/end")
    pieces = text.split("/")
    if len(pieces) > 2:
        raise InvalidParameter("datetime", f"an interval has one '/', got {value!r}")
    try:
        if len(pieces) == 1:
            if text == "..":
                raise ValueError(text)
            return Interval(_instant(text, end=False), _instant(text, end=True))
        start_text, end_text = (p.strip() for p in pieces)
        start = None if start_text in ("", "..") else _instant(start_text, end=False)
        end = None if end_text in ("", "..") else _instant(end_text, end=True)
    except ValueError:
        raise InvalidParameter("datetime", f"{value!r} is not an RFC 3339 date-time (e.g. 2026-01-31T00:00:00Z), "
                                           "a date (2026-01-31) or an interval such as 2025-01-01/.. ") from None
    if start is None and end is None:
        raise InvalidParameter("datetime", "an interval needs at least one end (../.. is not allowed)")
    if start is not None and end is not None and start > end:
        raise InvalidParameter("datetime", f"the interval starts after it ends: {value!r}")
    return Interval(start, end)
