"""Build src/maadan/data/usgs/mcs2025_consumption_value.csv: US apparent consumption and price in 2024 per MCS
commodity, from the official USGS Mineral Commodity Summaries 2025 salient-statistics files
(doi:10.5066/P13XCP3R, ScienceBase item 677eaf95d34e760b392c4970, 'Salient_Commodity' archive).

Usage: python scripts/build_consumption_value.py DIR   (DIR holds the mcs2025-<code>_salient.csv files)

One consumption series and one price series per commodity, chosen and converted as written in SERIES below
(docs/analytics.md §2b). A withheld ("W"), missing ("NA") or bounded ("<100,000") figure gives an empty
value: the commodity stays unscored. Review the diff before committing.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "src" / "maadan" / "data" / "usgs" / "mcs2025_consumption_value.csv"
LB = 2204.62262185  # lb per t
TOZ = 32150.7466  # troy oz per t
# code: (mineral_id, stage, consumption column, factor to t, price column, factor to USD/t, note)
SERIES = {
    "alumi": ("aluminum", "", "Consump_Apprnt_kt", 1e3, "Price_Ingot_ctslb", LB / 100, ""),
    "antim": ("antimony", "", "Consump_t", 1, "Price_Metal_dlb", LB, ""),
    "arsen": ("arsenic", "", "Consump_Est_All_t", 1, "Price_Mtl_US_dkg", 1e3, "estimated consumption"),
    "asbes": ("asbestos", "", "Consump_Est_t", 1, "Price_Customs_dt", 1, ""),
    "barit": ("barite", "", "Consump_kt", 1e3, "Price_dt", 1, ""),
    "bauxi": ("bauxite", "", "Bauxite_Consump_Apprnt_kt", 1e3, "Bauxite_Price_dt", 1, ""),
    "beryl": ("beryllium", "", "Consump_Apparent_t", 1, "Price_Alloy_dkg", 1e3, "beryllium content of master alloy"),
    "bismu": ("bismuth", "", "Consump_Apprnt_t", 1, "Price_Average_dlb", LB, ""),
    "boron": ("boron", "", "Consump_kt", 1e3, "Price_CIF_dt", 1, ""),
    "bromi": ("bromine", "", "Consump_t", 1, "Price_Imports_dkg", 1e3, ""),
    "cadmi": ("cadmium", "", "Consump_Apparent_t", 1, "Price_Refined_dkg", 1e3, ""),
    "cemen": ("cement", "", "Consump_kt", 1e3, "Price_Avg_dt", 1, ""),
    "chrom": ("chromium", "", "Consump_Apparent_kt", 1e3, "Price_Ferrochromium_dlb", LB,
              "chromium content; ferrochromium price per lb of contained chromium"),
    "cobal": ("cobalt", "", "Consump_Apparent_t", 1, "Price_LME_dlb", LB, ""),
    "coppe": ("copper", "", "Consump_Apparent_kt", 1e3, "Price_COMEX_ctslb", LB / 100, ""),
    "diato": ("diatomite", "", "Consump_kt", 1e3, "Price_dt", 1, ""),
    "felds": ("feldspar", "", "Consump_Feldspar_kt", 1e3, "Price_Feldspar_dt", 1, ""),
    "fepig": ("iron-oxide-pigments", "", "Consump_t", 1, "Price_dkg", 1e3, ""),
    "fluor": ("fluorspar", "", "Consump_Apprnt_kt", 1e3, "Price_Acid_dt", 1, "acid grade price"),
    "galli": ("gallium", "", "Consump_kg", 1e-3, "Price_Low-purity_dkg", 1e3, "low-purity (99.99 %) price"),
    "garne": ("garnet-industrial", "", "Consump_t", 1, "Price_Import_dt", 1, ""),
    "germa": ("germanium", "", "Consump_g", 1e-6, "Price_Metal_dkg", 1e3, ""),
    "gold": ("gold", "", "Consump_t", 1, "Price_dtoz", TOZ, "reported consumption"),
    "graph": ("graphite", "", "Consump_t", 1, "Price_Flake_dt", 1, "flake price"),
    "gypsu": ("gypsum", "", "Consump_kt", 1e3, "Price_Mine_dt", 1, "crude, mine price"),
    "indiu": ("indium", "", "Consump_t", 1, "Price_Rotterdam_dkg", 1e3, "estimated consumption"),
    "iodin": ("iodine", "", "Consump_t", 1, "Price_Crude_CIF_dkg", 1e3, ""),
    "kyani": ("kyanite", "", "Consump_t", 1, "Price_FOB_dt", 1, ""),
    "lead": ("lead", "", "Consump_North_American_kt", 1e3, "Price_LME_ctslb", LB / 100,
             "North American (not US) consumption"),
    "lime": ("lime", "", "Consump_kt", 1e3, "Price_Quicklime_dt", 1, ""),
    "lithium": ("lithium", "", "Consump_t", 1, "Price_dt", 1, ""),
    "manga": ("manganese", "", "Consump_Apparent_kt", 1e3, "Price_CN_CIF_dt", 100,
              "price per dry metric ton unit (10 kg of contained manganese) x 100 = USD per t of manganese"),
    "mgmet": ("magnesium", "metal", "Consump_Reported_kt", 1e3, "Price_dt", 1,
              "reported consumption (apparent consumption withheld)"),
    "mica": ("mica", "flake", "Consump_Flake_t", 1, "Price_Flake_dt", 1, ""),
    "molyb": ("molybdenum", "", "Consump_Apparent_t", 1, "Price_dkg", 1e3, ""),
    "nicke": ("nickel", "", "Consump_Apparent_Total_t", 1, "Price_dt", 1, ""),
    "niobi": ("niobium", "", "Consump_Apparent_t", 1, "Price_dkg", 1e3, "niobium content of ferroniobium"),
    "nitro": ("nitrogen", "", "Consump_kt", 1e3, "Price_dst", 1.10231131, "price per short ton"),
    "peat": ("peat", "", "Consump_kt", 1e3, "Price_dt", 1, ""),
    "perli": ("perlite", "", "Consump_kt", 1e3, "Price_FOB_dt", 1, ""),
    "phosp": ("phosphate", "", "Consump_kt", 1e3, "Price_dt", 1, ""),
    "plati:pd": ("palladium", "", "Consump_Palladium_kg", 1e-3, "Price_Palladium_dto", TOZ, ""),
    "plati:pt": ("platinum", "", "Consump_Platinum_kg", 1e-3, "Price_Platinum_dto", TOZ, ""),
    "potas": ("potash", "", "Consump_kt", 1e3, "Price_All_dt", 1, "K2O equivalent"),
    "pumic": ("pumice", "", "Consump_kt", 1e3, "Price_dt", 1, ""),
    "rheni": ("rhenium", "", "Consump_kg", 1e-3, "Price_Metal_dkg", 1e3, ""),
    "salt": ("salt", "", "Consump_Apparent_kt", 1e3, "Price_Rock_dt", 1, "rock salt price"),
    "sandi": ("industrial-sand", "", "Consump_kt", 1e3, "Price_dt", 1, ""),
    "selen": ("selenium", "", "Consump_Metal_t", 1, "Price_US_dkg", 1e3, ""),
    "silve": ("silver", "", "Consump_t", 1, "Price_Bullion_dtoz", TOZ, ""),
    "simet": ("silicon", "", "Consump_FeSi-Si_kt", 1e3, "Price_Si_ctslb", LB / 100, ""),
    "sodaa": ("soda-ash", "", "Consump_Apparent_kt", 1e3, "Price_dt", 1, ""),
    "stron": ("strontium", "", "Consump_Total_t", 1, "Price_dt", 1, "celestite price"),
    "sulfu": ("sulfur", "", "Consump_Apprnt_kt", 1e3, "Price_elemental_dt", 1, ""),
    "talc": ("talc", "", "Consump_kt", 1e3, "Price_dt", 1, ""),
    "tanta": ("tantalum", "", "Consump_t", 1, "Price_Ta2O5_dkg", 1e3 / 0.8190,
              "Ta2O5 price per kg / 0.819 (Ta in Ta2O5) = USD per t of tantalum"),
    "tellu": ("tellurium", "", "Consump_t", 1, "Price_US_dkg", 1e3, ""),
    "timin": ("titanium-mineral-concentrates", "", "Consump_kt", 1e3, "Price_dt", 1, ""),
    "tin": ("tin", "", "Consump_t", 1, "Price_LME_ctslb", LB / 100, ""),
    "titan:sponge": ("titanium", "sponge", "Consump_Sponge_Apparent_t", 1, "Price_Sponge_dkg", 1e3, ""),
    "titan:dioxide": ("titanium", "dioxide", "Consump_Dioxide_t", 1, "Price_Dioxide_dt", 1, ""),
    "tungs": ("tungsten", "", "Consump_Apparent_t", 1, "Price_WO3_dt", 1, ""),
    "vanad": ("vanadium", "", "Consump_Apprnt_t", 1, "Price_V2O5_dlb", LB / 0.5602,
              "V2O5 price per lb / 0.5602 (V in V2O5) = USD per t of vanadium"),
    "yttri": ("yttrium", "", "Consump_t", 1, "Price_Y2O3_dkg", 1e3, "yttrium oxide"),
    "zinc": ("zinc", "", "Consump_Refined_kt", 1e3, "Price_ctslb", LB / 100, ""),
    "zirco": ("zirconium", "", "Consump_ZrO2_content_t", 1, "Price_Zircon_imported_t", 1, ""),
}


def number(text: str) -> float | None:
    t = (text or "").strip().replace(",", "")
    try:
        return float(t)
    except ValueError:
        return None  # W, NA, a bound such as <100000, a range


def main(folder: Path) -> None:
    rows = []
    for key, (mid, stage, ccol, cf, pcol, pf, note) in SERIES.items():
        code = key.split(":")[0]
        name = "lithium_salient" if code == "lithium" else f"{code}_salient"
        f = folder / f"mcs2025-{name}.csv"
        data = list(csv.DictReader(f.open(encoding="utf-8-sig")))
        row = next((r for r in data if str(r.get("Year", "")).startswith("2024")), None)
        if row is None:
            raise SystemExit(f"{f.name}: no 2024 row")
        c_raw, p_raw = row.get(ccol, ""), row.get(pcol, "")
        c, p = number(c_raw), number(p_raw)
        ct = None if c is None else c * cf
        pt = None if p is None else p * pf
        value = None if ct is None or pt is None else ct * pt / 1e6
        withheld = sorted(k for k, v in row.items() if k and k.startswith("USprod") and (v or "").strip() == "W")
        rows.append({
            "mineral_id": mid, "stage": stage, "year": 2024,
            "us_production_withheld": ";".join(withheld),
            "consumption_published": c_raw, "consumption_column": ccol, "consumption_t": "" if ct is None else f"{ct:.6g}",
            "price_published": p_raw, "price_column": pcol, "price_usd_per_t": "" if pt is None else f"{pt:.6g}",
            "value_musd": "" if value is None else f"{value:.6g}", "note": note,
            "source": f"USGS MCS 2025 data release (doi:10.5066/P13XCP3R), mcs2025-{name}.csv, 2024 (estimates), "
                      f"columns {ccol} and {pcol}",
        })
    with OUT.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    print(f"wrote {OUT} ({len(rows)} rows, {sum(1 for r in rows if r['value_musd'])} with a value)")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    main(Path(sys.argv[1]))
