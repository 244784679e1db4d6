"""French formatting of the figures a report shows: ``1 146 320``, ``18,4 %``, ``8 150 €``, ``n.s.``.

Numbers go through babel (locale ``fr_FR``). One space character is used everywhere, both as the
thousands separator and before a unit: the no-break space U+00A0 (``NBSP``). Babel gives the
narrow no-break space U+202F for thousands; we replace it because common report fonts
(Liberation Sans / Arial metrics in the charts, several DOCX fonts) have no glyph for U+202F and
would print a box. Rounding is half-up on the decimal written form (``18,45`` → ``18,5``), as
readers expect, not babel's default half-even.

A value that is missing or suppressed by the disclosure rules prints as ``n.s.`` (``NS``).
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import SupportsFloat

import pandas as pd
from babel.dates import format_date
from babel.numbers import format_decimal

from cohorte.indicators.published import is_missing

LOCALE = "fr_FR"
NBSP = "\u00a0"
NS = "n.s."

UNITS = ("%", "mois", "€/UC", "€", "nombre", "ratio", "points")


def _number(value: object) -> float:
    """A cell already known not to be missing, as a float."""
    if isinstance(value, str | SupportsFloat):
        return float(value)
    raise TypeError(f"expected a number, got {value!r} ({type(value).__name__})")


def _rounded(value: object, decimals: int) -> Decimal:
    quantum = Decimal(1).scaleb(-decimals)
    return Decimal(str(_number(value))).quantize(quantum, rounding=ROUND_HALF_UP)


def fmt_num(value: object, decimals: int = 1) -> str:
    """``fmt_num(7.06) -> "7,1"``; ``fmt_num(1234.5, 0) -> "1 235"``; missing → ``n.s.``."""
    if is_missing(value):
        return NS
    number = _rounded(value, decimals)
    if number == 0:
        number = abs(number)  # no "-0,0"
    pattern = "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
    text = format_decimal(number, format=pattern, locale=LOCALE, decimal_quantization=True)
    return text.replace("\u202f", NBSP).replace(" ", NBSP)


def fmt_int(value: object) -> str:
    """``fmt_int(1146320) -> "1 146 320"`` (U+00A0 between groups)."""
    return fmt_num(value, 0)


def fmt_pct(value: object, decimals: int = 1, *, trim: bool = False) -> str:
    """A rate already in percent: ``fmt_pct(18.44) -> "18,4 %"``.

    ``trim=True`` drops a zero decimal part, for targets: ``fmt_pct(25, trim=True) -> "25 %"``.
    """
    if is_missing(value):
        return NS
    return f"{_trimmed(value, decimals) if trim else fmt_num(value, decimals)}{NBSP}%"


def _trimmed(value: object, decimals: int) -> str:
    whole = float(_rounded(value, decimals)).is_integer()
    return fmt_num(value, 0 if whole else decimals)


def fmt_eur(value: object, decimals: int = 0) -> str:
    """``fmt_eur(8150) -> "8 150 €"``."""
    return NS if is_missing(value) else f"{fmt_num(value, decimals)}{NBSP}€"


def fmt_months(value: object, decimals: int = 0) -> str:
    """``fmt_months(14.2) -> "14 mois"`` (« mois » is invariable)."""
    return NS if is_missing(value) else f"{fmt_num(value, decimals)}{NBSP}mois"


def fmt_value(value: object, unit: str, decimals: int | None = None) -> str:
    """Format a value by its unit: '%', 'mois', '€/UC', '€', 'nombre', 'ratio' or 'points'.

    Default decimals: 1 for '%' and 'ratio', 0 otherwise.
    """
    if unit not in UNITS:
        raise ValueError(f"unknown unit {unit!r}; expected one of {', '.join(UNITS)}")
    if is_missing(value):
        return NS
    if unit == "%":
        return fmt_pct(value, 1 if decimals is None else decimals)
    if unit == "mois":
        return fmt_months(value, decimals or 0)
    if unit == "€":
        return fmt_eur(value, decimals or 0)
    if unit == "€/UC":
        return f"{fmt_eur(value, decimals or 0)}/UC"
    if unit == "ratio":
        return fmt_num(value, 1 if decimals is None else decimals)
    if unit == "points":
        return plural_fr(round(_number(value), decimals or 0), "point")
    return fmt_num(value, decimals or 0)


def fmt_date_fr(date: dt.date | dt.datetime | pd.Timestamp | str) -> str:
    """``fmt_date_fr(date(2020, 12, 31)) -> "31 décembre 2020"``; the first of the month is « 1er »."""
    if isinstance(date, str):
        date = dt.date.fromisoformat(date)
    if isinstance(date, dt.datetime):  # pd.Timestamp is a datetime
        date = date.date()
    text = format_date(date, format="d MMMM y", locale=LOCALE)
    return text.replace("1 ", "1er ", 1) if date.day == 1 else text


def plural_fr(count: object, singular: str, plural: str | None = None, *, with_count: bool = True) -> str:
    """French agreement: singular below 2 (``0 site``, ``1,5 mois``), else plural.

    ``plural`` defaults to ``singular + "s"``; give it for compounds and irregular forms
    (``plural_fr(3, "objectif atteint", "objectifs atteints") -> "3 objectifs atteints"``).
    """
    number = _number(count)
    word = singular if abs(number) < 2 else (plural or singular + "s")
    if not with_count:
        return word
    shown = fmt_int(number) if number.is_integer() else fmt_num(number, 1)
    return f"{shown}{NBSP}{word}"


def join_fr(items: list[str], last: str = "et") -> str:
    """``["A", "B", "C"] -> "A, B et C"``."""
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {last} {items[-1]}"


def fmt_change(value: object, unit: str) -> str:
    """A change between editions, signed: '+2,3 points' for a rate, '−120' for a count; « n.s. » when hidden."""
    if is_missing(value):
        return NS
    number = _number(value)
    decimals = 1 if unit in ("%", "ratio") else 0
    rounded = float(_rounded(number, decimals))
    if unit == "%":
        text = f"{fmt_num(abs(rounded), 1)}{NBSP}{'points' if abs(rounded) >= 2 else 'point'}"
    else:
        text = fmt_value(abs(rounded), unit, decimals)
    sign = "+" if rounded > 0 else "\u2212" if rounded < 0 else ""
    return f"{sign}{text}"
