"""Two clean builds of the demo edition in two folders are byte-identical (two sites, every format)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from cohorte.runner.reproducible import without_timings
from conftest import REPO

pytestmark = pytest.mark.slow
COHORTE = str(Path(sys.executable).with_name("cohorte"))
NOT_PUBLISHED = {"manifest.json", ".lock"}  # the build's own records: compared by _manifest


def _build(home: Path, cwd: Path) -> Path:
    shutil.copytree(REPO / "params", home / "params")
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"} | {"COHORTE_HOME": str(home)}
    result = subprocess.run(
        [COHORTE, "build", "2020", "--sites", "mel,carene", "--jobs", "2"],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=1200,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return home / "outputs" / "2020"


def _published(out: Path) -> dict[str, bytes]:
    files = {}
    for path in sorted(p for p in out.rglob("*") if p.is_file() and p.name not in NOT_PUBLISHED and p.suffix != ".log"):
        data = path.read_bytes()
        if path.suffix == ".ipynb":  # executed notebooks may keep their timings, nothing else may differ
            data = nbformat.writes(without_timings(nbformat.reads(data.decode(), as_version=4))).encode()
        files[str(path.relative_to(out))] = data
    return files


def _manifest(out: Path) -> dict:
    """What the manifest records of the inputs: the prepared slices and what each notebook ran on
    (renders and book are keyed on the executed notebooks, which keep their timings)."""
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    for entry in manifest["notebooks"].values():
        entry["outputs"] = {name: h for name, h in entry["outputs"].items() if not name.endswith(".ipynb")}
    return {section: manifest[section] for section in ("prepared", "notebooks")}


def test_two_builds_in_two_folders_are_byte_identical(tmp_path: Path) -> None:
    out_a, out_b = _build(tmp_path / "a", tmp_path), _build(tmp_path / "elsewhere" / "b", REPO)
    assert _manifest(out_a) == _manifest(out_b)  # no absolute path, no fingerprint of the folder
    first, second = _published(out_a), _published(out_b)
    assert sorted(first) == sorted(second)
    assert {".pdf", ".docx", ".html", ".png", ".csv", ".json", ".ipynb"} <= {Path(name).suffix for name in first}
    differing = [name for name in first if first[name] != second[name]]
    assert differing == [], differing
    pdf = next(data for name, data in first.items() if name.endswith("monograph.pdf"))
    assert b"D:20201231" in pdf or b"D:2020" in pdf  # dated from the edition, not from the build
