"""The Quarto book project: its _quarto.yml against Quarto's schema, its layout, the engine choice."""

from __future__ import annotations

import copy
import json
import os
import re
import shutil
import stat
from pathlib import Path

import jsonschema
import pytest
import yaml

from cohorte.errors import ParamsError, RenderError
from cohorte.markup import inline
from cohorte.runner import assembly
from render_fixture import SITES, edition

SCHEMA = json.loads(
    (Path(__file__).parents[1] / "quarto_schema" / "quarto-book.schema.json").read_text(encoding="utf-8")
)


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


def test_when_edition_text_looks_like_markup_then_the_book_metadata_escapes_it(tmp_path: Path) -> None:
    hostile = edition(tmp_path).model_copy(
        update={"title": "Bilan <b>2020</b> [x](javascript:y)", "publisher": 'USH — "Union"', "subtitle": "# non"}
    )
    book = assembly.quarto_config(hostile, list(SITES))["book"]
    assert book["title"] == "Bilan \\<b\\>2020\\</b\\> \\[x\\]\\(javascript\\:y\\)"
    assert book["author"] == "USH, 'Union'"  # inside orange-book's typst string: no dash, no double quote
    assert book["subtitle"] == "\\# non"


def test_when_book_written_then_synthesis_comes_first_and_each_site_has_its_own_folder(book: Path) -> None:
    chapters = _config(book)["book"]["chapters"]
    assert chapters[0] == "index.ipynb"
    assert chapters[1:] == [f"sites/{slug}/monograph.ipynb" for slug in SITES]
    for chapter in chapters:
        assert (book.parent / chapter).exists()
    assert len({Path(c).parent for c in chapters}) == len(chapters)  # figures never collide


def test_when_book_written_then_typst_book_has_french_heads_and_our_contents_title(book: Path) -> None:
    config = _config(book)
    assert config["language"]["toc-title-document"] == "Sommaire"
    assert config["language"]["crossref-ch-prefix"] == "Chapitre"
    assert config["language"]["tools-download"] == "Télécharger"  # Quarto's French file lacks it
    typst = config["format"]["typst"]
    header = (book.parent / typst["include-in-header"]).read_text(encoding="utf-8")
    before = (book.parent / typst["include-before-body"]).read_text(encoding="utf-8")
    show = (book.parent / typst["template-partials"][0]).read_text(encoding="utf-8")
    assert "#set outline(title: [Sommaire])" in header
    assert "set heading(supplement: [Chapitre])" in before
    assert 'supplement-chapter: "Chapitre"' in show and "copyright: cohorte-colophon" in show
    assert "author: cohorte-author" in show  # pandoc would write ’ back as ' inside orange-book's string
    assert '#let cohorte-author = "Observatoire cohorte"' in header


def test_when_book_written_then_chapters_open_on_the_next_page_without_blank_verso(book: Path) -> None:
    before = (book.parent / _config(book)["format"]["typst"]["include-before-body"]).read_text(encoding="utf-8")
    assert "pagebreak(weak: true)" in before and 'to: "odd"' not in before
    assert "#set page(header:" in before  # the kit's running heads, a page number on every page


def test_when_book_written_then_the_cover_shows_the_date_and_the_notice_falls_inside_the_page(book: Path) -> None:
    header = (book.parent / assembly.TYPST_HEADER).read_text(encoding="utf-8")
    assert "here().page() == 1" in header and '"31 décembre 2020"' in header
    assert "#set page(footer" not in header  # a footer falls off the margin-less cover
    assert "#let cohorte-colophon" in header and "Observatoire cohorte, 31 décembre 2020" in header


def test_when_book_written_then_author_has_no_dash_and_date_is_iso_with_a_french_format(book: Path) -> None:
    config = _config(book)
    assert config["book"]["author"] == "Observatoire cohorte"
    assert config["book"]["date"] == "2020-12-31"  # Quarto parses no French date (« Invalid Date »)
    assert config["book"]["date-format"] == "D MMMM YYYY"
    assert config["lang"] == "fr"
    assert assembly._typst_string_safe("Fédération Hlm — observatoire") == "Fédération Hlm, observatoire"


def test_when_publisher_starts_with_an_article_then_the_author_is_capitalised_with_typographic_apostrophes(
    tmp_path: Path,
) -> None:
    ush = edition(tmp_path).model_copy(update={"publisher": "l'Union sociale pour l'habitat"})
    assert assembly.quarto_config(ush, list(SITES))["book"]["author"] == "L’Union sociale pour l’habitat"


def test_when_book_written_then_synthesis_is_numbered_like_the_sites_and_deep_sections_are_not(book: Path) -> None:
    config = _config(book)
    assert config["number-depth"] == 3
    first = json.loads((book.parent / "index.ipynb").read_text(encoding="utf-8"))["cells"][0]
    assert _source(first) == "# Synthèse transversale"  # not {.unnumbered}: « 0.1 » otherwise


def test_when_only_some_formats_are_asked_then_quarto_yml_lists_only_those(tmp_path: Path) -> None:
    config = assembly.quarto_config(edition(tmp_path), list(SITES), ("html",))
    assert list(config["format"]) == ["html"]
    assert "downloads" not in config["book"]
    config = assembly.quarto_config(edition(tmp_path), list(SITES), ("pdf", "docx"))
    assert list(config["format"]) == ["typst", "docx"]


def test_when_book_written_then_docx_images_get_their_alt_text_from_a_filter(book: Path) -> None:
    config = _config(book)
    assert config["filters"] == [{"path": assembly.ALT_FILTER, "at": "post-render"}]
    lua = (book.parent / assembly.ALT_FILTER).read_text(encoding="utf-8")
    assert 'image.attributes["fig-alt"]' in lua and "callout-" in lua


def test_when_edition_uses_demo_data_then_docx_and_typst_carry_the_notice(
    tmp_path: Path, fake_notebooks: dict[str, Path]
) -> None:
    from docx import Document

    demo = edition(tmp_path).model_copy(update={"data_dir": None})
    if not demo.uses_demo_data:
        pytest.skip("the fixture edition does not run on demo data")
    config = assembly.write_book(
        demo, fake_notebooks["synthesis"], {s: fake_notebooks[s] for s in SITES}, tmp_path / "b"
    )
    header = Document(str(config.parent / "reference.docx")).sections[0].header
    assert any("Données fictives" in p.text for p in header.paragraphs)
    assert "Données fictives" in (config.parent / assembly.TYPST_HEADER).read_text(encoding="utf-8")


def _chapter(book: Path, name: str) -> dict:
    return json.loads((book / name).read_text(encoding="utf-8"))


def _source(cell: dict) -> str:
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


@pytest.fixture(scope="module")
def real_book(executed: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("real-book")
    site_nbs = {slug: executed[slug] for slug in SITES}
    return assembly.write_book(edition(out), executed["synthesis"], site_nbs, out / "book").parent


def test_when_book_written_then_each_chapter_title_is_a_markdown_heading(real_book: Path) -> None:
    import nbformat

    for name, title in [
        ("index.ipynb", "# Synthèse transversale"),
        *[(f"sites/{slug}/monograph.ipynb", f"# {inline(label)}") for slug, label in SITES.items()],
    ]:
        nbformat.validate(nbformat.read(str(real_book / name), as_version=4))
        cells = _chapter(real_book, name)["cells"]
        first_md = next(c for c in cells if c["cell_type"] == "markdown")
        assert _source(first_md) == title, name
        outputs = [o for c in cells if c["cell_type"] == "code" for o in c["outputs"]]
        assert not any("".join(o.get("data", {}).get("text/markdown", "")).startswith("# ") for o in outputs), name
    assert "La réforme des attributions" not in (real_book / "index.ipynb").read_text(encoding="utf-8")


def test_when_book_written_then_text_cells_are_as_is_markdown_with_their_short_title_for_typst(
    real_book: Path,
) -> None:
    cells = _chapter(real_book, "sites/mel/monograph.ipynb")["cells"]
    title = next(n for n, c in enumerate(cells) if c["cell_type"] == "markdown" and _source(c).startswith("# "))
    assert _source(cells[title + 1]) == '```{=typst}\n#metadata("Métropole") <cohorte-short-title>\n```'
    assert isinstance(cells[title + 1]["source"], list)  # Quarto joins the lines of a single string
    text_cells = [c for c in cells if c["cell_type"] == "code" and c["outputs"] and "#| label: fig-" not in _source(c)]
    assert text_cells and all(_source(c).startswith("#| output: asis") for c in text_cells)
    assert all(c["metadata"] == {} for c in cells if c["cell_type"] == "code")  # no papermill div
    outputs = [o for c in text_cells for o in c["outputs"]]
    assert not any(o.get("output_type") == "stream" for o in outputs)
    for output in outputs:
        data = output.get("data", {})
        if "text/markdown" in data:
            assert data["text/markdown"].endswith("\n\n")  # as is, outputs join: blank lines between
        if "text/html" in data:
            assert "<table" in data["text/html"]  # computed text and callouts keep only their markdown


def test_when_book_written_then_each_figure_has_its_cell_with_label_caption_and_alt(real_book: Path) -> None:
    cells = _chapter(real_book, "sites/mel/monograph.ipynb")["cells"]
    figures = [
        c for c in cells if c["cell_type"] == "code" and any("image/png" in o.get("data", {}) for o in c["outputs"])
    ]
    assert len(figures) == 2
    first = _source(figures[0]).splitlines()
    assert first[:3] == [
        "#| label: fig-mel-1",
        '#| fig-cap: "Évolution du taux Q1 hors QPV"',
        '#| fig-alt: "Taux Q1 hors QPV de 2018 à 2020"',
    ]
    assert _source(figures[1]).startswith("#| label: fig-mel-2")
    assert all("\n#| fig-alt: " in _source(c) for c in figures)  # every figure described, as in the built-in engine
    assert all(sum("image/png" in o.get("data", {}) for o in c["outputs"]) == 1 for c in figures)
    text = json.dumps(cells, ensure_ascii=False)
    assert ".figure-caption" not in text  # the caption is the figure's own, not a paragraph under it


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
        assembly.write_book(
            edition(tmp_path), fake_notebooks["synthesis"], {"nantes": fake_notebooks["mel"]}, tmp_path / "b"
        )


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


def _quarto_script(folder: Path, body: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A stand-in for Quarto that follows its command line (quarto render [INPUT] [--to FORMAT])."""
    folder.mkdir(exist_ok=True)
    script = folder / "quarto"
    script.write_text(f'#!/bin/sh\nif [ "$1" = "--version" ]; then echo 1.9.38; exit 0; fi\n{body}', encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{folder}:/usr/bin:/bin")


def test_when_quarto_renders_the_book_then_it_is_called_once_without_to_and_leaves_no_scratch(
    tmp_path: Path, fake_notebooks: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    book = assembly.write_book(
        edition(tmp_path), fake_notebooks["synthesis"], {s: fake_notebooks[s] for s in SITES}, tmp_path / "b"
    ).parent
    _quarto_script(
        tmp_path / "bin",
        f'echo "$@" >> {tmp_path}/calls\nmkdir -p "$2/_book" "$2/.quarto"\nprintf "/.quarto/\\n" > "$2/.gitignore"\n'
        'touch "$2/_book/index.html" "$2/_book/synthese-2020.pdf" "$2/_book/synthese-2020.docx"\n'
        'echo "WARN: a warning" >&2\n',
        monkeypatch,
    )
    files = assembly.render_book(book)
    assert (tmp_path / "calls").read_text().splitlines() == [f"render {book}"]  # no comma-separated --to
    assert [f.name for f in files] == ["index.html", "synthese-2020.docx", "synthese-2020.pdf"]
    assert not (book / ".quarto").exists() and not (book / ".gitignore").exists()


def test_when_formats_differ_from_the_project_then_each_is_rendered_alone_and_kept(
    book: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _quarto_script(
        tmp_path / "bin",
        f'echo "$@" >> {tmp_path}/calls\nrm -rf "$2/_book"\nmkdir -p "$2/_book"\n'  # --to X empties _book/
        'case "$4" in html) touch "$2/_book/index.html";; typst) touch "$2/_book/synthese-2020.pdf";; esac\n',
        monkeypatch,
    )
    files = assembly.render_book(book.parent, ("html", "pdf"))
    assert (tmp_path / "calls").read_text().splitlines() == [
        f"render {book.parent} --to html",
        f"render {book.parent} --to typst",
    ]
    assert [f.name for f in files] == ["index.html", "synthese-2020.pdf"]


def test_when_quarto_fails_then_the_message_shows_its_error_lines_not_its_stack(
    book: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _quarto_script(
        tmp_path / "bin",
        "printf '\\033[91mERROR: Unknown format html,typst\\n\\nStack trace:\\n"
        "    at resolveFormats (file:///q/render-contexts.ts:606:13)\\n"
        "    at async quarto (file:///q/quarto.ts:198:5)\\033[39m\\n' >&2\nexit 1\n",
        monkeypatch,
    )
    with pytest.raises(RenderError, match="ERROR: Unknown format html,typst") as failure:
        assembly.render_book(book.parent)
    assert "at resolveFormats" not in str(failure.value) and "Stack trace" not in str(failure.value)
    assert "\x1b[" not in str(failure.value)


def test_when_engine_name_is_unknown_then_error_lists_choices() -> None:
    with pytest.raises(ParamsError, match="auto, quarto, builtin"):
        assembly.choose_engine("latex")


@pytest.mark.slow
@pytest.mark.skipif(
    shutil.which("quarto") is None,
    reason="quarto not on PATH: the Quarto book is checked only where Quarto >= 1.9 is installed "
    "(CI cannot install it; docs/book.md says how to assemble one)",
)
def test_book_renders_with_real_quarto(tmp_path: Path, executed: dict[str, Path]) -> None:
    if assembly.choose_engine("auto") != "quarto":
        pytest.skip(f"quarto on PATH is older than 1.9 ({assembly.quarto_version()})")
    site_nbs = {slug: executed[slug] for slug in SITES}
    config = assembly.write_book(edition(tmp_path), executed["synthesis"], site_nbs, tmp_path / "book")
    files = assembly.render_book(config.parent)
    out = config.parent / "_book"
    assert out / "index.html" in files
    assert not (config.parent / ".quarto").exists() and not (config.parent / ".gitignore").exists()
    assert (out / "synthese-2020.pdf").exists()
    assert (out / "synthese-2020.docx").exists()
    page = (out / "index.html").read_text(encoding="utf-8")
    assert "show_table(" not in page and "import " not in page
    assert "Invalid Date" not in page and "31 décembre 2020" in page
    assert "Download" not in page and "Télécharger" in page
    assert os.path.getsize(out / "synthese-2020.pdf") > 10_000
    import zipfile

    document = zipfile.ZipFile(out / "synthese-2020.docx").read("word/document.xml").decode("utf-8")
    descriptions = re.findall(r'<wp:docPr descr="([^"]*)"', document)
    assert descriptions and all(descriptions)  # every image, callout icons too, has its alt text
    assert "Invalid Date" not in document


def test_when_quarto_rendered_the_book_then_the_summary_lists_its_files_and_who_made_what(kit_home: Path) -> None:
    from cohorte import config
    from cohorte.editions import load_edition
    from cohorte.runner.pipeline import BuildReport, print_report

    edition_2020 = load_edition(2020)
    book_out = config.outputs_dir(2020) / "book" / "_book"
    book_out.mkdir(parents=True)
    for name in ("index.html", "synthese-2020.pdf", "synthese-2020.docx"):
        (book_out / name).write_text("x", encoding="utf-8")
    text = print_report(BuildReport(edition_2020, engine="quarto"))
    assert "rendered by Quarto" in text and "built-in engine" in text
    assert str(book_out / "synthese-2020.pdf") in text and str(book_out / "index.html") in text
    assert str(config.outputs_dir(2020) / "site" / "index.html") not in text
