"""Shares of world totals, computed only from published figures (never from guesses)."""

from __future__ import annotations

from collections import defaultdict
from typing import Iterable

from maadan.minerals.model import CountryShare, SeriesTable, WorldStatistic


def share_of_world(value_stat: WorldStatistic, world: WorldStatistic | None) -> CountryShare:
    """Share of one country in the world total; unknown when either figure is not a number."""
    if world is None or not world.figure.known or not value_stat.figure.known or not world.figure.value:
        return CountryShare(value_stat, None)
    share = 100.0 * value_stat.figure.value / world.figure.value
    if share > 100.0 and not world.figure.qualifier:
        # The source contradicts itself (e.g. a mistyped world total); show no share rather than >100%.
        return CountryShare(value_stat, None, exceeds_world=True)
    qualifier = None
    if value_stat.figure.qualifier == ">" or world.figure.qualifier == "<":
        qualifier = ">"
    elif value_stat.figure.qualifier == "<" or world.figure.qualifier == ">":
        qualifier = "<"
    return CountryShare(value_stat, round(share, 2), qualifier)


def series_tables(stats: Iterable[WorldStatistic]) -> list[SeriesTable]:
    """Group statistics into one table per (series, metric, year); countries sorted by value."""
    groups: dict[tuple[str, str, str, int], list[WorldStatistic]] = defaultdict(list)
    for s in stats:
        groups[(s.usgs_label, s.series, s.metric, s.year)].append(s)
    tables = []
    for (_label, series, metric, year), rows in groups.items():
        worlds = [r for r in rows if r.country_kind == "world"]
        # A series with several world rows (natural vs synthetic...) has no single total.
        world = worlds[0] if len(worlds) == 1 else None
        countries = [r for r in rows if r.country_kind == "country"]
        others = [r for r in rows if r.country_kind == "other"]
        countries.sort(key=lambda r: (-(r.figure.value or -1), r.country))
        status_from = world or (countries[0] if countries else rows[0])
        tables.append(
            SeriesTable(
                series=series,
                metric=metric,
                year=year,
                unit=rows[0].unit,
                status=status_from.figure.status,
                rows=[share_of_world(c, world) for c in countries],
                world=world,
                other=others,
            )
        )
    order = {"production": 0, "reserves": 1, "capacity": 2}
    tables.sort(key=lambda t: (order.get(t.metric, 9), t.series, t.year))
    return tables
