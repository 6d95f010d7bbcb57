from pathlib import Path

import pytest

from maadan.errors import DataFileError
from maadan.ingest.usgs_mcs import parse_cell, parse_world_data

HEADER = ("SOURCE,COMMODITY,COUNTRY,TYPE,UNIT_MEAS,PROD_2023,PROD_EST_ 2024,PROD_NOTES,"
          "CAP_2023,CAP_EST_ 2024,CAP_NOTES,RESERVES_2024,RESERVE_NOTES\n")
LABELS = {"Copper": "copper", "Barite": "barite", "Gemanium": "germanium"}


def write(tmp_path: Path, body: str, header: str = HEADER, encoding: str = "utf-8-sig") -> Path:
    p = tmp_path / "world.csv"
    p.write_bytes((header + body).encode(encoding))
    return p


@pytest.mark.parametrize("raw, note, status, value, qualifier", [
    ("5250", "", "reported", 5250, None),
    ("17,000,000", "", "reported", 17_000_000, None),
    (">2000000", "", "reported", 2_000_000, ">"),
    ("W", "", "withheld", None, None),
    ("NA", "", "not-available", None, None),
    ("", "", "no-data", None, None),
    ("", "W for 23-24", "withheld", None, None),
    ("", "NA", "not-available", None, None),
    ("", "Large", "qualitative", None, None),
    ("740", "estimated 2023", "estimated", 740, None),
])
def test_cells(raw, note, status, value, qualifier):
    fig = parse_cell(raw, note, estimated=False, year=2023)
    assert (fig.status, fig.value, fig.qualifier) == (status, value, qualifier)


def test_estimate_column_marks_estimates():
    assert parse_cell("23000", "", estimated=True, year=2024).status == "estimated"


@pytest.mark.parametrize("raw", ["abc", "12x", "-5", "nan", "inf"])
def test_text_that_is_not_a_number_is_refused(raw):
    assert parse_cell(raw, "", estimated=False, year=2023) is None


def test_parses_rows_quirks_and_skips(tmp_path):
    p = write(tmp_path,
              "MCS2025,Copper ,Chile,\"Mine production, recoverable copper content\",thousand metric tons,5250,5300,,,,,190000,\n"
              "MCS2025,Copper ,World total (rounded) 10,\"Mine production, recoverable copper content\",thousand metric tons,22600,23000,,,,,980000,\n"
              "MCS2025,Cement,Chile,Cement,thousand metric tons,1,2,,,,,,\n"
              "MCS2025,Barite  ,United States,\"Mine production, barite\",thousand metric tons,,,W for 23-24,,,,,NA\n")
    parsed = parse_world_data(p, LABELS)
    assert parsed.edition == "MCS 2025"
    assert parsed.rows_read == 4
    assert [(s.line, "Cement" in s.reason) for s in parsed.skipped] == [(4, True)]
    chile = {(s.metric, s.year): s for s in parsed.statistics if s.country == "Chile"}
    assert chile[("production", 2023)].figure.value == 5250
    assert chile[("production", 2024)].figure.status == "estimated"
    assert chile[("reserves", 2024)].figure.value == 190000
    assert "line 2, column PROD_2023" in chile[("production", 2023)].source
    world = [s for s in parsed.statistics if s.country_kind == "world"]
    assert {s.country for s in world} == {"World total (rounded)"}
    barite = {(s.metric, s.year): s.figure.status for s in parsed.statistics if s.mineral_id == "barite"}
    assert barite[("production", 2023)] == "withheld"
    assert barite[("reserves", 2024)] == "not-available"


def test_missing_column_is_named(tmp_path):
    p = write(tmp_path, "MCS2025,Copper,Chile,x,metric tons\n",
              header="SOURCE,COMMODITY,COUNTRY,TYPE,UNITS,PROD_2023\n")
    with pytest.raises(DataFileError) as err:
        parse_world_data(p, LABELS)
    assert err.value.line == 1
    assert "UNIT_MEAS" in err.value.message


def test_text_in_numeric_column_names_line_and_column(tmp_path):
    p = write(tmp_path,
              "MCS2025,Copper,Chile,Mine,thousand metric tons,5250,5300,,,,,190000,\n"
              "MCS2025,Copper,Peru,Mine,thousand metric tons,about 2700,2600,,,,,100000,\n")
    with pytest.raises(DataFileError) as err:
        parse_world_data(p, LABELS)
    assert (err.value.line, err.value.column) == (3, "PROD_2023")
    assert "'about 2700'" in err.value.message


def test_wrong_encoding_names_the_line(tmp_path):
    p = write(tmp_path,
              "MCS2025,Copper,Chile,Mine,thousand metric tons,5250,5300,,,,,190000,\n"
              "MCS2025,Copper,Côte d'Ivoire,Mine,thousand metric tons,1,2,,,,,3,\n",
              encoding="latin-1")
    with pytest.raises(DataFileError) as err:
        parse_world_data(p, LABELS)
    assert err.value.line == 3
    assert "UTF-8" in err.value.message


def test_empty_file_and_header_only(tmp_path):
    p = tmp_path / "empty.csv"
    p.write_bytes(b"")
    with pytest.raises(DataFileError):
        parse_world_data(p, LABELS)
    with pytest.raises(DataFileError) as err:
        parse_world_data(write(tmp_path, ""), LABELS)
    assert "no data rows" in err.value.message


def test_duplicate_rows_are_refused(tmp_path):
    row = "MCS2025,Copper,Chile,Mine,thousand metric tons,5250,5300,,,,,190000,\n"
    with pytest.raises(DataFileError) as err:
        parse_world_data(write(tmp_path, row + row), LABELS)
    assert err.value.line == 3 and "line 2" in err.value.message
