"""The Quarto book project: its _quarto.yml against Quarto's schema, its layout, the engine choice."""

from __future__ import annotations

import copy
import json
import os
import shutil
import stat
from pathlib import Path

import jsonschema
import pytest
import yaml

from cohorte.build import assembly
from cohorte.errors import ParamsError, RenderError
from render_fixture import SITES, edition, executed  # noqa: F401  (session fixture)

SCHEMA = json.loads((Path(__file__).parents[1] / "quarto_schema" / "quarto-book.schema.json").read_text(encoding="utf-8"))


def _validate(config: dict) -> None:
    jsonschema.Draft202012Validator(SCHEMA).validate(config)


@pytest.fixture
def fake_notebooks(tmp_path: Path) -> dict[str, Path]:
    import nbformat

    paths = {}
    for key in ["synthesis", *SITES]:
        paths[key] = tmp_path / "nb" / f"{key}.ipynb"
        paths[key].parent.mkdir(exist_ok=True)
        nbformat.write(nbformat.v4.new_notebook(), str(paths[key]))
    return paths


@pytest.fixture
def book(tmp_path: Path, fake_notebooks: dict[str, Path]) -> Path:
    site_nbs = {slug: fake_notebooks[slug] for slug in SITES}
    return assembly.write_book(edition(tmp_path), fake_notebooks["synthesis"], site_nbs, tmp_path / "book")


def _config(book: Path) -> dict:
    return yaml.safe_load(book.read_text(encoding="utf-8"))


def test_schema_itself_is_a_valid_json_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


def test_when_book_written_then_quarto_yml_matches_quartos_schema(book: Path) -> None:
    _validate(_config(book))


def test_when_book_written_then_it_is_a_book_with_author_no_execution_and_no_code(book: Path) -> None:
    config = _config(book)
    assert config["project"]["type"] == "book"
    assert config["lang"] == "fr"
    assert config["book"]["author"]
    assert config["execute"] == {"enabled": False, "echo": False}
    assert set(config["format"]) == {"html", "typst", "docx"}
    assert config["format"]["docx"]["reference-doc"] == "reference.docx"
    assert (book.parent / "reference.docx").exists() and (book.parent / "cohorte.css").exists()


def test_when_book_written_then_synthesis_comes_first_and_each_site_has_its_own_folder(book: Path) -> None:
    chapters = _config(book)["book"]["chapters"]
    assert chapters[0] == "index.ipynb"
    assert chapters[1:] == [f"sites/{slug}/monograph.ipynb" for slug in SITES]
    for chapter in chapters:
        assert (book.parent / chapter).exists()
    assert len({Path(c).parent for c in chapters}) == len(chapters)  # figures never collide


@pytest.mark.parametrize(
    ("where", "change", "why"),
    [
        ("project", {"typ": "book"}, "unknown key in the closed `project` object"),
        ("book", {"authors": "x"}, "unknown key in the closed `book` object"),
        ("book", {"downloads": ["pdf", "html"]}, "html is not a download format"),
        ("execute", {"echo": "no"}, "echo is a boolean or 'fenced'"),
        ("execute", {"enabled": "false"}, "enabled is a boolean"),
        ("format", {"pdfx": {"toc": True}}, "not an output format the schema knows"),
        ("format", {"typst": {"toc": "yes"}}, "toc is a boolean"),
        ("lang", 3, "lang is a string"),
    ],
)
def test_when_quarto_yml_has_unknown_key_or_wrong_type_then_schema_rejects_it(
    book: Path, where: str, change: object, why: str
) -> None:
    config = copy.deepcopy(_config(book))
    if isinstance(change, dict) and isinstance(config.get(where), dict):
        config[where].update(change)
    else:
        config[where] = change
    with pytest.raises(jsonschema.ValidationError):
        _validate(config)


def test_when_book_has_no_author_then_schema_rejects_it(book: Path) -> None:
    config = _config(book)
    del config["book"]["author"]
    with pytest.raises(jsonschema.ValidationError, match="author"):
        _validate(config)


def test_when_a_notebook_is_missing_then_error_names_it(tmp_path: Path, fake_notebooks: dict[str, Path]) -> None:
    missing = tmp_path / "nowhere.ipynb"
    with pytest.raises(RenderError, match=r"nowhere\.ipynb"):
        assembly.write_book(edition(tmp_path), fake_notebooks["synthesis"], {"mel": missing}, tmp_path / "book")


def test_when_site_is_unknown_then_error_lists_known_sites(tmp_path: Path, fake_notebooks: dict[str, Path]) -> None:
    with pytest.raises(ParamsError, match="known sites"):
        assembly.write_book(edition(tmp_path), fake_notebooks["synthesis"], {"nantes": fake_notebooks["mel"]}, tmp_path / "b")


# ------------------------------------------------------------------ engine choice


def _fake_quarto(folder: Path, version: str, monkeypatch: pytest.MonkeyPatch) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    script = folder / "quarto"
    script.write_text(f"#!/bin/sh\necho {version}\n", encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", str(folder))


def test_when_quarto_absent_then_auto_falls_back_to_builtin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    assert assembly.choose_engine("auto") == "builtin"
    assert assembly.choose_engine("builtin") == "builtin"
    with pytest.raises(assembly.QuartoUnavailable, match="not on PATH"):
        assembly.choose_engine("quarto")


def test_when_quarto_is_older_than_1_9_then_error_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_quarto(tmp_path / "bin", "1.8.25", monkeypatch)
    assert assembly.choose_engine("auto") == "builtin"
    with pytest.raises(assembly.QuartoUnavailable, match=r"1\.8\.25 is too old.*>= 1\.9"):
        assembly.choose_engine("quarto")
    with pytest.raises(assembly.QuartoUnavailable):
        assembly.render_book(tmp_path)


def test_when_quarto_1_9_on_path_then_auto_chooses_quarto(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_quarto(tmp_path / "bin", "1.9.38", monkeypatch)
    assert assembly.quarto_version() == (1, 9, 38)
    assert assembly.choose_engine("auto") == "quarto"


def test_when_engine_name_is_unknown_then_error_lists_choices() -> None:
    with pytest.raises(ParamsError, match="auto, quarto, builtin"):
        assembly.choose_engine("latex")


@pytest.mark.slow
def test_book_renders_with_real_quarto(tmp_path: Path, executed: dict[str, Path]) -> None:  # noqa: F811
    if shutil.which("quarto") is None:
        pytest.skip("quarto not on PATH: the Quarto book is checked only where Quarto >= 1.9 is installed")
    if assembly.choose_engine("auto") != "quarto":
        pytest.skip(f"quarto on PATH is older than 1.9 ({assembly.quarto_version()})")
    site_nbs = {slug: executed[slug] for slug in SITES}
    config = assembly.write_book(edition(tmp_path), executed["synthesis"], site_nbs, tmp_path / "book")
    out = assembly.render_book(config.parent)
    assert (out / "index.html").exists()
    assert (out / "synthese-2020.pdf").exists()
    assert (out / "synthese-2020.docx").exists()
    page = (out / "index.html").read_text(encoding="utf-8")
    assert "show_table(" not in page and "import " not in page
    assert os.path.getsize(out / "synthese-2020.pdf") > 10_000
