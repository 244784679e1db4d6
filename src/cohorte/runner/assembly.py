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
import re
import shutil
import subprocess
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

import yaml

from cohorte import config
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
# Running heads and contents title of the typst book, in French. Quarto >= 1.10 forwards
# `language` (crossref-ch-prefix) to the orange-book template (quarto-cli#14525); 1.9.38 does not,
# so the book also carries these two typst rules (quarto-cli#14524):
# - before `#show: book.with(...)` (include-in-header), a set rule for the contents' title:
#   orange-book calls `outline()` without a title;
# - inside the book body (include-before-body), the chapter supplement of the running heads:
#   orange-book's own `show heading.where(level: 1): set heading(supplement: "Chapter")` is
#   outer, so this inner rule wins.
TYPST_HEADER = "typst-header.typ"
TYPST_BEFORE = "typst-before.typ"
LANGUAGE = {"toc-title-document": "Sommaire", "crossref-ch-prefix": "Chapitre"}


def _typst_string_safe(text: str) -> str:
    """Text that stays itself inside a typst string: pandoc's typst writer turns — and – into
    ``---`` and ``--`` (markup shorthands), printed literally inside the string orange-book puts the
    author in; a double quote would end that string."""
    return re.sub(r"\s*[—–]\s*", ", ", text).replace('"', "'")


def _typst_includes(edition) -> dict[str, str]:
    header = "#set outline(title: [Sommaire])\n"
    footers = [*_fictitious_footer(edition), *([DEMO_FOOTER] if edition.uses_demo_data else [])]
    if footers:  # a page footer: orange-book sets the header, never the footer
        notice = json.dumps(" · ".join(footers), ensure_ascii=False)  # a valid typst string
        header += f'#set page(footer: align(center, text(size: 8pt, fill: rgb("#9a3412"), weight: "bold", {notice})))\n'
    before = "#show heading.where(level: 1): set heading(supplement: [Chapitre])\n"
    return {TYPST_HEADER: header, TYPST_BEFORE: before}


DEMO_FOOTER = "Données fictives — document de démonstration, chiffres non réels"


def _fictitious_footer(edition) -> list[str]:
    from cohorte.runner.rendering import fictitious_notices

    footer = fictitious_notices(edition)["fictitious_footer"]
    return [footer] if footer else []


def quarto_config(edition, slugs: list[str]) -> dict:
    """The content of ``_quarto.yml`` for an edition (``edition`` is a :class:`cohorte.editions.Edition`)."""
    from cohorte.report.formatting import fmt_date_fr

    footer = (
        " · ".join([*_fictitious_footer(edition), DEMO_FOOTER])
        if edition.uses_demo_data
        else (" · ".join([*_fictitious_footer(edition), edition.publisher]))
    )
    # Quarto reads these as Markdown: escaped (markup.inline) so that they show as typed
    book: dict = {
        "title": inline(edition.title),
        # always set: typst books fail without it (Quarto 1.9.38); no dash: see _typst_string_safe
        "author": inline(_typst_string_safe(edition.publisher)),
        # French words, not an ISO date: Quarto formats an ISO date in HTML but prints it raw in DOCX
        "date": fmt_date_fr(edition.reference_date),
        "chapters": ["index.ipynb", *[f"sites/{slug}/{config.MONOGRAPH_NOTEBOOK}" for slug in slugs]],
        "output-file": f"synthese-{edition.edition}",
        "downloads": ["pdf", "docx"],
        "page-footer": inline(footer),
    }
    if edition.subtitle:
        book["subtitle"] = inline(edition.subtitle)
    return {
        "project": {"type": "book", "output-dir": "_book"},
        "lang": "fr",
        "language": dict(LANGUAGE),
        "quarto-required": ">= 1.9.0",
        "execute": {"enabled": False, "echo": False},
        "book": book,
        "format": {
            "html": {"toc": True, "css": ["cohorte.css"]},
            "typst": {
                "toc": True,
                "papersize": "a4",
                "toc-title": "Sommaire",
                "include-in-header": TYPST_HEADER,
                "include-before-body": TYPST_BEFORE,
            },
            "docx": {"toc": True, "toc-title": "Sommaire", "reference-doc": "reference.docx"},
        },
    }


def write_book(edition, synthesis_nb: Path, site_nbs: Mapping[str, Path], out_dir: Path | None = None) -> Path:
    """Write the Quarto book project (config, notebooks, styles); return the path of ``_quarto.yml``."""
    out_dir = Path(out_dir) if out_dir is not None else config.book_dir(edition.edition)
    missing = [str(p) for p in [synthesis_nb, *site_nbs.values()] if not Path(p).exists()]
    if missing:
        raise RenderError(f"cannot assemble the book: executed notebook(s) missing: {', '.join(missing)}")
    for slug in site_nbs:
        edition.site(slug)  # unknown slug → ParamsError naming the known sites
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}-", dir=out_dir.parent))
    try:
        _fill_book(staging, edition, synthesis_nb, site_nbs)
        replace_dir(staging, out_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return out_dir / "_quarto.yml"


def _fill_book(folder: Path, edition, synthesis_nb: Path, site_nbs: Mapping[str, Path]) -> None:
    _write_chapter(synthesis_nb, folder / "index.ipynb", f"# {SYNTHESIS_CHAPTER} {{.unnumbered}}", "synthese")
    for slug, path in site_nbs.items():
        target = folder / "sites" / slug / config.MONOGRAPH_NOTEBOOK
        target.parent.mkdir(parents=True)
        _write_chapter(path, target, f"# {edition.site(slug).name}", slug)
    shutil.copyfile(config.templates_dir() / "cohorte.css", folder / "cohorte.css")
    _write_reference_docx(folder / "reference.docx", edition.uses_demo_data, _fictitious_footer(edition))
    for name, text in _typst_includes(edition).items():
        (folder / name).write_text(text, encoding="utf-8")
    text = yaml.safe_dump(quarto_config(edition, list(site_nbs)), allow_unicode=True, sort_keys=False)
    header = "# Generated by cohorte (cohorte.assembly) — do not edit; rebuild instead.\n"
    (folder / "_quarto.yml").write_text(header + text, encoding="utf-8")


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


def _write_chapter(source: Path, target: Path, heading: str, key: str) -> None:
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
    output metadata: write them at the top of the cell's source, and drop the caption output."""
    figure = next(o for o in cell["outputs"] if "image/png" in o.get("data", {}))
    info = figure.get("metadata", {}).get("cohorte", {})
    alt, caption = str(info.get("alt", "")), str(info.get("caption", ""))
    options = [f"#| label: {label}"]
    if caption:
        options.append(f"#| fig-cap: {json.dumps(caption, ensure_ascii=False)}")
    if alt:
        options.append(f"#| fig-alt: {json.dumps(alt, ensure_ascii=False)}")
    source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
    cell["source"] = "\n".join(options) + ("\n" + source if source else "")
    cell["outputs"] = [o for o in cell["outputs"] if not _is_caption_output(o)]


def _is_caption_output(output: Mapping) -> bool:
    text = output.get("data", {}).get("text/markdown", "")
    return ("".join(text) if isinstance(text, list) else str(text)).startswith("::: {.figure-caption}")


def chapter_notebook(nb, heading: str, key: str) -> dict:
    """An executed notebook as a book chapter: its title as a markdown ``#`` heading (Quarto takes a
    chapter's title from the first markdown heading, never from an output), the title an output
    displayed removed, and one cell per figure carrying ``label``/``fig-cap``/``fig-alt``."""
    data = copy.deepcopy(dict(nb))
    cells: list[dict] = []
    titled = False
    figures = 0
    for cell in data["cells"]:
        if cell["cell_type"] != "code":
            cells.append(cell)
            continue
        if not titled and any(_is_title_output(o) for o in cell.get("outputs", [])):
            cells.append({"cell_type": "markdown", "metadata": {}, "source": heading})
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
            cells.append(part)
    if not titled:
        cells.insert(0, {"cell_type": "markdown", "metadata": {}, "source": heading})
    for number, cell in enumerate(cells):
        cell["id"] = f"{key}-{number}"
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


QUARTO_FORMATS = {"html": "html", "pdf": "typst", "docx": "docx"}  # the kit's format → Quarto's


def render_book(book: Path, formats=("html", "pdf", "docx")) -> list[Path]:
    """Run ``quarto render BOOK --to FORMATS``; return the files Quarto wrote in ``_book/``.

    Only the formats asked for are rendered (Quarto empties ``_book/`` of the others). Quarto's
    scratch folder ``.quarto/`` is removed afterwards. Raises :class:`QuartoUnavailable` when
    Quarto is missing or older than 1.9 (the caller then uses the built-in engine) and
    :class:`RenderError` with Quarto's messages when rendering fails.
    """
    _require_quarto()
    book = Path(book)
    if not (book / "_quarto.yml").exists():
        raise RenderError(f"{book}: no _quarto.yml; write the project with cohorte.runner.assembly.write_book first")
    unknown = sorted(set(formats) - set(QUARTO_FORMATS))
    if unknown:
        raise RenderError(f"unknown output format(s) {unknown}; choose among {list(QUARTO_FORMATS)}")
    to = ",".join(dict.fromkeys(QUARTO_FORMATS[f] for f in formats))
    result = subprocess.run(["quarto", "render", str(book), "--to", to], capture_output=True, text=True)
    shutil.rmtree(book / ".quarto", ignore_errors=True)
    for line in result.stderr.splitlines():
        if line.lstrip().startswith(("WARN", "WARNING")):
            print(f"quarto: {line.strip()}", flush=True)
    if result.returncode != 0:
        tail = "\n".join(result.stderr.strip().splitlines()[-15:])
        raise RenderError(
            f"quarto render {book} --to {to} failed:\n{tail}\n(check the project with `quarto inspect {book}`)"
        )
    out = book / "_book"
    return sorted(p for p in out.rglob("*") if p.is_file() and p.suffix in (".html", ".pdf", ".docx"))


# --- rendering an edition: documents, then the site or the Quarto book -----------------------


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file())


def render_book_or_site(
    edition, synthesis_nb: Path, site_nbs: Mapping[str, Path], manifest: Manifest, formats, engine: str, force: bool
) -> list[Path]:
    """Write the Quarto book; render it with Quarto when that is the engine, else build the static site."""
    sources = [synthesis_nb, *site_nbs.values()]
    key = fingerprint(
        engine, sorted(formats), [str(p) for p in sources], [sha256_file(p) for p in sources], kit_fingerprint()
    )
    index = config.site_index(edition.edition)
    expected = [index] if engine == "builtin" and "html" in formats else []
    if not force and manifest.is_current("book", "book", key, expected):
        return []
    write_book(edition, synthesis_nb, site_nbs)
    rendered = []
    if engine == "quarto":
        rendered += render_book(config.book_dir(edition.edition), tuple(formats))
    elif "html" in formats:
        from cohorte.runner.rendering import build_site

        rendered.append(build_site(edition, synthesis_nb, site_nbs, index.parent))
    made = (
        [f for folder in rendered for f in _files(folder)]
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
