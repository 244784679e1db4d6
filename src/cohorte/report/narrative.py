"""French sentences computed from one site's rows of the published indicator table.

Every function takes the tidy table of ``docs/data-contract.md`` (already through
``disclosure.publish``: suppressed cells are NA, optionally flagged by a boolean ``suppressed``
column) restricted to one site, and returns one or a few sentences. A missing indicator never
raises: the sentence says the figure is not available; a suppressed one says it is not published
(« n.s. »).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable

import pandas as pd

from cohorte.inputs import codes
from cohorte.reference.calendar import measure_in_force
from cohorte.reference.national import latest_reference
from cohorte.report.formatting import fmt_date_fr, fmt_eur, fmt_int, fmt_months, fmt_num, fmt_pct, fmt_value, is_missing, join_fr, plural_fr

# Réservataires as they read inside a sentence (« atteint pour les collectivités »).
RESERVATAIRE_PHRASES = {
    "PPRIOR": "le contingent préfectoral",
    "PFONCT": "le contingent des agents de l'État",
    "COLTER": "les collectivités",
    "COLACT": "Action Logement",
    "AUTRES": "les autres réservataires",
    "AUCUN": "le parc non réservé des bailleurs",
}
STATE_RESERVATAIRES = ("PPRIOR", "PFONCT")
_SECRET = "n'est pas diffusé{e} (n.s.), au titre du secret statistique"

Row = pd.Series


# --- reading the table -------------------------------------------------------------------------


def _one_site(table: pd.DataFrame) -> pd.DataFrame:
    if "site" in table.columns and table["site"].nunique() > 1:
        sites = ", ".join(sorted(map(str, table["site"].unique())))
        raise ValueError(f"narrative expects one site's rows, got several sites ({sites}); filter on `site` first")
    return table


def rows(table: pd.DataFrame, indicator: str) -> pd.DataFrame:
    """All rows of one indicator, with ``breakdown`` as a string ("" for the site-level figure)."""
    selected = _one_site(table).loc[table["indicator"] == indicator].copy()
    selected["breakdown"] = selected["breakdown"].astype("object").where(selected["breakdown"].notna(), "").astype(str)
    return selected


def get_row(table: pd.DataFrame, indicator: str, breakdown: str = "") -> Row | None:
    """The row of one indicator × breakdown, or None when the table has none."""
    selected = rows(table, indicator)
    selected = selected.loc[selected["breakdown"] == breakdown]
    return None if selected.empty else selected.iloc[0]


def is_suppressed(row: Row) -> bool:
    """A row shows « n.s. » when flagged ``suppressed`` or when its value is NA."""
    flag = row.get("suppressed", False)
    return (not is_missing(flag) and bool(flag)) or is_missing(row.get("value"))


def published(row: Row | None) -> bool:
    return row is not None and not is_suppressed(row)


def target_met(row: Row) -> bool | None:
    """``met`` when given, else value ≥ target; None without a target or a value."""
    met = row.get("met")
    if not is_missing(met):
        return bool(met)
    target = row.get("target")
    if is_missing(target) or is_suppressed(row):
        return None
    return float(row["value"]) >= float(target)


def _target(row: Row) -> object:
    return row.get("target")


# --- attribution targets -----------------------------------------------------------------------


def _target_clause(row: Row) -> str:
    target = _target(row)
    if is_missing(target):
        return ""
    goal = fmt_pct(target, trim=True)
    return f" : l'objectif de {goal} est atteint" if target_met(row) else f", pour un objectif de {goal}"


def _unavailable(subject: str, row: Row | None, *, feminine: bool = False) -> str:
    """« … n'est pas disponible. » without a row; « … n'est pas diffusé(e) (n.s.) … » when suppressed."""
    if row is None:
        return f"{subject} n'est pas disponible."
    return f"{subject} {_SECRET.format(e='e' if feminine else '')}."


def site_has_qpv(table: pd.DataFrame) -> bool:
    """False only when the table shows zero attributions in QPV (the EPCI has no QPV).

    Read from ``attributions_in_qpv`` (0) or the denominator of ``non_q1_in_qpv``; when the
    disclosure rules hide that zero, pass ``has_qpv`` explicitly.
    """
    count = get_row(table, "attributions_in_qpv")
    if published(count) and float(count["value"]) == 0:
        return False
    row = get_row(table, "non_q1_in_qpv")
    return row is None or is_missing(row.get("denominator")) or float(row["denominator"]) > 0


def q1_sentence(table_site: pd.DataFrame, *, has_qpv: bool | None = None) -> str:
    """Q1 outside QPV against its target; ``has_qpv=None`` infers it from the table."""
    has_qpv = site_has_qpv(table_site) if has_qpv is None else has_qpv
    row = get_row(table_site, "q1_outside_qpv")
    if not published(row):
        where = "hors QPV " if has_qpv else ""
        return _unavailable(f"La part des attributions {where}allant à des ménages du premier quartile", row, feminine=True)
    share = fmt_pct(row["value"])
    if not has_qpv:
        return (
            "Le territoire ne comptant pas de QPV, l'objectif porte sur l'ensemble des attributions : "
            f"{share} sont allées à des ménages du premier quartile{_target_clause(row)}."
        )
    return f"{share} des attributions hors QPV sont allées à des ménages du premier quartile{_target_clause(row)}."


def non_q1_sentence(table_site: pd.DataFrame, *, has_qpv: bool | None = None) -> str:
    """Attributions in QPV to quartiles 2–4 against their target."""
    has_qpv = site_has_qpv(table_site) if has_qpv is None else has_qpv
    if not has_qpv:
        return (
            "Le territoire ne comptant pas de QPV, l'objectif d'attributions en QPV aux ménages "
            "des autres quartiles ne s'applique pas."
        )
    row = get_row(table_site, "non_q1_in_qpv")
    if not published(row):
        return _unavailable("La part des attributions en QPV allant à des ménages des autres quartiles", row, feminine=True)
    return (
        f"{fmt_pct(row['value'])} des attributions en QPV sont allées à des ménages des deuxième, "
        f"troisième et quatrième quartiles{_target_clause(row)}."
    )


def national_q1_sentence(year: int) -> str:
    """The national Q1-outside-QPV rate known at the edition's year, with its year and source
    (``reference/national_references.csv``); "" when the file has none."""
    rate = latest_reference("q1_outside_qpv", year)
    if rate is None:
        return ""
    about = "environ " if rate.approximate else ""
    text = (f"Au niveau national, {about}{fmt_pct(rate.value)} des attributions hors QPV sont allées à des ménages du "
            f"premier quartile en {rate.year} ({rate.source})")
    reach = latest_reference("epci_reaching_q1_target", year)
    if reach is not None and reach.year == rate.year:
        text += f" ; seuls {fmt_pct(reach.value, 0)} des EPCI concernés atteignaient l'objectif de {fmt_pct(25, 0)} ({reach.source})"
    return text + "."


def reservataire_order(codes_seen: Iterable[str]) -> list[str]:
    """Réservataire codes in the order of ``codes.RESERVATAIRES``, unknown codes last."""
    known = list(codes.RESERVATAIRES)
    return sorted(set(codes_seen), key=lambda c: (known.index(c) if c in known else len(known), c))


def _reservataire_phrase(code: str) -> str:
    return RESERVATAIRE_PHRASES.get(code, codes.RESERVATAIRES.get(code, code))


def _priority_item(row: Row, show_target: bool) -> str:
    goal = f" pour un objectif de {fmt_pct(row['target'], trim=True)}" if show_target else ""
    return f"{_reservataire_phrase(row['breakdown'])} ({fmt_pct(row['value'])}{goal})"


def priority_sentence(table_site: pd.DataFrame) -> str:
    """Which contingents reach their priority-publics target (25 % by default)."""
    found = rows(table_site, "priority_publics")
    found = found.loc[found["breakdown"] != ""]
    if found.empty:
        return "Les parts d'attributions aux publics prioritaires par réservataire ne sont pas disponibles."
    order = reservataire_order(found["breakdown"])
    found = found.set_index("breakdown", drop=False).loc[order]
    shown = [r for _, r in found.iterrows() if not is_suppressed(r)]
    secret = [r["breakdown"] for _, r in found.iterrows() if is_suppressed(r)]
    if not shown:
        return "Les parts d'attributions aux publics prioritaires par réservataire ne sont pas diffusées (n.s.)."
    parts = [_priority_targets(shown)]
    if secret:
        parts.append(_secret_contingents(secret))
    return " ".join(p for p in parts if p)


def _priority_targets(shown: list[Row]) -> str:
    with_target = [r for r in shown if target_met(r) is not None]
    without = [r for r in shown if target_met(r) is None]
    targets = {float(r["target"]) for r in with_target}
    uniform = len(targets) == 1
    goal = f"L'objectif de {fmt_pct(targets.pop(), trim=True)} d'attributions" if uniform else "L'objectif d'attributions"
    reached = [_priority_item(r, not uniform) for r in with_target if target_met(r)]
    missed = [_priority_item(r, not uniform) for r in with_target if not target_met(r)]
    sentences = []
    if reached and missed:
        sentences.append(
            f"{goal} aux publics prioritaires est atteint pour {join_fr(reached)}, "
            f"mais pas pour {' ni pour '.join(missed)}."
        )
    elif reached:
        sentences.append(f"{goal} aux publics prioritaires est atteint pour tous les contingents qui y sont soumis : "
                         f"{join_fr(reached)}.")
    elif missed:
        sentences.append(f"{goal} aux publics prioritaires n'est atteint pour aucun des contingents qui y sont soumis : "
                         f"{join_fr(missed)}.")
    sentences += [_untargeted_contingent(r) for r in without]
    return " ".join(sentences)


def _untargeted_contingent(row: Row) -> str:
    """The préfectoral contingent is meant wholly for priority households; the State-staff one has no
    priority target (CCH L441-1); any other contingent without a target is said to have none."""
    share = fmt_pct(row["value"])
    if row["breakdown"] == "PPRIOR":
        return (f"Le contingent préfectoral, destiné en totalité aux publics prioritaires, leur a consacré {share} "
                "de ses attributions.")
    if row["breakdown"] == "PFONCT":
        return f"Le contingent des agents de l'État ne porte pas d'objectif de publics prioritaires ({share})."
    return f"Aucun objectif n'est fixé pour {_priority_item(row, False)}."


def _secret_contingents(secret: list[str]) -> str:
    names = join_fr([_reservataire_phrase(c) for c in secret])
    if len(secret) == 1:
        return f"La part n'est pas diffusée (n.s.) pour {names}."
    return f"Les parts ne sont pas diffusées (n.s.) pour {names}."


# --- demand ------------------------------------------------------------------------------------


def pressure_sentence(table_site: pd.DataFrame) -> str:
    """Active demands per attribution, also without mutations, and the share of mutations."""
    pressure = get_row(table_site, "pressure")
    parts = [_pressure_main(table_site, pressure)]
    mutation = get_row(table_site, "mutation_share")
    if published(mutation):
        parts.append(f"Les demandes de mutation représentent {fmt_pct(mutation['value'])} des demandes actives.")
    return " ".join(parts)


def _pressure_main(table_site: pd.DataFrame, pressure: Row | None) -> str:
    if not published(pressure):
        return _unavailable("Le nombre de demandes actives pour une attribution", pressure)
    value = float(pressure["value"])
    words = plural_fr(value, "demande active", "demandes actives", with_count=False)
    text = f"la pression s'établit à {fmt_num(value, 1)} {words} pour une attribution"
    demands, attributions = get_row(table_site, "active_demands"), get_row(table_site, "attributions")
    if published(demands) and published(attributions):
        text = (
            f"Avec {plural_fr(demands['value'], 'demande active', 'demandes actives')} pour "
            f"{plural_fr(attributions['value'], 'attribution')} dans l'année, {text}"
        )
    else:
        text = text[0].upper() + text[1:]
    excl = get_row(table_site, "pressure_excl_mutations")
    if published(excl):
        text += (f" ({fmt_num(excl['value'], 1)} hors mutations, c'est-à-dire sans les demandes ni les attributions "
                 "de ménages déjà locataires du parc social)")
    return text + "."


TYPOLOGY_PHRASES = {"C": "les chambres", "T6P": "les T6 et plus"}


def typology_phrase(code: str) -> str:
    return TYPOLOGY_PHRASES.get(code, f"les {code}")


def typology_range(table_site: pd.DataFrame, indicator: str, fmt: Callable[[object], str]) -> str:
    """« , de 8 mois pour les T1 à 26 mois pour les T5 », or "" with fewer than two typologies."""
    found = rows(table_site, indicator)
    found = found.loc[(found["breakdown"] != "") & found.apply(lambda r: not is_suppressed(r), axis=1)]
    if len(found) < 2:
        return ""
    values = found.assign(value=found["value"].astype(float))
    low, high = values.loc[values["value"].idxmin()], values.loc[values["value"].idxmax()]
    if low["value"] == high["value"]:
        return ""
    return (
        f", de {fmt(low['value'])} pour {typology_phrase(low['breakdown'])} "
        f"à {fmt(high['value'])} pour {typology_phrase(high['breakdown'])}"
    )


def delay_sentence(table_site: pd.DataFrame, *, abnormal_delay_months: int | None = None,
                   abnormal_delay_source: str | None = None) -> str:
    """Median delay to attribution (range by typology), median seniority, demands past the abnormal delay."""
    delay = get_row(table_site, "median_delay_months")
    if published(delay):
        range_ = typology_range(table_site, "median_delay_months", fmt_months)
        parts = [f"Le délai médian d'attribution est de {fmt_months(delay['value'])}{range_}."]
    else:
        parts = [_unavailable("Le délai médian d'attribution", delay)]
    seniority = get_row(table_site, "median_seniority_months")
    if published(seniority):
        parts.append(f"Les demandes actives ont une ancienneté médiane de {fmt_months(seniority['value'])}.")
    abnormal = get_row(table_site, "abnormal_delay_demands")
    if published(abnormal):
        share = get_row(table_site, "abnormal_delay_share")
        share_value = share["value"] if published(share) else None
        parts.append(_abnormal_text(abnormal["value"], share_value, abnormal_delay_months, abnormal_delay_source))
    return " ".join(parts)


def _abnormal_text(count: float, share: float | None, months: int | None, source: str | None = None) -> str:
    """The délai anormalement long is set per département by arrêté préfectoral: named with its
    ``source`` when the site gives one, else called the kit's default."""
    if months and source:
        limit = f"fixé à {fmt_months(months)} ({source})"
    elif months:
        limit = (f"(valeur par défaut du kit, {fmt_months(months)}, faute de la valeur fixée par l'arrêté "
                 "préfectoral du département)")
    else:
        limit = "du département"
    if float(count) == 0:
        return f"Aucune demande active n'atteint le délai anormalement long {limit}."
    verb = "atteint" if float(count) < 2 else "atteignent"
    of_all = f" ({fmt_pct(share)} du total)" if share is not None else ""
    return f"{plural_fr(count, 'demande active', 'demandes actives')}{of_all} {verb} le délai anormalement long {limit}."


def poulidors_sentence(table_site: pd.DataFrame, *, min_presentations: int = 3) -> str:
    """Applicants presented at least N times to the CAL in the year without an attribution."""
    row = get_row(table_site, "poulidors")
    what = f"présentés au moins {min_presentations} fois en CAL dans l'année sans obtenir de logement"
    if not published(row):
        return _unavailable(f"Le nombre de demandeurs {what}", row)
    count = float(row["value"])
    if count == 0:
        return f"Aucun demandeur n'a été {what.replace('présentés', 'présenté', 1)}."
    if count < 2:
        return f"{fmt_int(count)} demandeur a été {what.replace('présentés', 'présenté', 1)}."
    return f"{fmt_int(count)} demandeurs ont été {what}."


# --- Q1 threshold and affordability ------------------------------------------------------------


def q1_threshold_sentence(table_site: pd.DataFrame, *, origin: str | None = None, source: str | None = None) -> str:
    """The Q1 threshold and where it comes from: ``origin`` official (with its ``source``), fictitious
    (demo data: never "fixé par arrêté") or estimated; without ``origin``, the row's ``estimated`` flag
    decides between an estimate and a value given with the data."""
    row = get_row(table_site, "q1_threshold")
    if not published(row):
        return _unavailable("Le seuil du premier quartile", row)
    amount = f"{fmt_eur(row['value'])} par unité de consommation et par an"
    flagged = row.get("estimated")
    if origin is None:
        origin = "estimated" if not is_missing(flagged) and bool(flagged) else "given"
    if origin == "estimated":
        return (f"Le seuil du premier quartile, estimé à partir du fichier de la demande (25e centile des ressources "
                f"par unité de consommation des demandes actives), est de {amount} ; ce n'est pas la valeur de l'arrêté.")
    if origin == "fictitious":
        return (f"Le seuil du premier quartile retenu est de {amount} : c'est une valeur fictive, fournie avec les "
                "données de démonstration, et non celle de l'arrêté.")
    if origin == "official" and source:
        return f"Le seuil du premier quartile est de {amount} (source : {source})."
    return f"Le seuil du premier quartile est de {amount} (valeur fournie avec les données, sans source précisée)."


def affordable_stock_sentence(table_site: pd.DataFrame) -> str:
    """Share of the stock outside QPV within reach of a Q1 household, with its range by typology."""
    row = get_row(table_site, "q1_affordable_stock_share")
    if not published(row):
        return _unavailable("La part des logements hors QPV accessibles aux ménages du premier quartile", row, feminine=True)
    range_ = typology_range(table_site, "q1_affordable_stock_share", fmt_pct)
    range_ = range_.replace(" pour les ", " des ")
    return (
        f"Hors QPV, {fmt_pct(row['value'])} des logements sociaux ont un loyer accessible à un ménage "
        f"du premier quartile{range_}."
    )


def rent_ceilings_sentence(ceilings: dict[str, float]) -> str:
    """The rent ceilings (edition parameter) behind the affordable share, by typology."""
    order = [t for t in codes.TYPOLOGIES if t in ceilings]
    items = [f"{'chambre' if t == 'C' else ('T6 et plus' if t == 'T6P' else t)} {fmt_eur(ceilings[t])}" for t in order]
    return (f"Loyers mensuels maximaux retenus pour un ménage du premier quartile (hors charges, paramètre de "
            f"l'édition) : {join_fr(items)}.")


def small_typology_sentence(table_site: pd.DataFrame) -> str:
    """T1/T2 supply outside QPV against the share of Q1 applicants asking for a room, a T1 or a T2."""
    supply, demand = get_row(table_site, "small_typology_supply_share"), get_row(table_site, "q1_small_typology_demand_share")
    if not (published(supply) and published(demand)):
        return _unavailable("La comparaison entre l'offre de petits logements hors QPV et la demande du premier quartile",
                            supply if not published(supply) else demand, feminine=True)
    short = float(supply["value"]) < float(demand["value"])
    scarce = "les petits logements sont proportionnellement plus rares dans l'offre que dans cette demande"
    link, verdict = ("alors que", scarce) if short else ("et", "l'offre de petits logements est proportionnée à cette demande")
    return (f"Hors QPV, les T1 et T2 représentent {fmt_pct(supply['value'])} du parc social, {link} "
            f"{fmt_pct(demand['value'])} des demandeurs du premier quartile demandent une chambre, un T1 ou un T2 : "
            f"{verdict}.")


# --- ELAN measures -----------------------------------------------------------------------------


def _by_breakdown(table_site: pd.DataFrame, indicator: str) -> dict[str, Row]:
    found = rows(table_site, indicator)
    return {r["breakdown"]: r for _, r in found.loc[found["breakdown"] != ""].iterrows()}


def state_share(table_site: pd.DataFrame, indicator: str = "flux_reserved_stock_share") -> float | None:
    """The State's share (PPRIOR + PFONCT) of an indicator by réservataire; None when unknown or n.s."""
    shares = _by_breakdown(table_site, indicator)
    state = [shares[c] for c in STATE_RESERVATAIRES if c in shares]
    if not state or any(is_suppressed(r) for r in state):
        return None
    return float(sum(float(r["value"]) for r in state))


def flux_sentence(table_site: pd.DataFrame, *, state_cap: float = 30.0) -> str:
    """The State's share against its flow cap, and the implied yearly flow against the attributions of
    the reserved contingents — both net of mutations and ANRU rehousing (like with like)."""
    parts = [_state_cap_text(table_site, state_cap)]
    flows = _reserved_total(table_site, "flux_implied_flow")
    attributed = _reserved_total(table_site, "flux_attainment", column="numerator")
    if flows is not None and attributed is not None:
        parts.append(
            f"Converties en flux, les réservations correspondraient à environ {fmt_int(flows)} logements par an ; "
            f"les contingents réservés ont reçu {fmt_int(attributed)} attributions dans l'année. Les deux chiffres "
            "s'entendent hors mutations et hors relogements ANRU, que le décret exclut de l'assiette du flux."
        )
    return " ".join(p for p in parts if p) or "Les estimations de la gestion en flux ne sont pas disponibles."


def _state_cap_text(table_site: pd.DataFrame, state_cap: float) -> str:
    """The State's reserved stock share against the cap; when the cap changes its flow share, say how."""
    cap = fmt_pct(state_cap, trim=True)
    who = "L'État (contingent préfectoral et agents de l'État)"
    stock, flow = state_share(table_site), state_share(table_site, "flux_flow_share")
    if stock is None and flow is None:
        return ""
    if stock is None:
        return f"{who} disposerait de {fmt_pct(flow)} du flux annuel, plafond de {cap} appliqué."
    if stock <= state_cap:
        return f"{who} réserve {fmt_pct(stock)} du parc, dans la limite du plafond de {cap} fixé pour la gestion en flux."
    capped = f" ({fmt_pct(flow)} du flux estimé)" if flow is not None else ""
    return (f"{who} réserve {fmt_pct(stock)} du parc, au-delà du plafond de {cap} fixé pour la gestion en flux : "
            f"converties en flux, ses réservations sont ramenées à ce plafond{capped}, et la différence revient "
            "au flux des bailleurs.")


def _reserved_total(table_site: pd.DataFrame, indicator: str, column: str = "value") -> float | None:
    """Sum of ``column`` over reserved contingents (all but AUCUN); None when absent or any is n.s."""
    found = [r for code, r in _by_breakdown(table_site, indicator).items() if code != "AUCUN"]
    if not found or any(is_suppressed(r) or is_missing(r.get(column)) for r in found):
        return None
    return float(sum(float(r[column]) for r in found))


def cotation_deadline_sentence(reference_date: dt.date, *, operational: bool = False,
                               operational_since: int | None = None) -> str:
    """The cotation deadline in force at the edition's reference date (``reference/legal_calendar.csv``);
    a site whose cotation already works is not told that the law imposes one."""
    measure = measure_in_force("cotation", reference_date)
    when = f"au {fmt_date_fr(reference_date)}"
    if operational or operational_since is not None:
        since = f" depuis {operational_since}" if operational_since is not None else ""
        return (f"Un système de cotation de la demande fonctionne sur le site{since}. "
                f"L'échéance légale en vigueur {when} pour sa mise en place par les EPCI est le "
                f"{fmt_date_fr(measure.deadline)} ({measure.text}).")
    return (f"Les EPCI doivent mettre en place un système de cotation de la demande au plus tard le "
            f"{fmt_date_fr(measure.deadline)} ({measure.text} ; échéance en vigueur {when}).")


def flux_deadline_sentence(reference_date: dt.date, *, state_cap: float = 30.0, state_staff_cap: float = 5.0) -> str:
    """The deadline for converting reservations into gestion en flux in force at the reference date."""
    measure = measure_in_force("flux", reference_date)
    return (f"Les conventions de réservation doivent être converties en gestion en flux au plus tard le "
            f"{fmt_date_fr(measure.deadline)} ({measure.text} ; échéance en vigueur au {fmt_date_fr(reference_date)}) ; "
            f"le flux de l'État est plafonné à {fmt_pct(state_cap, trim=True)}, dont "
            f"{fmt_pct(state_staff_cap, trim=True)} pour ses agents.")


def band_phrase(label: str) -> str:
    """``"10-19" -> "de 10 à 19 points"``, ``"50+" -> "de 50 points et plus"``."""
    if match := re.fullmatch(r"\s*(\d+)\s*[-–]\s*(\d+)\s*", label):
        return f"de {match[1]} à {match[2]} points"
    if match := re.fullmatch(r"\s*(\d+)\s*\+\s*", label):
        return f"de {match[1]} points et plus"
    return label


def modal_band(table_site: pd.DataFrame, indicator: str) -> str | None:
    """The published band holding the most households, or None."""
    bands = [r for r in _by_breakdown(table_site, indicator).values() if not is_suppressed(r)]
    return max(bands, key=lambda r: float(r["value"]))["breakdown"] if bands else None


def cotation_sentence(table_site: pd.DataFrame, *, cotation: dict | None = None) -> str:
    """Which grid was applied (an illustration unless adopted), where attributed households stood in
    the score distribution, and the score-ordered comparison — an illustration, an estimate where
    attributions lack fields the grid scores (``cotation``: ``origins.cotation_origin``)."""
    cotation = cotation or {}
    position = _cotation_position(table_site)
    reordered = get_row(table_site, "cotation_reordered_share")
    results = [position]
    if published(reordered):
        results.append(
            "À titre d'illustration seulement — la cotation éclaire la décision de la CALEOL, elle ne classe pas "
            "les candidats à sa place —, un classement des attributions dans l'ordre des scores aurait donné "
            f"{fmt_pct(reordered['value'])} des logements à d'autres ménages."
        )
    missing = cotation.get("estimated_fields") or []
    if missing and any(results):
        fields = join_fr([_FIELD_PHRASES.get(f, f) for f in missing])
        results.append(f"Les scores des ménages attributaires sont estimés : les attributions ne renseignent pas {fields}, "
                       "que la grille note.")
    if not any(results):
        results = ["Les résultats de la cotation ne sont pas disponibles."]
    return " ".join(p for p in [_cotation_grid_text(cotation), *results] if p)


_FIELD_PHRASES = {"current_housing": "le logement actuel (hors mutations)", "reasons": "les motifs de la demande"}


def _cotation_grid_text(cotation: dict) -> str:
    """« La grille appliquée (…) est une grille illustrative, … » — or the adopted grid with its source."""
    name = cotation.get("grid")
    if not name:
        return ""
    if cotation.get("status") == "adopted":
        return f"La grille appliquée est celle adoptée sur le site ({name} ; source : {cotation.get('source')})."
    return (f"La grille appliquée, « {name} », est une grille illustrative : elle n'est pas la grille de cotation "
            "adoptée sur le site.")


def _cotation_position(table_site: pd.DataFrame) -> str:
    """Median scores when published, else the modal bands."""
    active = get_row(table_site, "cotation_median_score_active")
    attributed = get_row(table_site, "cotation_median_score_attributed")
    if published(active) and published(attributed):
        return (
            f"Le score médian des ménages ayant obtenu un logement est de {fmt_value(attributed['value'], 'points')}, "
            f"contre {fmt_value(active['value'], 'points')} pour l'ensemble des demandes actives."
        )
    demand = modal_band(table_site, "cotation_score_band")
    attributed_band = modal_band(table_site, "cotation_attributed_band")
    if not (demand and attributed_band):
        return ""
    if demand == attributed_band:
        return (
            f"La tranche de score la plus fréquente est {band_phrase(demand)}, chez les ménages ayant obtenu "
            "un logement comme dans l'ensemble des demandes actives."
        )
    return (
        f"La tranche de score la plus fréquente est {band_phrase(attributed_band)} chez les ménages ayant obtenu "
        f"un logement, et {band_phrase(demand)} dans l'ensemble des demandes actives."
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
    cotation: dict | None = None,
) -> dict[str, str]:
    """Every sentence of a monograph, keyed by theme (for the notebook and the key-figures JSON)."""
    return {
        "q1_outside_qpv": q1_sentence(table_site, has_qpv=has_qpv),
        "non_q1_in_qpv": non_q1_sentence(table_site, has_qpv=has_qpv),
        "priority_publics": priority_sentence(table_site),
        "pressure": pressure_sentence(table_site),
        "delay": delay_sentence(table_site, abnormal_delay_months=abnormal_delay_months,
                                abnormal_delay_source=abnormal_delay_source),
        "poulidors": poulidors_sentence(table_site, min_presentations=min_presentations),
        "q1_threshold": q1_threshold_sentence(table_site, origin=q1_threshold_origin, source=q1_threshold_source),
        "affordable_stock": affordable_stock_sentence(table_site),
        "flux": flux_sentence(table_site, state_cap=state_cap),
        "cotation": cotation_sentence(table_site, cotation=cotation),
    }
