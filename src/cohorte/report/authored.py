"""The synthesis's text: the edition's authored parts (``params/EDITION/synthesis/*.md``, in file order),
else the kit's default parts (``templates/text/fr/synthesis/``), with their computed placeholders,
encadrés turned into boxes, and the annexes (methods, glossary) appended by code.

Also the checks on authored text: a count of sites typed by hand, a headline count on a field that
most sites leave undocumented.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from cohorte import config
from cohorte.errors import ParamsError
from cohorte.indicators.registry import INDICATORS
from cohorte.report.display import callout_markdown
from cohorte.report.placeholders import Placeholders, check_field
from cohorte.report.text import GLOSSARY, Texts, authored_markdown, shown_path, strip_comments

KIT_PARTS = "synthesis"
_ENCADRE_OPEN = re.compile(r'^(:{3,})\s*\{\s*\.encadre\s+title="([^"]*)"\s*\}\s*$')
_FENCE_CLOSE = re.compile(r"^:{3,}\s*$")
_FENCE_OPEN = re.compile(r"^:{3,}\s*\S")
_TEMPLATE_CODE = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}|<!--.*?-->", re.DOTALL)
_NUMBER_WORDS = {
    "deux": 2,
    "trois": 3,
    "quatre": 4,
    "cinq": 5,
    "six": 6,
    "sept": 7,
    "huit": 8,
    "neuf": 9,
    "dix": 10,
    "onze": 11,
    "douze": 12,
    "treize": 13,
    "quatorze": 14,
    "quinze": 15,
    "seize": 16,
    "dix-sept": 17,
    "dix-huit": 18,
    "dix-neuf": 19,
    "vingt": 20,
}
_SITE_NOUNS = r"(?:sites?|EPCI|territoires?|intercommunalités?|agglomérations?|métropoles?|collectivités?)"
_TYPED_COUNT = re.compile(
    rf"(?<![\w.,\-])(\d+|{'|'.join(sorted(_NUMBER_WORDS, key=len, reverse=True))})(?:\s+[\wéèêàç'-]+)?\s+{_SITE_NOUNS}\b",
    re.IGNORECASE,
)
# a list of named sites (``sites()``) is not a count: only counts can make a misleading headline
_COUNTED_FIELD = re.compile(r"\b(count|phrase)\(\s*[\"']([\w.]+)[\"']")


@dataclass(frozen=True)
class Part:
    """One part of the synthesis: its file and its stem (``10-gouvernance``)."""

    path: Path
    authored: bool  # the edition's own text, or the kit's default

    @property
    def stem(self) -> str:
        return self.path.stem


def parts(edition: str | int, wording: Texts) -> list[Part]:
    """The edition's authored parts when ``params/EDITION/synthesis/`` has any, else the kit's defaults."""
    folder = config.synthesis_text_dir(edition)
    own = sorted(folder.glob("*.md")) if folder.is_dir() else []
    if own:
        return [Part(p, True) for p in own]
    names = sorted(p.name for p in (config.kit_text_dir() / KIT_PARTS).glob("*.md") if not p.name.startswith("_"))
    return [Part(wording.source_path(f"{KIT_PARTS}/{n}"), False) for n in names]  # type: ignore[arg-type]


def encadres(markdown: str) -> str:
    """``::: {.encadre title="…"}`` … ``:::`` → the kit's boxed callout (a box in HTML, typst and DOCX)."""
    out: list[str] = []
    box: list[str] | None = None
    title, depth = "", 0
    for line in markdown.splitlines():
        if box is None:
            opened = _ENCADRE_OPEN.match(line)
            if opened:
                box, title, depth = [], opened.group(2), 0
            else:
                out.append(line)
            continue
        if _FENCE_CLOSE.match(line) and depth == 0:
            out.append(callout_markdown(title, "\n".join(box).strip()))
            box = None
            continue
        depth += 1 if _FENCE_OPEN.match(line) else (-1 if _FENCE_CLOSE.match(line) else 0)
        box.append(line)
    if box is not None:
        raise ParamsError(f"encadré « {title} » is not closed: end it with a line ':::'")
    return "\n".join(out)


def shift_headings(markdown: str) -> str:
    """Every ATX heading one level down (a part's ``#`` sits under the synthesis's title), code blocks aside."""
    out, fenced = [], False
    for line in markdown.splitlines():
        if re.match(r"^(```|~~~)", line):
            fenced = not fenced
        out.append("#" + line if not fenced and re.match(r"^#{1,5}\s", line) else line)
    return "\n".join(out)


def render_part(part: Part, places: Placeholders, extra: dict | None = None) -> str:
    """A part's Markdown with its placeholders filled, its headings under the title, its encadrés boxed."""
    source = part.path.read_text(encoding="utf-8")
    text = places.wording.render_source(source, part.path, **places.context(), **(extra or {}))
    try:
        return encadres(shift_headings(authored_markdown(text, shown_path(part.path))))
    except ParamsError as exc:
        raise ParamsError(f"{shown_path(part.path)}: {exc}") from None


def split_intro(markdown: str) -> tuple[str, str]:
    """(the part's title and introduction, the rest from its first sub-section, ``##`` in the author's file)."""
    match = re.search(r"^###\s", markdown, re.MULTILINE)
    return (markdown, "") if match is None else (markdown[: match.start()].rstrip(), markdown[match.start() :])


# --- annexes ---------------------------------------------------------------------------------------


def methods_markdown(places: Placeholders) -> str:
    """The methods annex: every indicator's definition and unit, thresholds and the disclosure rule."""
    indicators = [
        {"id": k, "label": v.label_fr, "unit": v.unit, "definition": v.definition} for k, v in INDICATORS.items()
    ]
    return places.wording.render("annexes/methods.md", **places.context(), indicators=indicators)


def _glossary_entry(where: str, key: object, value: object) -> tuple[str, dt.date | None]:
    """(definition, date the acronym exists from or None) of one glossary entry."""
    if isinstance(value, str) and value.strip():
        return value.strip(), None
    if isinstance(value, dict) and set(value) == {"texte", "depuis"}:
        text, since = value["texte"], value["depuis"]
        if isinstance(text, str) and text.strip() and isinstance(since, dt.date):
            return text.strip(), since
    raise ParamsError(
        f'{where}: key {key!r}: expected "définition" or {{texte: "définition", depuis: AAAA-MM-JJ}} '
        "(non-empty text, a date)"
    )


def glossary(wording: Texts, published: dt.date | None = None) -> dict[str, str]:
    """``glossary.yml`` (acronym → definition), the edition's own first; empty when there is none.
    With ``published`` (the edition's publication date), acronyms created later are left out."""
    if not wording.exists(GLOSSARY):
        return {}
    data = wording.data_file(GLOSSARY)
    where = shown_path(wording.source_path(GLOSSARY))  # type: ignore[arg-type]
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ParamsError(f'{where}: expected a mapping ACRONYM: "définition" (non-empty text for each)')
    entries = {str(k): _glossary_entry(where, k, v) for k, v in data.items()}
    return {k: text for k, (text, since) in entries.items() if since is None or published is None or since <= published}


def glossary_markdown(places: Placeholders) -> str:
    entries = glossary(places.wording, places.edition.published_by)
    if not entries:
        return ""
    ordered = sorted(entries.items(), key=lambda kv: kv[0].casefold())
    return places.wording.render("annexes/glossary.md", **places.context(), entries=ordered)


# --- checks on authored text -------------------------------------------------------------------------


def _blank_code(source: str) -> str:
    """Template code and comments replaced by blanks (line numbers kept)."""
    return _TEMPLATE_CODE.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), source)


def typed_counts(source: str, n_sites: int) -> list[tuple[int, str]]:
    """(line, text) of every count of sites written by hand outside a placeholder."""
    found = []
    for number, line in enumerate(_blank_code(source).splitlines(), start=1):
        for match in _TYPED_COUNT.finditer(line):
            word = match.group(1).lower()
            value = int(word) if word.isdigit() else _NUMBER_WORDS[word]
            if value <= n_sites:
                found.append((number, match.group(0)))
    return found


def headline_fields(source: str) -> list[tuple[int, str]]:
    """(line, field) of every ``count("field", …)`` or ``phrase("field", …)``."""
    return [
        (n, m.group(2)) for n, line in enumerate(source.splitlines(), start=1) for m in _COUNTED_FIELD.finditer(line)
    ]


def check_part_source(path: Path, places: Placeholders) -> tuple[list[str], list[str]]:
    """(problems, warnings) of one authored part, without rendering it."""
    source = strip_comments(path.read_text(encoding="utf-8"))
    where = shown_path(path)
    problems = [
        f"{where}, line {line}: « {text} » is a count of sites typed by hand; compute it with a placeholder "
        '({{ count("theme.field", "value") }}, {{ n_sites }}, {{ stated("key").text }})'
        for line, text in typed_counts(source, len(places.edition.sites))
    ]
    warnings = []
    half = len(places.edition.sites) / 2
    lines = source.splitlines()
    for line, field in headline_fields(source):
        if re.search(rf"documented\(\s*[\"']{re.escape(field)}[\"']", lines[line - 1]):
            continue  # the sentence says how many sites document it
        try:
            check_field(field)
        except ParamsError:
            continue  # rendering reports it with its line
        documented = places.documented(field)
        if documented < half:
            warnings.append(
                f"{where}, line {line}: counts sites on {field}, documented for only {documented} of "
                f'{len(places.edition.sites)} sites; say so ({{{{ documented("{field}") }}}}) or use a '
                "stated aggregate rather than a headline"
            )
    return problems, warnings
