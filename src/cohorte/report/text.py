"""Report wording: Jinja2 templates that hold the words, Python that computes the values.

The kit's default templates live under ``templates/text/fr/``; a file at the same relative path
under ``params/EDITION/text/`` replaces it for that edition (the vocabulary and the glossary too).
Authored Markdown (a site's prose, the synthesis parts) is rendered by the same environment, so it
may use the same placeholders and filters. Every error — syntax, unknown filter, missing variable,
a placeholder function refusing its arguments — is a :class:`ParamsError` naming the file and line.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Literal

import jinja2
from jinja2.sandbox import SandboxedEnvironment

from cohorte import config, markup
from cohorte.errors import CohorteError, ParamsError
from cohorte.report.formatting import (
    fmt_date_fr,
    fmt_eur,
    fmt_int,
    fmt_months,
    fmt_num,
    fmt_pct,
    join_fr,
    plural_fr,
)
from cohorte.validation import read_yaml

VOCABULARY = "vocabulary.yml"
GLOSSARY = "glossary.yml"
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_NUMBER_WORDS = (
    "zéro",
    "un",
    "deux",
    "trois",
    "quatre",
    "cinq",
    "six",
    "sept",
    "huit",
    "neuf",
    "dix",
    "onze",
    "douze",
    "treize",
    "quatorze",
    "quinze",
    "seize",
    "dix-sept",
    "dix-huit",
    "dix-neuf",
    "vingt",
)
_VOWELS = "aàâäeéèêëiîïoôöuùûüyhAÀÂÄEÉÈÊËIÎÏOÔÖUÙÛÜYH"
_ELIDED = {"de": "d'", "le": "l'", "la": "l'", "que": "qu'", "ce": "c'", "ne": "n'", "se": "s'", "je": "j'"}


# --- filters ------------------------------------------------------------------------------------


def en_lettres(value: object, feminine: bool = False) -> str:
    """Small whole numbers in words (``3 → "trois"``); larger ones in figures (``1 146``)."""
    number = float(value)  # type: ignore[arg-type]
    if number.is_integer() and 0 <= number <= 20:
        word = _NUMBER_WORDS[int(number)]
        return "une" if feminine and word == "un" else word
    return fmt_int(number) if number.is_integer() else fmt_num(number)


def elision(word: object, article: str = "de") -> str:
    """``"Action Logement" | elision("de") → "d'Action Logement"``; ``"Lorient" → "de Lorient"``."""
    text = str(word)
    elided = _ELIDED.get(article.lower())
    if elided and text[:1] in _VOWELS:
        return f"{elided}{text}"
    return f"{article} {text}"


def _named(site: object) -> tuple[str, str | None]:
    name = getattr(site, "text_name", None) or getattr(site, "name", None) or str(site)
    return str(name), getattr(site, "article", None)


def nom(site: object, capital: bool = False) -> str:
    """A site named in a sentence with its article: « l'Eurométropole de Strasbourg », « la CARENE »,
    « Lorient Agglomération »; ``capital`` at the start of a sentence (« L'Eurométropole… »)."""
    name, article = _named(site)
    text = name if article is None else (f"{article}{name}" if article.endswith("'") else f"{article} {name}")
    return majuscule(text) if capital else text


def de_nom(site: object) -> str:
    """« de l'Eurométropole… », « de la CARENE », « du Grand Avignon », « d'Agglopolys », « des … »."""
    name, article = _named(site)
    if article == "le":
        return f"du {name}"
    if article == "les":
        return f"des {name}"
    return f"de {nom(site)}" if article else elision(name, "de")


def a_nom(site: object) -> str:
    """« à l'Eurométropole… », « à la CARENE », « au Grand Avignon », « à Lorient Agglomération »."""
    name, article = _named(site)
    if article == "le":
        return f"au {name}"
    if article == "les":
        return f"aux {name}"
    return f"à {nom(site)}"


def accord(site: object, masculine: str = "", feminine: str = "e") -> str:
    """The ending agreeing with the site's gender: ``s'est doté{{ site | accord }}``."""
    return feminine if getattr(site, "feminine", True) else masculine


def liste(items: Iterable[object], last: str = "et") -> str:
    """``["A", "B", "C"] → "A, B et C"``."""
    return join_fr([str(i) for i in items], last)


def pluriel(count: object, singular: str, plural: str | None = None) -> str:
    """The word agreeing with ``count`` (word only): ``2 | pluriel("site") → "sites"``."""
    return plural_fr(count, singular, plural, with_count=False)


def compte(count: object, singular: str, plural: str | None = None) -> str:
    """The count and its agreeing word: ``2 | compte("site") → "2 sites"``."""
    return plural_fr(count, singular, plural)


def majuscule(text: object) -> str:
    """First letter in upper case, the rest untouched."""
    value = str(text)
    return value[:1].upper() + value[1:]


def pct(value: object, decimals: int = 1, trim: bool = False) -> str:
    return fmt_pct(value, decimals, trim=trim)


FILTERS: dict[str, Callable] = {
    "liste": liste,
    "en_lettres": en_lettres,
    "pct": pct,
    "entier": fmt_int,
    "nombre": fmt_num,
    "euros": fmt_eur,
    "mois": fmt_months,
    "date_longue": fmt_date_fr,
    "pluriel": pluriel,
    "compte": compte,
    "elision": elision,
    "majuscule": majuscule,
    "nom": nom,
    "de_nom": de_nom,
    "a_nom": a_nom,
    "accord": accord,
}


# --- locating errors ---------------------------------------------------------------------------


def shown_path(path: str | Path) -> str:
    """A template's path relative to the kit's root or the repository (``templates/text/fr/…``)."""
    resolved = Path(path).resolve()
    for base in (config.root(), config.repo_dir(), config.package_dir()):
        try:
            return str(resolved.relative_to(base.resolve()))
        except ValueError:
            continue
    return str(path)


def _template_line(tb: TracebackType | None, filenames: set[str]) -> tuple[str, int] | None:
    """The innermost traceback frame that belongs to a template (Jinja rewrites them to file/line)."""
    found = None
    while tb is not None:
        name = tb.tb_frame.f_code.co_filename
        if name in filenames or name.endswith((".md", ".yml")):
            found = (name, tb.tb_lineno)
        tb = tb.tb_next
    return found


def _message(exc: BaseException) -> str:
    if isinstance(exc, jinja2.UndefinedError):
        return f"{exc.message}; the variables available here are listed at the top of the kit's template"
    if isinstance(exc, CohorteError):
        return str(exc)
    text = getattr(exc, "message", None) or str(exc)
    return f"{text}" if isinstance(exc, jinja2.TemplateError) else f"{type(exc).__name__}: {text}"


def template_error(exc: BaseException, filename: str) -> ParamsError:
    """Any error raised while compiling or rendering a template, as « FILE, line N: message »."""
    if isinstance(exc, jinja2.TemplateSyntaxError):
        where = exc.filename or filename
        return ParamsError(f"{shown_path(where)}, line {exc.lineno}: {exc.message}")
    located = _template_line(exc.__traceback__, {filename})
    where, line = located if located else (filename, None)
    at = f", line {line}" if line else ""
    return ParamsError(f"{shown_path(where)}{at}: {_message(exc)}")


# --- the environment ----------------------------------------------------------------------------


def _environment(search: list[Path]) -> jinja2.Environment:
    env = SandboxedEnvironment(
        loader=jinja2.FileSystemLoader([str(p) for p in search]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
        autoescape=False,
    )
    env.filters.update(FILTERS)
    return env


def strip_comments(text: str) -> str:
    """Authors' HTML comments (``<!-- … -->``) removed, line count kept so error lines stay right."""
    return _COMMENT.sub(lambda m: "\n" * m.group(0).count("\n"), text)


def flowed(text: str) -> str:
    """A sentence template's lines joined by single spaces (line breaks are for the author only)."""
    return re.sub(r"[ \t]*\n[ \t\n]*", " ", text).strip()


@dataclass
class Texts:
    """The wording of one edition (or the kit's defaults when ``edition`` is None)."""

    edition: str | int | None = None
    env: jinja2.Environment = field(init=False, repr=False)
    _vocabulary: dict | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        search = [config.kit_text_dir()]
        if self.edition is not None:
            search.insert(0, config.text_override_dir(self.edition))
        self.env = _environment(search)
        self.env.globals["vocabulary"] = self.vocabulary

    def source_path(self, name: str) -> Path | None:
        """The file a template name resolves to (the edition's own first), or None."""
        for folder in self.env.loader.searchpath:  # type: ignore[union-attr]
            candidate = Path(folder) / name
            if candidate.is_file():
                return candidate
        return None

    def exists(self, name: str) -> bool:
        return self.source_path(name) is not None

    def data_file(self, name: str) -> object:
        """A YAML data file of the text folder (vocabulary, glossary), the edition's own first."""
        path = self.source_path(name)
        if path is None:
            raise ParamsError(f"{shown_path(config.kit_text_dir() / name)}: file not found")
        return read_yaml(path)

    @property
    def vocabulary(self) -> dict:
        if self._vocabulary is None:
            data = self.data_file(VOCABULARY)
            if not isinstance(data, dict):
                raise ParamsError(
                    f"{shown_path(self.source_path(VOCABULARY) or VOCABULARY)}: expected a mapping of sections"
                )
            self._vocabulary = data
        return self._vocabulary

    def label(self, section: str, code: object, default: str | None = None) -> str:
        """The French label of ``code`` in a vocabulary section; an error naming the file when absent."""
        labels = self.vocabulary.get(section)
        key = "null" if code is None else (str(code).lower() if isinstance(code, bool) else str(code))
        if isinstance(labels, Mapping) and key in labels:
            return str(labels[key])
        if default is not None:
            return default
        where = shown_path(self.source_path(VOCABULARY) or VOCABULARY)
        raise ParamsError(f"{where}: no label for {key!r} in section '{section}'; add it there")

    def render(self, name: str, **context: object) -> str:
        """Render a template by its name under the text folder (``monograph/figures/pressure.md``)."""
        try:
            template = self.env.get_template(name)
        except jinja2.TemplateNotFound:
            raise ParamsError(f"{shown_path(config.kit_text_dir() / name)}: template not found") from None
        except jinja2.TemplateSyntaxError as exc:
            raise template_error(exc, name) from None
        try:
            return template.render(**context).strip()
        except Exception as exc:
            raise template_error(exc, template.filename or name) from None

    def sentence(self, name: str, **context: object) -> str:
        """Render a sentence template, its lines joined by spaces."""
        return flowed(self.render(name, **context))

    def render_source(self, source: str, path: Path, **context: object) -> str:
        """Render authored Markdown (site prose, a synthesis part) read from ``path``."""
        filename = str(path)
        try:
            code = self.env.compile(strip_comments(source), name=shown_path(path), filename=filename)
            template = self.env.template_class.from_code(self.env, code, self.env.make_globals(None), None)
        except jinja2.TemplateSyntaxError as exc:
            raise template_error(exc, filename) from None
        try:
            return template.render(**context).strip()
        except Exception as exc:
            raise template_error(exc, filename) from None


_CACHE: dict[tuple, Texts] = {}


def _overrides(edition: str | int | None) -> tuple:
    """The edition's override files and their times: a file added or removed gives a fresh environment."""
    folder = None if edition is None else config.text_override_dir(edition)
    if folder is None or not folder.is_dir():
        return ()
    return tuple((str(p), p.stat().st_mtime_ns) for p in sorted(folder.rglob("*")) if p.is_file())


def texts(edition: str | int | None = None) -> Texts:
    """The wording of ``edition`` (its overrides over the kit's defaults), cached per kit root and overrides."""
    key = (str(edition), str(config.root()), _overrides(edition))
    if key not in _CACHE:
        _CACHE[key] = Texts(edition)
    return _CACHE[key]


MAX_AUTHORED_CHARS = 200_000  # a whole synthesis part; the kit's longest is under 20 000


def authored_markdown(text: str, where: str, kind: Literal["markdown", "line", "paragraphs"] = "markdown") -> str:
    """The single gate through which grid text and authored prose reach an output.

    A grid's one-line items (``line``) and paragraphs (``paragraphs``) — already refused by the grid
    validator when they hold live markup — are escaped to the little Markdown a report needs, so
    nothing reaches the output live even when validation was bypassed. Authored Markdown files
    (``markdown``: prose, synthesis parts) keep their structure (headings, tables, encadrés), so
    live markup in them (raw HTML, raw blocks, links other than http(s)/mailto) is refused with an
    error naming ``where``.
    """
    if kind == "line":
        return markup.inline(text)
    if kind == "paragraphs":
        return markup.block(text)
    return markup.check(text, where, MAX_AUTHORED_CHARS)


def value_fr(value: object, wording: Texts | None = None) -> str:
    """A coded value in French, from the vocabulary (« non documenté » for null)."""
    w = wording or texts()
    if value is None or isinstance(value, bool):
        return w.label("values", value)
    if isinstance(value, list):
        return ", ".join(value_fr(v, w) for v in value) or w.label("values", "empty_list")
    if isinstance(value, dict) and "status" in value:
        status = value_fr(value["status"], w)
        return f"{status} ({value['year']})" if value.get("year") else status
    return w.label("values", value, default=str(value))
