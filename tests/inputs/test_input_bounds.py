"""Bounded reading: bombs and garbage are refused quickly, with the file, the place and the limit."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from cohorte import files
from cohorte.cli import main
from cohorte.errors import GridError
from cohorte.inputs import readers


def run_check(data_dir: Path) -> str:
    return CliRunner().invoke(main, ["check", "2020", "--data", str(data_dir)]).output


def _zip_bomb(path: Path, inflated: int) -> Path:
    """A ZIP (an .xlsx by its name) whose single member inflates ``inflated`` zero bytes."""
    with (
        zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive,
        archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member,
    ):
        for _ in range(inflated >> 20):
            member.write(b"\0" * (1 << 20))
    return path


def test_when_an_input_xlsx_unzips_past_the_limit_then_check_refuses_it_before_reading(
    tiny_data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(files, "MAX_UNZIPPED_BYTES", 8 << 20)
    (tiny_data / "cal_presentations.csv").unlink()
    _zip_bomb(tiny_data / "cal_presentations.xlsx", 16 << 20)
    assert (
        "cal_presentations.xlsx: unzips to 16,777,216 bytes, more than the limit of 8,388,608 bytes for a workbook"
        in run_check(tiny_data)
    )


def test_when_the_grids_workbook_unzips_past_the_limit_then_import_refuses_it(
    kit_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cohorte.grids import xlsx

    monkeypatch.setattr(xlsx, "MAX_GRIDS_UNZIPPED_BYTES", 4 << 20)
    with pytest.raises(GridError, match=r"grilles\.xlsx: unzips to 8,388,608 bytes, more than the limit of 4,194,304"):
        xlsx.import_xlsx(2020, _zip_bomb(tmp_path / "grilles.xlsx", 8 << 20))


def test_when_a_field_is_huge_then_check_names_file_line_column_and_limit(tiny_data: Path) -> None:
    path = tiny_data / "attributions.csv"
    frame = pd.read_csv(path, dtype=str)
    frame.loc[1, "landlord"] = "x" * 10_000_000
    frame.to_csv(path, index=False)
    output = run_check(tiny_data)
    assert (
        "attributions.csv: line 3: column 'landlord': a field of 10,000,000 characters, more than the limit of 10,000"
        in output
    )
    assert len(output) < 5_000  # the field itself is never echoed


GARBAGE_ROWS = 100_000


def _peak_rss_reading(path: Path) -> tuple[int, list[str]]:
    """Read and validate ``path`` as the demands table in a fresh process: (peak RSS growth in kB, problems)."""
    code = f"""
import json, re
from pathlib import Path
from cohorte.editions import load_edition
from cohorte.errors import InputDataError
from cohorte.inputs.readers import read_table, validate_table
from cohorte.inputs.schemas import schema_for
def peak():  # VmHWM: this process's own peak (ru_maxrss would carry the forking parent's over exec)
    return int(re.search(r"VmHWM:\\s+(\\d+)", open("/proc/self/status").read())[1])
before = peak()
try:
    _, problems = validate_table(read_table(Path({str(path)!r})), schema_for("demands", load_edition(2020)))
except InputDataError as exc:
    problems = exc.problems
print(json.dumps([peak() - before, problems]))
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    rss, problems = json.loads(out)
    return rss, problems


@pytest.fixture(scope="module")
def big_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    from conftest import tiny_tables

    folder = tmp_path_factory.mktemp("big")
    demands = tiny_tables()["demands"]
    demands = demands[demands["epci"] != "200093201"]  # keep rows that are valid as they stand
    good = pd.concat([demands] * (GARBAGE_ROWS // len(demands)), ignore_index=True)
    good["demand_id"] = [f"{i:015d}A" for i in range(len(good))]
    good.to_csv(folder / "good.csv", index=False)
    width = len((folder / "good.csv").read_text(encoding="utf-8").splitlines()[1]) // len(good.columns)
    garbage = pd.DataFrame({c: ["#" * (width - 1)] * len(good) for c in good.columns})  # the same size on disk
    garbage.to_csv(folder / "garbage.csv", index=False)
    return {"good": folder / "good.csv", "garbage": folder / "garbage.csv"}


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="peak memory read from /proc (Linux)")
def test_when_a_csv_is_garbage_then_checking_stops_early_and_costs_about_what_a_good_file_costs(
    big_files: dict[str, Path],
) -> None:
    good_rss, good_problems = _peak_rss_reading(big_files["good"])
    bad_rss, bad_problems = _peak_rss_reading(big_files["garbage"])
    assert good_problems == []
    assert any(f"more than {readers.MAX_BAD_CELLS:,} unreadable cells; checking stopped" in p for p in bad_problems)
    assert len(bad_problems) <= 20 and all(len(p) < 1_000 for p in bad_problems)
    assert bad_rss < 1.25 * good_rss, (bad_rss, good_rss)  # before the bound: 2.3 times
