"""French typography on Markdown: non-breaking spaces where a French line must not break.

:func:`french` is pure and idempotent. It puts a no-break space (U+00A0, the kit's ``NBSP``)

- before « : ; ? ! » and inside « guillemets » (an ordinary space becomes a no-break one; a
  missing space inside the guillemets is added);
- inside numbers written with spaces (« 1 146 320 »), between a number and its unit (« 15,5 % »,
  « 8 882 € », « 10 mois ») and after « n° », « p. », « art. »;
- inside dates (« 24 novembre 2021 », « 1er septembre 2021 », « février 2021 »).

It leaves alone code (fenced blocks and inline spans), link and image targets, and the Markdown
syntax that starts a line (``: caption``, ``::: {.div}``), so that the rendering path can apply it
once to every Markdown cell — generated and authored text alike — before pandoc reads it.
"""

from __future__ import annotations

import re

NBSP = "\u00a0"
_SPACE = "[ \u00a0\u202f]"
_MONTHS = "janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|décembre"
_UNITS = r"%|€(?:/UC)?|mois|ans?|jours?|semaines?|points?|pts?|m²|UC|k€|M€"

# Code and link targets are copied unchanged.
_PROTECTED = re.compile(r"(```.*?```|~~~.*?~~~|`[^`\n]*`|\]\([^)\n]*\)|<[^>\n]*>)", re.DOTALL)

_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    # a space before a high punctuation mark (never at a line start: « : caption », « ::: »)
    (re.compile(rf"(?<=[^\s]){_SPACE}+(?=[:;!?](?:\s|$|[)\]*_»,.]))", re.MULTILINE), NBSP),
    # inside guillemets
    (re.compile(rf"«{_SPACE}*(?=\S)"), "«" + NBSP),
    (re.compile(rf"(?<=\S){_SPACE}*»"), NBSP + "»"),
    # inside numbers: 1 146 320 (the first group has 1 to 3 digits)
    (re.compile(rf"(?<![\d,.])(\d{{1,3}})((?:{_SPACE}\d{{3}})+)(?![\d])"), "NUMBER"),
    # a number and its unit
    (re.compile(rf"(?<=\d){_SPACE}(?=(?:{_UNITS})(?![\w]))"), NBSP),
    # abbreviations followed by a number
    (re.compile(rf"\b(n°|p\.|art\.|pp\.){_SPACE}(?=\d)"), r"\1" + NBSP),
    # dates: 24 novembre 2021, 1er septembre 2021, février 2021
    (re.compile(rf"\b(\d{{1,2}}|1er){_SPACE}(?=(?:{_MONTHS})\b)"), r"\1" + NBSP),
    (re.compile(rf"\b({_MONTHS}){_SPACE}(?=\d{{4}}\b)"), r"\1" + NBSP),
)


def _number(match: re.Match[str]) -> str:
    return match.group(1) + re.sub(_SPACE, NBSP, match.group(2))


def _plain(text: str) -> str:
    for pattern, replacement in _RULES:
        text = pattern.sub(_number if replacement == "NUMBER" else replacement, text)
    return text


def french(markdown: str) -> str:
    """``markdown`` with French non-breaking spaces (idempotent; code and link targets untouched)."""
    pieces = _PROTECTED.split(markdown)
    return "".join(piece if index % 2 else _plain(piece) for index, piece in enumerate(pieces))
