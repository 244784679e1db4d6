"""Consultants' prose per site: ``params/EDITION/sites/SLUG/prose/THEME.md``, and its Word round-trip.

Each theme's file is free Markdown (headings ``###`` at most) that may use the placeholders of
:mod:`cohorte.report.placeholders`; a missing or empty file means the theme has no prose. ``cohorte
texts export/import`` carry a site's six files through one DOCX (pandoc), one level-1 heading per theme;
the DOCX records what it was made from, and an import never overwrites a file changed since
(:mod:`cohorte.roundtrip`).
"""

from __future__ import annotations

import re
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from cohorte import config
from cohorte.errors import ImportRefusedError, ParamsError
from cohorte.files import atomic_write_bytes, atomic_write_text, sha256_bytes
from cohorte.pandoc import run_pandoc
from cohorte.report.text import Texts, strip_comments, texts
from cohorte.roundtrip import (
    CHECK,
    FORCE,
    EarlierImports,
    ImportResult,
    Stale,
    file_sha,
    record_id,
    refuse_conflicts,
    refuse_stale,
    refuse_without_record,
    write_with_backup,
)
from cohorte.validation import display_path

PROSE_THEMES = ("governance", "demand_service", "attribution_policy", "cotation", "flux", "perspectives")
GUIDANCE = {
    "governance": "le rôle de chef de file de l'EPCI, la CIL et son rythme, les instances techniques, "
    "le document-cadre, la CIA, le PPGDID, la place des bailleurs et de l'AR/UR Hlm",
    "demand_service": "l'enregistrement de la demande (fichier partagé ou SNE), le SAID : lieu commun, réseau, "
    "information des demandeurs, gestion partagée",
    "attribution_policy": "la transcription locale des objectifs (Q1 hors QPV, QPV, publics prioritaires), "
    "la qualification du parc, ce qui freine ou aide leur atteinte",
    "cotation": "l'avancement de la cotation, la grille, l'outil (module du SNE ou outil local), la démarche régionale",
    "flux": "la posture de l'EPCI, les états des lieux des bailleurs, les échanges avec les réservataires",
    "perspectives": "ce que le site prévoit pour l'année suivante",
}
_PLACEHOLDER = re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.DOTALL)
_LEADING_COMMENT = re.compile(r"\A\s*<!--.*?-->[ \t]*\n?", re.DOTALL)
RECORD_PREFIX = "cohorte-"  # custom document properties of an export: its record
EXPORT_PROPERTY = "cohorte-export"  # "texts EDITION SLUG"
ABSENT = "absent"  # the file did not exist at export
_RECORD_VALUE = re.compile(r"sha256=(?P<file>[0-9a-f]{64}|absent) section=(?P<section>[0-9a-f]{64})")
CUSTOM_PART = "docProps/custom.xml"
CUSTOM_NS = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
MAX_RECORD_BYTES = 1_000_000


def prose_path(edition: str | int, slug: str, theme: str) -> Path:
    return config.prose_dir(edition, slug) / f"{theme}.md"


def read_prose(edition: str | int, slug: str, theme: str) -> str:
    """The theme's raw Markdown ("" when the file is absent)."""
    path = prose_path(edition, slug, theme)
    return path.read_text(encoding="utf-8") if path.is_file() else ""


def render_prose(wording: Texts, edition: str | int, slug: str, theme: str, context: dict) -> str:
    """The theme's prose with its placeholders filled, comments removed ("" when there is none)."""
    path = prose_path(edition, slug, theme)
    source = read_prose(edition, slug, theme)
    if not strip_comments(source).strip():
        return ""
    return wording.render_source(source, path, **context)


def scaffold_text(theme: str) -> str:
    """A prose file's starting content: a comment saying what belongs there (stripped from outputs)."""
    return (
        f"<!-- {theme} — prose des consultants : {GUIDANCE[theme]}.\n"
        '     Paragraphes et puces ; intertitres ### au plus. Chiffres du site : {{ figure("pressure") }}.\n'
        "     Fichier vide : la section n'apparaît pas dans la monographie. -->\n"
    )


def write_prose_scaffold(edition: str | int, slug: str) -> list[Path]:
    """One prose file per theme with its guidance comment; existing files are kept."""
    written = []
    for theme in PROSE_THEMES:
        path = prose_path(edition, slug, theme)
        if not path.exists():
            written.append(atomic_write_text(path, scaffold_text(theme)))
    return written


# --- Word round-trip ------------------------------------------------------------------------------


def _pandoc(args: list[str], source: str | None = None) -> str:
    return run_pandoc(args, what="the Word round-trip", stdin=source, error=ParamsError)


def _titles(wording: Texts) -> dict[str, str]:
    return {theme: wording.label("themes", theme) for theme in PROSE_THEMES}


def _export_markdown(edition: str | int, slug: str, titles: dict[str, str]) -> tuple[str, dict[str, str | None]]:
    """The DOCX's Markdown (one level-1 heading per theme) and the SHA-256 of each file read (None: absent)."""
    parts, hashes = [], {}
    for theme in PROSE_THEMES:
        path = prose_path(edition, slug, theme)
        raw = path.read_bytes() if path.is_file() else None
        hashes[theme] = sha256_bytes(raw) if raw is not None else None
        body = _LEADING_COMMENT.sub("", raw.decode("utf-8") if raw else "").strip()
        parts.append(f"# {titles[theme]}\n\n{body}\n")
    return "\n".join(parts), hashes


def _docx_markdown(path: Path) -> str:
    """A DOCX as the import reads it: Markdown, placeholders restored from what Word made of them."""
    markdown = _pandoc(
        ["-f", "docx", "-t", "markdown-smart-simple_tables-multiline_tables-grid_tables", "--wrap=none", str(path)]
    )
    return _PLACEHOLDER.sub(_restore_placeholder, markdown)


def _body_sha(body: str) -> str:
    return sha256_bytes(body.encode("utf-8"))


def export_docx(edition: str | int, slug: str, target: Path) -> Path:
    """Write the site's prose to ``target``: one Heading 1 per theme, its Markdown below.

    The DOCX records what it was made from (custom document properties ``cohorte-export`` and
    ``cohorte-THEME``): each file's SHA-256 and the SHA-256 of its section as the import will read it
    back, so that an import can tell a file changed since from a section changed in Word.
    """
    from cohorte.editions import load_edition

    load_edition(edition).site(slug)
    titles = _titles(texts(edition))
    markdown, hashes = _export_markdown(edition, slug, titles)
    target = Path(target)
    with tempfile.TemporaryDirectory() as folder:
        plain = Path(folder) / "plain.docx"
        _pandoc(["-f", "markdown-smart", "-t", "docx", "-o", str(plain)], markdown)
        sections = split_sections(_docx_markdown(plain), titles, "the exported document")
        record = {EXPORT_PROPERTY: f"texts {edition} {slug}"}
        for theme in PROSE_THEMES:
            record[f"{RECORD_PREFIX}{theme}"] = f"sha256={hashes[theme] or ABSENT} section={_body_sha(sections[theme])}"
        tmp = Path(folder) / "prose.docx"
        properties = [f"--metadata={key}={value}" for key, value in record.items()]
        _pandoc(["-f", "markdown-smart", "-t", "docx", *properties, "-o", str(tmp)], markdown)
        return atomic_write_bytes(target, tmp.read_bytes())


def read_export_record(source: Path) -> dict[str, str]:
    """The DOCX's custom document properties whose name starts with ``cohorte-`` ({} when none)."""
    from docx.oxml import parse_xml

    try:
        with zipfile.ZipFile(source) as archive:
            if CUSTOM_PART not in archive.namelist():
                return {}
            if archive.getinfo(CUSTOM_PART).file_size > MAX_RECORD_BYTES:
                raise ParamsError(f"{display_path(source)}: {CUSTOM_PART} is too large to be the kit's record")
            root = parse_xml(archive.read(CUSTOM_PART))
    except (zipfile.BadZipFile, SyntaxError) as exc:  # lxml's XMLSyntaxError is a SyntaxError
        raise ParamsError(f"{display_path(source)}: not a readable .docx document ({exc})") from None
    found = {}
    for prop in root.iter(f"{{{CUSTOM_NS}}}property"):
        name = prop.get("name") or ""
        if name.startswith(RECORD_PREFIX):
            found[name] = "".join(prop.itertext()).strip()
    return found


_QUOTES = str.maketrans({"“": '"', "”": '"', "«": '"', "»": '"', "‘": "'", "’": "'", "\u00a0": " ", "\u202f": " "})


def _restore_placeholder(match: re.Match) -> str:
    """Undo what Word and pandoc do inside ``{{ … }}``: curly quotes, no-break spaces, backslash escapes."""
    return re.sub(r"\\([\\`*_{}\[\]()#+\-.!\"'|<>~^$])", r"\1", match.group(0).translate(_QUOTES))


def split_sections(markdown: str, titles: dict[str, str], where: str) -> dict[str, str]:
    """Level-1 headings → theme bodies; every theme heading must be there once, nothing else."""

    def key(title: str) -> str:
        return " ".join(title.translate(_QUOTES).split()).casefold()

    by_title = {key(title): theme for theme, title in titles.items()}
    by_title.update({key(theme): theme for theme in titles})
    found: dict[str, list[str]] = {}
    current: str | None = None
    preamble: list[str] = []
    for line in markdown.splitlines():
        heading = re.fullmatch(r"#\s+(.*?)\s*#*\s*", line)
        if heading:
            title = re.sub(r"\{[^}]*\}$", "", heading.group(1)).strip()
            theme = by_title.get(key(title))
            if theme is None:
                raise ParamsError(
                    f"{where}: heading « {title} » is not a theme; level-1 headings must be: "
                    f"{', '.join(titles.values())} (use ### inside a theme)"
                )
            if theme in found:
                raise ParamsError(f"{where}: heading « {title} » appears twice")
            current, found[theme] = theme, []
        elif current is None:
            preamble.append(line)
        else:
            found[current].append(line)
    if any(line.strip() for line in preamble):
        raise ParamsError(f"{where}: text before the first heading; put it under one of: {', '.join(titles.values())}")
    missing = [titles[t] for t in titles if t not in found]
    if missing:
        raise ParamsError(
            f"{where}: heading(s) missing: {', '.join(missing)}; keep every heading (leave a section "
            "empty to have no prose)"
        )
    return {theme: "\n".join(lines).strip() for theme, lines in found.items()}


@dataclass(frozen=True)
class _Recorded:
    """One theme's entry in a DOCX's record: its file at export (None: absent) and its section as read back."""

    file_sha: str | None
    section_sha: str


def _recorded(
    record: dict[str, str], source: Path, edition: str | int, slug: str, command: str, required: bool
) -> dict[str, _Recorded] | None:
    """The record of an export of ``slug``'s prose (None under ``--force``, which ignores it).

    Refuses a DOCX without a record (unless not ``required``), or exported for another site or edition.
    """
    if EXPORT_PROPERTY not in record:
        if not required:
            return None
        raise refuse_without_record(source, command, "an export by an older cohorte, or a document made by hand")
    origin = record[EXPORT_PROPERTY].split()
    if origin != ["texts", str(edition), slug]:
        raise ImportRefusedError(
            f"{source.name} holds the prose exported by `cohorte {' '.join(origin[:1])} export "
            f"{' '.join(origin[1:])}`, not that of site {slug} in edition {edition}; nothing was written"
        )
    if not required:
        return None
    entries = {}
    for theme in PROSE_THEMES:
        match = _RECORD_VALUE.fullmatch(record.get(f"{RECORD_PREFIX}{theme}", ""))
        if match is None:
            raise refuse_without_record(source, command, f"its property {RECORD_PREFIX}{theme} is missing or altered")
        sha = match.group("file")
        entries[theme] = _Recorded(None if sha == ABSENT else sha, match.group("section"))
    return entries


@dataclass(frozen=True)
class _Section:
    """A DOCX section against its file: the file's path, its current text, the text the import would write."""

    path: Path
    old: str
    new: str
    body: str


def _sections(edition: str | int, slug: str, bodies: dict[str, str]) -> dict[str, _Section]:
    """Each theme's file text after import: its leading guidance comment kept, the DOCX's body below."""
    found = {}
    for theme, body in bodies.items():
        old = read_prose(edition, slug, theme)
        header = m.group(0) if (m := _LEADING_COMMENT.match(old)) else ""
        found[theme] = _Section(prose_path(edition, slug, theme), old, header + (body + "\n" if body else ""), body)
    return found


def _plan(
    sections: dict[str, _Section],
    recorded: dict[str, _Recorded] | None,
    earlier: EarlierImports,
    titles: dict[str, str],
) -> tuple[dict[Path, str], list[Stale]]:
    """The new text of each file to write, and the files changed since the export.

    Without a record (``--force``) every section that differs from its file is written; with one,
    only the sections changed in Word, into files unchanged since the export (or left as an earlier
    import of this export wrote them).
    """
    writes: dict[Path, str] = {}
    stale: list[Stale] = []
    for theme, section in sections.items():
        changed = section.new != section.old
        if recorded is None:
            if changed:
                writes[section.path] = section.new
            continue
        touched = _body_sha(section.body) != recorded[theme].section_sha
        as_exported = file_sha(section.path) == recorded[theme].file_sha
        if as_exported or earlier.wrote(section.path):
            if changed and (touched or not as_exported):
                writes[section.path] = section.new
        elif changed:  # a file already holding what the DOCX says is no loss either way
            stale.append(Stale(section.path, touched, f"section « {titles[theme]} »"))
    return writes, stale


def import_docx(edition: str | int, slug: str, source: Path, validate, mode: str = CHECK) -> ImportResult:
    """Read the DOCX, check every section renders (``validate(theme, text, path)`` raises), then write.

    Only the sections changed in Word since the export are written; a file changed since the export
    stops the import (``check``), is kept where Word left its section as exported (``merge``), or is
    replaced (``force``). Every file replaced is backed up first; nothing is written on any error.
    """
    from cohorte.editions import load_edition

    load_edition(edition).site(slug)
    source = Path(source)
    if not source.is_file():
        raise ParamsError(f"{source}: file not found")
    command = f"cohorte texts import {edition} {slug} {source}"
    where = display_path(source)
    titles = _titles(texts(edition))
    sections = _sections(edition, slug, split_sections(_docx_markdown(source), titles, where))
    for theme, section in sections.items():
        try:
            validate(theme, section.new, section.path)
        except ParamsError as exc:
            raise ParamsError(f"{where}, section « {titles[theme]} »: {exc}") from None
    record = read_export_record(source)
    recorded = _recorded(record, source, edition, slug, command, required=mode != FORCE)
    export = record_id(record) if EXPORT_PROPERTY in record else None
    writes, stale = _plan(sections, recorded, EarlierImports(edition, export), titles)
    if stale and mode == CHECK:
        raise refuse_stale(source, stale, command, edition)
    conflicts = [f"{display_path(s.path)} ({s.detail})" for s in stale if s.touched]
    if conflicts:
        raise refuse_conflicts(source, conflicts, command)
    flag = "" if mode == CHECK else f" --{mode}"
    kept = [s.path for s in stale]
    return write_with_backup(
        edition, writes, kind="texts", command=command + flag, source=source, site=slug, kept=kept, export=export
    )
