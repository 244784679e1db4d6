"""The legal calendar: which deadline was in force for each measure at a given date.

Deadlines moved with later texts (cotation: 1 Sept 2021, then 31 Dec 2021, then 31 Dec 2023), so an
edition states those in force at its reference date — ``legal_calendar.csv`` beside this module.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from cohorte.errors import ParamsError

CALENDAR_FILE = Path(__file__).with_name("legal_calendar.csv")


@dataclass(frozen=True)
class Measure:
    """One legal deadline and the text that set it, with the dates it was in force."""

    measure: str  # "cotation" or "flux"
    deadline: dt.date
    label: str
    text: str
    in_force_from: dt.date
    in_force_until: dt.date | None

    def in_force_on(self, day: dt.date) -> bool:
        return self.in_force_from <= day and (self.in_force_until is None or day <= self.in_force_until)


def _date(value: str) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


@cache
def legal_calendar(path: Path = CALENDAR_FILE) -> tuple[Measure, ...]:
    """Every row of the calendar file, in file order."""
    with path.open(encoding="utf-8", newline="") as handle:
        return tuple(
            Measure(
                row["measure"],
                dt.date.fromisoformat(row["deadline"]),
                row["label"],
                row["text"],
                dt.date.fromisoformat(row["in_force_from"]),
                _date(row["in_force_until"]),
            )
            for row in csv.DictReader(handle)
        )


def measures_in_force(day: dt.date) -> tuple[Measure, ...]:
    """One row per measure: the deadline in force on ``day`` (measures not yet enacted are left out)."""
    return tuple(m for m in legal_calendar() if m.in_force_on(day))


def measure_in_force(measure: str, day: dt.date) -> Measure:
    """The deadline of ``measure`` in force on ``day``; an error naming the known measures otherwise."""
    for item in measures_in_force(day):
        if item.measure == measure:
            return item
    known = sorted({m.measure for m in legal_calendar()})
    raise ParamsError(
        f"{CALENDAR_FILE.name}: no deadline for {measure!r} in force on {day.isoformat()}; "
        f"measures in the calendar: {', '.join(known)}"
    )
