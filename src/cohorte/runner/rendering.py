"""The built-in rendering engine: executed notebooks → HTML site, standalone HTML, PDF (typst), DOCX.

Used when Quarto is absent (see :mod:`cohorte.runner.assembly`). Each notebook is first turned into a
*reader's notebook*: markdown cells only — code never reaches pandoc, figures become cell
attachments, tables and computed text become markdown (see :mod:`cohorte.report.display`). Pandoc then
reads it with ``-f ipynb`` and writes each format through a template of ``templates/``:

- ``page.html`` + ``cohorte.css``: web pages (the site's pages, and a self-contained ``.html``);
- ``report.typ``: the PDF, compiled by the ``typst`` package (cover, contents, running heads);
- ``reference.docx``: the DOCX styles (the demo notice is added to the page header afterwards);
- ``cohorte.lua``: boxed notices in every format.

Outputs (documented for the build): per site ``outputs/EDITION/sites/SLUG/monograph.{html,pdf,docx}``
(:func:`monograph_base`), per edition ``outputs/EDITION/synthese-EDITION.{html,pdf,docx}``
(:func:`synthesis_base`) and the web site ``outputs/EDITION/site/`` (:func:`build_site`).
Every file is written to a temporary name beside its target, then moved into place.
"""

from __future__ import annotations

import copy
import html
import os
import shutil
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import nbformat
import yaml

from cohorte import config, markup, typography
from cohorte.errors import RenderError
from cohorte.files import replace_dir, temp_path_for
from cohorte.pandoc import last_lines, run_pandoc
from cohorte.report.display import DEMO_NOTICE

FORMATS = ("html", "pdf", "docx")
# Markdown cells are read with the pandoc-markdown features Quarto also understands
# (pandoc's ipynb reader leaves them off by default).
READER = "ipynb+" + "+".join(
    (
        "fenced_divs",
        "bracketed_spans",
        "native_divs",
        "table_captions",
        "implicit_figures",
        "link_attributes",
        "header_attributes",
        "smart",
        "footnotes",
        "definition_lists",
        "raw_attribute",
    )
)
FIGURE_WIDTH = "85%"
_CAPTION_DIV = "::: {.figure-caption}"
UNDESCRIBED = "Graphique sans description"  # a figure not shown by cohorte.report.display.show_figure


@dataclass(frozen=True)
class DocMeta:
    """What the cover, running heads and title block of one document show."""

    title: str
    subtitle: str = ""
    site_name: str = ""
    edition: str = ""
    publisher: str = ""
    date: str = ""
    is_demo: bool = False
    fictitious: str = ""  # the « Observations fictives » notice of a demonstration edition ("" otherwise)
    fictitious_footer: str = ""
    provenance: str = ""
    short_title: str = ""

    def pandoc_metadata(self) -> dict[str, object]:
        """pandoc reads metadata as Markdown: every text (from edition.yml, sites' names) goes through
        :func:`cohorte.markup.inline`, so it shows as typed in every output."""
        meta: dict[str, object] = {
            "title": markup.inline(self.title),
            "lang": "fr",
            "toc-title": "Sommaire",
            "demo": self.is_demo,
            "demo-notice": DEMO_NOTICE,
            "fictitious": bool(self.fictitious),
        }
        optional = {
            "subtitle": self.subtitle,
            "site-name": self.site_name,
            "edition": str(self.edition),
            "publisher": self.publisher,
            "date": self.date,
            "provenance": self.provenance,
            "short-title": self.short_title,
            "fictitious-notice": self.fictitious,
            "fictitious-footer": self.fictitious_footer,
        }
        meta.update({key: markup.inline(value) for key, value in optional.items() if value})
        return meta

    def docx_title_page(self) -> dict[str, object]:
        """DOCX has only Title, Subtitle, Author and Date paragraphs on its title page."""
        subtitle = " — ".join(part for part in (self.subtitle, self.site_name) if part)
        date = " · ".join(part for part in (f"Édition {self.edition}" if self.edition else "", self.date) if part)
        page: dict[str, object] = {"subtitle": subtitle, "author": self.publisher, "date": date}
        return {key: markup.inline(value) for key, value in page.items() if value}


# ---------------------------------------------------------------- output locations


# ---------------------------------------------------------------- reader's notebook


def _typst_string(text: str) -> str:
    """The inside of a typst string literal (pandoc inserts a variable as is)."""
    return " ".join(text.split()).replace("\\", "\\\\").replace('"', '\\"')


def _text(value: object) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


def _output_markdown(output: Mapping, figure_id: str, attachments: dict) -> str | None:
    """Markdown for one output, or None when a reader should not see it (streams, bare reprs)."""
    data = output.get("data", {})
    if "text/markdown" in data:
        return _text(data["text/markdown"])
    for mime, ext in (("image/png", "png"), ("image/jpeg", "jpg")):
        if mime in data:
            name = f"{figure_id}.{ext}"
            attachments[name] = {mime: _text(data[mime]).replace("\n", "")}
            info = output.get("metadata", {}).get("cohorte", {})
            alt = str(info.get("alt", "") or info.get("caption", "") or UNDESCRIBED).replace('"', "'")
            caption = str(info.get("caption", "")).replace("[", "\\[").replace("]", "\\]")
            if not caption:  # an inline image (the trailing non-breaking space): its description is its alt
                return f"![{alt.replace('[', '(').replace(']', ')')}](attachment:{name}){{width={FIGURE_WIDTH}}}\\ "
            return f'![{caption}](attachment:{name}){{alt="{alt}" width={FIGURE_WIDTH}}}'
    if "image/svg+xml" in data:
        return None  # svg would need a converter for typst/docx; notebooks emit PNG
    if "text/html" in data and "<table" in _text(data["text/html"]).lower():
        return _html_table_to_markdown(_text(data["text/html"]))
    return None


def _html_table_to_markdown(fragment: str) -> str:
    """A DataFrame shown without :func:`cohorte.report.display.show_table`: keep it as a real table."""
    return run_pandoc(
        ["-f", "html", "-t", "markdown-raw_html-native_divs-native_spans"], stdin=fragment, what="an HTML table"
    )


def reader_notebook(nb: nbformat.NotebookNode, source: str = "notebook") -> nbformat.NotebookNode:
    """The notebook as a reader sees it: markdown cells only, code inputs removed.

    Cell outputs become markdown cells (figures as attachments); stream outputs (prints,
    warnings) are dropped; an error output raises :class:`RenderError` naming the cell.
    """
    out = nbformat.v4.new_notebook(metadata=copy.deepcopy(dict(nb.metadata)))
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "markdown":
            md = nbformat.v4.new_markdown_cell(_text(cell.source))
            if cell.get("attachments"):
                md.attachments = copy.deepcopy(cell.attachments)
            out.cells.append(md)
            continue
        if cell.cell_type != "code":
            continue
        skip_caption = False
        for number, output in enumerate(cell.get("outputs", [])):
            if output.get("output_type") == "error":
                raise RenderError(
                    f"{source}: cell {index + 1} ended with {output.get('ename')}: {output.get('evalue')}; "
                    "re-run the notebook and fix the error before rendering"
                )
            attachments: dict = {}
            text = _output_markdown(output, f"figure-{index + 1}-{number + 1}", attachments)
            if text is None:
                continue
            if skip_caption and text.startswith(_CAPTION_DIV):
                skip_caption = False
                continue  # the caption is already the figure's own caption
            skip_caption = bool(attachments) and "![](" not in text
            md = nbformat.v4.new_markdown_cell(text)
            if attachments:
                md.attachments = attachments
            out.cells.append(md)
    for number, cell in enumerate(out.cells, start=1):
        cell.id = f"cell-{number}"  # stable ids: pandoc names extracted figures and HTML divs after them
        cell.source = typography.french(cell.source)  # once, for generated and authored text alike
    return out


# ---------------------------------------------------------------- tools


def _template(name: str) -> Path:
    path = config.templates_dir() / name
    if not path.exists():
        raise RenderError(f"template {path} is missing; restore it from the repository")
    return path


def _replace(tmp: Path, target: Path) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    os.replace(tmp, target)
    return target


# ---------------------------------------------------------------- one document


class _Build:
    """A scratch folder holding the reader's notebook and metadata of one document."""

    def __init__(self, nb_path: Path, meta: DocMeta, folder: Path):
        self.folder = folder
        self.meta = meta
        self.source = nb_path
        try:
            nb = nbformat.read(str(nb_path), as_version=4)
        except (OSError, ValueError) as exc:
            raise RenderError(f"{nb_path}: cannot read the executed notebook ({exc}); run the build again") from None
        self.notebook = folder / "document.ipynb"
        nbformat.write(reader_notebook(nb, str(nb_path)), str(self.notebook))
        self.metadata = folder / "metadata.yml"
        self.metadata.write_text(yaml.safe_dump(meta.pandoc_metadata(), allow_unicode=True), encoding="utf-8")

    def common(self) -> list[str]:
        return [
            "-f", READER,
            str(self.notebook),
            "--metadata-file", str(self.metadata),
            "--lua-filter", str(_template("cohorte.lua")),
            "--toc", "--toc-depth=2", "--wrap=none",
        ]  # fmt: skip

    def html(
        self, target: Path, *, nav: str = "", css: str | None = None, media_dir: str | None = None, downloads: str = ""
    ) -> Path:
        """Standalone page; with ``media_dir`` (relative to the page) images are files, else embedded."""
        args = [*self.common(), "-t", "html5", "--standalone", "--template", str(_template("page.html"))]
        if media_dir is None:
            args += ["--embed-resources", "--css", str(_template("cohorte.css"))]
        else:
            args += ["--extract-media", media_dir, "--variable", f"css={css}"]
        if nav:
            args += ["--variable", f"nav={nav}"]
        if downloads:
            args += ["--variable", f"downloads={downloads}"]
        tmp = temp_path_for(target)  # a unique name beside the target: concurrent builds never share one
        try:
            run_pandoc([*args, "-o", str(tmp)], what=f"{self.source} as HTML", cwd=target.parent)
            return _replace(tmp, target)
        finally:
            tmp.unlink(missing_ok=True)

    def pdf(self, target: Path) -> Path:
        typ = self.folder / "document.typ"
        author = ["--variable", f"pdf-author={_typst_string(self.meta.publisher)}"] if self.meta.publisher else []
        run_pandoc(
            [*self.common(), "-t", "typst", "--standalone", "--template", str(_template("report.typ")),
             *author, "--extract-media", "media", "-o", typ.name],
            what=f"{self.source} as typst", cwd=self.folder,
        )  # fmt: skip
        tmp = temp_path_for(target)
        try:
            try:
                import typst

                from cohorte.runner.reproducible import source_timestamp

                typst.compile(str(typ), output=str(tmp), root=str(self.folder), timestamp=source_timestamp())
            except Exception as exc:  # typst raises its own error types with the compiler's message
                raise RenderError(
                    f"typst failed while rendering {self.source} as PDF:\n{last_lines(str(exc))}"
                ) from None
            return _replace(tmp, target)
        finally:
            tmp.unlink(missing_ok=True)

    def docx(self, target: Path) -> Path:
        tmp = self.folder / "document.docx"
        title_page = self.folder / "metadata-docx.yml"
        title_page.write_text(yaml.safe_dump(self.meta.docx_title_page(), allow_unicode=True), encoding="utf-8")
        run_pandoc(
            [*self.common(), "--metadata-file", str(title_page), "-t", "docx", "--reference-doc", str(_template("reference.docx")),
             "--extract-media", "media", "-o", tmp.name],
            what=f"{self.source} as DOCX", cwd=self.folder,
        )  # fmt: skip
        _finish_docx(tmp, self.meta)
        staged = temp_path_for(target)
        try:
            shutil.copyfile(tmp, staged)
            return _replace(staged, target)
        finally:
            staged.unlink(missing_ok=True)


def _finish_docx(path: Path, meta: DocMeta) -> None:
    """Running head (title, site) and, for demo data, the « Données fictives » notice on every page."""
    from docx import Document
    from docx.shared import Pt, RGBColor

    doc = Document(str(path))
    for section in doc.sections:
        header = section.header
        header.is_linked_to_previous = False
        first = header.paragraphs[0]
        first.text = " — ".join(part for part in (meta.short_title or meta.title, meta.site_name) if part)
        for run in first.runs:
            run.font.size = Pt(8.5)
            run.font.color.rgb = RGBColor(0x5B, 0x62, 0x70)
        if meta.fictitious_footer:
            notice = header.add_paragraph()
            run = notice.add_run(meta.fictitious_footer)
            run.bold = True
            run.font.size = Pt(8.5)
            run.font.color.rgb = RGBColor(0x9A, 0x34, 0x12)
        if meta.is_demo:
            notice = header.add_paragraph()
            run = notice.add_run("Données fictives — document de démonstration, chiffres non réels")
            run.bold = True
            run.font.size = Pt(8.5)
            run.font.color.rgb = RGBColor(0x9A, 0x34, 0x12)
    _number_captions(doc)
    _fit_tables(doc)
    _alt_text_everywhere(doc)
    _fill_toc(doc)
    doc.core_properties.title = meta.title
    doc.core_properties.author = meta.publisher
    doc.core_properties.language = "fr-FR"
    from cohorte.runner.reproducible import normalise_zip, source_datetime

    when = source_datetime()
    if when is not None:
        doc.core_properties.created = doc.core_properties.modified = when.replace(tzinfo=None)
    doc.save(str(path))
    normalise_zip(path)  # python-docx dates every zip entry with the current time


# DOCX: what Word and LibreOffice show on opening, without updating any field.
_TEXT_WIDTH_TWIPS = 9242  # 21 cm page − 2 × 2,4 cm margins (templates/make_reference_docx.py)
_CAPTIONS = {"TableCaption": "Tableau", "ImageCaption": "Figure"}


def _style_id(paragraph) -> str:
    from docx.oxml.ns import qn

    style = paragraph.find(qn("w:pPr") + "/" + qn("w:pStyle"))
    return "" if style is None else style.get(qn("w:val"))


def _number_captions(doc) -> None:
    """« Tableau 1 : … », « Figure 1 : … », numbered from 1 in each document."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    counts = dict.fromkeys(_CAPTIONS.values(), 0)
    for paragraph in doc.element.body.iter(qn("w:p")):
        label = _CAPTIONS.get(_style_id(paragraph))
        if label is None:
            continue
        counts[label] += 1
        run, text = OxmlElement("w:r"), OxmlElement("w:t")
        text.set(qn("xml:space"), "preserve")
        text.text = f"{label} {counts[label]}\u00a0: "
        run.append(text)
        ppr = paragraph.find(qn("w:pPr"))
        if ppr is not None:
            ppr.addnext(run)
        else:
            paragraph.insert(0, run)


def _cell_text(cell) -> str:
    from docx.oxml.ns import qn

    return "".join(t.text or "" for t in cell.iter(qn("w:t")))


def _column_widths(rows: list[list[str]]) -> list[int]:
    """Widths (twips) over the text width: each column gets room for its longest word (never
    broken mid-word) plus a share of its longer cells."""
    columns = list(zip(*rows, strict=False))
    words = [max((len(w) for cell in col for w in cell.split()), default=1) for col in columns]
    texts = [min(max((len(cell) for cell in col), default=1), 40) for col in columns]
    weights = [max(w * 1.15, (w + t) / 2) for w, t in zip(words, texts, strict=True)]
    total = sum(weights) or 1
    return [int(_TEXT_WIDTH_TWIPS * w / total) for w in weights]


def _fit_tables(doc) -> None:
    """One width for every table (the text width), columns sized to their words, header row
    repeated, no row split across two pages."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    for table in doc.element.body.iter(qn("w:tbl")):
        rows = [[_cell_text(tc) for tc in tr.findall(qn("w:tc"))] for tr in table.findall(qn("w:tr"))]
        if not rows or not rows[0]:
            continue
        widths = _column_widths(rows)
        tbl_pr = table.find(qn("w:tblPr"))
        tbl_w = tbl_pr.find(qn("w:tblW"))
        tbl_w.set(qn("w:type"), "dxa")
        tbl_w.set(qn("w:w"), str(sum(widths)))
        if tbl_pr.find(qn("w:tblLayout")) is None:
            layout = OxmlElement("w:tblLayout")
            layout.set(qn("w:type"), "fixed")
            tbl_w.addnext(layout)
        for grid_col, width in zip(table.find(qn("w:tblGrid")).findall(qn("w:gridCol")), widths, strict=False):
            grid_col.set(qn("w:w"), str(width))
        for tr in table.findall(qn("w:tr")):
            tr_pr = tr.find(qn("w:trPr"))
            if tr_pr is None:
                tr_pr = OxmlElement("w:trPr")
                tr.insert(0, tr_pr)
            tr_pr.insert(0, OxmlElement("w:cantSplit"))
            for tc, width in zip(tr.findall(qn("w:tc")), widths, strict=False):
                tc_pr = tc.find(qn("w:tcPr"))
                tc_w = OxmlElement("w:tcW")
                tc_w.set(qn("w:w"), str(width))
                tc_w.set(qn("w:type"), "dxa")
                tc_pr.insert(0, tc_w)


def _alt_text_everywhere(doc) -> None:
    """The image's alt text in both places readers look (drawing and picture properties)."""
    wp = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}"
    pic = "{http://schemas.openxmlformats.org/drawingml/2006/picture}"
    for inline in doc.element.body.iter(wp + "inline"):
        doc_pr = inline.find(wp + "docPr")
        c_nv_pr = next(inline.iter(pic + "cNvPr"), None)
        if doc_pr is not None and c_nv_pr is not None and doc_pr.get("descr"):
            c_nv_pr.set("descr", doc_pr.get("descr"))


def _fill_toc(doc) -> None:
    """Pandoc's table of contents is an empty field; give it the headings (levels 1–2) as the
    field's current result, so that the contents read on opening (Word can still update it)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    field = next(
        (
            p
            for p in doc.element.body.iter(qn("w:p"))
            if any("TOC" in (t.text or "") for t in p.iter(qn("w:instrText")))
        ),
        None,
    )
    if field is None:
        return
    entries = []
    for paragraph in doc.element.body.iter(qn("w:p")):
        style = _style_id(paragraph)
        if style in ("Heading1", "Heading2"):
            text = "".join(t.text or "" for t in paragraph.iter(qn("w:t"))).strip()
            if text:
                entries.append((int(style[-1]), text))
    if not entries:
        return
    run = field.find(qn("w:r"))
    end = next(c for c in run if c.tag == qn("w:fldChar") and c.get(qn("w:fldCharType")) == "end")
    run.remove(end)
    anchor = field
    for level, text in entries:
        paragraph = OxmlElement("w:p")
        ppr, style = OxmlElement("w:pPr"), OxmlElement("w:pStyle")
        style.set(qn("w:val"), f"TOC{level}")
        ppr.append(style)
        paragraph.append(ppr)
        entry, t = OxmlElement("w:r"), OxmlElement("w:t")
        t.set(qn("xml:space"), "preserve")
        t.text = text
        entry.append(t)
        paragraph.append(entry)
        anchor.addnext(paragraph)
        anchor = paragraph
    closing = OxmlElement("w:p")
    closing_run = OxmlElement("w:r")
    closing_run.append(end)
    closing.append(closing_run)
    anchor.addnext(closing)


def render_notebook(nb_path: Path, out_base: Path, formats: Iterable[str], meta: DocMeta) -> list[Path]:
    """Render one executed notebook to ``out_base.{html,pdf,docx}`` (the formats asked for)."""
    wanted = list(dict.fromkeys(formats))
    unknown = sorted(set(wanted) - set(FORMATS))
    if unknown:
        raise RenderError(f"unknown output format(s) {unknown}; choose among {list(FORMATS)}")
    out_base.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".render-", dir=out_base.parent) as tmp:
        build = _Build(Path(nb_path), meta, Path(tmp))
        staged = Path(tmp) / "staged"
        made = [getattr(build, fmt)(staged / f"{out_base.name}.{fmt}") for fmt in wanted]
        # every format rendered: only now replace the documents, together (a failure above changes none)
        return [_replace(path, out_base.with_name(path.name)) for path in made]


# ---------------------------------------------------------------- web site


@dataclass(frozen=True)
class _Page:
    key: str
    label: str
    path: str  # relative to the site root


def _nav(pages: Sequence[_Page], current: _Page, prefix: str) -> str:
    def item(page: _Page) -> str:
        here = ' aria-current="page"' if page == current else ""
        return f'<li><a href="{html.escape(prefix + page.path)}"{here}>{html.escape(page.label)}</a></li>'

    home, sites = pages[0], pages[1:]
    parts = [
        '<p class="nav-heading">Synthèse</p>',
        f"<ul>{item(home)}</ul>",
        '<p class="nav-heading">Monographies</p>',
        "<ul>" + "".join(item(p) for p in sites) + "</ul>",
    ]
    return "\n".join(parts)


DOWNLOADS = {"pdf": "PDF", "docx": "Word (DOCX)"}


def _downloads(edition, page: _Page, staging: Path, prefix: str) -> str:
    """Copy the page's rendered PDF/DOCX into ``telechargements/`` and link them (none rendered: nothing)."""
    base = (
        config.synthesis_base(edition.edition)
        if page.key == "index"
        else config.monograph_base(edition.edition, page.key)
    )
    links = []
    for fmt, label in DOWNLOADS.items():
        source = base.with_name(f"{base.name}.{fmt}")
        if source.exists():
            name = f"{'synthese' if page.key == 'index' else page.key}-{edition.edition}.{fmt}"
            (staging / "telechargements").mkdir(exist_ok=True)
            shutil.copyfile(source, staging / "telechargements" / name)
            links.append(f'<a href="{prefix}telechargements/{html.escape(name)}" download>{label}</a>')
    return ('<p class="downloads">Télécharger : ' + " · ".join(links) + "</p>") if links else ""


def build_site(edition, synthesis_nb: Path, site_nbs: Mapping[str, Path], out_dir: Path) -> Path:
    """Build the static web site: ``index.html`` (the synthesis) and ``sites/SLUG.html`` per monograph.

    ``edition`` is a :class:`cohorte.editions.Edition`. Links are relative, so the folder works
    opened from disk and from any static host. Returns the path of ``index.html``.
    """
    out_dir = Path(out_dir)
    pages = [_Page("index", "Synthèse de l'édition", "index.html")]
    for slug in site_nbs:
        pages.append(_Page(slug, edition.site(slug).name, f"sites/{slug}.html"))
    notebooks = {"index": Path(synthesis_nb), **{slug: Path(p) for slug, p in site_nbs.items()}}
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}-", dir=out_dir.parent))
    try:
        assets = staging / "assets"
        assets.mkdir()
        shutil.copyfile(_template("cohorte.css"), assets / "cohorte.css")
        for page in pages:
            target = staging / page.path
            prefix = "../" * page.path.count("/")
            meta = _site_meta(edition, page)
            with tempfile.TemporaryDirectory(prefix=".page-", dir=staging.parent) as tmp:
                build = _Build(notebooks[page.key], meta, Path(tmp))
                build.html(
                    target,
                    nav=_nav(pages, page, prefix),
                    css=f"{prefix}assets/cohorte.css",
                    media_dir=f"{Path(page.path).stem}_files",
                    downloads=_downloads(edition, page, staging, prefix),
                )
        replace_dir(staging, out_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return out_dir / "index.html"


def _site_meta(edition, page: _Page) -> DocMeta:
    return document_meta(edition, None if page.key == "index" else page.key)


def author_name(publisher: str) -> str:
    """The publisher as a cover's author: a capital first letter, typographic apostrophes
    (« l'Union sociale pour l'habitat » → « L’Union sociale pour l’habitat »)."""
    from cohorte.report.text import majuscule

    return majuscule(publisher.strip()).replace("'", "\u2019")


def fictitious_notices(edition) -> dict[str, str]:
    """The « Observations fictives » notice and footer of a demonstration edition (empty otherwise)."""
    if not edition.fictitious_observations:
        return {"fictitious": "", "fictitious_footer": ""}
    from cohorte.report.text import texts

    wording = texts(edition.edition)
    return {
        "fictitious": wording.label("notices", "fictitious_observations"),
        "fictitious_footer": wording.label("notices", "fictitious_footer"),
    }


def document_meta(edition, slug: str | None = None, provenance: str = "") -> DocMeta:
    """The :class:`DocMeta` of the synthesis (``slug=None``) or of one site's monograph, dated like
    the Quarto book (the edition's reference date, in French)."""
    from cohorte.report.formatting import fmt_date_fr

    common = {
        "edition": str(edition.edition),
        "publisher": author_name(edition.publisher),
        "is_demo": edition.uses_demo_data,
        **fictitious_notices(edition),
        "date": fmt_date_fr(edition.reference_date),
        "provenance": provenance,
        "short_title": f"Édition {edition.edition}",
    }
    if slug is None:
        common["short_title"] = "Synthèse transversale"
        return DocMeta(title=edition.title, subtitle=edition.subtitle, **common)
    site = edition.site(slug)
    return DocMeta(title=edition.title, subtitle="Monographie", site_name=site.name, **common)
