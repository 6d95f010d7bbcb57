"""Add to src/maadan/data/news/places.csv the first-level subdivisions of the United States, Australia and
Canada (ISO 3166-2, as packaged by pycountry) and the cities news about minerals names most; the rows kept
by hand for Pakistan stay as they are. Words that would shadow something else are left out: "Washington"
(the state) would hide the capital read as the US government, "Victoria" and "Georgia" are also names.

Usage (development only): .venv/bin/pip install pycountry && .venv/bin/python scripts/news_places.py"""

from __future__ import annotations

import csv
from pathlib import Path

PLACES = Path(__file__).resolve().parents[1] / "src" / "maadan" / "data" / "news" / "places.csv"
SKIP = {"Washington", "Victoria", "Georgia", "District of Columbia"}
ALIASES = {"Washington": "Washington State", "Victoria": "Victoria state"}
# Cities that are not capitals (capitals are read as their countries, see countries.csv), with the country.
CITIES = [("New York", "US", "New York City;NYC"), ("Chicago", "US", ""), ("Las Vegas", "US", ""),
          ("Los Angeles", "US", ""), ("Houston", "US", ""), ("Denver", "US", ""), ("St. Louis", "US", "St Louis"),
          ("San Francisco", "US", ""), ("Toronto", "CA", ""), ("Vancouver", "CA", ""), ("Montreal", "CA", ""),
          ("Sydney", "AU", ""), ("Melbourne", "AU", ""), ("Perth", "AU", ""),
          ("Dubai", "AE", ""), ("Jeddah", "SA", ""), ("Shanghai", "CN", ""), ("Hong Kong", "CN", ""),
          ("Mumbai", "IN", ""), ("Johannesburg", "ZA", ""), ("Cape Town", "ZA", ""), ("Lubumbashi", "CD", ""),
          ("Kolwezi", "CD", ""), ("Lobito", "AO", "Lobito port"), ("Geneva", "CH", ""), ("Zurich", "CH", ""),
          ("Frankfurt", "DE", ""), ("Davos", "CH", ""), ("Almaty", "KZ", ""),
          ("Faisalabad", "PK", ""), ("Multan", "PK", ""), ("Gilgit", "PK", ""), ("Skardu", "PK", ""),
          ("Pasni", "PK", "Pasni port;Pasni Port")]
SOURCE_ISO = "ISO 3166-2 (pycountry)"
SOURCE_CITY = "city named in news; country per ISO 3166-2 subdivision it lies in"


def main() -> None:
    import pycountry

    with PLACES.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    have = {r["name"] for r in rows}
    for cc in ("US", "AU", "CA"):
        for s in sorted(pycountry.subdivisions.get(country_code=cc), key=lambda s: s.name):
            if s.name in have or s.name in SKIP or s.type == "Outlying area":
                continue
            rows.append({"name": s.name, "kind": s.type.lower(), "country": cc, "aliases": "", "source": SOURCE_ISO})
            have.add(s.name)
    for name, cc, aliases in CITIES:
        if name not in have:
            rows.append({"name": name, "kind": "city", "country": cc, "aliases": aliases, "source": SOURCE_CITY})
            have.add(name)
    with PLACES.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=["name", "kind", "country", "aliases", "source"], lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    print(f"{PLACES}: {len(rows)} places")


if __name__ == "__main__":
    main()
