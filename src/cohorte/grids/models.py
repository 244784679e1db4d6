"""The observation grid's schema: coded fields (docs/domain.md §5), free text, and their rules.

``null`` always means *not documented*; an empty list means *nothing documented*.
"""

from __future__ import annotations

from functools import cache
from typing import Annotated, Any, Literal, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)

from cohorte import markup
from cohorte.inputs.codes import INSEE_COMMUNE_PATTERN
from cohorte.validation import Strict

THEMES = ("governance", "demand_service", "attribution_policy", "cotation", "flux")
Theme = Literal["governance", "demand_service", "attribution_policy", "cotation", "flux"]
InterviewKind = Literal[
    "epci", "communes", "landlords", "ar_hlm", "state_services", "action_logement", "shared_file_manager"
]
Reservataire = Literal["state", "action_logement", "communes", "epci", "other"]
TargetIndicator = Literal["q1_outside_qpv", "non_q1_in_qpv", "priority_publics"]
FIELDWORK = "fieldwork"  # pseudo-theme of the ``interviews`` field in tables and spreadsheets
LIST_SEPARATOR = ";"


Text = Annotated[str, StringConstraints(min_length=1), AfterValidator(markup.as_written)]

T = TypeVar("T")
_YEAR: dict[str, Any] = {"ge": 1990, "le": 2100}
_PERCENT: dict[str, Any] = {"ge": 0, "le": 100}


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


# --- coded fields (docs/domain.md §5) ----------------------------------------------------------


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
    differentiated_targets: list[DifferentiatedTarget] = Field(description="objectifs chiffrés par commune ou bailleur")
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
    stage: (
        Literal["none", "observation", "reflection", "principles", "started", "about_to_finish", "operational"] | None
    ) = Field(description="avancement de la cotation")
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
    to_confirm: list[str] = Field(
        default_factory=list,
        description="champs codés repris de l'édition précédente, à confirmer (theme.champ) ; "
        "un champ confirmé ou modifié en sort",
    )

    _unique_items = field_validator("interviews", "to_confirm")(_unique)

    @field_validator("to_confirm")
    @classmethod
    def _known_fields(cls, items: list[str]) -> list[str]:
        known = confirmable_fields()
        unknown = [item for item in items if item not in known]
        if unknown:
            raise ValueError(f"unknown coded field(s) {unknown}; write them as theme.field, e.g. cotation.stage")
        return items


def _leaves(model: type[BaseModel], prefix: str = "") -> list[str]:
    names = []
    for name, info in model.model_fields.items():
        inner = info.annotation
        if isinstance(inner, type) and issubclass(inner, BaseModel):
            names += _leaves(inner, f"{prefix}{name}.")
        else:
            names.append(prefix + name)
    return names


@cache
def confirmable_fields() -> tuple[str, ...]:
    """Dotted names (``theme.field``) of the coded fields an edition carries over from the previous one."""
    themes = {theme: Grid.model_fields[theme].annotation for theme in THEMES}
    return tuple(f"{theme}.{leaf}" for theme, model in themes.items() for leaf in _leaves(model))  # type: ignore[arg-type]
