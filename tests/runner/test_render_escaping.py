"""Hostile grid text through a real render (pandoc, typst, python-docx): shown as text, never live."""

from __future__ import annotations

import subprocess
import zipfile
from pathlib import Path
from types import SimpleNamespace

import nbformat
import pytest

from cohorte.report import monograph
from cohorte.report.text import authored_markdown
from cohorte.runner import rendering

HOSTILE = {
    "script": "<script>alert('xss')</script>",
    "img": "<img src=x onerror=alert(1)>",
    "js": "[cliquer ici](javascript:alert(1))",
    "typst": "`#place(rect(fill: red))`{=typst}",
    "html": "`<b onclick=alert(1)>x</b>`{=html}",
    "fence": '```{=typst}\n#read("/etc/passwd")\n```',
    "ok": "Voir [le portail](https://www.example.fr) : *emphase*",
}


# What edition.yml gives every document (validation refuses raw HTML there; rendering escapes anyway).
META = rendering.DocMeta(
    title="Essai [lien](javascript:alert(1)) $x$",
    site_name=HOSTILE["img"],
    publisher='Éditeur "cité" \\ `#read("/etc/passwd")`{=typst}',
    date="# pas un titre",
)


def _hostile_site() -> SimpleNamespace:
    """What the markdown helpers read from a site, with grid text the validator would refuse."""
    highlight = SimpleNamespace(
        title=HOSTILE["typst"], text=HOSTILE["html"] + "\n\n" + HOSTILE["fence"], theme="governance"
    )
    grid = SimpleNamespace(
        findings=SimpleNamespace(governance=[HOSTILE["script"], HOSTILE["img"], HOSTILE["js"], HOSTILE["ok"]]),
        highlights=[highlight],
        perspectives=[HOSTILE["typst"]],
    )
    return SimpleNamespace(grid=grid, edition=SimpleNamespace(edition=2020), site=SimpleNamespace(slug="hostile"))


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    ctx = _hostile_site()
    perspectives = "\n".join(f"- {authored_markdown(p, 'perspectives', 'line')}" for p in ctx.grid.perspectives)
    parts = [
        monograph.findings_markdown(ctx, "governance"),
        monograph.highlights_markdown(ctx, "governance"),
        perspectives,
    ]
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# Site hostile")]
    for text in parts:
        cell = nbformat.v4.new_code_cell("")
        cell.outputs = [nbformat.v4.new_output("display_data", data={"text/markdown": text, "text/plain": text})]
        nb.cells.append(cell)
    folder = tmp_path_factory.mktemp("hostile")
    source = folder / "monograph.ipynb"
    nbformat.write(nb, str(source))
    paths = rendering.render_notebook(source, folder / "monograph", ("html", "pdf", "docx"), META)
    return {p.suffix[1:]: p for p in paths}


def test_html_shows_hostile_markup_as_text(rendered: dict[str, Path]) -> None:
    page = rendered["html"].read_text(encoding="utf-8")
    body = page[page.index("<body") :]
    assert "<script>alert" not in body and "&lt;script&gt;alert" in body
    assert "<img src=x" not in body and "&lt;img src=x onerror" in body
    assert 'href="javascript' not in page and "<b onclick" not in page
    assert '<a href="https://www.example.fr">le portail</a>' in body


def test_html_shows_the_documents_metadata_as_typed(rendered: dict[str, Path]) -> None:
    page = rendered["html"].read_text(encoding="utf-8")
    assert "&lt;img src=x onerror" in page and "<img src=x" not in page
    assert "Essai [lien](javascript:alert(1)) $x$" in page.replace("&quot;", '"')


def test_pdf_carries_no_injected_typst(rendered: dict[str, Path]) -> None:
    text = subprocess.run(["pdftotext", str(rendered["pdf"]), "-"], capture_output=True, text=True, check=True).stdout
    flat = " ".join(text.split())
    info = subprocess.run(["pdfinfo", str(rendered["pdf"])], capture_output=True, text=True, check=True).stdout
    assert 'Éditeur "cité" \\ `#read("/etc/passwd")`{=typst}' in info  # the PDF's author, as typed
    assert "<img src=x onerror=alert(1)>" in flat and "# pas un titre" in flat
    assert "#place(rect(fill: red))" in flat  # shown as typed
    assert "#read(« /etc/passwd »)" in flat  # shown as typed (French quotes from the smart extension)
    assert "root:" not in text


def test_docx_has_no_javascript_link(rendered: dict[str, Path]) -> None:
    with zipfile.ZipFile(rendered["docx"]) as docx:
        rels = docx.read("word/_rels/document.xml.rels").decode()
        body = docx.read("word/document.xml").decode()
    assert "javascript" not in rels
    assert "https://www.example.fr" in rels
    assert "&lt;script&gt;" in body
