"""What the national synthesis notebook calls: how many EPCI reach each target, by type and region,
distributions, top and bottom of each indicator, and the table of all EPCI as CSV.

Everything reads the published site-level figures (``outputs/EDITION/national-indicators.csv``):
a figure suppressed for a small EPCI is left out of counts and rankings, and left empty in the CSV.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from cohorte import config
from cohorte.editions import Edition, load_edition
from cohorte.files import atomic_write_text
from cohorte.indicators.national import read_national, sites_frame
from cohorte.indicators.origins import decree_facts
from cohorte.indicators.registry import INDICATORS
from cohorte.report.fiche import DEMAND, STOCK, TARGETS, TYPE_LABELS
from cohorte.report.formatting import fmt_int, fmt_pct, fmt_value
from cohorte.report.text import texts

HEADLINE = (*TARGETS, *DEMAND, *STOCK, "q1_threshold")


@dataclass(frozen=True)
class NationalContext:
    edition: Edition
    sites: pd.DataFrame  # one row per EPCI: identity, type, region, population
    table: pd.DataFrame  # site-level published figures of every EPCI
    is_demo: bool


def load_national(edition: int | str, national_file: str | Path = "") -> NationalContext:
    params = load_edition(edition)
    path = Path(national_file) if national_file else config.national_prepared_path(params.edition)
    return NationalContext(params, sites_frame(params), read_national(path), params.uses_demo_data)


def _with_sites(ctx: NationalContext, indicator: str) -> pd.DataFrame:
    rows = ctx.table[ctx.table["indicator"] == indicator]
    return ctx.sites.merge(rows, on="site", how="left")


def targets_reached(ctx: NationalContext, by: str | None = None) -> pd.DataFrame:
    """EPCI reaching each target (among those with a published figure), overall or by ``epci_type``/``region``."""
    frames = []
    for indicator in TARGETS:
        rows = _with_sites(ctx, indicator)
        rows = rows.assign(
            published=rows["value"].notna(), reached=rows["met"].fillna(False).astype(bool) & rows["value"].notna()
        )
        keys = [by] if by else []
        grouped = rows.groupby(keys, sort=True) if keys else [((), rows)]
        for key, part in grouped:
            label = (key[0] if isinstance(key, tuple) else key) if by else "Ensemble"
            published, reached = int(part["published"].sum()), int(part["reached"].sum())
            frames.append(
                {
                    "group": TYPE_LABELS.get(label, label) if by == "epci_type" else label,
                    "indicator": INDICATORS[indicator].label_fr,
                    "epci": len(part),
                    "published": published,
                    "reached": reached,
                    "share": 100 * reached / published if published else None,
                }
            )
    return pd.DataFrame(frames)


def targets_reached_table(ctx: NationalContext, by: str | None = None) -> pd.DataFrame:
    """``targets_reached`` in French, one row per group, a column per target (« 42 sur 230 (18,3 %) »)."""
    counts = targets_reached(ctx, by)
    counts["cell"] = [
        f"{fmt_int(r.reached)} sur {fmt_int(r.published)}" + (f" ({fmt_pct(r.share)})" if r.published else "")
        for r in counts.itertuples()
    ]
    wide = counts.pivot(index="group", columns="indicator", values="cell")
    wide = wide[[INDICATORS[t].label_fr for t in TARGETS]].reset_index()
    return wide.rename(columns={"group": {"epci_type": "Nature", "region": "Région"}.get(by or "", "")})


def distribution(ctx: NationalContext, indicators: tuple[str, ...] = HEADLINE) -> pd.DataFrame:
    """Quartiles of each indicator over the EPCI with a published figure, and how many are suppressed."""
    rows = []
    for indicator in indicators:
        values = _with_sites(ctx, indicator)["value"].astype(float)
        shown = values.dropna()
        unit = INDICATORS[indicator].unit
        quantiles = [fmt_value(shown.quantile(q), unit) if len(shown) else "n.s." for q in (0, 0.25, 0.5, 0.75, 1)]
        rows.append((INDICATORS[indicator].label_fr, fmt_int(len(shown)), fmt_int(values.isna().sum()), *quantiles))
    return pd.DataFrame(
        rows,
        columns=["Indicateur", "EPCI publiés", "n.s.", "Minimum", "1er quartile", "Médiane", "3e quartile", "Maximum"],
    )


def top_bottom(ctx: NationalContext, indicator: str, count: int = 5) -> pd.DataFrame:
    """The ``count`` highest and lowest published values of an indicator, with the EPCI's name."""
    rows = _with_sites(ctx, indicator).dropna(subset=["value"]).sort_values(["value", "site"], ascending=[False, True])
    unit = INDICATORS[indicator].unit
    top, bottom = rows.head(count), rows.tail(count).iloc[::-1]
    out = [("Plus élevés", r.short_name, r.region, fmt_value(r.value, unit)) for r in top.itertuples()]
    out += [("Plus faibles", r.short_name, r.region, fmt_value(r.value, unit)) for r in bottom.itertuples()]
    return pd.DataFrame(out, columns=["", "EPCI", "Région", INDICATORS[indicator].label_fr])


def top_bottom_caption(indicator: str) -> str:
    return f"{INDICATORS[indicator].label_fr} : les cinq EPCI aux valeurs les plus élevées et les plus faibles"


def epci_table(ctx: NationalContext) -> pd.DataFrame:
    """One row per EPCI: identity, then each headline indicator's published value (empty: n.s.) and target status."""
    rows = ctx.table[ctx.table["indicator"].isin(HEADLINE)]
    wide = rows.pivot(index="site", columns="indicator", values="value").reindex(columns=list(HEADLINE))
    met = rows.pivot(index="site", columns="indicator", values="met").reindex(columns=list(TARGETS))
    met = met.where(wide[list(TARGETS)].notna().to_numpy()).rename(columns=lambda c: f"{c}_met")
    return ctx.sites.merge(wide.round(2), left_on="site", right_index=True, how="left").merge(
        met, left_on="site", right_index=True, how="left"
    )


def write_epci_csv(ctx: NationalContext, output_dir: str | Path = "") -> Path:
    """``outputs/EDITION/national/epci.csv``: the table of all EPCI (empty cells: not published)."""
    folder = Path(output_dir) if output_dir else config.national_output_dir(ctx.edition.edition)
    return atomic_write_text(folder / config.NATIONAL_CSV, epci_table(ctx).to_csv(index=False))


def headline_markdown(ctx: NationalContext) -> str:
    """The synthesis' opening paragraph (``national/headline.md``): how many units and inhabitants
    the edition covers (the arrêté's list or the CCH L302-1 rule) and how many reach each target."""
    counts = targets_reached(ctx)
    reached = [{"label": r.indicator, "reached": r.reached, "published": r.published} for r in counts.itertuples()]
    return texts(ctx.edition.edition).sentence(
        "national/headline.md",
        edition=ctx.edition,
        count=len(ctx.sites),
        people=int(ctx.sites["population"].sum()),
        decree=decree_facts(ctx.edition.year),
        reached=reached,
    )


def histogram(ctx: NationalContext, indicator: str):  # -> matplotlib Figure
    """Distribution of an indicator across EPCI, with its national target when it has one."""
    from cohorte.report.figures.style import finish, new_figure, with_rc

    @with_rc
    def draw():
        values = _with_sites(ctx, indicator)["value"].dropna().astype(float)
        fig, (ax,) = new_figure(2.6)
        ax.hist(values, bins=30, color="#1f3a5f")
        target = getattr(ctx.edition.indicators.national_targets, indicator, None)
        label = INDICATORS[indicator].label_fr
        if target is not None:
            ax.axvline(target, color="#9a3412", linestyle="--", label=f"Objectif légal ({fmt_pct(target, trim=True)})")
            ax.legend(frameon=False, fontsize=8)
        ax.set_xlabel(label, fontsize=8)
        ax.set_ylabel("Nombre d'EPCI", fontsize=8)
        source = "Source : indicateurs publiés des EPCI de l'édition" + (" (données fictives)" if ctx.is_demo else "")
        return finish(fig, f"{label} : répartition des {fmt_int(len(values))} EPCI dont le chiffre est publié", source)

    return draw()
