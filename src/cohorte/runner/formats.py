"""The output formats, in one table: the CLI, the renderers, the Quarto book and both edition kinds read it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from cohorte.errors import ParamsError


@dataclass(frozen=True)
class Format:
    name: str  # what a user types (--formats) and the documents' extension
    quarto: str  # Quarto's name for it (``format:`` in _quarto.yml)
    label: str  # how a download link names it


FORMATS: dict[str, Format] = {
    "html": Format("html", "html", "HTML"),
    "pdf": Format("pdf", "typst", "PDF"),
    "docx": Format("docx", "docx", "Word (DOCX)"),
}
ALL = tuple(FORMATS)


def parse_formats(
    chosen: str | Iterable[str] | None, allowed: tuple[str, ...] = ALL, who: str = "this edition"
) -> tuple[str, ...]:
    """The formats asked for, in the table's order, each once; ``None`` or empty gives ``allowed``.

    A format outside ``allowed`` (unknown, or not made by this kind of edition) is an error naming them."""
    if chosen is None:
        return allowed
    names = [c.strip() for c in chosen.split(",")] if isinstance(chosen, str) else [str(c).strip() for c in chosen]
    names = [n for n in names if n]
    if not names:
        return allowed
    refused = [n for n in dict.fromkeys(names) if n not in allowed]
    if refused:
        raise ParamsError(f"format(s) {', '.join(refused)} not made for {who}: choose among {', '.join(allowed)}")
    return tuple(f for f in ALL if f in names)
