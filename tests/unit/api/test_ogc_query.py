"""OGC API query parsing: one typed object, refusals that name the parameter."""

from datetime import datetime, timezone

import pytest

from maadan.ogc.query import (
    MAX_LIMIT,
    BBox,
    InvalidParameter,
    parse_bbox,
    parse_datetime,
    parse_items,
    parse_plain,
)

UTC = timezone.utc


def refused(fn, *args) -> InvalidParameter:
    with pytest.raises(InvalidParameter) as err:
        fn(*args)
    assert err.value.status == 400 and err.value.code == "invalid_parameter"
    return err.value


def test_defaults():
    q = parse_items([])
    assert (q.bbox, q.interval, q.limit, q.offset, q.limit_clamped) == (None, None, 10, 0, False)


def test_full_query():
    q = parse_items([("bbox", "62,28.5,63.25,29"), ("limit", "100"), ("offset", "200"),
                     ("datetime", "2025-01-01T00:00:00Z/.."), ("f", "json")])
    assert q.bbox == BBox(62, 28.5, 63.25, 29) and q.limit == 100 and q.offset == 200
    assert q.interval.start == datetime(2025, 1, 1, tzinfo=UTC) and q.interval.end is None


@pytest.mark.parametrize("value, expected", [("1", 1), ("10000", 10000), (" 25 ", 25)])
def test_limit_in_range(value, expected):
    q = parse_items([("limit", value)])
    assert q.limit == expected and not q.limit_clamped


@pytest.mark.parametrize("value", ["10001", "99999999", "9" * 40])
def test_limit_above_max_is_clamped(value):
    q = parse_items([("limit", value)])
    assert q.limit == MAX_LIMIT and q.limit_clamped


@pytest.mark.parametrize("name, value", [("limit", "0"), ("limit", "-5"), ("limit", "ten"), ("limit", "2.5"),
                                         ("limit", ""), ("offset", "-1"), ("offset", "x"),
                                         ("offset", "10000000000"), ("offset", "9" * 40)])
def test_bad_limit_and_offset(name, value):
    err = refused(parse_items, [(name, value)])
    assert err.parameter == name and err.message.startswith(f"{name}:")


@pytest.mark.parametrize("value, message", [
    ("1,2,3", "4 numbers"),
    ("1,2,3,4,5,6", "3D bbox not supported"),
    ("a,2,3,4", "minx is not a number"),
    ("0,0,nan,1", "finite"),
    ("0,0,inf,1", "finite"),
    ("-181,0,0,1", "outside -180..180"),
    ("0,-91,1,1", "outside -90..90"),
    ("10,0,5,1", "greater than maxx"),
    ("0,10,1,5", "greater than maxy"),
    ("", "4 numbers"),
])
def test_bad_bbox(value, message):
    err = refused(parse_bbox, value)
    assert err.parameter == "bbox" and message in err.message


def test_bbox_edges_and_points_are_fine():
    assert parse_bbox("-180,-90,180,90") == BBox(-180, -90, 180, 90)
    assert parse_bbox("62, 28, 62, 28") == BBox(62, 28, 62, 28)


@pytest.mark.parametrize("value, start, end", [
    ("2026-03-01T10:00:00Z", datetime(2026, 3, 1, 10, tzinfo=UTC), datetime(2026, 3, 1, 10, tzinfo=UTC)),
    ("2026-03-01t10:00:00.5z", datetime(2026, 3, 1, 10, 0, 0, 500000, tzinfo=UTC), None),
    ("2026-03-01T10:00:00+05:00", datetime(2026, 3, 1, 5, tzinfo=UTC), None),
    ("2026-03-01", datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 3, 1, 23, 59, 59, 999999, tzinfo=UTC)),
    ("2025-01-01/2025-12-31", datetime(2025, 1, 1, tzinfo=UTC), datetime(2025, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)),
    ("../2025-06-30T00:00:00Z", None, datetime(2025, 6, 30, tzinfo=UTC)),
    ("/2025-06-30T00:00:00Z", None, datetime(2025, 6, 30, tzinfo=UTC)),
    ("2025-06-30T00:00:00Z/..", datetime(2025, 6, 30, tzinfo=UTC), None),
    ("2025-06-30T00:00:00Z/", datetime(2025, 6, 30, tzinfo=UTC), None),
])
def test_datetime(value, start, end):
    iv = parse_datetime(value)
    assert iv.start == start
    if end is not None or "/" in value:
        assert iv.end == end


@pytest.mark.parametrize("value", ["", "yesterday", "2026-13-01", "2026-02-30", "2026-03-01T10:00:00",
                                   "2026-03-01T25:00:00Z", "2026-03-01 10:00:00Z", "../..", "/", "..",
                                   "2026-01-01/2025-01-01", "2025-01-01/2025-02-01/2025-03-01", "2026"])
def test_bad_datetime(value):
    err = refused(parse_datetime, value)
    assert err.parameter == "datetime"


def test_interval_dates_for_titles():
    iv = parse_datetime("2025-01-01T23:00:00-02:00/2025-02-01")
    assert str(iv.start_date) == "2025-01-02" and str(iv.end_date) == "2025-02-01"


def test_unknown_and_repeated_parameters_are_named():
    err = refused(parse_items, [("limit", "5"), ("filter", "x"), ("sortby", "y")])
    assert err.parameter == "filter, sortby" and "accepts bbox, datetime, f, limit, offset" in err.message
    err = refused(parse_items, [("limit", "5"), ("limit", "6")])
    assert err.parameter == "limit" and "more than once" in err.message
    assert refused(parse_plain, [("limit", "5")]).parameter == "limit"


@pytest.mark.parametrize("value", ["json", "JSON"])
def test_f_json_is_accepted(value):
    parse_plain([("f", value)])
    parse_items([("f", value)])


@pytest.mark.parametrize("value", ["html", "xml", ""])
def test_other_formats_are_refused(value):
    assert refused(parse_plain, [("f", value)]).parameter == "f"
    assert refused(parse_items, [("f", value)]).parameter == "f"


def test_error_body_names_the_parameter():
    err = refused(parse_bbox, "1,2,3,4,5,6")
    assert err.to_dict() == {"error": "invalid_parameter",
                             "message": "bbox: 3D bbox not supported; give minx,miny,maxx,maxy",
                             "details": {"parameter": "bbox"}}


def test_bbox_geometry():
    assert parse_bbox("1,2,3,4").geometry().bounds == (1, 2, 3, 4)
    assert parse_bbox("1,2,1,4").geometry().geom_type == "LineString"
    assert parse_bbox("1,2,1,2").geometry().geom_type == "Point"
