"""Attribution targets: achieved rates against the legal targets, and priority publics by réservataire."""

from __future__ import annotations

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from cohorte.indicators.published import (
    get_row,
    is_missing,
    is_suppressed,
    reservataire_order,
    rows,
    site_has_qpv,
    target_met,
)
from cohorte.report.figures.style import (
    INK,
    colour,
    finish,
    grid,
    label_x,
    new_figure,
    nice_max,
    ns_text,
    pct_axis,
    reservataire_label,
    target_legend,
    unavailable,
    with_rc,
    wrap,
)
from cohorte.report.formatting import fmt_pct, plural_fr

SOURCE_ATTRIBUTIONS = "Source : attributions de l'année suivies d'un bail signé ; traitement cohorte."

# --- targets -----------------------------------------------------------------------------------


@with_rc
def targets_chart(table_site: pd.DataFrame, *, source: str = SOURCE_ATTRIBUTIONS, site_name: str = "") -> Figure:
    """Achieved rates against targets: Q1 outside QPV, non-Q1 in QPV, priority publics by réservataire."""
    items = _target_items(table_site)
    shown = [r for _, r in items if r is not None and not is_suppressed(r)]
    title = _targets_title(shown)
    if not items:
        return unavailable(title, source)
    fig, (ax,) = new_figure(1.5 + 0.3 * len(items))
    _hbars_with_targets(ax, items)
    ax.set_xlabel("Part des attributions de l'année (en %)")
    target_legend(ax, any(target_met(r) is None for r in shown), loc="lower right", fontsize=7)
    return finish(fig, title, source, alt=_targets_alt(site_name, title, items))


def _targets_alt(site: str, title: str, items: list[tuple[str, pd.Series | None]]) -> str:
    """« Lorient : 12,3 % des attributions hors QPV au premier quartile, objectif 25 % ; … »."""
    parts, group = [], ""
    for label, row in items:
        if row is None:
            group = label.rstrip(" :").lower() + ", "  # « publics prioritaires, Action Logement »
            continue
        value = "n.s." if is_suppressed(row) else fmt_pct(row["value"])
        target = "" if is_missing(row.get("target")) else f", objectif {fmt_pct(row['target'], trim=True)}"
        parts.append(f"{group}{label} : {value}{target}")
    return f"{title}. {site + ' : ' if site else ''}" + " ; ".join(parts) + "."


def _target_items(table_site: pd.DataFrame) -> list[tuple[str, pd.Series | None]]:
    """(label, row) top to bottom; the priority publics under a heading whose row is None."""
    has_qpv = site_has_qpv(table_site)
    items: list[tuple[str, pd.Series | None]] = []
    if (row := get_row(table_site, "q1_outside_qpv")) is not None:
        items.append(("1er quartile hors QPV" if has_qpv else "1er quartile (EPCI sans QPV)", row))
    if has_qpv and (row := get_row(table_site, "non_q1_in_qpv")) is not None:
        items.append(("Hors 1er quartile en QPV", row))
    if priority := _priority_rows(table_site):
        items.append(("Publics prioritaires :", None))
        items += [(reservataire_label(code), row) for code, row in priority]
    return items


def _hbars_with_targets(ax: Axes, items: list[tuple[str, pd.Series | None]]) -> None:
    """One bar per (label, row); a row of None is a group heading. Top to bottom."""
    ys = list(range(len(items)))[::-1]
    values = [float(r["value"]) for _, r in items if r is not None and not is_suppressed(r)]
    targets = [float(r["target"]) for _, r in items if r is not None and not is_missing(r.get("target"))]
    right = nice_max(values + targets, floor=25)
    for y, (_, row) in zip(ys, items, strict=True):
        if row is not None:
            _hbar_with_target(ax, y, row, right)
    ax.set_yticks(ys, [label for label, _ in items])
    for tick, (_, row) in zip(ax.get_yticklabels(), items, strict=True):
        if row is None:
            tick.set_fontweight("bold")
    ax.set_xlim(0, right)
    ax.set_ylim(-0.7, len(items) - 0.3)
    ax.tick_params(axis="y", length=0)
    pct_axis(ax)
    grid(ax)


def _hbar_with_target(ax: Axes, y: int, row: pd.Series, right: float) -> None:
    if is_suppressed(row):
        ns_text(ax, right * 0.01, y)
    else:
        value = float(row["value"])
        ax.barh(y, value, height=0.62, color=colour(row))
        ax.text(label_x(value, row.get("target"), right), y, fmt_pct(value), va="center", fontsize=7.5, color=INK)
    if not is_missing(row.get("target")):
        ax.plot([row["target"]] * 2, [y - 0.42, y + 0.42], color=INK, linewidth=2, gid="target")


def _targets_title(shown: list[pd.Series]) -> str:
    judged = [met for met in map(target_met, shown) if met is not None]
    if not judged:
        return "Objectifs d'attribution"
    met = sum(judged)
    if met == len(judged) == 1:
        return "L'objectif d'attribution est atteint"
    if met == len(judged):
        return f"Les {len(judged)} objectifs d'attribution mesurés sont atteints"
    if met == 0:
        return "Aucun objectif d'attribution n'est atteint"
    reached = plural_fr(met, "objectif d'attribution atteint", "objectifs d'attribution atteints")
    return f"{reached} sur {len(judged)}"


# --- priority publics by réservataire ----------------------------------------------------------


def _priority_rows(table_site: pd.DataFrame) -> list[tuple[str, pd.Series]]:
    found = rows(table_site, "priority_publics")
    found = found.loc[found["breakdown"] != ""].set_index("breakdown", drop=False)
    return [(code, found.loc[code]) for code in reservataire_order(found.index)]


@with_rc
def priority_by_reservataire_chart(table_site: pd.DataFrame, *, source: str = SOURCE_ATTRIBUTIONS) -> Figure:
    """Share of attributions to priority publics in each contingent, against the target."""
    priority = _priority_rows(table_site)
    if not priority:
        return unavailable("Attributions aux publics prioritaires par réservataire", source)
    fig, (ax,) = new_figure(3.3)
    top = _vertical_bars(ax, [r for _, r in priority])
    _vertical_targets(ax, [r for _, r in priority])
    ax.set_xticks(range(len(priority)), [_priority_tick(code, row) for code, row in priority], fontsize=7)
    ax.set_ylim(0, top)
    ax.set_ylabel("Part des attributions du contingent (en %)")
    pct_axis(ax, "y")
    grid(ax, "y")
    uniform = _shared_target(priority) is not None
    neutral = any(target_met(r) is None for _, r in priority if not is_suppressed(r))
    target_legend(ax, neutral, loc="upper right", dashed=uniform)
    return finish(fig, _priority_title(priority), source)


def _vertical_bars(ax: Axes, priority: list[pd.Series]) -> float:
    """One labelled bar per contingent (« n.s. » when suppressed); returns the value axis' top."""
    values = [float(r["value"]) for r in priority if not is_suppressed(r)]
    targets = [float(r["target"]) for r in priority if not is_missing(r.get("target"))]
    top = nice_max(values + targets, floor=25)
    for x, row in enumerate(priority):
        if is_suppressed(row):
            ns_text(ax, x, top * 0.03, ha="center")
            continue
        ax.bar(x, float(row["value"]), width=0.62, color=colour(row))
        ax.text(x, float(row["value"]) + top * 0.015, fmt_pct(row["value"]), ha="center", va="bottom", fontsize=7.5)
    return top


def _shared_target(priority: list[tuple[str, pd.Series]]) -> float | None:
    """The target when every contingent carries the same one (none when the préfectoral or the
    State-staff contingent, which carry none, are shown)."""
    targets = {None if is_missing(r.get("target")) else float(r["target"]) for _, r in priority}
    return targets.pop() if len(targets) == 1 and None not in targets else None


def _vertical_targets(ax: Axes, priority: list[pd.Series]) -> None:
    """One dashed line when every contingent shares the target, else a tick per contingent that has one."""
    shared = _shared_target([("", r) for r in priority])
    if shared is not None:
        ax.axhline(shared, color=INK, linewidth=1.2, linestyle=(0, (4, 2)), gid="target")
        return
    for x, row in enumerate(priority):
        if not is_missing(row.get("target")):
            ax.plot([x - 0.4, x + 0.4], [row["target"]] * 2, color=INK, linewidth=2, gid="target")


def _priority_tick(code: str, row: pd.Series) -> str:
    label = wrap(reservataire_label(code), 16)
    denominator = row.get("denominator")
    if is_suppressed(row) or is_missing(denominator):
        return label
    return f"{label}\n({plural_fr(denominator, 'attribution')})"


def _priority_title(priority: list[tuple[str, pd.Series]]) -> str:
    judged = [met for met in (target_met(r) for _, r in priority if not is_suppressed(r)) if met is not None]
    if not judged:
        return "Attributions aux publics prioritaires par réservataire"
    met = sum(judged)
    if met == len(judged):
        return "Publics prioritaires : l'objectif est atteint par tous les contingents qui y sont soumis"
    if met == 0:
        return "Publics prioritaires : aucun des contingents soumis à l'objectif ne l'atteint"
    verb = "atteint" if met < 2 else "atteignent"
    return f"Publics prioritaires : {plural_fr(met, 'contingent')} sur {len(judged)} {verb} l'objectif"
