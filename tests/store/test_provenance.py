"""The manifest: one "is this output current?" check, paths relative to the edition, resets said aloud."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cohorte import __version__
from cohorte.store.manifest import read_manifest, write_manifest
from cohorte.store.provenance import git_commit, kit_fingerprint, provenance_block


@pytest.fixture
def edition_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "outputs" / "2020"
    (folder / "sites" / "mel").mkdir(parents=True)
    (folder / "sites" / "mel" / "monograph.pdf").write_bytes(b"%PDF good")
    return folder


def test_when_an_output_is_recorded_then_its_path_is_relative_to_the_edition_folder(edition_dir: Path) -> None:
    manifest = read_manifest(edition_dir / "manifest.json")
    manifest.record("renders", "sites/mel", "key1", [edition_dir / "sites" / "mel" / "monograph.pdf"])
    write_manifest(edition_dir / "manifest.json", manifest)
    saved = json.loads((edition_dir / "manifest.json").read_text(encoding="utf-8"))
    assert list(saved["renders"]["sites/mel"]["outputs"]) == ["sites/mel/monograph.pdf"]
    assert read_manifest(edition_dir / "manifest.json").is_current("renders", "sites/mel", "key1")


def test_when_the_edition_folder_moves_then_its_outputs_are_still_current(edition_dir: Path, tmp_path: Path) -> None:
    manifest = read_manifest(edition_dir / "manifest.json")
    manifest.record("renders", "sites/mel", "key1", [edition_dir / "sites" / "mel" / "monograph.pdf"])
    write_manifest(edition_dir / "manifest.json", manifest)
    moved = edition_dir.rename(tmp_path / "elsewhere")
    assert read_manifest(moved / "manifest.json").is_current("renders", "sites/mel", "key1")


def test_when_an_output_was_damaged_then_it_is_not_current_and_one_line_says_so(
    edition_dir: Path, capsys: pytest.CaptureFixture
) -> None:
    pdf = edition_dir / "sites" / "mel" / "monograph.pdf"
    manifest = read_manifest(edition_dir / "manifest.json")
    manifest.record("renders", "sites/mel", "key1", [pdf])
    pdf.write_bytes(b"%PDF trunc")
    assert not manifest.is_current("renders", "sites/mel", "key1", [pdf])
    assert capsys.readouterr().out == (
        "sites/mel/monograph.pdf differs from the file the build recorded (content hash changed): re-making it\n"
    )


def test_when_the_fingerprint_differs_or_an_output_is_missing_or_unrecorded_then_it_is_not_current(
    edition_dir: Path,
) -> None:
    pdf = edition_dir / "sites" / "mel" / "monograph.pdf"
    manifest = read_manifest(edition_dir / "manifest.json")
    manifest.record("renders", "sites/mel", "key1", [pdf])
    assert manifest.is_current("renders", "sites/mel", "key1", [pdf])
    assert not manifest.is_current("renders", "sites/mel", "key2", [pdf])
    assert not manifest.is_current("renders", "sites/mel", "key1", [pdf.with_suffix(".docx")])
    assert not manifest.is_current("renders", "sites/lorient", "key1")
    pdf.unlink()
    assert not manifest.is_current("renders", "sites/mel", "key1")


def test_when_there_is_no_manifest_then_it_starts_empty_silently(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    manifest = read_manifest(tmp_path / "manifest.json")
    assert manifest.notebooks == {} and manifest.root == tmp_path
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize("content", ["{not json", '{"notebooks": {"sites/mel": {"sha256": "abc"}}}', "[]"])
def test_when_the_manifest_is_invalid_then_it_is_reset_and_a_line_says_so(
    tmp_path: Path, content: str, capsys: pytest.CaptureFixture
) -> None:
    (tmp_path / "manifest.json").write_text(content, encoding="utf-8")
    manifest = read_manifest(tmp_path / "manifest.json")
    assert manifest.notebooks == {}
    out = capsys.readouterr().out
    assert out.startswith(f"{tmp_path / 'manifest.json'}: not a valid manifest (")
    assert out.endswith("starting from an empty one: every output will be re-made\n")


def test_when_sites_leave_the_edition_then_their_entries_are_forgotten(edition_dir: Path) -> None:
    manifest = read_manifest(edition_dir / "manifest.json")
    for name in ("sites/mel", "sites/gone", "synthesis"):
        manifest.record("notebooks", name, "k", [])
    manifest.forget_sites(["mel"])
    assert set(manifest.notebooks) == {"sites/mel", "synthesis"}


def test_provenance_block_names_the_kit_the_commit_and_the_inputs() -> None:
    block = provenance_block({"demands.csv": "b", "attributions.csv": "a"}, commit="abc123")
    assert block == {
        "kit_version": __version__,
        "git_commit": "abc123",
        "inputs": {"attributions.csv": "a", "demands.csv": "b"},
    }
    assert git_commit() and len(kit_fingerprint()) == 64
