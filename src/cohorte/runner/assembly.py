"""The edition as a Quarto book project (``outputs/EDITION/book/``), rendered by Quarto when present.

The book's chapters are the executed notebooks themselves: the synthesis as ``index.ipynb``
(Quarto's book home page), then one chapter per site in its own folder
(``sites/SLUG/monograph.ipynb``) so that figure files never collide. ``_quarto.yml`` renders the
stored outputs without re-running anything (``execute: enabled: false``) and hides all code
(``echo: false``). Keys follow Quarto's schema (quarto-cli ``src/resources/schema/``), checked by
``tests/quarto_schema/quarto-book.schema.json``.

When Quarto is missing (or older than 1.9, the first version with typst books), the build falls
back to the built-in engine (:mod:`cohorte.runner.rendering`): see :func:`choose_engine`.
"""

from __future__ import annotations

import copy
import json
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

import yaml

from cohorte import config, typography
from cohorte.errors import ParamsError, RenderError
from cohorte.files import fingerprint, os_error_sentence, replace_dir, sha256_file
from cohorte.markup import inline
from cohorte.store.manifest import Manifest
from cohorte.store.provenance import kit_fingerprint

MIN_QUARTO = (1, 9)
ENGINES = ("auto", "quarto", "builtin")
Engine = Literal["quarto", "builtin"]


class QuartoUnavailable(RenderError):
    """Quarto is not on PATH, or too old: the caller falls back to the built-in engine."""


SYNTHESIS_CHAPTER = "Synthèse transversale"
# The typst book (Quarto's orange-book template) carries three files of the kit:
# - the header include (before `#show: book.with(...)`): the contents' title (orange-book calls
#   `outline()` without one) and the page foreground: the cover's date (orange-book takes a date
#   but never prints it) and the demo notices at every page's foot (a footer would fall off the
#   cover, which has no margin);
# - the body include (templates/book-before.typ): chapters without blank versos, French running
#   heads on one line, tables without hyphenation;
# - a DOCX filter (templates/book-alt.lua): alt text on every image.
# Quarto >= 1.10 forwards `language` (crossref-ch-prefix) to orange-book (quarto-cli#14525); 1.9.38
# does not (quarto-cli#14524): book-before.typ sets the « Chapitre » supplement itself.
TYPST_HEADER = "typst-header.typ"
TYPST_BEFORE = "typst-before.typ"
TYPST_SHOW = "typst-show.typ"  # Quarto's template partial: how the book template is called
ALT_FILTER = "cohorte-alt.lua"
# French words Quarto's own French file lacks (quarto-cli src/resources/language/_language-fr.yml):
# the book's download menu.
LANGUAGE = {
    "toc-title-document": "Sommaire",
    "crossref-ch-prefix": "Chapitre",
    "tools-download": "Télécharger",
    "tools-share": "Partager",
}
DATE_FORMAT = "D MMMM YYYY"  # Quarto's date-format (dayjs tokens), in the book's language: « 31 décembre 2020 »
NUMBER_DEPTH = 3  # « 2.3.1 » at most: deeper numbers overflow orange-book's margin
BOOK_FORMATS = ("html", "pdf", "docx")
QUARTO_FORMATS = {"html": "html", "pdf": "typst", "docx": "docx"}  # the kit's format → Quarto's


def _typst_string_safe(text: str) -> str:
    """Text that stays itself inside a typst string: pandoc's typst writer turns — and – into
    ``---`` and ``--`` (markup shorthands), printed literally inside the string orange-book puts the
    author in; a double quote would end that string."""
    return re.sub(r"\s*[—–]\s*", ", ", text).replace('"', "'")


def _typst_text(text: str) -> str:
    """A typst string literal."""
    return json.dumps(text, ensure_ascii=False)


def _typst_header(edition) -> str:
    from cohorte.report.formatting import fmt_date_fr
    from cohorte.runner.rendering import author_name

    footers = [*_fictitious_footer(edition), *([DEMO_FOOTER] if edition.uses_demo_data else [])]
    notice = (
        f'place(center + bottom, dy: -1.2cm, text(size: 8pt, fill: rgb("#9a3412"), weight: "bold", '
        f"{_typst_text(' · '.join(footers))}))"
        if footers
        else "none"
    )
    date = _typst_text(fmt_date_fr(edition.reference_date))
    colophon = [
        edition.title,
        edition.subtitle,
        f"{author_name(edition.publisher)}, {fmt_date_fr(edition.reference_date)}",
    ]
    typed = [line.replace("'", "\u2019") for line in colophon if line]  # apostrophes as on the cover
    lines = " \\\n  ".join(f"#text({_typst_text(line)})" for line in typed)
    return (
        "#set outline(title: [Sommaire])\n"
        "#set page(foreground: context {\n"
        f"  if here().page() == 1 {{ place(center + bottom, dy: -5cm, text(size: 16pt, {date})) }}\n"
        f"  {notice}\n"
        "})\n"
        f"#let cohorte-colophon = [\n  #set par(justify: false)\n  {lines}\n]\n"
        # the cover's author as typed: pandoc writes a variable's ’ back as ' (its smart extension),
        # which stays straight inside the typst string orange-book prints
        f"#let cohorte-author = {_typst_text(author_name(edition.publisher))}\n"
    )


DEMO_FOOTER = "Données fictives — document de démonstration, chiffres non réels"


def _fictitious_footer(edition) -> list[str]:
    from cohorte.runner.rendering import fictitious_notices

    footer = fictitious_notices(edition)["fictitious_footer"]
    return [footer] if footer else []


def quarto_config(edition, slugs: list[str], formats=BOOK_FORMATS) -> dict:
    """The content of ``_quarto.yml`` for an edition (``edition`` is a :class:`cohorte.editions.Edition`):
    the formats asked for (the kit's names: html, pdf, docx), which ``quarto render BOOK`` renders together."""
    from cohorte.runner.rendering import author_name

    wanted = [f for f in BOOK_FORMATS if f in formats]
    footer = (
        " · ".join([*_fictitious_footer(edition), DEMO_FOOTER])
        if edition.uses_demo_data
        else (" · ".join([*_fictitious_footer(edition), author_name(edition.publisher)]))
    )
    # Quarto reads these as Markdown: escaped (markup.inline) so that they show as typed
    book: dict = {
        "title": inline(edition.title),
        # always set: typst books fail without it (Quarto 1.9.38); no dash: see _typst_string_safe
        "author": inline(_typst_string_safe(author_name(edition.publisher))),
        # an ISO date (Quarto parses no other) printed in the book's language by date-format
        "date": edition.reference_date.isoformat(),
        "date-format": DATE_FORMAT,
        "chapters": ["index.ipynb", *[f"sites/{slug}/{config.MONOGRAPH_NOTEBOOK}" for slug in slugs]],
        "output-file": f"synthese-{edition.edition}",
        "page-footer": inline(footer),
    }
    downloads = [f for f in ("pdf", "docx") if f in wanted and "html" in wanted]
    if downloads:
        book["downloads"] = downloads
    if edition.subtitle:
        book["subtitle"] = inline(edition.subtitle)
    every_format = {
        "html": {"toc": True, "css": ["cohorte.css"]},
        "pdf": {
            "toc": True,
            "papersize": "a4",
            "toc-title": "Sommaire",
            "include-in-header": TYPST_HEADER,
            "include-before-body": TYPST_BEFORE,
            "template-partials": [TYPST_SHOW],
        },
        "docx": {"toc": True, "toc-title": "Sommaire", "reference-doc": "reference.docx"},
    }
    return {
        "project": {"type": "book", "output-dir": "_book"},
        "lang": "fr",
        "language": dict(LANGUAGE),
        "quarto-required": ">= 1.9.0",
        "execute": {"enabled": False, "echo": False},
        "number-depth": NUMBER_DEPTH,
        "filters": [{"path": ALT_FILTER, "at": "post-render"}],
        "book": book,
        "format": {QUARTO_FORMATS[f]: every_format[f] for f in wanted},
    }


def write_book(
    edition, synthesis_nb: Path, site_nbs: Mapping[str, Path], out_dir: Path | None = None, formats=BOOK_FORMATS
) -> Path:
    """Write the Quarto book project (config, notebooks, styles); return the path of ``_quarto.yml``."""
    out_dir = Path(out_dir) if out_dir is not None else config.book_dir(edition.edition)
    missing = [str(p) for p in [synthesis_nb, *site_nbs.values()] if not Path(p).exists()]
    if missing:
        raise RenderError(f"cannot assemble the book: executed notebook(s) missing: {', '.join(missing)}")
    for slug in site_nbs:
        edition.site(slug)  # unknown slug → ParamsError naming the known sites
    _check_formats(formats)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}-", dir=out_dir.parent))
    try:
        _fill_book(staging, edition, synthesis_nb, site_nbs, formats)
        replace_dir(staging, out_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return out_dir / "_quarto.yml"


def _check_formats(formats) -> None:
    unknown = sorted(set(formats) - set(QUARTO_FORMATS))
    if unknown:
        raise RenderError(f"unknown output format(s) {unknown}; choose among {list(QUARTO_FORMATS)}")


def _fill_book(folder: Path, edition, synthesis_nb: Path, site_nbs: Mapping[str, Path], formats) -> None:
    _write_chapter(synthesis_nb, folder / "index.ipynb", chapter_heading(SYNTHESIS_CHAPTER), "synthese")
    for slug, path in site_nbs.items():
        site = edition.site(slug)
        target = folder / "sites" / slug / config.MONOGRAPH_NOTEBOOK
        target.parent.mkdir(parents=True)
        _write_chapter(path, target, chapter_heading(site.name, site.short_name), slug)
    templates = config.templates_dir()
    shutil.copyfile(templates / "cohorte.css", folder / "cohorte.css")
    shutil.copyfile(templates / "book-before.typ", folder / TYPST_BEFORE)
    shutil.copyfile(templates / "book-show.typ", folder / TYPST_SHOW)
    shutil.copyfile(templates / "book-alt.lua", folder / ALT_FILTER)
    _write_reference_docx(folder / "reference.docx", edition.uses_demo_data, _fictitious_footer(edition))
    (folder / TYPST_HEADER).write_text(_typst_header(edition), encoding="utf-8")
    text = yaml.safe_dump(quarto_config(edition, list(site_nbs), formats), allow_unicode=True, sort_keys=False)
    header = "# Generated by cohorte (cohorte.assembly) — do not edit; rebuild instead.\n"
    (folder / "_quarto.yml").write_text(header + text, encoding="utf-8")


def chapter_heading(title: str, short_title: str = "") -> list[str]:
    """A chapter's first markdown cells: its ``#`` title (numbered: the synthesis is chapter 1 in every
    format), then for the typst running heads its short name (a raw typst block, dropped by the other
    formats; in a cell of its own: Quarto joins a raw block to the chapter's title line)."""
    short = short_title or title
    return [f"# {inline(title)}", f"```{{=typst}}\n#metadata({_typst_text(short)}) <cohorte-short-title>\n```"]


def _write_reference_docx(target: Path, demo: bool, extra: list[str] | None = None) -> None:
    """The kit's reference.docx; on demo data with the « Données fictives » notice in its page header
    (pandoc keeps the reference document's headers, and Quarto passes no include to DOCX)."""
    shutil.copyfile(config.templates_dir() / "reference.docx", target)
    lines = [*(extra or []), *([DEMO_FOOTER] if demo else [])]
    if not lines:
        return
    from docx import Document
    from docx.shared import Pt, RGBColor

    doc = Document(str(target))
    for section in doc.sections:
        header = section.header
        header.is_linked_to_previous = False
        paragraph = header.paragraphs[0] if header.paragraphs else header.add_paragraph()
        run = paragraph.add_run(" · ".join(lines))
        run.bold = True
        run.font.size = Pt(8.5)
        run.font.color.rgb = RGBColor(0x9A, 0x34, 0x12)
    doc.save(str(target))
    from cohorte.runner.reproducible import normalise_zip

    normalise_zip(target)  # python-docx dates the entries it writes: same bytes wherever it is built


# --- a chapter as Quarto reads it ------------------------------------------------------------


def _write_chapter(source: Path, target: Path, heading: list[str], key: str) -> None:
    """The executed notebook as a book chapter, without its timings (the book is published: it must be reproducible)."""
    import nbformat

    from cohorte.runner.reproducible import without_timings

    nb = without_timings(nbformat.read(str(source), as_version=4))
    target.write_text(
        json.dumps(chapter_notebook(nb, heading, key), ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )


def _is_title_output(output: Mapping) -> bool:
    text = output.get("data", {}).get("text/markdown", "")
    return "".join(text).startswith("# ") if isinstance(text, list) else str(text).startswith("# ")


def _split_outputs(cell: dict) -> list[dict]:
    """One code cell per figure (so that each figure has its own ``fig-`` options), the other
    outputs grouped between them; the code stays in the first."""
    groups: list[list[dict]] = [[]]
    for output in cell.get("outputs", []):
        is_figure = "image/png" in output.get("data", {})
        if _is_caption_output(output) and not groups[-1] and len(groups) > 1:
            groups[-2].append(output)  # a figure's caption stays with its figure
            continue
        if is_figure and groups[-1]:
            groups.append([])
        groups[-1].append(output)
        if is_figure:
            groups.append([])
    groups = [g for g in groups if g] or [[]]
    cells = []
    for number, outputs in enumerate(groups):
        part = copy.deepcopy(cell)
        part["outputs"] = outputs
        part.pop("id", None)
        if number:
            part["source"] = ""
            part["execution_count"] = None
        cells.append(part)
    return cells


def _figure_options(cell: dict, label: str) -> None:
    """Quarto reads a figure's caption and alt text from cell options (``#| fig-cap``), not from
    output metadata: write them at the top of the cell's source, and drop the caption output. A figure
    shown without :func:`cohorte.report.display.show_figure` is described as the built-in engine does."""
    from cohorte.runner.rendering import UNDESCRIBED

    figure = next(o for o in cell["outputs"] if "image/png" in o.get("data", {}))
    info = figure.get("metadata", {}).get("cohorte", {})
    caption = str(info.get("caption", ""))
    alt = str(info.get("alt", "") or caption or UNDESCRIBED)  # as the built-in engine describes it
    options = [f"#| label: {label}"]
    if caption:
        options.append(f"#| fig-cap: {json.dumps(caption, ensure_ascii=False)}")
    options.append(f"#| fig-alt: {json.dumps(alt, ensure_ascii=False)}")
    source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
    cell["source"] = "\n".join(options) + ("\n" + source if source else "")
    cell["outputs"] = [o for o in cell["outputs"] if not _is_caption_output(o)]


def _is_caption_output(output: Mapping) -> bool:
    text = output.get("data", {}).get("text/markdown", "")
    return ("".join(text) if isinstance(text, list) else str(text)).startswith("::: {.figure-caption}")


def _for_the_book(output: dict) -> dict | None:
    """An output as the book shows it: computed text keeps only its markdown (its HTML is there for
    JupyterLab; Quarto would prefer it in HTML and lose the callouts and headings), tables keep their
    HTML; streams (prints, warnings) are dropped as the built-in engine drops them."""
    if output.get("output_type") == "stream":
        return None
    data = output.get("data", {})
    html = data.get("text/html", "")
    if "text/markdown" in data and "text/html" in data and "<table" not in "".join(html).lower():
        output = {**output, "data": {k: v for k, v in data.items() if k != "text/html"}}
    return output


def _as_is(cell: dict) -> None:
    """``#| output: asis`` on a cell without figure: its markdown joins the chapter's text (headings
    reach the HTML page's table of contents) instead of sitting in a cell-output div."""
    source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
    cell["source"] = "#| output: asis" + ("\n" + source if source else "")


def _markdown_cell(source: str) -> dict:
    """A markdown cell, its source as a list of lines (Quarto 1.9 joins the lines of a single string)."""
    return {"cell_type": "markdown", "metadata": {}, "source": source.splitlines(keepends=True)}


def _spaced(output: dict) -> dict:
    """Markdown as is joins the next output's: each is a block between blank lines."""
    data = output.get("data", {})
    if "text/markdown" not in data:
        return output
    text = "\n" + typography.french("".join(data["text/markdown"]).strip("\n")) + "\n\n"
    return {**output, "data": {**data, "text/markdown": text}}


def chapter_notebook(nb, heading: list[str], key: str) -> dict:
    """An executed notebook as a book chapter: its title as a markdown ``#`` heading (Quarto takes a
    chapter's title from the first markdown heading, never from an output), the title an output
    displayed removed, one cell per figure carrying ``label``/``fig-cap``/``fig-alt``, the other
    cells' markdown as is."""
    data = copy.deepcopy(dict(nb))
    cells: list[dict] = []
    titled = False
    figures = 0
    for cell in data["cells"]:
        if cell["cell_type"] != "code":
            cells.append(cell)
            continue
        cell["outputs"] = [o for o in map(_for_the_book, cell.get("outputs", [])) if o is not None]
        cell["metadata"] = {}  # papermill's metadata would make Quarto wrap even as-is output in a div
        if not titled and any(_is_title_output(o) for o in cell.get("outputs", [])):
            cells += [_markdown_cell(source) for source in heading]
            for output in cell["outputs"]:
                if _is_title_output(output):
                    text = "".join(output["data"]["text/markdown"])
                    output["data"]["text/markdown"] = text.split("\n", 1)[1].lstrip("\n") if "\n" in text else ""
            cell["outputs"] = [o for o in cell["outputs"] if o.get("data", {}).get("text/markdown", None) != ""]
            titled = True
        for part in _split_outputs(cell):
            if any("image/png" in o.get("data", {}) for o in part["outputs"]):
                figures += 1
                _figure_options(part, f"fig-{key}-{figures}")
            elif part["outputs"]:
                part["outputs"] = [_spaced(o) for o in part["outputs"]]
                _as_is(part)
            cells.append(part)
    if not titled:
        cells[:0] = [_markdown_cell(source) for source in heading]
    for number, cell in enumerate(cells):
        cell["id"] = f"{key}-{number}"
        if cell["cell_type"] == "markdown":  # French typography, as the built-in engine applies it
            text = typography.french("".join(cell["source"]))
            cell["source"] = text.splitlines(keepends=True) if isinstance(cell["source"], list) else text
    data["cells"] = cells
    data.setdefault("nbformat", 4)
    data.setdefault("nbformat_minor", 5)
    return data


def quarto_version(executable: str = "quarto") -> tuple[int, ...] | None:
    """The version of ``quarto`` on PATH (``(1, 9, 38)``), or None when there is none."""
    path = shutil.which(executable)
    if path is None:
        return None
    result = subprocess.run([path, "--version"], capture_output=True, text=True)
    match = re.search(r"(\d+)\.(\d+)(?:\.(\d+))?", result.stdout)
    if result.returncode != 0 or match is None:
        raise RenderError(
            f"could not read the version of {path} (output: {result.stdout.strip()!r} {result.stderr.strip()!r})"
        )
    return tuple(int(g) for g in match.groups() if g is not None)


def _require_quarto() -> None:
    version = quarto_version()
    if version is None:
        raise QuartoUnavailable("quarto is not on PATH; install Quarto >= 1.9 or use the built-in engine")
    if version[:2] < MIN_QUARTO:
        found = ".".join(map(str, version))
        raise QuartoUnavailable(
            f"quarto {found} is too old: typst books need Quarto >= 1.9; upgrade it or use the built-in engine"
        )


def choose_engine(requested: str = "auto") -> Engine:
    """``auto``: Quarto when a recent one is on PATH, else the built-in engine.

    ``quarto`` raises :class:`QuartoUnavailable` when Quarto is missing or too old.
    """
    if requested not in ENGINES:
        raise ParamsError(f"unknown rendering engine {requested!r}; choose among {', '.join(ENGINES)}")
    if requested == "builtin":
        return "builtin"
    try:
        _require_quarto()
    except QuartoUnavailable:
        if requested == "quarto":
            raise
        return "builtin"
    return "quarto"


def render_book(book: Path, formats=BOOK_FORMATS) -> list[Path]:
    """Render the book: ``quarto render BOOK`` (every format of its ``_quarto.yml`` at once); return
    the files Quarto wrote in ``_book/``.

    Quarto 1.9 refuses a comma-separated ``--to`` on a book (quarto-cli#5947) and ``--to X`` empties
    ``_book/`` of the other formats, so the formats come from ``_quarto.yml``
    (``write_book(..., formats=...)``). When ``formats`` asks for others than ``_quarto.yml`` lists,
    each is rendered alone (``--to X``) and its files are kept aside before the next. Quarto's scratch
    folder ``.quarto/`` and the ``.gitignore`` it writes in a git work tree are removed afterwards.
    Raises :class:`QuartoUnavailable` when Quarto is missing or older than 1.9 (the caller then uses
    the built-in engine) and :class:`RenderError` with Quarto's ``ERROR`` lines when rendering fails.
    """
    _require_quarto()
    book = Path(book)
    if not (book / "_quarto.yml").exists():
        raise RenderError(f"{book}: no _quarto.yml; write the project with cohorte.runner.assembly.write_book first")
    _check_formats(formats)
    wanted = list(dict.fromkeys(QUARTO_FORMATS[f] for f in formats))
    listed = list((yaml.safe_load((book / "_quarto.yml").read_text(encoding="utf-8")) or {}).get("format") or {})
    out = book / "_book"
    try:
        if sorted(wanted) == sorted(listed):
            _quarto_render(book, [])
        else:
            _render_one_at_a_time(book, wanted)
    finally:
        shutil.rmtree(book / ".quarto", ignore_errors=True)
        (book / ".gitignore").unlink(missing_ok=True)
    return sorted(p for p in out.rglob("*") if p.is_file() and p.suffix in (".html", ".pdf", ".docx"))


def _render_one_at_a_time(book: Path, wanted: list[str]) -> None:
    """``quarto render BOOK --to X`` for each format, the files of each kept aside (Quarto empties ``_book/``)."""
    out = book / "_book"
    kept = Path(tempfile.mkdtemp(prefix=f".{book.name}-rendered-", dir=book.parent))
    try:
        for fmt in wanted:
            _quarto_render(book, ["--to", fmt])
            shutil.copytree(out, kept, dirs_exist_ok=True)
        shutil.rmtree(out, ignore_errors=True)
        os.replace(kept, out)
    finally:
        shutil.rmtree(kept, ignore_errors=True)


def _quarto_render(book: Path, args: list[str]) -> None:
    command = ["quarto", "render", str(book), *args]
    result = subprocess.run(command, capture_output=True, text=True)
    for line in _ANSI.sub("", result.stderr).splitlines():
        if line.lstrip().startswith(("WARN", "WARNING")):
            print(f"quarto: {line.strip()}", flush=True)
    if result.returncode != 0:
        raise RenderError(
            f"{' '.join(command)} failed:\n{quarto_errors(result.stderr)}\n"
            f"(check the project with `quarto inspect {book}`)"
        )


_ANSI = re.compile(r"\x1b\[[0-9;]*m")  # Quarto colours its messages


def quarto_errors(stderr: str) -> str:
    """What Quarto said went wrong: its ``ERROR`` lines (with the lines that continue them), never
    the stack frames that follow; the last lines when it printed no ``ERROR``."""
    lines = _ANSI.sub("", stderr).strip().splitlines()
    errors: list[str] = []
    inside = False
    for line in lines:
        if line.lstrip().startswith("ERROR"):
            errors.append(line.strip())
            inside = True
        elif inside and line.strip() and not _is_stack_line(line):
            errors.append(line.strip())
        else:
            inside = False
    if errors:
        return "\n".join(errors)
    return "\n".join([line for line in lines if not _is_stack_line(line)][-15:]) or "(Quarto printed nothing)"


def _is_stack_line(line: str) -> bool:
    text = line.strip()
    return text.startswith("at ") or text == "Stack trace:"


# --- rendering an edition: documents, then the site or the Quarto book -----------------------


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file())


def render_book_or_site(
    edition, synthesis_nb: Path, site_nbs: Mapping[str, Path], manifest: Manifest, formats, engine: str, force: bool
) -> list[Path]:
    """Write the Quarto book; render it with Quarto when that is the engine, else build the static site."""
    sources = [synthesis_nb, *site_nbs.values()]
    names = [manifest.relative(p) for p in sources]  # relative: the same key wherever the edition is built
    key = fingerprint(engine, sorted(formats), names, [sha256_file(p) for p in sources], kit_fingerprint())
    index = config.site_index(edition.edition)
    expected = [index] if engine == "builtin" and "html" in formats else []
    if engine == "quarto":  # a book whose files were removed is rendered again
        book_out = config.book_dir(edition.edition) / "_book"
        expected = [book_out / ("index.html" if f == "html" else f"synthese-{edition.edition}.{f}") for f in formats]
    if not force and manifest.is_current("book", "book", key, expected):
        return []
    write_book(edition, synthesis_nb, site_nbs, formats=formats)
    rendered = []
    if engine == "quarto":
        rendered += render_book(config.book_dir(edition.edition), tuple(formats))
    elif "html" in formats:
        from cohorte.runner.rendering import build_site

        rendered.append(build_site(edition, synthesis_nb, site_nbs, index.parent))
    made = (
        _files(config.book_dir(edition.edition) / "_book")
        if engine == "quarto"
        else [f for p in rendered for f in _files(p.parent)]
    )
    manifest.record("book", "book", key, made, engine=engine)
    return rendered


def assemble(
    edition, failed: set[str], manifest: Manifest, formats, engine: str, force: bool
) -> tuple[list[Path], dict[str, str]]:
    """The web site or the Quarto book of the notebooks that did not fail; (files written, failures)."""
    site_nbs = {
        s: path
        for s in edition.slugs
        if f"sites/{s}" not in failed
        and (path := config.site_output_dir(edition.edition, s) / config.MONOGRAPH_NOTEBOOK).exists()
    }
    synthesis_nb = config.synthesis_output_dir(edition.edition) / config.SYNTHESIS_NOTEBOOK
    if "synthesis" in failed or not synthesis_nb.exists():
        return [], {}
    try:
        return render_book_or_site(edition, synthesis_nb, site_nbs, manifest, formats, engine, force), {}
    except RenderError as exc:
        return [], {"book": str(exc)}
    except OSError as exc:
        return [], {"book": os_error_sentence(exc, config.outputs_dir(edition.edition))}
