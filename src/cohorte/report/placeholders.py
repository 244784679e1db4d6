"""The placeholders of authored text (synthesis parts, sites' prose): counts, lists of sites, figures.

Every count an author writes is computed here from the grids, the key figures, the edition's stated
aggregates (``params/EDITION/stated.yml``) and the kit's legal calendar — see
``/work/wt/briefs/contract-10.md`` for the list. A wrong field, value or id raises a ParamsError
that the text layer locates to the template's file and line.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

import pandas as pd
from pydantic import Field, ValidationError, model_validator

from cohorte import config
from cohorte.editions import Edition, Site, Slug
from cohorte.errors import ParamsError
from cohorte.grids import ALLOWED, Grid, coded_fields, get_path
from cohorte.indicators.registry import INDICATORS
from cohorte.indicators.targets import PRIORITY_TARGET_CONTINGENTS
from cohorte.inputs import codes
from cohorte.reference.calendar import measure_in_force
from cohorte.report.formatting import NS, fmt_value, is_missing
from cohorte.report.text import Texts, en_lettres
from cohorte.validation import Strict, display_path, format_validation_error, read_yaml

TARGET_INDICATORS = ("q1_outside_qpv", "non_q1_in_qpv")


# --- stated aggregates ----------------------------------------------------------------------------


class StatedAggregate(Strict):
    """An aggregate the source states without naming every site (« quatre sites, dont … »)."""

    field: str | None = None
    value: str | bool | list[str] | None = None
    count: int | None = Field(None, ge=0)
    qualifier: Literal["most", "all", "some"] | None = None
    named: list[Slug] = Field(default_factory=list)
    source: str = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> StatedAggregate:
        if (self.count is None) == (self.qualifier is None):
            raise ValueError("give either count (an integer) or qualifier (most, all, some), not both nor neither")
        if self.count is not None and self.count < len(self.named):
            raise ValueError(f"count {self.count} is smaller than the {len(self.named)} named sites")
        if self.value is not None and self.field is None:
            raise ValueError("value needs field (the coded field it aggregates)")
        return self


def load_stated(edition: Edition) -> dict[str, StatedAggregate]:
    """``params/EDITION/stated.yml`` validated against the edition's sites and the grids' fields."""
    path = config.stated_path(edition.edition)
    if not path.exists():
        return {}
    where = display_path(path)
    raw = read_yaml(path)
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise ParamsError(f"{where}: expected a mapping key → {{count, named, source…}}")
    problems, found = [], {}
    for key, item in raw.items():
        try:
            found[str(key)] = StatedAggregate.model_validate(item)
        except ValidationError as exc:
            problems += [line.replace("key '", f"key '{key}.", 1) for line in format_validation_error(where, exc)]
            continue
        problems += _stated_problems(where, str(key), found[str(key)], edition)
    if problems:
        raise ParamsError("\n".join(problems))
    return found


def _stated_problems(where: str, key: str, item: StatedAggregate, edition: Edition) -> list[str]:
    problems = [
        f"{where}: key '{key}.named': '{s}' is not a site of edition {edition.edition} "
        f"(sites: {', '.join(edition.slugs)})"
        for s in item.named
        if s not in edition.slugs
    ]
    if item.count is not None and item.count > len(edition.sites):
        problems.append(
            f"{where}: key '{key}.count': {item.count} is more than the {len(edition.sites)} sites of the edition"
        )
    if item.field is not None:
        try:
            check_field(item.field, item.value)
        except ParamsError as exc:
            problems.append(f"{where}: key '{key}': {exc}")
    return problems


# --- coded fields -------------------------------------------------------------------------------------


def _kinds() -> dict[tuple[str, ...], str]:
    return {spec.path: spec.kind for spec in coded_fields()}


def check_field(path: str, value: object = None) -> tuple[str, ...]:
    """The key path of a coded field ``"theme.field"``; an error listing the allowed fields or values."""
    keys = tuple(path.split("."))
    kinds = _kinds()
    if keys not in kinds:
        known = ", ".join(".".join(p) for p in kinds)
        raise ParamsError(f"unknown coded field {path!r}; fields: {known}")
    values = value if isinstance(value, list) else [value]
    allowed = ALLOWED.get(keys)
    for item in values if value is not None else []:
        if allowed and item not in allowed:
            raise ParamsError(f"{item!r} is not a value of {path}; allowed values: {', '.join(allowed)}")
        if kinds[keys] == "bool" and not isinstance(item, bool):
            raise ParamsError(f"{path} is true or false, not {item!r}")
    return keys


def _matches(found: object, value: object) -> bool:
    wanted = value if isinstance(value, list) else [value]
    if isinstance(found, list):
        return any(w in found for w in wanted)
    return any(found == w and type(found) is type(w) for w in wanted)


# --- what a template sees -------------------------------------------------------------------------


@dataclass(frozen=True)
class StatedView:
    """``stated("key")`` in a template: ``.count``, ``.named`` (short names), ``.text``, ``.source``."""

    count: int | None
    named: list[str]
    text: str
    source: str
    qualifier: str | None


@dataclass(frozen=True)
class EditionView:
    year: int
    reference_date: dt.date
    fieldwork: str
    publisher: str
    title: str
    subtitle: str
    cohort: str = ""


@dataclass(frozen=True)
class PriorityMetView:
    """``priority_met()``: contingents meeting the priority-publics target over every site (only the
    contingents the law gives it: ``targeted`` codes; ``untargeted`` carry none), and the sites
    (short names) where every measured contingent meets it."""

    met: int
    measured: int
    all_met: list[str]
    targeted: list[str]
    untargeted: list[str]


@dataclass
class Placeholders:
    """The functions and values of the contract, for one edition (and one site for its prose)."""

    edition: Edition
    grids: dict[str, Grid]
    wording: Texts
    indicators: pd.DataFrame | None = None  # published rows of every site; None outside the synthesis
    stated_aggregates: dict[str, StatedAggregate] = field(default_factory=dict)
    is_demo: bool = False  # figures computed on demo data: templates say so next to them (``demo_data``)
    calls: list[tuple[str, str]] = field(default_factory=list)  # (function, field) seen while rendering

    def _short(self, slugs: list[str]) -> list[str]:
        return [self.edition.site(s).short_name for s in slugs]

    def matching(self, path: str, value: object) -> list[str]:
        keys = check_field(path, value)
        return [s for s in self.edition.slugs if _matches(get_path(self.grids[s].model_dump(), keys), value)]

    def count(self, path: str, value: object) -> int:
        self.calls.append(("count", path))
        return len(self.matching(path, value))

    def sites(self, path: str, value: object) -> list[str]:
        self.calls.append(("sites", path))
        return self._short(self.matching(path, value))

    def documented(self, path: str) -> int:
        keys = check_field(path)
        return sum(
            get_path(self.grids[s].model_dump(), keys) not in (None, "not_documented") for s in self.edition.slugs
        )

    def stated(self, key: str) -> StatedView:
        if key not in self.stated_aggregates:
            known = ", ".join(self.stated_aggregates) or "none"
            raise ParamsError(
                f"no stated aggregate {key!r} in {display_path(config.stated_path(self.edition.edition))} "
                f"(keys: {known})"
            )
        item = self.stated_aggregates[key]
        phrases = self.wording.vocabulary.get("stated", {})
        if item.count is not None:
            noun = phrases.get("site", "site") if item.count < 2 else phrases.get("sites", "sites")
            text = f"{en_lettres(item.count)} {noun}"
        else:
            text = self.wording.label("stated", item.qualifier)
        return StatedView(item.count, self._short(item.named), text, item.source, item.qualifier)

    def _target_rows(self, indicator: str) -> pd.DataFrame:
        if indicator not in TARGET_INDICATORS:
            raise ParamsError(f"no legal target {indicator!r}; targets: {', '.join(TARGET_INDICATORS)}")
        if self.indicators is None:
            raise ParamsError("met() and measured() count across sites: they are available in the synthesis only")
        table = self.indicators
        return table[(table["indicator"] == indicator) & (table["breakdown"].fillna("") == "")]

    def met(self, indicator: str) -> int:
        return int(self._target_rows(indicator)["met"].astype("boolean").fillna(False).sum())

    def measured(self, indicator: str) -> int:
        return int(self._target_rows(indicator)["met"].astype("boolean").notna().sum())

    def priority_met(self) -> PriorityMetView:
        if self.indicators is None:
            raise ParamsError("priority_met() counts across sites: it is available in the synthesis only")
        table = self.indicators
        rows = table[(table["indicator"] == "priority_publics") & (table["breakdown"].fillna("") != "")]
        judged = rows[rows["met"].isin([True, False]) & rows["target"].notna()]
        met = judged[judged["met"].isin([True])]
        all_met = [
            s
            for s in self.edition.slugs
            if (judged["site"] == s).any() and (met["site"] == s).sum() == (judged["site"] == s).sum()
        ]
        targeted = [c for c in codes.RESERVATAIRES if c in PRIORITY_TARGET_CONTINGENTS]
        return PriorityMetView(
            len(met),
            len(judged),
            self._short(all_met),
            targeted,
            [c for c in codes.RESERVATAIRES if c not in PRIORITY_TARGET_CONTINGENTS],
        )

    def national_q1(self) -> str:
        """The national Q1-outside-QPV sentence (reference/national_references.csv) at the edition's year."""
        from cohorte.report.narrative import national_q1_sentence

        return national_q1_sentence(
            self.edition.year,
            target=self.edition.indicators.national_targets.q1_outside_qpv,
            published=self.edition.published_by,
            text=self.wording,
        )

    def deadline(self, measure: str) -> dt.date:
        return measure_in_force(measure, self.edition.reference_date).deadline

    def deadline_text(self, measure: str) -> str:
        return measure_in_force(measure, self.edition.reference_date).text

    def context(self) -> dict[str, object]:
        e = self.edition
        return {
            "n_sites": len(e.sites),
            "count": self.count,
            "sites": self.sites,
            "documented": self.documented,
            "stated": self.stated,
            "met": self.met,
            "measured": self.measured,
            "deadline": self.deadline,
            "deadline_text": self.deadline_text,
            "priority_met": self.priority_met,
            "national_q1": self.national_q1,
            "demo_data": self.is_demo,
            "settings": e.indicators,
            "disclosure_threshold": e.disclosure_threshold,
            "one_per_region": len({s.region for s in e.sites}) == len(e.sites),
            "n_regions": len({s.region for s in e.sites}),
            "n_fictitious": sum(s.fictitious for s in e.sites),
            "observations_fictitious": e.fictitious_observations,
            "edition": EditionView(e.year, e.reference_date, e.fieldwork, e.publisher, e.title, e.subtitle, e.cohort),
        }


def site_context(places: Placeholders, site: Site, table: pd.DataFrame | None) -> dict[str, object]:
    """The placeholders of a site's prose: the contract's plus ``site`` and ``figure(id)``."""

    def figure(indicator: str) -> str:
        if indicator not in INDICATORS:
            raise ParamsError(f"unknown indicator {indicator!r}; see cohorte.indicators.registry")
        if table is None:
            return NS
        rows = table[(table["indicator"] == indicator) & (table["breakdown"].fillna("") == "")]
        if rows.empty:
            return places.wording.label("figures", "missing")
        value = rows.iloc[0]["value"]
        return NS if is_missing(value) else fmt_value(value, INDICATORS[indicator].unit)

    return {**places.context(), "site": site, "figure": figure}
