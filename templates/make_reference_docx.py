"""Build ``templates/reference.docx``: the styles of cohorte's DOCX reports (built-in engine and Quarto).

Run ``.venv/bin/python templates/make_reference_docx.py`` after changing a style, and commit the
result. Starts from pandoc's own reference document (so every style pandoc uses exists), then sets
fonts, colours, heading and table styles, the « Encadré » style of boxed notices and a footer
with page numbers. Pandoc keeps the reference document's styles, page setup, header and footer.
"""

from __future__ import annotations

import datetime as dt
import io
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import pypandoc
from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

ACCENT = RGBColor(0x1F, 0x3A, 0x5F)
MUTED = RGBColor(0x5B, 0x62, 0x70)
WARN = RGBColor(0x9A, 0x34, 0x12)
BODY_FONT = "Liberation Serif"  # metric-compatible with Times New Roman
HEAD_FONT = "Liberation Sans"  # metric-compatible with Arial
OUT = Path(__file__).with_name("reference.docx")
FIXED_DATE = dt.datetime(2020, 1, 1)


def _font(style, name: str, size: float | None = None, color: RGBColor | None = None, bold: bool | None = None) -> None:
    style.font.name = name
    rpr = style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), name)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:cstheme", "w:eastAsiaTheme"):
        fonts.attrib.pop(qn(attr), None)
    if size is not None:
        style.font.size = Pt(size)
    if color is not None:
        style.font.color.rgb = color
    if bold is not None:
        style.font.bold = bold


def _shade(style, fill: str, border: str) -> None:
    ppr = style.element.get_or_add_pPr()
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    borders = OxmlElement("w:pBdr")
    left = OxmlElement("w:left")
    for key, value in (("w:val", "single"), ("w:sz", "24"), ("w:space", "8"), ("w:color", border)):
        left.set(qn(key), value)
    borders.append(left)
    ppr.append(borders)
    ppr.append(shd)


def _page_number_footer(section) -> None:
    paragraph = section.footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    """« Page N sur M », every run in the same size."""
    for part in ("Page ", "PAGE", " sur ", "NUMPAGES"):
        run = paragraph.add_run() if part.isupper() else paragraph.add_run(part)
        run.font.size = Pt(8.5)
        run.font.color.rgb = MUTED
        if part.isupper():
            begin, text, end = OxmlElement("w:fldChar"), OxmlElement("w:instrText"), OxmlElement("w:fldChar")
            begin.set(qn("w:fldCharType"), "begin")
            text.set(qn("xml:space"), "preserve")
            text.text = part
            end.set(qn("w:fldCharType"), "end")
            run._r.append(begin)
            run._r.append(text)
            run._r.append(end)


def _table_style(doc) -> None:
    """Pandoc's tables use the « Table » style: header row shaded, thin rules between rows."""
    style = doc.styles["Table"].element
    tbl_pr = style.find(qn("w:tblPr"))
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "bottom", "insideH"):
        el = OxmlElement(f"w:{edge}")
        for key, value in (("w:val", "single"), ("w:sz", "4"), ("w:space", "0"), ("w:color", "C8CFD8")):
            el.set(qn(key), value)
        borders.append(el)
    tbl_pr.find(qn("w:tblCellMar")).addprevious(borders)
    header = next(el for el in style.findall(qn("w:tblStylePr")) if el.get(qn("w:type")) == "firstRow")
    rpr = OxmlElement("w:rPr")
    color = OxmlElement("w:color")
    color.set(qn("w:val"), "1F3A5F")
    rpr.extend([OxmlElement("w:b"), color])
    header.insert(0, rpr)
    shd = OxmlElement("w:shd")
    for key, value in (("w:val", "clear"), ("w:color", "auto"), ("w:fill", "E8EEF5")):
        shd.set(qn(key), value)
    header.find(qn("w:tcPr")).find(qn("w:tcBorders")).addnext(shd)


def build(out: Path = OUT) -> Path:
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp) / "pandoc-reference.docx"
        subprocess.run(
            [pypandoc.get_pandoc_path(), "-o", str(base), "--print-default-data-file", "reference.docx"],
            check=True,
        )
        doc = Document(str(base))
    styles = doc.styles
    for name in ("Normal", "Body Text", "First Paragraph", "Compact"):
        if name in styles:
            _font(styles[name], BODY_FONT, 11)
    styles["Body Text"].paragraph_format.space_after = Pt(6)
    styles["Body Text"].paragraph_format.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    styles["First Paragraph"].paragraph_format.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    sizes = {1: 18, 2: 14, 3: 12, 4: 11}
    for level, size in sizes.items():
        style = styles[f"Heading {level}"]
        _font(style, HEAD_FONT, size, ACCENT, True)
        style.paragraph_format.space_before = Pt(18 if level == 1 else 12)
        style.paragraph_format.space_after = Pt(6)
        style.paragraph_format.keep_with_next = True
    styles["Heading 1"].paragraph_format.page_break_before = True
    _font(styles["Title"], HEAD_FONT, 28, ACCENT, True)
    styles["Title"].paragraph_format.space_before = Pt(180)
    styles["Title"].paragraph_format.alignment = WD_ALIGN_PARAGRAPH.LEFT
    _font(styles["Subtitle"], HEAD_FONT, 15, MUTED, False)
    styles["Subtitle"].paragraph_format.alignment = WD_ALIGN_PARAGRAPH.LEFT
    # the cover fits one page: Subtitle, Author and Date are based on Title, whose 180 pt
    # space-before they would otherwise inherit
    styles["Subtitle"].paragraph_format.space_before = Pt(12)
    for name, before in (("Author", 36), ("Date", 6)):
        _font(styles[name], HEAD_FONT, 12, ACCENT, False)
        styles[name].paragraph_format.alignment = WD_ALIGN_PARAGRAPH.LEFT
        styles[name].paragraph_format.space_before = Pt(before)
    _font(styles["TOC Heading"], HEAD_FONT, 16, ACCENT, True)
    styles["TOC Heading"].paragraph_format.page_break_before = True
    for name in ("Caption", "Table Caption", "Image Caption"):
        if name in styles:
            _font(styles[name], HEAD_FONT, 9.5, MUTED, False)
            styles[name].font.italic = True
    notice = styles.add_style("Encadré", WD_STYLE_TYPE.PARAGRAPH)
    notice.base_style = styles["Body Text"]
    _font(notice, HEAD_FONT, 9.5, WARN, False)
    notice.paragraph_format.left_indent = Cm(0.3)
    notice.paragraph_format.space_before = Pt(6)
    notice.paragraph_format.space_after = Pt(6)
    _shade(notice, "FFF4E5", "9A3412")
    _table_style(doc)
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2.4)
    section.top_margin = section.bottom_margin = Cm(2.5)
    _page_number_footer(section)
    props = doc.core_properties
    props.language = "fr-FR"
    props.title, props.author, props.last_modified_by = "Référence de styles cohorte", "cohorte", "cohorte"
    props.created = props.modified = FIXED_DATE
    props.revision = 1
    _set_language(doc)
    out.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    doc.save(buffer)
    _write_normalised_zip(buffer, out)
    return out


def _write_normalised_zip(buffer: io.BytesIO, out: Path) -> None:
    """Same bytes on every run: fixed timestamps and entry order."""
    with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in sorted(source.namelist(), key=lambda n: (n != "[Content_Types].xml", n)):
            info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(info, source.read(name))


def _set_language(doc) -> None:
    """Default proofing language French, so Word and LibreOffice hyphenate and check in French."""
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), "fr-FR")


if __name__ == "__main__":
    print(build(Path(sys.argv[1]) if len(sys.argv) > 1 else OUT))
