"""The one sanitiser of text written by people (grids, spreadsheets, consultants' prose) on its way to pandoc.

Such text is data. It may use the little Markdown a report needs — emphasis (``*x*``, ``**x**``,
``_x_``), bullet and numbered lists, paragraphs, links to ``http(s)`` and ``mailto`` — and nothing
else: every other character pandoc would read as markup is escaped, so ``<script>``, ``<img onerror>``,
raw blocks (`` `…`{=typst} ``, ``{=html}``, ```` ```{=…} ````), images, spans with attributes,
citations, math and metadata blocks come out as the literal text that was typed, in HTML, typst and
DOCX alike.

:func:`problems` says what a render would not show as written (raw HTML, raw blocks, links to other
schemes such as ``javascript:``); validators call it so that ``cohorte check`` refuses such text
with a message naming the file and the key. :func:`inline` and :func:`block` escape whatever reaches
them, checked or not.
"""

from __future__ import annotations

import re

from cohorte.errors import CohorteError

ALLOWED_SCHEMES = ("http", "https", "mailto")
MAX_TEXT_CHARS = 20_000  # one finding, highlight or prose file section; a report paragraph is far shorter

# Every ASCII character pandoc's markdown reader may take as markup, except the emphasis markers
# (* and _) and quotes/dashes/dots (typography of the ``smart`` extension), which are harmless.
_ESCAPED = set("\\`<>&[]{}()!#|$^~@:=%+")
_LINK = re.compile(r"\[([^\[\]\n]{1,500})\]\(([^()\s<>\"']{1,2000})\)")
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")
_LIST_ITEM = re.compile(r"^(?:[-*+]|\d{1,3}[.)])[ \t]+")
_RAW_ATTRIBUTE = re.compile(r"\{\s*=\s*([A-Za-z][A-Za-z0-9_-]*)")
_RAW_HTML = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:[\s/>]|$)|<!--|<\?|<!\[CDATA\[", re.IGNORECASE)
_ANY_LINK_TARGET = re.compile(r"\]\(\s*<?\s*([^)\s>]*)|<([A-Za-z][A-Za-z0-9+.-]*:[^>\s]*)>")


class MarkupError(CohorteError):
    """Text would not render as written (raw HTML, raw block, forbidden link)."""


def _link_allowed(url: str) -> bool:
    match = _SCHEME.match(url)
    return (
        match is not None
        and match[1].lower() in ALLOWED_SCHEMES
        and (match[1].lower() == "mailto" or url.count("//") >= 1)
    )


def problems(text: str, max_chars: int = MAX_TEXT_CHARS) -> list[str]:
    """What in ``text`` a report would not show as written; empty when the text is fine."""
    found = []
    if len(text) > max_chars:
        found.append(f"{len(text):,} characters is too long for one text (at most {max_chars:,}); split it")
    for match in _RAW_ATTRIBUTE.finditer(text):
        found.append(f"raw block {{={match[1]}}} is not allowed; write plain text (emphasis, lists and links only)")
    for match in _RAW_HTML.finditer(text):
        found.append(f"raw HTML {match[0].strip()!r} is not allowed; write plain text (emphasis, lists and links only)")
    for match in _ANY_LINK_TARGET.finditer(text):
        url = match[1] if match[1] is not None else match[2]
        if url and not _link_allowed(url):
            shown = url if len(url) <= 40 else url[:40] + "…"
            found.append(f"link to {shown!r} is not allowed; only http(s) and mailto links")
    return found


def check(text: str, where: str, max_chars: int = MAX_TEXT_CHARS) -> str:
    """``text`` itself when :func:`problems` finds nothing, else :class:`MarkupError` naming ``where``."""
    found = problems(text, max_chars)
    if found:
        raise MarkupError("\n".join(f"{where}: {problem}" for problem in found))
    return text


def as_written(text: str) -> str:
    """``text`` itself, or ValueError saying what would not render as typed (for pydantic validators)."""
    found = problems(text)
    if found:
        raise ValueError("; ".join(dict.fromkeys(found)))
    return text


def _escape_chars(text: str) -> str:
    return "".join("\\" + char if char in _ESCAPED else char for char in text)


def _escape_span(text: str) -> str:
    """Escape a run of text on one line, keeping allowed links (their label escaped too)."""
    parts, last = [], 0
    for match in _LINK.finditer(text):
        label, url = match[1], match[2]
        if not _link_allowed(url):
            continue
        parts.append(_escape_chars(text[last : match.start()]))
        parts.append(f"[{_escape_chars(label)}]({url})")
        last = match.end()
    parts.append(_escape_chars(text[last:]))
    return "".join(parts)


def inline(text: object) -> str:
    """Text for one line of a report (a list item, a title, a table cell): emphasis and links only."""
    line = " ".join(str(text).split())
    return _literal_start(line, _escape_span(line))


def _literal_start(line: str, escaped: str) -> str:
    """Keep a line from opening a list, a rule or a metadata block (``- ``, ``1. ``, ``---``)."""
    if line[:1] == "-" or re.match(r"^\*(\s|\*\*+\s*$)", line):
        return "\\" + escaped
    if match := re.match(r"^\d{1,9}\.", escaped):
        return escaped[: match.end() - 1] + "\\." + escaped[match.end() :]
    return escaped


def block(text: object) -> str:
    """Text of one or more paragraphs: emphasis, links, bullet and numbered lists; the rest literal."""
    lines = []
    for raw in str(text).replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = " ".join(raw.split())
        marker = _LIST_ITEM.match(line)
        if marker:
            lines.append(marker[0].rstrip() + " " + _escape_span(line[marker.end() :]))
        elif line[:1] == "-":
            lines.append("\\" + _escape_span(line))  # "---" would open a metadata block
        else:
            lines.append(_escape_span(line))
    return "\n".join(lines).strip("\n")
