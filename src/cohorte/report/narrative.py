"""French sentences computed from one site's rows of the published indicator table.

Reading the table (rows, suppression, targets met) is :mod:`cohorte.indicators.published`'s job;
this module only words what it reads.

Every function takes the tidy table of ``docs/data-contract.md`` (already through
``disclosure.publish``: suppressed cells are NA, optionally flagged by a boolean ``suppressed``
column) restricted to one site, decides which case applies and computes the values; the words are
in the templates ``templates/text/fr/monograph/figures/*.md`` (an edition may override them). A
missing indicator never raises: the sentence says the figure is not available; a suppressed one
says it is not published (« n.s. »).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping

import pandas as pd

from cohorte.indicators.published import (
    Row,
    by_breakdown,
    get_row,
    is_missing,
    is_published,
    is_suppressed,
    reservataire_order,
    rows,
    site_has_qpv,
    state_share,
    target_met,
)
from cohorte.inputs import codes
from cohorte.reference.calendar import measure_in_force
from cohorte.reference.national import latest_reference
from cohorte.report.text import Texts, texts

FIGURES = "monograph/figures"


# --- helpers -----------------------------------------------------------------------------------


def _say(name: str, wording: Texts | None, **context: object) -> str:
    """Render the sentence template ``monograph/figures/NAME.md`` (the kit's wording by default)."""
    return (wording or texts()).sentence(f"{FIGURES}/{name}.md", **context)


def _case(row: Row | None) -> str:
    """missing | suppressed | published."""
    if row is None:
        return "missing"
    return "suppressed" if is_suppressed(row) else "published"


def _value(row: Row | None) -> float | None:
    return float(row["value"]) if is_published(row) else None


def _target(row: Row) -> float | None:
    target = row.get("target")
    return None if is_missing(target) else float(target)


# --- attribution targets -----------------------------------------------------------------------


def _rate(row: Row | None, case: str) -> dict[str, object]:
    if not is_published(row):
        return {"case": _case(row), "share": None, "target": None, "met": None}
    return {"case": case, "share": float(row["value"]), "target": _target(row), "met": target_met(row)}


def q1_sentence(table_site: pd.DataFrame, *, has_qpv: bool | None = None, text: Texts | None = None) -> str:
    """Q1 outside QPV against its target; ``has_qpv=None`` infers it from the table."""
    has_qpv = site_has_qpv(table_site) if has_qpv is None else has_qpv
    row = get_row(table_site, "q1_outside_qpv")
    return _say("q1_outside_qpv", text, has_qpv=has_qpv, **_rate(row, "qpv" if has_qpv else "no_qpv"))


def non_q1_sentence(table_site: pd.DataFrame, *, has_qpv: bool | None = None, text: Texts | None = None) -> str:
    """Attributions in QPV to quartiles 2–4 against their target."""
    has_qpv = site_has_qpv(table_site) if has_qpv is None else has_qpv
    if not has_qpv:
        return _say("non_q1_in_qpv", text, case="not_applicable", share=None, target=None, met=None)
    return _say("non_q1_in_qpv", text, **_rate(get_row(table_site, "non_q1_in_qpv"), "qpv"))


def national_q1_sentence(
    year: int, *, target: float = 25.0, published: dt.date | None = None, text: Texts | None = None
) -> str:
    """The national Q1-outside-QPV rate known at the edition's year and published by its ``published``
    date, with its full citation (``reference/national_references.csv``), and the share of EPCI
    reaching ``target`` that year; "" when the file has none."""
    rate = latest_reference("q1_outside_qpv", year, published)
    if rate is None:
        return ""
    reach = latest_reference("epci_reaching_q1_target", year, published)
    return _say(
        "national_q1",
        text,
        rate={
            "value": rate.value,
            "year": rate.year,
            "approximate": rate.approximate,
            "partial": rate.partial,
            "citation": rate.citation(),
        },
        reach=None
        if reach is None or reach.year != rate.year
        else {
            "value": reach.value,
            "citation": reach.citation(),
            "same": (reach.publisher, reach.title) == (rate.publisher, rate.title),
        },
        target=target,
    )


def _contingent(row: Row) -> dict[str, object]:
    return {"code": row["breakdown"], "value": float(row["value"]), "target": _target(row)}


def priority_sentence(table_site: pd.DataFrame, *, text: Texts | None = None) -> str:
    """Which contingents reach their priority-publics target (25 % by default)."""
    found = rows(table_site, "priority_publics")
    found = found.loc[found["breakdown"] != ""]
    empty: dict[str, object] = {"reached": [], "missed": [], "without": [], "secret": [], "uniform_target": None}
    if found.empty:
        return _say("priority_publics", text, case="missing", **empty)
    found = found.set_index("breakdown", drop=False).loc[reservataire_order(found["breakdown"])]
    shown = [r for _, r in found.iterrows() if not is_suppressed(r)]
    if not shown:
        return _say("priority_publics", text, case="suppressed", **empty)
    with_target = [r for r in shown if target_met(r) is not None]
    targets = {float(r["target"]) for r in with_target}
    return _say(
        "priority_publics",
        text,
        case="published",
        reached=[_contingent(r) for r in with_target if target_met(r)],
        missed=[_contingent(r) for r in with_target if not target_met(r)],
        without=[_contingent(r) for r in shown if target_met(r) is None],
        secret=[r["breakdown"] for _, r in found.iterrows() if is_suppressed(r)],
        uniform_target=targets.pop() if len(targets) == 1 else None,
    )


# --- demand ------------------------------------------------------------------------------------


def pressure_sentence(table_site: pd.DataFrame, *, text: Texts | None = None) -> str:
    """Active demands per attribution, also without mutations, and the share of mutations."""
    pressure = get_row(table_site, "pressure")
    demands, attributions = _value(get_row(table_site, "active_demands")), _value(get_row(table_site, "attributions"))
    both = demands is not None and attributions is not None
    return _say(
        "pressure",
        text,
        case=_case(pressure),
        pressure=_value(pressure),
        demands=demands if both else None,
        attributions=attributions if both else None,
        excl=_value(get_row(table_site, "pressure_excl_mutations")),
        mutation=_value(get_row(table_site, "mutation_share")),
    )


def typology_extremes(table_site: pd.DataFrame, indicator: str) -> tuple[dict, dict] | None:
    """The typologies with the lowest and highest published values, or None (fewer than two, or equal)."""
    found = rows(table_site, indicator)
    found = found.loc[(found["breakdown"] != "") & found.apply(lambda r: not is_suppressed(r), axis=1)]
    if len(found) < 2:
        return None
    values = found.assign(value=found["value"].astype(float))
    low, high = values.loc[values["value"].idxmin()], values.loc[values["value"].idxmax()]
    if low["value"] == high["value"]:
        return None
    return ({"code": low["breakdown"], "value": low["value"]}, {"code": high["breakdown"], "value": high["value"]})


def typology_phrase(code: str, wording: Texts | None = None) -> str:
    """« les chambres », « les T6 et plus », « les T3 » (nouns from the vocabulary's ``typologies``)."""
    return f"les {(wording or texts()).label('typologies', code, default=code)}"


def typology_range(table_site: pd.DataFrame, indicator: str, fmt: Callable[[object], str]) -> str:
    """« , de 8 mois pour les T1 à 26 mois pour les T5 » (chart titles), or "" with fewer than two typologies."""
    extremes = typology_extremes(table_site, indicator)
    if extremes is None:
        return ""
    low, high = extremes
    return f", de {fmt(low['value'])} pour {typology_phrase(low['code'])} à {fmt(high['value'])} pour {typology_phrase(high['code'])}"


def delay_sentence(
    table_site: pd.DataFrame,
    *,
    abnormal_delay_months: int | None = None,
    abnormal_delay_source: str | None = None,
    text: Texts | None = None,
) -> str:
    """Median delay to attribution (range by typology), median seniority, demands past the abnormal delay
    (set per département by arrêté préfectoral: named with its ``source``, else called the kit's default)."""
    delay = get_row(table_site, "median_delay_months")
    low, high = typology_extremes(table_site, "median_delay_months") or (None, None)
    return _say(
        "delay",
        text,
        case=_case(delay),
        delay=_value(delay),
        low=low,
        high=high,
        seniority=_value(get_row(table_site, "median_seniority_months")),
        abnormal=_value(get_row(table_site, "abnormal_delay_demands")),
        abnormal_share=_value(get_row(table_site, "abnormal_delay_share")),
        abnormal_months=abnormal_delay_months,
        abnormal_source=abnormal_delay_source or None,
    )


def poulidors_sentence(table_site: pd.DataFrame, *, min_presentations: int = 3, text: Texts | None = None) -> str:
    """Applicants presented at least N times to the CAL in the year without an attribution."""
    row = get_row(table_site, "poulidors")
    return _say("poulidors", text, case=_case(row), count=_value(row), min_presentations=min_presentations)


# --- Q1 threshold and affordability ------------------------------------------------------------


Q1_THRESHOLD_ORIGINS = ("decree", "official", "fictitious", "estimated", "given")


def q1_threshold_sentence(
    table_site: pd.DataFrame,
    *,
    origin: str | None = None,
    source: str | None = None,
    decree: Mapping | None = None,
    year: int | None = None,
    text: Texts | None = None,
) -> str:
    """The Q1 threshold and where it comes from: ``origin`` decree (the arrêté shipped in the kit,
    ``decree``), official (with its ``source``), fictitious (demo data: never "fixé par arrêté") or
    estimated (``indicators.origins``); without ``origin``, the row's ``estimated`` flag decides between
    an estimate and a value given with the data. With ``year`` and no ``decree``, the sentence says the
    kit ships no official threshold for that year."""
    row = get_row(table_site, "q1_threshold")
    case = _case(row)
    if case == "published":
        flagged = row.get("estimated")  # type: ignore[union-attr]
        if origin is None:
            origin = "estimated" if not is_missing(flagged) and bool(flagged) else "given"
        if (origin == "official" and not source) or (origin == "decree" and not decree):
            origin = "given"
        if origin not in Q1_THRESHOLD_ORIGINS:
            raise ValueError(f"q1 threshold origin {origin!r}: expected one of {', '.join(Q1_THRESHOLD_ORIGINS)}")
        case = origin
    return _say("q1_threshold", text, case=case, amount=_value(row), source=source, decree=decree, year=year)


def affordable_stock_sentence(
    table_site: pd.DataFrame, *, text: Texts | None = None, not_computable: Mapping | None = None
) -> str:
    """Share of the stock outside QPV within reach of a Q1 household, with its range by typology;
    ``not_computable`` (``origins.source_facts``) when the stock's source has no rent."""
    if not_computable:
        return _say("affordable_stock", text, case="not_computable", source=not_computable.get("source"))
    row = get_row(table_site, "q1_affordable_stock_share")
    low, high = typology_extremes(table_site, "q1_affordable_stock_share") or (None, None)
    return _say("affordable_stock", text, case=_case(row), share=_value(row), low=low, high=high)


def rent_ceilings_sentence(ceilings: Mapping[str, float], *, text: Texts | None = None) -> str:
    """The rent ceilings (edition parameter) behind the affordable share, by typology."""
    order = [t for t in codes.TYPOLOGIES if t in ceilings]
    return _say("rent_ceilings", text, ceilings=[{"code": t, "amount": float(ceilings[t])} for t in order])


def small_typology_sentence(table_site: pd.DataFrame, *, text: Texts | None = None) -> str:
    """T1/T2 supply outside QPV against the share of Q1 applicants asking for a room, a T1 or a T2."""
    supply, demand = (
        get_row(table_site, "small_typology_supply_share"),
        get_row(table_site, "q1_small_typology_demand_share"),
    )
    if not (is_published(supply) and is_published(demand)):
        return _say(
            "small_typology",
            text,
            case=_case(demand if is_published(supply) else supply),
            supply=None,
            demand=None,
            short=None,
        )
    return _say(
        "small_typology",
        text,
        case="published",
        supply=float(supply["value"]),
        demand=float(demand["value"]),
        short=float(supply["value"]) < float(demand["value"]),
    )


# --- ELAN measures -----------------------------------------------------------------------------


def flux_sentence(table_site: pd.DataFrame, *, state_cap: float = 30.0, text: Texts | None = None) -> str:
    """The State's reserved stock share and its estimated flow share once its cap is applied to each
    landlord's stock (CCH R441-5: a ceiling per organisme, never a test of the EPCI's whole stock),
    and the implied yearly flow against the attributions of the reserved contingents — both net of
    mutations and ANRU rehousing."""
    stock, flow = state_share(table_site), state_share(table_site, "flux_flow_share")
    state = "stock" if stock is not None else ("none" if flow is None else "flow_only")
    flows = _reserved_total(table_site, "flux_implied_flow")
    attributed = _reserved_total(table_site, "flux_attainment", column="numerator")
    both = flows is not None and attributed is not None
    return _say(
        "flux",
        text,
        state=state,
        stock_share=stock,
        flow_share=flow,
        cap=state_cap,
        flows=flows if both else None,
        attributed=attributed if both else None,
    )


def _reserved_total(table_site: pd.DataFrame, indicator: str, column: str = "value") -> float | None:
    """Sum of ``column`` over reserved contingents (all but AUCUN); None when absent or any is n.s."""
    found = [r for code, r in by_breakdown(table_site, indicator).items() if code != "AUCUN"]
    if not found or any(is_suppressed(r) or is_missing(r.get(column)) for r in found):
        return None
    return float(sum(float(r[column]) for r in found))


def _measure(measure: str, reference_date: dt.date) -> dict[str, object]:
    found = measure_in_force(measure, reference_date)
    return {"deadline": found.deadline, "text": found.text, "label": found.label}


def cotation_deadline_sentence(
    reference_date: dt.date,
    *,
    operational: bool = False,
    operational_since: int | None = None,
    text: Texts | None = None,
) -> str:
    """The cotation deadline in force at the edition's reference date (``reference/legal_calendar.csv``);
    a site whose cotation already works is not told that the law imposes one."""
    return _say(
        "cotation_deadline",
        text,
        measure=_measure("cotation", reference_date),
        reference_date=reference_date,
        operational=operational or operational_since is not None,
        operational_since=operational_since,
    )


def flux_deadline_sentence(
    reference_date: dt.date, *, state_cap: float = 30.0, state_staff_cap: float = 5.0, text: Texts | None = None
) -> str:
    """The deadline for converting reservations into gestion en flux in force at the reference date."""
    return _say(
        "flux_deadline",
        text,
        measure=_measure("flux", reference_date),
        reference_date=reference_date,
        cap=state_cap,
        staff_cap=state_staff_cap,
    )


def band(label: str) -> dict[str, object]:
    """``"10-19" -> {low: 10, high: 19}``, ``"50+" -> {low: 50, high: None}``; unparsed: ``low`` None."""
    if match := re.fullmatch(r"\s*(\d+)\s*[-–]\s*(\d+)\s*", label):
        return {"low": int(match[1]), "high": int(match[2]), "label": label}
    if match := re.fullmatch(r"\s*(\d+)\s*\+\s*", label):
        return {"low": int(match[1]), "high": None, "label": label}
    return {"low": None, "high": None, "label": label}


def modal_band(table_site: pd.DataFrame, indicator: str) -> str | None:
    """The published band holding the most households, or None."""
    bands = [r for r in by_breakdown(table_site, indicator).values() if not is_suppressed(r)]
    return max(bands, key=lambda r: float(r["value"]))["breakdown"] if bands else None


def cotation_sentence(table_site: pd.DataFrame, *, cotation: Mapping | None = None, text: Texts | None = None) -> str:
    """Which grid was applied (an illustration unless adopted), where attributed households stood in
    the score distribution (median scores when published, else the modal bands), and the score-ordered
    comparison — an illustration, an estimate where attributions lack fields the grid scores
    (``cotation``: ``indicators.origins.cotation_origin``)."""
    cotation = cotation or {}
    active = _value(get_row(table_site, "cotation_median_score_active"))
    attributed = _value(get_row(table_site, "cotation_median_score_attributed"))
    demand_band = modal_band(table_site, "cotation_score_band")
    attributed_band = modal_band(table_site, "cotation_attributed_band")
    if active is not None and attributed is not None:
        position = "medians"
    elif demand_band and attributed_band:
        position = "same_band" if demand_band == attributed_band else "different_bands"
    else:
        position = "none"
    return _say(
        "cotation",
        text,
        position=position,
        active=None if active is None else round(active),
        attributed=None if attributed is None else round(attributed),
        band_active=band(demand_band) if demand_band else None,
        band_attributed=band(attributed_band) if attributed_band else None,
        reordered=_value(get_row(table_site, "cotation_reordered_share")),
        grid=cotation.get("grid") or None,
        grid_status=cotation.get("status") or "illustrative",
        grid_source=cotation.get("source") or None,
        estimated_fields=list(cotation.get("estimated_fields") or []),
    )


def sentences(
    table_site: pd.DataFrame,
    *,
    has_qpv: bool | None = None,
    abnormal_delay_months: int | None = None,
    abnormal_delay_source: str | None = None,
    min_presentations: int = 3,
    state_cap: float = 30.0,
    q1_threshold_origin: str | None = None,
    q1_threshold_source: str | None = None,
    q1_threshold_decree: Mapping | None = None,
    q1_threshold_year: int | None = None,
    cotation: Mapping | None = None,
    text: Texts | None = None,
) -> dict[str, str]:
    """Every sentence of a monograph, keyed by theme (for the notebook and the key-figures JSON)."""
    return {
        "q1_outside_qpv": q1_sentence(table_site, has_qpv=has_qpv, text=text),
        "non_q1_in_qpv": non_q1_sentence(table_site, has_qpv=has_qpv, text=text),
        "priority_publics": priority_sentence(table_site, text=text),
        "pressure": pressure_sentence(table_site, text=text),
        "delay": delay_sentence(
            table_site,
            abnormal_delay_months=abnormal_delay_months,
            abnormal_delay_source=abnormal_delay_source,
            text=text,
        ),
        "poulidors": poulidors_sentence(table_site, min_presentations=min_presentations, text=text),
        "q1_threshold": q1_threshold_sentence(
            table_site,
            origin=q1_threshold_origin,
            source=q1_threshold_source,
            decree=q1_threshold_decree,
            year=q1_threshold_year,
            text=text,
        ),
        "affordable_stock": affordable_stock_sentence(table_site, text=text),
        "flux": flux_sentence(table_site, state_cap=state_cap, text=text),
        "cotation": cotation_sentence(table_site, cotation=cotation, text=text),
    }
