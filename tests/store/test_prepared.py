"""Preparation: every site's slice computed once, cached on content hashes, re-made when damaged."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cohorte import config
from cohorte.editions import load_edition
from cohorte.errors import InputDataError
from cohorte.files import sha256_file
from cohorte.store.manifest import read_manifest
from cohorte.store.prepared import ensure_prepared, prepare


def test_when_prepared_then_every_site_has_its_slice_and_the_inputs_behind_it(kit_home: Path, tiny_data: Path) -> None:
    edition = load_edition(2020).with_data_dir(tiny_data)
    manifest = read_manifest(config.manifest_path(2020))
    assert prepare(edition, tiny_data, manifest) is True
    for slug in edition.slugs:
        assert (config.prepared_dir(2020, slug) / config.PREPARED_FILE).exists()
    context = json.loads((config.prepared_dir(2020, "mel") / config.CONTEXT_FILE).read_text(encoding="utf-8"))
    assert {k: context[k] for k in ("demo_data", "inputs")} == {
        "demo_data": False,
        "inputs": {p.name: sha256_file(p) for p in sorted(tiny_data.glob("*.csv"))},
    }
    assert {"q1_threshold", "abnormal_delay", "cotation"} <= set(context["facts"]), (
        "where the figures come from travels with the slice"
    )
    assert manifest.prepared["indicators"].sources == context["inputs"]


def test_when_nothing_changed_then_preparation_is_skipped_and_a_changed_input_redoes_it(
    kit_home: Path, tiny_data: Path, capsys: pytest.CaptureFixture
) -> None:
    edition = load_edition(2020).with_data_dir(tiny_data)
    manifest = read_manifest(config.manifest_path(2020))
    prepare(edition, tiny_data, manifest)
    assert prepare(edition, tiny_data, manifest) is False
    thresholds = tiny_data / "q1_thresholds.csv"
    thresholds.write_text(thresholds.read_text(encoding="utf-8").replace("7850.0", "7900.0"), encoding="utf-8")
    capsys.readouterr()
    assert prepare(edition, tiny_data, manifest) is True
    assert "computing the indicators of 12 sites" in capsys.readouterr().out


def test_when_a_slice_is_truncated_then_it_is_re_made_and_one_line_says_so(
    kit_home: Path, tiny_data: Path, capsys: pytest.CaptureFixture
) -> None:
    edition = load_edition(2020).with_data_dir(tiny_data)
    manifest = read_manifest(config.manifest_path(2020))
    prepare(edition, tiny_data, manifest)
    slice_ = config.prepared_dir(2020, "mel") / config.PREPARED_FILE
    good = slice_.read_bytes()
    slice_.write_bytes(good[: len(good) // 2])
    capsys.readouterr()
    assert prepare(edition, tiny_data, manifest) is True
    assert slice_.read_bytes() == good
    out = capsys.readouterr().out
    assert out.count("differs from the file the build recorded") == 1
    assert "sites/mel/prepared/indicators.csv differs" in out


def test_when_the_demo_data_are_missing_then_the_notebook_path_says_what_to_run_and_generates_nothing(
    kit_home: Path,
) -> None:
    with pytest.raises(
        InputDataError,
        match=r"no input data for edition 2020; run `cohorte demo-data 2020` for demo data, "
        r"or set data_dir in params/2020/edition.yml",
    ):
        ensure_prepared(load_edition(2020), "mel")
    assert not config.demo_data_dir(2020).exists()


def test_when_the_configured_data_folder_is_missing_then_the_message_names_it(kit_home: Path, tmp_path: Path) -> None:
    edition = load_edition(2020).with_data_dir(tmp_path / "nowhere")
    with pytest.raises(InputDataError, match=r"nowhere: no such data folder \(data_dir in params/2020/edition.yml\)"):
        ensure_prepared(edition, "mel")


def test_when_the_slice_is_missing_then_ensure_prepared_makes_it_once_and_records_it(
    kit_home: Path, tiny_data: Path
) -> None:
    edition = load_edition(2020).with_data_dir(tiny_data)
    folder = ensure_prepared(edition, "mel")
    assert folder == config.prepared_dir(2020, "mel") and (folder / config.PREPARED_FILE).exists()
    manifest = read_manifest(config.manifest_path(2020))
    assert "sites/mel/prepared/indicators.csv" in manifest.prepared["indicators"].outputs
    assert prepare(edition, tiny_data, manifest) is False, "the build would prepare again"
