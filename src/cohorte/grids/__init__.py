"""Observation grids (``params/EDITION/sites/SLUG.yml``): what consultants learnt in interviews.

Each grid holds the coded fields of domain.md §5, so that the synthesis can count across sites,
beside free-text findings, highlights ("encadrés"), perspectives and the kinds of organisation met.
``null`` always means *not documented*; an empty list means *nothing documented*.
"""

from __future__ import annotations

import types
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal, TypeVar

import pandas as pd
import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from cohorte import config
from cohorte.files import atomic_write_text
from cohorte.inputs.codes import INSEE_COMMUNE_PATTERN
from cohorte.editions import load_edition
from cohorte.errors import CohorteError, GridError
from cohorte.report import markup
from cohorte.validation import Strict, _dotted, display_path, format_validation_error, read_yaml

THEMES = ("governance", "demand_service", "attribution_policy", "cotation", "flux")
Theme = Literal["governance", "demand_service", "attribution_policy", "cotation", "flux"]
InterviewKind = Literal[
    "epci", "communes", "landlords", "ar_hlm", "state_services", "action_logement", "shared_file_manager"
]
Reservataire = Literal["state", "action_logement", "communes", "epci", "other"]
TargetIndicator = Literal["q1_outside_qpv", "non_q1_in_qpv", "priority_publics"]
FIELDWORK = "fieldwork"  # pseudo-theme of the ``interviews`` field in tables and spreadsheets
LIST_SEPARATOR = ";"


def _renders_as_written(text: str) -> str:
    """Refuse what a report would not show as typed (raw HTML or blocks, javascript: links)."""
    found = markup.problems(text)
    if found:
        raise ValueError("; ".join(dict.fromkeys(found)))
    return text


Text = Annotated[str, StringConstraints(min_length=1), AfterValidator(_renders_as_written)]

T = TypeVar("T")
_YEAR = {"ge": 1990, "le": 2100}
_PERCENT = {"ge": 0, "le": 100}


class _Strict(Strict):
    """Grid values are not coerced either (``"yes"`` is not a boolean)."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, str_strip_whitespace=True)


def _no_separator(items: list[str]) -> list[str]:
    for item in items:
        if not item.strip() or LIST_SEPARATOR in item:
            raise ValueError(f"list items must be non-empty and must not contain '{LIST_SEPARATOR}': {item!r}")
    return items


def _requires(value: T, info: ValidationInfo, other: str, allowed: tuple[str, ...]) -> T:
    """A value set only makes sense when the field ``other`` (validated earlier) is in ``allowed``."""
    if value is not None and other in info.data and info.data[other] not in allowed:
        current = "null" if info.data[other] is None else repr(info.data[other])
        raise ValueError(f"only allowed when {other} is {' or '.join(allowed)} (it is {current})")
    return value


def _unique(items: list[str]) -> list[str]:
    duplicates = sorted({i for i in items if items.count(i) > 1})
    if duplicates:
        raise ValueError(f"duplicate values {duplicates}")
    return items


# --- coded fields (domain.md §5) ----------------------------------------------------------


class DocumentStatus(_Strict):
    status: Literal["none", "in_progress", "adopted"] | None = Field(description="état du document")
    year: int | None = Field(description="année d'adoption (ou prévue)", **_YEAR)

    @field_validator("year")
    @classmethod
    def _year_needs_status(cls, year: int | None, info: ValidationInfo) -> int | None:
        return _requires(year, info, "status", ("in_progress", "adopted"))


class Governance(_Strict):
    cil_installed: int | None = Field(description="année d'installation de la CIL", **_YEAR)
    document_cadre: DocumentStatus = Field(description="document-cadre des orientations de la CIL")
    cia: DocumentStatus = Field(description="convention intercommunale d'attribution (CIA)")
    ppgdid: DocumentStatus = Field(description="plan partenarial de gestion de la demande (PPGDID)")
    ar_hlm_role: Literal["contributor", "copilot"] | None = Field(description="rôle de l'AR/UR Hlm")
    technical_bodies: list[Text] = Field(description="instances techniques nommées par les entretiens")

    _items_ok = field_validator("technical_bodies")(_no_separator)


class DemandService(_Strict):
    demand_register: Literal["shared_file", "sne"] | None = Field(description="outil d'enregistrement de la demande")
    shared_file_since: int | None = Field(description="année de création du fichier partagé", **_YEAR)
    said_common_place: Literal["none", "project", "stalled", "installed"] | None = Field(
        description="lieu d'accueil commun du SAID"
    )
    said_network: Literal["labelled_places", "landlord_agencies", "hybrid"] | None = Field(
        description="réseau d'accueil du SAID"
    )
    dedicated_website: bool | None = Field(description="site internet dédié au demandeur")
    info_videos: bool | None = Field(description="vidéos pédagogiques")
    anomaly_statistics: bool | None = Field(description="statistiques sur les situations anormales")

    @field_validator("shared_file_since")
    @classmethod
    def _since_needs_shared_file(cls, year: int | None, info: ValidationInfo) -> int | None:
        return _requires(year, info, "demand_register", ("shared_file",))


class Targets(_Strict):
    q1_outside_qpv: float | None = Field(description="objectif local Q1 hors QPV (%)", **_PERCENT)
    priority_publics: float | None = Field(description="objectif local publics prioritaires (%)", **_PERCENT)
    non_q1_in_qpv: float | None = Field(description="objectif local hors Q1 en QPV (%)", **_PERCENT)


class DifferentiatedTarget(_Strict):
    indicator: TargetIndicator
    commune: str | None = Field(pattern=INSEE_COMMUNE_PATTERN)
    landlord: str | None = Field(pattern=r"^[^;,=<>`{}\[\]]+$")
    target: float = Field(**_PERCENT)

    @model_validator(mode="after")
    def _scoped(self) -> DifferentiatedTarget:
        if self.commune is None and self.landlord is None:
            raise ValueError("a differentiated target needs a commune or a landlord (site-wide targets go in targets)")
        return self


class AttributionPolicy(_Strict):
    targets: Targets = Field(description="objectifs locaux ; null = objectif national")
    targets_differentiated: Literal["none", "communes", "communes_and_landlords"] | None = Field(
        description="objectifs différenciés"
    )
    differentiated_targets: list[DifferentiatedTarget] = Field(
        description="objectifs chiffrés par commune ou bailleur"
    )
    stock_qualification: Literal["none", "done", "to_update"] | None = Field(description="qualification du parc")
    affordability_work: Literal["none", "planned", "mapping", "operational"] | None = Field(
        description="travaux sur l'accessibilité financière du parc"
    )
    priority_ranking_local: bool | None = Field(description="priorisation locale des publics prioritaires")

    @field_validator("differentiated_targets")
    @classmethod
    def _needs_differentiation(cls, items: list, info: ValidationInfo) -> list:
        if items:
            _requires(items, info, "targets_differentiated", ("communes", "communes_and_landlords"))
        return items


class Cotation(_Strict):
    stage: Literal[
        "none", "observation", "reflection", "principles", "started", "about_to_finish", "operational"
    ] | None = Field(description="avancement de la cotation")
    operational_since: int | None = Field(description="année de mise en service", **_YEAR)
    tool: Literal["sne_module", "own_file", "undecided"] | None = Field(description="outil de cotation")
    regional_framework: bool | None = Field(
        description="démarche régionale de l'AR/UR Hlm (grille, principes, expérimentation, coproduction)"
    )

    @field_validator("operational_since")
    @classmethod
    def _since_needs_operational(cls, year: int | None, info: ValidationInfo) -> int | None:
        return _requires(year, info, "stage", ("operational",))


class Flux(_Strict):
    epci_posture: Literal["observer", "waiting", "proactive", "pilot", "not_documented"] = Field(
        description="posture de l'EPCI sur la gestion en flux"
    )
    landlord_inventories: Literal["none", "in_progress", "delivered"] | None = Field(
        description="états des lieux des bailleurs"
    )
    negotiations: list[Reservataire] = Field(description="réservataires avec qui les échanges ont commencé")

    _unique_items = field_validator("negotiations")(_unique)


# --- free text -----------------------------------------------------------------------------


class Findings(_Strict):
    governance: list[Text]
    demand_service: list[Text]
    attribution_policy: list[Text]
    cotation: list[Text]
    flux: list[Text]


class Highlight(_Strict):
    title: Text
    theme: Theme
    text: Text


class Grid(_Strict):
    """One site's observation grid for one edition."""

    governance: Governance
    demand_service: DemandService
    attribution_policy: AttributionPolicy
    cotation: Cotation
    flux: Flux
    interviews: list[InterviewKind] = Field(description="types d'interlocuteurs rencontrés")
    findings: Findings
    highlights: list[Highlight]
    perspectives: list[Text]

    _unique_items = field_validator("interviews")(_unique)


# --- the coded fields as a flat list (tables, spreadsheets, scaffold) ----------------------


@dataclass(frozen=True)
class FieldSpec:
    """One coded leaf: ``theme`` plus dotted ``field`` (e.g. attribution_policy / targets.non_q1_in_qpv)."""

    theme: str
    field: str
    kind: str  # enum, int, float, bool, str_list, enum_list, record_list
    allowed: tuple[str, ...]
    nullable: bool
    description: str

    @property
    def path(self) -> tuple[str, ...]:
        """Keys from the grid's root (interviews sits at the root)."""
        parts = tuple(self.field.split("."))
        return parts if self.theme == FIELDWORK else (self.theme, *parts)

    def expects(self) -> str:
        """Plain-language description of the allowed values."""
        text = {
            "enum": "one of: " + ", ".join(self.allowed),
            "int": "a year (integer)",
            "float": "a percent (number from 0 to 100)",
            "bool": "true or false",
            "str_list": f"texts separated by '{LIST_SEPARATOR}'",
            "enum_list": f"values separated by '{LIST_SEPARATOR}' among: " + ", ".join(self.allowed),
            "record_list": "indicator=…,commune=…,landlord=…,target=… items separated by ';'",
        }[self.kind]
        return text + (", or empty/null (not documented)" if self.nullable else "")


def _unwrap(annotation: object) -> tuple[object, bool]:
    """``X | None`` → (X, True)."""
    args = typing.get_args(annotation)
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        rest = [a for a in args if a is not type(None)]
        return rest[0], len(rest) < len(args)
    return annotation, False


def _leaf(theme: str, field: str, annotation: object, description: str) -> FieldSpec:
    inner, nullable = _unwrap(annotation)
    origin = typing.get_origin(inner)
    if origin is Literal:
        return FieldSpec(theme, field, "enum", typing.get_args(inner), nullable, description)
    if origin is list:
        (item,) = typing.get_args(inner)
        if typing.get_origin(item) is Literal:
            return FieldSpec(theme, field, "enum_list", typing.get_args(item), False, description)
        kind = "record_list" if isinstance(item, type) and issubclass(item, BaseModel) else "str_list"
        return FieldSpec(theme, field, kind, (), False, description)
    kind = {int: "int", float: "float", bool: "bool"}[inner]  # type: ignore[index]
    return FieldSpec(theme, field, kind, (), nullable, description)


def _walk(theme: str, model: type[BaseModel], prefix: str = "") -> list[FieldSpec]:
    specs = []
    for name, info in model.model_fields.items():
        annotation = info.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            specs += _walk(theme, annotation, f"{prefix}{name}.")
        else:
            specs.append(_leaf(theme, prefix + name, annotation, info.description or ""))
    return specs


def coded_fields() -> list[FieldSpec]:
    """Every coded field, in schema order: the five themes, then ``fieldwork / interviews``."""
    specs = [s for theme in THEMES for s in _walk(theme, Grid.model_fields[theme].annotation)]  # type: ignore[arg-type]
    info = Grid.model_fields["interviews"]
    return specs + [_leaf(FIELDWORK, "interviews", info.annotation, info.description or "")]


def _allowed_by_path() -> dict[tuple[str, ...], tuple[str, ...]]:
    """Allowed values of every Literal in the grid, keyed by path without list indices."""
    found: dict[tuple[str, ...], tuple[str, ...]] = {}

    def visit(model: type[BaseModel], path: tuple[str, ...]) -> None:
        for name, info in model.model_fields.items():
            inner, _ = _unwrap(info.annotation)
            if typing.get_origin(inner) is list:
                (inner,) = typing.get_args(inner)
            if typing.get_origin(inner) is Literal:
                found[(*path, name)] = typing.get_args(inner)
            elif isinstance(inner, type) and issubclass(inner, BaseModel):
                visit(inner, (*path, name))

    visit(Grid, ())
    return found


ALLOWED = _allowed_by_path()


# --- values as text (tables and spreadsheets) ----------------------------------------------


def plain_number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


def _record_text(record: dict) -> str:
    return ",".join(f"{k}={plain_number(v) if k == 'target' else v}" for k, v in record.items() if v is not None)


def format_value(spec: FieldSpec, value: object) -> str:
    """A coded value as text: lists joined with ';', booleans true/false, null as ''."""
    if value is None:
        return ""
    if spec.kind == "bool":
        return "true" if value else "false"
    if spec.kind == "float":
        return str(plain_number(value))  # type: ignore[arg-type]
    if spec.kind == "record_list":
        return LIST_SEPARATOR.join(_record_text(r) for r in value)  # type: ignore[union-attr]
    if spec.kind in ("str_list", "enum_list"):
        return LIST_SEPARATOR.join(value)  # type: ignore[arg-type]
    return str(value)


def get_path(data: dict, path: tuple[str, ...]) -> object:
    for key in path:
        data = data[key]
    return data


# --- reading and validating ----------------------------------------------------------------


def _model_at(loc: tuple) -> type[BaseModel] | None:
    model: type[BaseModel] = Grid
    for part in loc:
        if isinstance(part, int):
            continue
        info = model.model_fields.get(str(part))
        if info is None:
            return None
        inner, _ = _unwrap(info.annotation)
        if typing.get_origin(inner) is list:
            (inner,) = typing.get_args(inner)
        if not (isinstance(inner, type) and issubclass(inner, BaseModel)):
            return None
        model = inner
    return model


def describe_error(item: dict) -> tuple[str, str]:
    """A pydantic error as (dotted key, message), with allowed values or keys where useful."""
    loc = tuple(item["loc"])
    key, kind = _dotted(loc), item["type"]
    if kind == "literal_error":
        allowed = ALLOWED.get(tuple(p for p in loc if not isinstance(p, int)), ())
        return key, f"{item['input']!r} is not allowed; allowed values: {', '.join(allowed)}"
    if kind == "extra_forbidden":
        parent = _model_at(loc[:-1])
        keys = ", ".join(parent.model_fields) if parent else "see the scaffold (cohorte new-site)"
        return key, f"unknown key; allowed keys here: {keys}"
    if kind == "missing":
        return key, "missing key; every field must be present (null when not documented, [] for an empty list)"
    if kind.endswith("_type") or kind.endswith("_parsing"):
        return key, f"{item['msg']}, got {item['input']!r} ({type(item['input']).__name__})"
    return key, item["msg"].removeprefix("Value error, ")


def format_errors(where: str, error: ValidationError) -> list[str]:
    return format_validation_error(where, error, describe_error)


def read_grid_data(path: Path) -> object:
    """Parse a grid file (YAML, duplicate keys refused); raises GridError naming the file."""
    return read_yaml(path, error=lambda message: GridError([message]))


def validate_grid(data: object, where: str) -> Grid:
    """Validate parsed grid data; ``where`` names the source in messages."""
    if not isinstance(data, dict):
        keys = ", ".join(Grid.model_fields)
        raise GridError([f"{where}: expected a mapping with the keys {keys}; got {type(data).__name__}"])
    try:
        return Grid.model_validate(data)
    except ValidationError as exc:
        raise GridError(format_errors(where, exc)) from None


def load_grid(path: Path) -> Grid:
    """Load and validate one grid file."""
    return validate_grid(read_grid_data(path), display_path(path))


def grid_path(edition: str | int, slug: str) -> Path:
    return config.grids_dir(edition) / f"{config.checked_name(slug, 'site')}.yml"


def load_grids(edition: str | int) -> dict[str, Grid]:
    """Every grid of the edition, keyed by slug in edition order; all problems raised together."""
    slugs = load_edition(edition).slugs
    folder = config.grids_dir(edition)
    problems: list[str] = []
    grids: dict[str, Grid] = {}
    for slug in slugs:
        path = grid_path(edition, slug)
        if not path.exists():
            problems.append(
                f"{display_path(path)}: no grid for site '{slug}' of edition {edition}; "
                f"create it with: cohorte new-site {edition} {slug}"
            )
            continue
        try:
            grids[slug] = load_grid(path)
        except GridError as exc:
            problems += exc.problems
    problems += _stray_files(folder, slugs, edition)
    if problems:
        raise GridError(problems)
    return grids


def _stray_files(folder: Path, slugs: list[str], edition: str | int) -> list[str]:
    problems = []
    for path in sorted(folder.glob("*.y*ml")) if folder.is_dir() else []:
        if path.suffix == ".yaml":
            problems.append(f"{display_path(path)}: grids use the .yml extension; rename it to {path.stem}.yml")
        elif path.stem not in slugs:
            problems.append(
                f"{display_path(path)}: grid for unknown site '{path.stem}'; "
                f"sites of edition {edition} (params/{edition}/edition.yml): {', '.join(slugs)}"
            )
    return problems


def check_grids(edition: str | int) -> list[str]:
    """Problems with the edition's grids, one line each; empty when all is well."""
    try:
        load_grids(edition)
    except GridError as exc:
        return exc.problems
    except CohorteError as exc:
        return str(exc).splitlines()
    return []


# --- tidy table ------------------------------------------------------------------------------


def grids_table(edition: str | int) -> pd.DataFrame:
    """Every coded field of every site: columns ``site, theme, field, value`` (all text)."""
    specs = coded_fields()
    rows = []
    for slug, grid in load_grids(edition).items():
        data = grid.model_dump()
        for spec in specs:
            rows.append((slug, spec.theme, spec.field, format_value(spec, get_path(data, spec.path))))
    return pd.DataFrame(rows, columns=["site", "theme", "field", "value"], dtype="string")


# --- writing -----------------------------------------------------------------------------------


def _plain(value: object) -> object:
    """Integral floats as ints, recursively, so percents read 55 rather than 55.0."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, float):
        return plain_number(value)
    return value


def dump_grid(grid: Grid, header: str = "") -> str:
    """A grid as YAML text (schema key order), after an optional comment header."""
    body = yaml.safe_dump(_plain(grid.model_dump()), sort_keys=False, allow_unicode=True, width=100)
    return header + body


def comment_header(path: Path) -> str:
    """The leading comment lines of an existing file, kept when the file is rewritten."""
    if not path.exists():
        return ""
    lines = []
    for line in path.read_text(encoding="utf-8").splitlines(keepends=True):
        if not line.startswith("#"):
            break
        lines.append(line)
    return "".join(lines)


# --- scaffold ------------------------------------------------------------------------------------

_FREE_TEXT = {
    "interviews": "types d'interlocuteurs rencontrés, parmi : {allowed}",
    "findings": "constats en français, une puce par élément, par thème",
    "highlights": "encadrés : - {title: …, theme: governance|demand_service|attribution_policy|cotation|flux, text: …}",
    "perspectives": "perspectives pour l'année suivante, une puce par élément",
}


def field_help(spec: FieldSpec) -> str:
    """French help for consultants: what the field codes and its allowed values."""
    if spec.kind in ("enum", "enum_list"):
        values = " | ".join(spec.allowed)
    else:
        values = {"int": "année (entier)", "float": "pourcentage 0–100", "bool": "true | false",
                  "str_list": "liste de textes", "record_list": "liste de {indicator, commune, landlord, target}"}[
            spec.kind
        ]
    null = " | null" if spec.nullable else ""
    return f"{spec.description} — {values}{null}"


def _scaffold_leaf(spec: FieldSpec, indent: int) -> str:
    name = spec.field.split(".")[-1]
    value = "[]" if spec.kind.endswith("_list") else ("not_documented" if "not_documented" in spec.allowed else "null")
    return f"{' ' * indent}{name}: {value}  # {field_help(spec)}\n"


def _description(theme: str, dotted: str) -> str:
    model = Grid.model_fields[theme].annotation
    *parents, name = dotted.split(".")
    for part in parents:
        model = model.model_fields[part].annotation  # type: ignore[union-attr]
    return model.model_fields[name].description or ""  # type: ignore[union-attr]


def _scaffold_theme(theme: str, specs: list[FieldSpec]) -> str:
    text, opened = f"{theme}:\n", set()
    for spec in specs:
        parts = spec.field.split(".")
        for depth in range(1, len(parts)):
            prefix = ".".join(parts[:depth])
            if prefix not in opened:
                opened.add(prefix)
                text += f"{'  ' * depth}{parts[depth - 1]}:  # {_description(theme, prefix)}\n"
        text += _scaffold_leaf(spec, 2 * len(parts))
    return text


def scaffold(edition: str | int, slug: str) -> str:
    """An empty grid for ``slug`` with every field, each commented with its allowed values."""
    params = load_edition(edition)
    if slug not in params.slugs:
        raise GridError([f"site '{slug}' is not in params/{edition}/edition.yml; add it to the sites there first "
                         f"(sites: {', '.join(params.slugs)})"])
    site = params.site(slug)
    specs = coded_fields()
    text = (
        f"# Grille d'observation — {site.name} ({slug}), édition {edition}.\n"
        "# Champs codés : domain.md §5. null = non documenté ; [] = rien de documenté.\n"
        "# Indiquer en commentaire les sources utilisées (monographie, entretiens).\n"
    )
    for theme in THEMES:
        text += _scaffold_theme(theme, [s for s in specs if s.theme == theme])
    allowed = ", ".join(typing.get_args(InterviewKind))
    text += f"interviews: []  # {_FREE_TEXT['interviews'].format(allowed=allowed)}\n"
    text += f"findings:  # {_FREE_TEXT['findings']}\n"
    text += "".join(f"  {theme}: []\n" for theme in THEMES)
    text += f"highlights: []  # {_FREE_TEXT['highlights']}\n"
    text += f"perspectives: []  # {_FREE_TEXT['perspectives']}\n"
    return text


def write_scaffold(edition: str | int, slug: str) -> Path:
    """Write the scaffold to ``params/EDITION/sites/SLUG.yml``; never overwrites."""
    path = grid_path(edition, slug)
    if path.exists():
        raise GridError([f"{display_path(path)}: already exists; edit it, or delete it first to start over"])
    return atomic_write_text(path, scaffold(edition, slug))
