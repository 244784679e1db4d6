"""Failures stay local: a site's documents change together, and I/O errors become per-site sentences.

The file-system faults use real mounts (a tiny tmpfs for a full disk, read-only bind mounts): they
need root and ``mount``, and are skipped otherwise. Builds run on two sites, HTML only.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from cohorte.errors import RenderError
from cohorte.files import is_temp_name, sha256_file
from cohorte.runner import rendering
from conftest import REPO
from render_fixture import SITES

COHORTE = str(Path(sys.executable).with_name("cohorte"))
ARGS = ["build", "2020", "--sites", "mel,carene", "--jobs", "2", "--formats", "html"]


def test_when_the_pdf_fails_then_the_site_html_and_docx_stay_as_they_were(
    executed: dict[str, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    base = tmp_path / "monograph"
    first = rendering.render_notebook(
        executed[next(iter(SITES))], base, ["html", "pdf", "docx"], rendering.DocMeta(title="Avant")
    )
    before = {p.name: p.read_bytes() for p in first}

    import typst

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("typst: out of memory")

    monkeypatch.setattr(typst, "compile", broken)
    with pytest.raises(RenderError, match="typst failed"):
        rendering.render_notebook(
            executed[next(iter(SITES))], base, ["html", "pdf", "docx"], rendering.DocMeta(title="Après")
        )
    assert {p.name: p.read_bytes() for p in first} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(before)


# --- real file-system faults -------------------------------------------------------------------


def _mount(*args: str) -> bool:
    return subprocess.run(["mount", *args], capture_output=True, check=False).returncode == 0


def _can_mount(tmp_path: Path) -> bool:
    probe = tmp_path / "probe"
    probe.mkdir()
    ok = (
        os.geteuid() == 0
        and shutil.which("mount") is not None
        and _mount("-t", "tmpfs", "-o", "size=64k", "tmpfs", str(probe))
    )
    if ok:
        subprocess.run(["umount", str(probe)], check=True)
    probe.rmdir()
    return ok


@pytest.fixture
def home(tmp_path: Path):  # type: ignore[no-untyped-def]
    if not _can_mount(tmp_path):
        pytest.skip("needs root and mount (tmpfs, bind mounts)")
    shutil.copytree(REPO / "params", tmp_path / "params")
    subprocess.run([COHORTE, "demo-data", "2020"], env=_env(tmp_path), check=True, capture_output=True)
    mounts: list[Path] = []
    yield tmp_path, mounts
    for point in reversed(mounts):
        subprocess.run(["umount", str(point)], capture_output=True, check=False)


def _env(home: Path) -> dict[str, str]:
    return {**os.environ, "COHORTE_HOME": str(home)}


def _build(home: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [COHORTE, *ARGS, *extra], env=_env(home), capture_output=True, text=True, timeout=900, check=False
    )


def _read_only(point: Path, mounts: list[Path]) -> None:
    assert _mount("--bind", str(point), str(point)) and _mount("-o", "remount,ro,bind", str(point))
    mounts.append(point)


def _consistent(out: Path) -> None:
    """The manifest parses, matches the files it lists, and no temporary file is left."""
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    for section in ("prepared", "notebooks", "renders"):
        for name, entry in manifest.get(section, {}).items():
            for relative, digest in entry["outputs"].items():
                assert sha256_file(out / relative) == digest, f"{section}/{name}: {relative}"
    assert [p for p in out.rglob("*") if is_temp_name(p.name)] == []


@pytest.mark.slow
def test_when_a_site_folder_is_full_then_only_that_site_fails_in_one_sentence_and_a_rerun_recovers(home) -> None:  # type: ignore[no-untyped-def]
    root, mounts = home
    site = root / "outputs" / "2020" / "sites" / "mel"
    site.mkdir(parents=True)
    assert _mount("-t", "tmpfs", "-o", "size=256k", "tmpfs", str(site))
    mounts.append(site)
    result = _build(root)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    failed = [line for line in result.stdout.splitlines() if "FAILED sites/mel" in line]
    assert failed and "No space left on device" in failed[0] and str(site) in failed[0]
    assert "FAILED sites/carene" not in result.stdout
    assert (root / "outputs/2020/sites/carene/monograph.html").exists()
    _consistent(root / "outputs" / "2020")
    subprocess.run(["umount", str(site)], check=True)
    mounts.remove(site)
    rerun = _build(root)
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    assert (site / "monograph.html").exists()
    _consistent(root / "outputs" / "2020")


@pytest.mark.slow
def test_when_a_site_folder_or_the_output_tree_is_read_only_then_the_build_says_so_in_one_sentence(home) -> None:  # type: ignore[no-untyped-def]
    root, mounts = home
    assert _build(root).returncode == 0
    out = root / "outputs" / "2020"
    site = out / "sites" / "mel"
    before = sha256_file(site / "monograph.html")
    _read_only(site, mounts)
    result = _build(root, "--force")
    assert result.returncode == 1 and "Traceback" not in result.stdout + result.stderr
    line = next(
        (line for line in result.stdout.splitlines() if "FAILED sites/mel" in line), result.stdout + result.stderr
    )
    assert "Read-only file system" in line and str(site) in line
    assert "FAILED sites/carene" not in result.stdout
    assert sha256_file(site / "monograph.html") == before
    _read_only(out, mounts)
    result = _build(root, "--force")
    assert result.returncode == 1
    assert result.stderr.strip().startswith(f"Error: cannot write {out}")
    assert "Read-only file system" in result.stderr and "Traceback" not in result.stderr
