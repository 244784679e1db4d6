"""Consultants' prose per site: ``params/EDITION/sites/SLUG/prose/THEME.md``, and its Word round-trip.

Each theme's file is free Markdown (headings ``###`` at most) that may use the placeholders of
:mod:`cohorte.report.placeholders`; a missing or empty file means the theme has no prose. ``cohorte
texts export/import`` carry a site's six files through one DOCX (pandoc), one level-1 heading per theme.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

from cohorte import config
from cohorte.errors import ParamsError
from cohorte.files import atomic_write_bytes, atomic_write_text
from cohorte.pandoc import run_pandoc
from cohorte.report.text import Texts, strip_comments, texts
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


def export_docx(edition: str | int, slug: str, target: Path) -> Path:
    """Write the site's prose to ``target``: one Heading 1 per theme, its Markdown below."""
    from cohorte.editions import load_edition

    load_edition(edition).site(slug)
    titles = _titles(texts(edition))
    parts = []
    for theme in PROSE_THEMES:
        body = _LEADING_COMMENT.sub("", read_prose(edition, slug, theme)).strip()
        parts.append(f"# {titles[theme]}\n\n{body}\n")
    target = Path(target)
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder) / "prose.docx"
        _pandoc(["-f", "markdown-smart", "-t", "docx", "-o", str(tmp)], "\n".join(parts))
        return atomic_write_bytes(target, tmp.read_bytes())


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


def import_docx(edition: str | int, slug: str, source: Path, validate) -> list[Path]:
    """Read the DOCX, check every section renders (``validate(theme, text, path)`` raises), then write all.

    Nothing is written unless every section is valid; a file's leading guidance comment is kept.
    Returns the files that changed.
    """
    from cohorte.editions import load_edition

    load_edition(edition).site(slug)
    source = Path(source)
    if not source.is_file():
        raise ParamsError(f"{source}: file not found")
    where = display_path(source)
    markdown = _pandoc(
        ["-f", "docx", "-t", "markdown-smart-simple_tables-multiline_tables-grid_tables", "--wrap=none", str(source)]
    )
    markdown = _PLACEHOLDER.sub(_restore_placeholder, markdown)
    titles = _titles(texts(edition))
    sections = split_sections(markdown, titles, where)
    new_texts = {}
    for theme, body in sections.items():
        path = prose_path(edition, slug, theme)
        old = read_prose(edition, slug, theme)
        header = m.group(0) if (m := _LEADING_COMMENT.match(old)) else ""
        text = header + (body + "\n" if body else "")
        try:
            validate(theme, text, path)
        except ParamsError as exc:
            raise ParamsError(f"{where}, section « {titles[theme]} »: {exc}") from None
        if text != old:
            new_texts[path] = text
    return [atomic_write_text(path, text) for path, text in new_texts.items()]
