"""The vector tile cache's series on /metrics (added to each app by `maadan.ogc.install`)."""

from __future__ import annotations

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

from maadan.ogc.tiles import CACHE


class TileCacheCollector:
    """The figures of this process's vector tile cache (`tiles.CACHE`, shared by its apps), read
    when scraped; the series are listed in maadan/http/metrics.py and docs/deploy.md."""

    def describe(self):
        return []

    def collect(self):
        counts, held, size = CACHE.figures()
        served = CounterMetricFamily("maadan_tiles_served", "Vector tiles answered from this process's cache "
                                     "or built for the request", labels=["how"])
        served.add_metric(["cached"], float(counts["served-cached"]))
        served.add_metric(["built"], float(counts["served-built"]))
        yield served
        yield GaugeMetricFamily("maadan_tile_cache_tiles", "Vector tiles kept in this process's cache", value=held)
        yield GaugeMetricFamily("maadan_tile_cache_bytes", "Bytes of the vector tiles kept (gzip copies included)",
                                value=size)
        dropped = CounterMetricFamily("maadan_tile_cache_dropped", "Cached vector tiles dropped: a change touched "
                                      "them, or the cache was full", labels=["why"])
        dropped.add_metric(["changed"], float(counts["evicted"]))
        dropped.add_metric(["overflow"], float(counts["overflow"]))
        yield dropped
        layers = CounterMetricFamily("maadan_tile_layer_updates", "Tiled collections brought up to date with the "
                                     "store", labels=["how"])
        for how in ("built", "caught-up", "postgis-caught-up"):
            layers.add_metric([how], float(counts[how]))
        yield layers
