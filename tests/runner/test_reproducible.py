"""Two clean builds of the demo edition in two folders are byte-identical (two sites, every format)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO

pytestmark = pytest.mark.slow
COHORTE = str(Path(sys.executable).with_name("cohorte"))


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
    """Every file a reader or the book can get, the executed notebooks and the manifest included
    (kernels' logs and the lock are the build's own)."""
    return {
        str(p.relative_to(out)): p.read_bytes()
        for p in sorted(out.rglob("*"))
        if p.is_file() and p.name != ".lock" and p.suffix != ".log"
    }


def test_two_builds_in_two_folders_are_byte_identical(tmp_path: Path) -> None:
    out_a, out_b = _build(tmp_path / "a", tmp_path), _build(tmp_path / "elsewhere" / "b", REPO)
    first, second = _published(out_a), _published(out_b)
    assert sorted(first) == sorted(second)
    assert {".pdf", ".docx", ".html", ".png", ".csv", ".json", ".ipynb"} <= {Path(name).suffix for name in first}
    assert "manifest.json" in first
    differing = [name for name in first if first[name] != second[name]]
    assert differing == [], differing
    pdf = next(data for name, data in first.items() if name.endswith("monograph.pdf"))
    assert b"D:20201231" in pdf or b"D:2020" in pdf  # dated from the edition, not from the build
