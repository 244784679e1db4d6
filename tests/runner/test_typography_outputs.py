"""French typography reaches every output: the rendering path applies it once, to authored and
generated Markdown alike, and the HTML and the PDF text keep the no-break spaces."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import nbformat
import pytest

from cohorte.runner import rendering

AUTHORED = "Instances techniques : non documenté. Le « lieu commun » attend."
GENERATED = "La MEL compte 1 146 320 habitants ; 15,5 % des attributions, échéance le 24 novembre 2021."
# the same sentences at every offset of a line: without no-break spaces some would wrap inside
REPEATED = " ".join(f"{'m' * n} {AUTHORED} {GENERATED}" for n in range(1, 25))
KEPT_WHOLE = ["techniques :", "« lieu commun »", "1 146 320", "habitants ;", "15,5 %", "24 novembre 2021"]


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("typography")
    nb = nbformat.v4.new_notebook()
    shown = nbformat.v4.new_code_cell("show_markdown(...)")
    shown.outputs = [nbformat.v4.new_output("display_data", data={"text/markdown": REPEATED, "text/plain": ""})]
    nb.cells = [nbformat.v4.new_markdown_cell(f"# Titre\n\n{AUTHORED}"), shown]
    path = folder / "doc.ipynb"
    nbformat.write(nb, str(path))
    files = rendering.render_notebook(path, folder / "doc", ["html", "pdf"], rendering.DocMeta(title="T"))
    return {p.suffix[1:]: p for p in files}


EXPECTED = ["techniques\u00a0:", "«\u00a0lieu commun\u00a0»", "1\u00a0146\u00a0320", "habitants\u00a0;", "15,5\u00a0%"]


def test_when_rendered_to_html_then_authored_and_generated_text_keep_no_break_spaces(outputs) -> None:
    html = outputs["html"].read_text(encoding="utf-8").replace("&nbsp;", "\u00a0").replace("&#160;", "\u00a0")
    for piece in [*EXPECTED, "24\u00a0novembre\u00a02021"]:
        assert piece in html, piece


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils (pdftotext) not installed")
def test_when_rendered_to_pdf_then_its_text_keeps_no_break_spaces(outputs) -> None:
    text = subprocess.run(["pdftotext", str(outputs["pdf"]), "-"], capture_output=True, text=True, check=True).stdout
    text = text.replace("\u00a0", " ")
    assert text.count("\n") > 40, "the paragraph must wrap over many lines for the test to mean anything"
    for piece in KEPT_WHOLE:
        assert text.count(piece) == (AUTHORED + REPEATED).count(piece), (piece, "broken across a line")
