"""Properties of the domain checked on generated inputs (Hypothesis): geometry parsing round trips,
partial-date comparison, money arithmetic and rule-file merging. Reproducible by default; under
MAADAN_FUZZ_RANDOM=1 new examples are explored (.ci/run does so with a printed --hypothesis-seed)."""

from __future__ import annotations

import json
from datetime import date

import numpy as np
import pytest
import shapely
from hypothesis import assume, given
from hypothesis import strategies as st
from pyproj import Transformer

from maadan.agreements.model import before, parse_partial_date
from maadan.cadastre.geometry import parse_area, to_geojson
from maadan.cadastre.model import Invoice
from maadan.cadastre.rule_files import _Map, _merge
from maadan.cadastre.rules import Money, RuleValue, TitleType, annual_rent
from maadan.errors import InvalidInput

# --- geometry ---------------------------------------------------------------------------------------

lon = st.floats(61.0, 70.0, allow_nan=False)
lat = st.floats(25.0, 31.5, allow_nan=False)


@st.composite
def polygons(draw):
    """A valid polygon in Pakistan: the convex hull of 3-12 points within ~0.5° of a centre."""
    cx, cy = draw(lon), draw(lat)
    offsets = st.tuples(st.floats(-0.5, 0.5, allow_nan=False), st.floats(-0.5, 0.5, allow_nan=False))
    points = draw(st.lists(offsets, min_size=3, max_size=12, unique=True))
    hull = shapely.MultiPoint([(cx + dx, cy + dy) for dx, dy in points]).convex_hull
    assume(hull.geom_type == "Polygon" and hull.area > 1e-4)
    return shapely.set_precision(hull, 1e-9)


@given(polygons())
def test_geojson_round_trip_keeps_the_polygon_and_its_area(poly):
    first = parse_area(json.dumps(to_geojson(poly)))
    assert first.geometry.normalize().equals_exact(poly.normalize(), 1e-12)  # rings may be re-oriented
    again = parse_area(to_geojson(first))  # what Maadan writes, it reads back unchanged
    assert again.geometry.equals_exact(first.geometry, 0) and again.area_km2 == first.area_km2
    assert again.vertex_count == first.vertex_count


@given(polygons())
def test_utm_and_lon_lat_give_the_same_area(poly):
    zone = "EPSG:32641" if poly.centroid.x < 66 else "EPSG:32642"  # UTM 41N west of 66°E, 42N east of it
    to_utm = Transformer.from_crs("EPSG:4326", zone, always_xy=True)
    projected = shapely.transform(poly, lambda xy: np.column_stack(to_utm.transform(xy[:, 0], xy[:, 1])))
    from_utm = parse_area(to_geojson(projected), crs=zone)
    from_lonlat = parse_area(to_geojson(poly))
    assert from_utm.area_km2 == pytest.approx(from_lonlat.area_km2, rel=1e-6)
    assert from_utm.geometry.normalize().equals_exact(from_lonlat.geometry.normalize(), 1e-7)


# --- partial dates ------------------------------------------------------------------------------------

days = st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31))


@st.composite
def partial_dates(draw):
    d = draw(days)
    return d.isoformat()[:draw(st.sampled_from([4, 7, 10]))]


@given(partial_dates())
def test_partial_dates_parse_to_themselves(d):
    assert parse_partial_date(d, "date") == d


@given(days, days)
def test_full_dates_compare_as_dates(a, b):
    assert before(a.isoformat(), b.isoformat()) == (a < b)


@given(partial_dates(), partial_dates())
def test_partial_date_comparison_is_strict_and_respects_precision(a, b):
    assert not (before(a, b) and before(b, a))  # never both ways
    assert not before(a, a)
    n = min(len(a), len(b))
    if a[:n] == b[:n]:  # equal at the coarser precision ('2025-09' and '2025-09-08'): neither is before
        assert not before(a, b) and not before(b, a)
    else:
        assert before(a, b) != before(b, a)


@given(partial_dates(), partial_dates(), partial_dates())
def test_partial_date_comparison_is_transitive_at_one_precision(a, b, c):
    if len(a) == len(b) == len(c) and before(a, b) and before(b, c):
        assert before(a, c)


# --- money ---------------------------------------------------------------------------------------------

def _rv(amount: float) -> RuleValue:
    return RuleValue(Money(amount, "PKR"), "test", True)


rates = st.lists(st.integers(1, 100_000), min_size=1, max_size=4)


def _title_type(steps: list[int]) -> TitleType:
    schedule = tuple((1 + 3 * i, _rv(float(r))) for i, r in enumerate(sorted(steps)))
    return TitleType(code="EL", name="Exploration licence", min_area_km2=None, max_area_km2=None, term_years=None,
                     max_renewals=None, renewal_term_years=None, exclusive=RuleValue(True, "test", True),
                     application_fee=_rv(1000.0), rent_schedule=schedule, rent_grace_days=None, obligations=(),
                     eligibility=())


areas = st.floats(0, 5000, allow_nan=False, allow_infinity=False)


@given(rates, areas, st.integers(1, 40))
def test_rent_is_area_times_the_rate_of_the_step_in_force(steps, area, year):
    tt = _title_type(steps)
    money, verified = annual_rent(tt, area, year)
    rate = [rv.value.amount for start, rv in tt.rent_schedule if start <= year][-1]
    assert money.currency == "PKR" and verified
    assert money.amount == round(area * rate, 2)
    assert money.amount >= 0


@given(rates, areas, st.integers(1, 39))
def test_rent_never_falls_as_a_title_ages(steps, area, year):
    tt = _title_type(steps)
    assert annual_rent(tt, area, year + 1)[0].amount >= annual_rent(tt, area, year)[0].amount


@given(rates, areas, areas, st.integers(1, 40))
def test_rent_of_two_areas_is_the_sum_to_the_cent(steps, a, b, year):
    tt = _title_type(steps)
    whole = annual_rent(tt, a + b, year)[0].amount
    parts = annual_rent(tt, a, year)[0].amount + annual_rent(tt, b, year)[0].amount
    assert abs(whole - parts) <= 0.011  # each amount is rounded to the cent once


@given(st.one_of(st.just(float("nan")), st.just(float("inf")), st.floats(max_value=-1e-9), st.booleans()))
def test_rent_refuses_impossible_areas(area):
    with pytest.raises(InvalidInput):
        annual_rent(_title_type([100]), area, 1)


@given(st.integers(1, 10**9), st.lists(st.integers(1, 10**8), max_size=8))
def test_outstanding_is_never_negative_and_is_what_is_left(amount_cents, payments_cents):
    inv = Invoice(id=1, title_number="T", application_number=None, kind="rent", period="2026",
                  due_on=date(2026, 1, 1), amount=amount_cents / 100, currency="PKR", verified=True)
    for p in payments_cents:
        inv.paid += p / 100
    assert inv.outstanding >= 0
    left = (amount_cents - sum(payments_cents)) / 100
    assert inv.outstanding == pytest.approx(max(0.0, left), abs=0.005)


# --- rule-file merging ----------------------------------------------------------------------------------

keys = st.sampled_from(["name", "fee", "term", "notes", "sources", "rent", "grace"])
leaves = st.one_of(st.integers(0, 1000), st.text(max_size=5), st.lists(st.integers(0, 9), max_size=3))


def _as_map(d: dict, origin: str) -> _Map:
    m = _Map(origin, 1)
    for i, (k, v) in enumerate(d.items(), 2):
        m[k] = _as_map(v, origin) if isinstance(v, dict) else v
        m.lines[k] = (origin, i)
    return m


trees = st.recursive(leaves, lambda inner: st.dictionaries(keys, inner, max_size=4), max_leaves=12)
maps = st.dictionaries(keys, trees, max_size=5)


def _plain(v):
    return {k: _plain(x) for k, x in v.items()} if isinstance(v, dict) else v


def _expected(base: dict, over: dict, additive: tuple[str, ...]) -> dict:
    out = dict(base)
    for k, v in over.items():
        old = out.get(k)
        if isinstance(v, dict) and isinstance(old, dict) and "legal_basis" not in v:
            out[k] = _expected(old, v, ())
        elif k in additive and isinstance(v, list) and isinstance(old, list):
            out[k] = old + v
        else:
            out[k] = v
    return out


@given(maps, maps)
def test_merge_overrides_key_by_key_and_appends_the_additive_lists(base, over):
    merged = _merge(_as_map(base, "base.yaml"), _as_map(over, "over.yaml"), additive=("sources", "notes"))
    assert _plain(merged) == _expected(base, over, ("sources", "notes"))
    assert set(merged) == set(base) | set(over)
    for k in merged:  # every key says which file it came from
        assert merged.where(k)[0] == ("over.yaml" if k in over else "base.yaml")


@given(maps, st.dictionaries(keys, leaves, max_size=3))
def test_a_value_with_its_own_legal_basis_replaces_the_old_one_whole(base, fresh):
    over = {"fee": {"legal_basis": "notification of 3 March 2020", **fresh}}
    merged = _merge(_as_map(base, "base.yaml"), _as_map(over, "over.yaml"))
    assert _plain(merged)["fee"] == over["fee"]  # no key of the old value survives
