"""Edition parameters (``params/EDITION/edition.yml``): the sites' identities and the indicators' settings."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    Field,
    StringConstraints,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from cohorte import config
from cohorte.errors import ParamsError
from cohorte.markup import as_written
from cohorte.validation import Strict, format_validation_error, read_yaml

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")]
# An edition is named by its year (the cohort: ``2020``) or by a slug ending with it (``national-2020``).
EditionName = Annotated[str, StringConstraints(pattern=r"^[a-z]+(-[a-z]+)*-(20\d\d)$")]
TYPOLOGIES = ("C", "T1", "T2", "T3", "T4", "T5", "T6P")
DEFAULT_DISCLOSURE_THRESHOLD = 5  # counts below it are published « n.s. »
# Names and titles reach every output: raw HTML, raw blocks and javascript: links are refused.
Text = Annotated[str, AfterValidator(as_written)]


def siren_is_valid(siren: str) -> bool:
    """A SIREN is 9 digits whose Luhn checksum is 0."""
    if len(siren) != 9 or not siren.isdigit():
        return False
    total = 0
    for i, char in enumerate(reversed(siren)):
        digit = int(char) * (2 if i % 2 else 1)
        total += digit - 9 if digit > 9 else digit
    return total % 10 == 0


class Site(Strict):
    slug: Slug
    name: Text
    short_name: Text
    # How a sentence names the body: « l'Eurométropole de Strasbourg a… », « la CARENE s'est dotée… »,
    # « Lorient Agglomération a… » (no article), « du Grand Avignon ».
    text_name: Text | None = Field(None, description="the name in a sentence (default: name)")
    article: Literal["le", "la", "l'", "les"] | None = Field(None, description="article before text_name")
    feminine: bool = Field(True, description="grammatical gender of text_name (agreement)")
    fictitious: bool = Field(False, description="an EPCI invented for a demonstration: no SIREN, no Insee population")
    siren: str | None = None
    region: Text
    departement: str = Field(pattern=r"^(\d{2}|2A|2B|97\d)$")
    communes: int = Field(gt=0)
    population_2017: int = Field(gt=0)
    abnormal_delay_months: int | None = Field(default=None, gt=0, description="overrides the edition's value")
    epci_type: Literal["CA", "CU", "METRO", "MET69", "CC", "EPT", "COM"] | None = Field(
        None, description="from the EPCI referential (EPT: établissement public territorial; COM: Paris)"
    )

    abnormal_delay_source: str | None = Field(
        default=None, description="the arrêté préfectoral that sets the site's délai anormalement long"
    )
    cotation_grid: str | None = Field(
        None, description="the site's own cotation grid (YAML, relative to the kit's root)"
    )

    @model_validator(mode="after")
    def _delay_has_source(self) -> Site:
        if self.abnormal_delay_months is not None and not (self.abnormal_delay_source or "").strip():
            raise ValueError(
                f"site {self.slug!r}: abnormal_delay_months is set without abnormal_delay_source; "
                "name the arrêté préfectoral that sets it (or remove the value to use the kit default)"
            )
        return self

    @field_validator("siren")
    @classmethod
    def _luhn(cls, value: str | None) -> str | None:
        if value is not None and not siren_is_valid(value):
            raise ValueError(f"SIREN {value!r} is not 9 digits with a valid Luhn checksum")
        return value


class Targets(Strict):
    q1_outside_qpv: float = Field(25, ge=0, le=100)
    non_q1_in_qpv: float = Field(50, ge=0, le=100)
    priority_publics: float = Field(25, ge=0, le=100)


class UcScale(Strict):
    first_person: float = 1.0
    other_14_plus: float = 0.5
    child_under_14: float = 0.3


class IndicatorSettings(Strict):
    national_targets: Targets = Targets()
    uc_scale: UcScale = UcScale()
    abnormal_delay_months: int = Field(24, gt=0)
    poulidor_min_presentations: int = Field(3, gt=0)
    q1_max_rent_eur: dict[str, float] = Field(default_factory=lambda: dict.fromkeys(TYPOLOGIES, 400.0))
    flux_state_max_share: float = Field(30, ge=0, le=100)
    flux_state_staff_max_share: float = Field(5, ge=0, le=100)
    cotation_grid: str | None = Field(None, description="YAML cotation grid, relative to the kit's root")

    @field_validator("q1_max_rent_eur")
    @classmethod
    def _typologies(cls, value: dict[str, float]) -> dict[str, float]:
        unknown = sorted(set(value) - set(TYPOLOGIES))
        if unknown:
            raise ValueError(f"unknown typologies {unknown}; expected among {list(TYPOLOGIES)}")
        return value


class TableSource(Strict):
    """Where an input table is read from: a file of the data folder, in a declared layout."""

    file: str = Field(pattern=r"^[^/\\]+\.(csv|xlsx|parquet)$", description="file name in the data folder")
    source: str = Field("kit", description="layout: kit, a built-in source or params/EDITION/sources/NAME.yml")


TableName = Literal["demands", "attributions", "housing_stock", "cal_presentations", "q1_thresholds"]


class Edition(Strict):
    edition: Annotated[int, Field(ge=2000, le=2100)] | EditionName
    kind: Literal["cohort", "national"] = Field(
        "cohort", description="national: quantitative fiches, no observation grid"
    )
    sites_from: Literal["edition", "referential", "q1_decree"] = Field(
        "edition", description="referential: the EPCI bound to a PLH; q1_decree: the units the year's Q1 arrêté lists"
    )
    add_sirens: list[str] = Field(
        default_factory=list, description="EPCI added to the referential's selection, by SIREN"
    )
    title: Text
    subtitle: Text = ""
    publisher: Text
    fieldwork: Text = ""
    cohort: Text = Field("", description="the observatory and its cohort (who runs it, since when, renewals)")
    reference_date: dt.date
    publication_date: dt.date | None = Field(
        None, description="when the edition is published: it cites nothing published later (default: reference_date)"
    )
    previous_edition: int | None = Field(None, description="edition this one follows (what changed since)")
    fictitious_observations: bool = Field(False, description="grids invented for a demonstration")
    data_dir: str | None = None
    tables: dict[TableName, TableSource] = Field(
        default_factory=dict, description="per table, its file and source (default: TABLE.csv in the kit's layout)"
    )
    disclosure_threshold: int = Field(DEFAULT_DISCLOSURE_THRESHOLD, ge=1)
    disclosure_reason: str | None = Field(
        None, description="why the threshold is below the default (printed by every build)"
    )
    indicators: IndicatorSettings = IndicatorSettings()
    sites: list[Site] = Field(min_length=1)

    @field_validator("sites")
    @classmethod
    def _unique_slugs(cls, sites: list[Site]) -> list[Site]:
        slugs = [s.slug for s in sites]
        duplicates = sorted({s for s in slugs if slugs.count(s) > 1})
        if duplicates:
            raise ValueError(f"duplicate site slugs {duplicates}")
        return sites

    @model_validator(mode="after")
    def _lower_threshold_is_justified(self) -> Edition:
        if self.disclosure_threshold < DEFAULT_DISCLOSURE_THRESHOLD and not (self.disclosure_reason or "").strip():
            raise ValueError(
                f"disclosure_threshold {self.disclosure_threshold} is below the default {DEFAULT_DISCLOSURE_THRESHOLD}: "
                "small counts would be published; state why in disclosure_reason (every build prints it), "
                "or remove disclosure_threshold"
            )
        return self

    @property
    def disclosure_note(self) -> str:
        """One sentence for the build summary when the threshold is below the default, else ""."""
        if self.disclosure_threshold >= DEFAULT_DISCLOSURE_THRESHOLD:
            return ""
        return (
            f"Disclosure threshold {self.disclosure_threshold} (below the default {DEFAULT_DISCLOSURE_THRESHOLD}): "
            f"{' '.join((self.disclosure_reason or '').split())}"
        )

    @field_validator("previous_edition")
    @classmethod
    def _earlier(cls, previous: int | None, info: ValidationInfo) -> int | None:
        current = info.data.get("edition")
        if previous is not None and current is not None and previous >= current:
            raise ValueError(f"previous_edition {previous} must be an earlier edition than {current}")
        return previous

    @property
    def year(self) -> int:
        """The edition's year: ``2020`` for the cohort edition 2020 and for ``national-2020``."""
        return self.edition if isinstance(self.edition, int) else int(self.edition[-4:])

    @property
    def published_by(self) -> dt.date:
        """The date after which nothing published can be cited by the edition (texts, reports, figures)."""
        return self.publication_date or self.reference_date

    @property
    def has_grids(self) -> bool:
        """A cohort edition has an observation grid per site; a national edition has none."""
        return self.kind == "cohort"

    def site(self, slug: str) -> Site:
        for site in self.sites:
            if site.slug == slug:
                return site
        raise ParamsError(f"unknown site {slug!r} in edition {self.edition}; known sites: {', '.join(self.slugs)}")

    @property
    def slugs(self) -> list[str]:
        return [s.slug for s in self.sites]

    @property
    def sirens(self) -> dict[str, str]:
        """The SIREN of every site that has one, by slug."""
        return {s.slug: s.siren for s in self.sites if s.siren}

    def input_dir(self) -> Path:
        """Where this edition's input tables are: its configured folder, else the demo data."""
        if self.data_dir:
            return (config.root() / self.data_dir).resolve()
        return config.demo_data_dir(self.edition)

    def cotation_grid_path(self, slug: str | None = None) -> Path:
        """The cotation grid scored for a site: the site's own (``sites[].cotation_grid``), else the
        edition's, else the kit's example. Without ``slug``: the edition's grid."""
        grid = (self.site(slug).cotation_grid if slug else None) or self.indicators.cotation_grid
        if not grid:
            return config.templates_dir() / "cotation-grid.yml"
        local = config.root() / grid
        shipped = (
            config.templates_dir() / Path(grid).relative_to("templates") if grid.startswith("templates/") else local
        )
        return shipped if not local.exists() and shipped.exists() else local  # a grid shipped in templates/

    def cotation_grid_paths(self) -> dict[str, Path]:
        """Every site's cotation grid, by slug."""
        return {slug: self.cotation_grid_path(slug) for slug in self.slugs}

    def abnormal_delay(self, slug: str) -> tuple[int, str | None]:
        """The site's délai anormalement long in months and the arrêté that sets it; (kit default, None)
        when the edition gives none for the site."""
        site = self.site(slug)
        if site.abnormal_delay_months is not None:
            return site.abnormal_delay_months, site.abnormal_delay_source
        return self.indicators.abnormal_delay_months, None

    @property
    def uses_demo_data(self) -> bool:
        """Demo data when no data folder is configured, or when the configured one holds demo data."""
        return self.data_dir is None or config.is_demo_folder(self.input_dir())

    def with_data_dir(self, folder: Path) -> Edition:
        """The same edition reading its tables from ``folder`` (``cohorte build --data``)."""
        return self.model_copy(update={"data_dir": str(Path(folder).resolve())})


def load_edition(edition: str | int) -> Edition:
    """Load and validate ``params/EDITION/edition.yml``."""
    path = config.params_dir(edition) / "edition.yml"
    if not path.exists():
        known = sorted(p.name for p in config.params_dir().glob("*") if (p / "edition.yml").exists())
        raise ParamsError(f"{path}: no such edition {edition!r}; editions available: {', '.join(known) or 'none'}")
    raw = read_yaml(path)
    if not isinstance(raw, dict):
        raise ParamsError(f"{path}: expected a mapping of keys (edition, title, sites, …)")
    if raw.get("sites_from") in ("referential", "q1_decree"):
        raw = _with_referential_sites(path, raw)
    try:
        return Edition.model_validate(raw)
    except ValidationError as exc:
        raise ParamsError("\n".join(format_validation_error(path, exc))) from None


def _with_referential_sites(path: Path, raw: dict) -> dict:
    """The edition's sites generated from the EPCI referential of its year: the EPCI bound to a PLH
    (``sites_from: referential``) or the units the year's first-quartile arrêté lists (``q1_decree``)."""
    from cohorte.reference.plh import national_sites
    from cohorte.reference.scope import decree_sites

    if raw.get("sites"):
        raise ParamsError(
            f"{path}: sites_from: {raw['sites_from']} generates the sites; remove the 'sites' list "
            "(add EPCI with add_sirens: [SIREN, …])"
        )
    sirens = raw.get("add_sirens") or []
    if not isinstance(sirens, list) or not all(isinstance(s, str) for s in sirens):
        raise ParamsError(f"{path}: add_sirens: expected a list of SIREN as quoted strings")
    year = str(raw.get("edition", ""))[-4:]
    if not year.isdigit():
        raise ParamsError(f"{path}: edition: expected a name ending with its year (national-2024)")
    try:
        if raw["sites_from"] == "q1_decree":
            sites = decree_sites(int(year), sirens)
        else:
            sites = national_sites(sirens, year=int(year))
    except ParamsError as exc:
        raise ParamsError(f"{path}: {exc}") from None
    return {**raw, "sites": sites}
