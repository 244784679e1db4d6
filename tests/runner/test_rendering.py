"""The built-in engine, judged on what a reader gets: PDF pages, DOCX paragraphs, HTML text."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from cohorte.errors import RenderError
from cohorte.report import display
from cohorte.runner import rendering
from render_fixture import HEADINGS, KEY_FIGURE, SITES, edition

ARTIFACTS = Path(__file__).parents[1] / "artifacts"
CODE_MARKERS = ("import ", "show_table(", "show_figure(", "demo_notice(", "plt.", "trace de débogage")
SLUG = next(iter(SITES))


def _no_code(text: str) -> None:
    for marker in CODE_MARKERS:
        assert marker not in text, f"code or debug output {marker!r} reached the reader"


# ------------------------------------------------------------------ display conventions


@pytest.fixture
def shown(monkeypatch: pytest.MonkeyPatch) -> list[tuple[dict, dict]]:
    calls: list[tuple[dict, dict]] = []
    monkeypatch.setattr(display, "display", lambda obj, metadata=None, raw=False: calls.append((obj, metadata or {})))
    return calls


def test_table_has_no_index_and_right_aligns_french_numbers(shown: list) -> None:
    frame = pd.DataFrame({"Site": ["Lorient", "MEL"], "Taux": ["18,4\u00a0%", "n.s."]}, index=[7, 9])
    display.show_table(frame, caption="Taux Q1")
    bundle = shown[0][0]
    assert set(bundle) == {"text/markdown", "text/html", "text/plain"}
    markdown = bundle["text/markdown"]
    assert markdown.splitlines()[0] == "| Site | Taux |"
    assert markdown.splitlines()[1] == "|:--|--:|"
    assert ": Taux Q1" in markdown
    assert "7" not in bundle["text/html"] and "<caption>Taux Q1</caption>" in bundle["text/html"]


def test_when_a_table_wraps_then_its_columns_are_as_wide_as_their_words(shown: list) -> None:
    frame = pd.DataFrame(
        {
            "Objectif": ["Attributions hors QPV au 1er quartile", "Publics prioritaires — Collectivités"],
            "National": ["25 %", "25 %"],
            "Local": ["55 %", "30 %"],
            "Résultat": ["30,2 %", "20,5 %"],
            "Situation": ["atteint", "non atteint"],
        }
    )
    display.show_table(frame)
    rule = shown[0][0]["text/markdown"].splitlines()[1]
    dashes = [len(cell.strip(":")) for cell in rule.strip("|").split("|")]
    assert dashes[0] > 2 * dashes[1]  # equal widths hyphenated « Attri-butions » in a sixth of the page
    assert rule.split("|")[2].endswith(":")  # numbers still right-aligned


def test_when_the_publisher_starts_with_an_article_then_covers_capitalise_it_and_date_is_french(
    tmp_path: Path,
) -> None:
    ush = edition(tmp_path).model_copy(update={"publisher": "l'Union sociale pour l'habitat"})
    meta = rendering.document_meta(ush)
    assert meta.publisher == "L’Union sociale pour l’habitat"
    assert meta.date == "31 décembre 2020"


def test_table_cell_with_pipe_is_escaped(shown: list) -> None:
    display.show_table(pd.DataFrame({"a": ["x|y"]}))
    assert "x\\|y" in shown[0][0]["text/markdown"]


def test_demo_notice_only_for_demo_editions(shown: list) -> None:
    display.demo_notice(False)
    assert shown == []
    display.demo_notice(True)
    assert shown[0][0]["text/markdown"].startswith("::: {.callout-warning}")
    assert "Données fictives" in shown[0][0]["text/markdown"]


def test_boxed_notices_carry_html_for_jupyterlab(shown: list) -> None:
    display.demo_notice(True)
    display.show_markdown(display.callout_markdown("À Lorient", "Une CIL **active**."))
    display.show_markdown("Texte simple.")
    for bundle, _ in shown[:2]:
        assert ":::" not in bundle["text/html"] and '<div class="callout-' in bundle["text/html"]
        assert "border-left" in bundle["text/html"]
    assert "<strong>active</strong>" in shown[1][0]["text/html"]
    assert "text/html" not in shown[2][0]  # plain text stays markdown only


def test_figure_is_png_with_alt_and_closed(shown: list) -> None:
    import matplotlib

    matplotlib.use("agg")  # test process only: the kernel keeps its inline backend
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    ax.plot([1, 2])
    display.show_figure(fig, alt="Une courbe", caption="Courbe")
    bundle, metadata = shown[0]
    assert "image/png" in bundle and metadata["cohorte"]["alt"] == "Une courbe"
    assert shown[1][0]["text/markdown"].startswith("::: {.figure-caption}")
    assert not plt.fignum_exists(fig.number)


# ------------------------------------------------------------------ reader's notebook


def test_reader_notebook_keeps_no_code_and_no_stream(executed: dict[str, Path]) -> None:
    nb = nbformat.read(str(executed[SLUG]), as_version=4)
    reader = rendering.reader_notebook(nb)
    assert {cell.cell_type for cell in reader.cells} == {"markdown"}
    _no_code("\n".join(cell.source for cell in reader.cells))
    figures = [cell for cell in reader.cells if cell.get("attachments")]
    assert len(figures) == 2  # show_figure and a plain plt.show() through the inline backend
    assert sum("figure-caption" in cell.source for cell in reader.cells) == 0  # caption moved onto the figure


def test_when_a_cell_failed_then_render_error_names_the_cell() -> None:
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("1/0")
    cell.outputs = [nbformat.v4.new_output("error", ename="ZeroDivisionError", evalue="division by zero", traceback=[])]
    nb.cells = [nbformat.v4.new_markdown_cell("# T"), cell]
    with pytest.raises(RenderError, match=r"x\.ipynb: cell 2 ended with ZeroDivisionError"):
        rendering.reader_notebook(nb, "x.ipynb")


def test_when_format_is_unknown_then_error_lists_formats(tmp_path: Path, executed: dict[str, Path]) -> None:
    with pytest.raises(RenderError, match="odt"):
        rendering.render_notebook(executed[SLUG], tmp_path / "m", ["odt"], rendering.DocMeta(title="T"))


# ------------------------------------------------------------------ rendered documents


@pytest.fixture(scope="module")
def rendered(executed: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("rendered")
    ed = edition(out)
    meta = rendering.document_meta(ed, SLUG, provenance="cohorte 0.1.0 · commit de test")
    files = rendering.render_notebook(executed[SLUG], out / "sites" / SLUG / "monograph", rendering.FORMATS, meta)
    synthesis = rendering.render_notebook(
        executed["synthesis"], out / "synthese-2020", ["pdf"], rendering.document_meta(ed)
    )
    return {path.suffix[1:]: path for path in files} | {"synthesis-pdf": synthesis[0], "folder": out}


def test_outputs_are_written_atomically_next_to_each_other(rendered: dict[str, Path]) -> None:
    folder = rendered["html"].parent
    assert sorted(p.name for p in folder.iterdir()) == ["monograph.docx", "monograph.html", "monograph.pdf"]


@pytest.mark.parametrize("fmt", ["html", "pdf", "docx"])
def test_when_a_render_fails_then_the_last_good_output_is_untouched_and_no_temp_file_remains(
    executed: dict[str, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    fmt: str,
) -> None:
    base = tmp_path / "monograph"
    meta = rendering.DocMeta(title="T")
    (good,) = rendering.render_notebook(executed[SLUG], base, [fmt], meta)
    before = good.read_bytes()

    def broken(args, *, cwd=None, **kwargs):  # writes half an output, then fails like pandoc would
        target = Path(args[args.index("-o") + 1])
        (Path(cwd or ".") / target).write_text("<html><body>half", encoding="utf-8")
        raise RenderError("pandoc stopped half-way")

    monkeypatch.setattr(rendering, "run_pandoc", broken)
    with pytest.raises(RenderError, match="half-way"):
        rendering.render_notebook(executed[SLUG], base, [fmt], meta)
    assert good.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [good.name]


needs_poppler = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils (pdftotext) not installed")


def _pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def _pdf_pages(path: Path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


@needs_poppler
def test_pdf_has_cover_contents_headings_key_figure_and_no_code(rendered: dict[str, Path]) -> None:
    text = _pdf_text(rendered["pdf"])
    pages = text.split("\f")
    assert SITES[SLUG] in pages[0] and "Édition 2020" in pages[0]  # cover
    assert "Sommaire" in pages[1]  # table of contents
    for heading in HEADINGS:
        assert heading in text
    assert KEY_FIGURE.replace("\u00a0", " ") in text.replace("\u00a0", " ")
    assert "Indicateurs clés de la demande" in text and "12 480" in text.replace("\u00a0", " ")
    assert "Tableau 1" in text and "Tableau 2" not in text  # the one captioned table is the first
    assert "Page 1 sur" in text  # page numbers
    _no_code(text)
    assert 3 <= _pdf_pages(rendered["pdf"]) <= 8


@needs_poppler
def test_pdf_shows_demo_notice_on_every_page(rendered: dict[str, Path]) -> None:
    pages = [page for page in _pdf_text(rendered["pdf"]).split("\f") if page.strip()]
    assert all("Données fictives" in page for page in pages)


@needs_poppler
def test_no_pdf_page_ends_with_a_heading_or_a_caption(rendered: dict[str, Path]) -> None:
    from pdf_pages import last_line, stranded

    headings = {SITES[SLUG], *HEADINGS}
    running = ("Observatoire cohorte", "Édition 2020", SITES[SLUG])
    assert stranded(rendered["pdf"], headings, running) == []
    assert stranded(rendered["synthesis-pdf"], headings | {"En synthèse"}, running) == []
    assert last_line("Texte\nGouvernance et pilotage\nObservatoire cohorte Page 2 sur 5", running) == HEADINGS[0]


@needs_poppler
def test_pdf_pages_render_to_png(rendered: dict[str, Path]) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    prefix = ARTIFACTS / "monograph-page"
    subprocess.run(
        ["pdftoppm", "-r", "60", "-png", "-f", "1", "-l", "3", str(rendered["pdf"]), str(prefix)], check=True
    )
    pngs = sorted(ARTIFACTS.glob("monograph-page-*.png"))
    assert len(pngs) >= 3 and all(p.stat().st_size > 2_000 for p in pngs)


@needs_poppler
def test_synthesis_pdf_has_its_title_and_summary(rendered: dict[str, Path]) -> None:
    text = _pdf_text(rendered["synthesis-pdf"])
    assert "Synthèse de l" in text and "En synthèse" in text
    _no_code(text)


def test_docx_has_title_page_headings_table_images_and_demo_notice(rendered: dict[str, Path]) -> None:
    from docx import Document

    doc = Document(str(rendered["docx"]))
    styles = {p.style.name: p.text for p in doc.paragraphs}
    assert "Title" in styles and "Monographie" in styles["Subtitle"] and SITES[SLUG] in styles["Subtitle"]
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
    assert SITES[SLUG] in headings and all(h in headings for h in HEADINGS)
    assert len(doc.tables) == 1 and doc.tables[0].rows[0].cells[0].text == "Indicateur"
    assert len(doc.inline_shapes) == 2
    assert any(p.style.name == "Encadré" and "Données fictives" in p.text for p in doc.paragraphs)
    header = " ".join(p.text for p in doc.sections[0].header.paragraphs)
    assert "Données fictives" in header
    body = "\n".join(p.text for p in doc.paragraphs)
    assert KEY_FIGURE in body
    _no_code(body)


def _docx_xml(path: Path) -> str:
    import zipfile

    with zipfile.ZipFile(path) as archive:
        return archive.read("word/document.xml").decode("utf-8")


def test_docx_images_have_alt_text_and_numbered_captions(rendered: dict[str, Path]) -> None:
    from docx import Document

    doc = Document(str(rendered["docx"]))
    xml = _docx_xml(rendered["docx"])
    descriptions = re.findall(r'<wp:docPr [^>]*descr="([^"]*)"', xml)
    assert len(descriptions) == len(doc.inline_shapes) == 2 and all(d.strip() for d in descriptions)
    assert "Taux Q1 hors QPV de 2018 à 2020" in descriptions
    captions = [p.text for p in doc.paragraphs if p.style.name in ("Table Caption", "Image Caption")]
    assert "Tableau 1\u00a0: Indicateurs clés de la demande" in captions
    assert "Figure 1\u00a0: Évolution du taux Q1 hors QPV" in captions


def test_docx_contents_are_readable_without_updating_fields(rendered: dict[str, Path]) -> None:
    from docx import Document
    from docx.oxml.ns import qn

    doc = Document(str(rendered["docx"]))
    entries = [
        "".join(t.text for t in p.iter(qn("w:t")))
        for p in doc.element.body.iter(qn("w:p"))
        if p.find(f"{qn('w:pPr')}/{qn('w:pStyle')}") is not None
        and p.find(f"{qn('w:pPr')}/{qn('w:pStyle')}").get(qn("w:val")).startswith("TOC")
    ]
    assert SITES[SLUG] in entries and all(h in entries for h in HEADINGS)
    xml = _docx_xml(rendered["docx"])
    assert xml.index('w:fldCharType="separate"') < xml.index(HEADINGS[0]) < xml.index('w:fldCharType="end"')


def test_docx_tables_share_one_width_fit_their_words_and_keep_rows_whole(rendered: dict[str, Path]) -> None:
    from docx import Document
    from docx.oxml.ns import qn

    doc = Document(str(rendered["docx"]))
    widths = {t._tbl.tblPr.find(qn("w:tblW")).get(qn("w:w")) for t in doc.tables}
    assert len(widths) == 1
    for table in doc.tables:
        assert all(row._tr.find(qn("w:trPr")).find(qn("w:cantSplit")) is not None for row in table.rows)
    cols = rendering._column_widths([["Indicateur", "Attributions hors QPV"], ["Demandes actives", "12 480"]])
    assert cols[1] >= 12 * 1.15 / (16 * 1.15 + 12 * 1.15) * sum(cols) * 0.9  # "Attributions" fits its column


def test_reference_docx_cover_fits_one_page_and_footer_counts_pages_in_one_size() -> None:
    from docx import Document
    from docx.oxml.ns import qn
    from docx.shared import Pt

    doc = Document(str(Path(__file__).parents[2] / "templates" / "reference.docx"))
    styles = doc.styles
    cover = sum(
        (styles[n].paragraph_format.space_before or 0) + 2 * (styles[n].font.size or Pt(11))
        for n in ("Title", "Subtitle", "Author", "Date")
    )
    section = doc.sections[0]
    assert cover < section.page_height - section.top_margin - section.bottom_margin
    assert all(styles[n].paragraph_format.space_before <= Pt(36) for n in ("Subtitle", "Author", "Date"))
    footer = section.footer.paragraphs[0]
    instructions = [t.text for t in footer._p.iter(qn("w:instrText"))]
    assert instructions == ["PAGE", "NUMPAGES"] and "sur" in footer.text
    assert {r.font.size for r in footer.runs} == {Pt(8.5)}


def test_standalone_html_is_french_self_contained_and_has_no_code(rendered: dict[str, Path]) -> None:
    page = rendered["html"].read_text(encoding="utf-8")
    assert '<html lang="fr">' in page
    assert page.count("<img") == 2 and "data:image/png;base64" in page
    assert "<table" in page and 'class="demo-banner"' in page
    for heading in HEADINGS:
        assert heading in page
    _no_code(page)


def test_when_not_demo_then_no_notice_in_the_frame(tmp_path: Path, executed: dict[str, Path]) -> None:
    meta = rendering.DocMeta(title="Rapport", site_name="Lorient", edition="2020", publisher="Obs.", is_demo=False)
    (html,) = rendering.render_notebook(executed[SLUG], tmp_path / "m", ["html"], meta)
    assert 'class="demo-banner"' not in html.read_text(encoding="utf-8")


def test_reference_docx_carries_the_report_styles() -> None:
    from docx import Document

    from cohorte import config

    doc = Document(str(config.templates_dir() / "reference.docx"))
    names = {style.name for style in doc.styles}
    assert {"Encadré", "Title", "Heading 1", "Heading 2", "Table", "TOC Heading"} <= names
    assert doc.styles["Heading 1"].font.name == "Liberation Sans"
    assert doc.sections[0].page_width.cm == pytest.approx(21, abs=0.01)  # A4


def test_dataframe_shown_as_html_still_becomes_a_table() -> None:
    frame = pd.DataFrame({"Site": ["Lorient"], "Taux": ["18,4 %"]})
    cell = nbformat.v4.new_code_cell("frame")
    cell.outputs = [
        nbformat.v4.new_output(
            "execute_result", data={"text/html": frame.to_html(), "text/plain": "x"}, execution_count=1
        )
    ]
    nb = nbformat.v4.new_notebook()
    nb.cells = [cell]
    (table,) = rendering.reader_notebook(nb).cells
    assert "Lorient" in table.source and "Taux" in table.source and "<table" not in table.source
