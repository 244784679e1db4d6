"""What the notebooks call to show a map: the national choropleths and target maps, a fiche's or a
monograph's locator map and national position, the cohort's map of observed sites.

Each ``show_*`` function draws the map (:mod:`cohorte.report.figures.maps`), shows it with its alt
text (what the map shows in words: the highest and lowest classes, how many EPCI in each) and its
caption (the source of the contours and of the figures), then the figures as a table in the document;
the national and synthesis maps also write them as CSV. Words: ``templates/text/fr/maps/``.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from cohorte import config
from cohorte.editions import Edition, Site
from cohorte.errors import ParamsError
from cohorte.files import atomic_write_text
from cohorte.indicators.national import sites_frame
from cohorte.indicators.registry import INDICATORS
from cohorte.reference.contours import epci_vintage, region_of_departement, territory_polygons
from cohorte.report.figures.maps import NS_HATCH, SEQUENTIAL, MapClass
from cohorte.report.formatting import fmt_int, fmt_value
from cohorte.report.text import Texts, shown_path, texts
from cohorte.validation import read_yaml

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

    from cohorte.report.fiche import FicheContext
    from cohorte.report.national import NationalContext
    from cohorte.report.synthesis import SynthesisContext

INDICATOR_MAPS = ("q1_outside_qpv", "non_q1_in_qpv", "priority_publics", "pressure")
TARGET_MAPS = ("q1_outside_qpv", "non_q1_in_qpv", "priority_publics")
LABELS = "maps/labels.yml"
CLASS_COUNT = 5
REACHED, NOT_REACHED = "#1f5f99", "#e07b29"  # the charts' met / not met (blue / orange: colour-blind safe)


@dataclass(frozen=True)
class Classified:
    """An indicator's EPCI in legend classes, and its figures by EPCI for the table and the CSV."""

    classes: tuple[MapClass, ...]  # value classes (lowest first), then n.s., then missing
    bounds: tuple[str, ...]  # each value class' bounds in words (« de 12,3 % à 18,4 % »)
    counts: tuple[int, ...]
    suppressed: int
    missing: int
    frame: pd.DataFrame  # siren, short_name, region, departement, value, suppressed, class

    @property
    def value_classes(self) -> int:
        return len(self.bounds)

    def extreme(self, which: int) -> dict[str, object]:
        return (
            {"bounds": self.bounds[which], "count": self.counts[which]} if self.bounds else {"bounds": "", "count": 0}
        )


# --- words -------------------------------------------------------------------------------------


def labels(wording: Texts) -> dict:
    """The maps' labels (``maps/labels.yml``, the edition's own first), read once per file version."""
    path = wording.source_path(LABELS)
    if path is None:
        raise ParamsError(f"{shown_path(config.kit_text_dir() / LABELS)}: file not found")
    return _read_labels(path, path.stat().st_mtime_ns)


@functools.cache
def _read_labels(path: Path, _mtime: int) -> dict:
    data = read_yaml(path)
    if not isinstance(data, dict) or not {"insets", "legend", "columns"} <= set(data):
        raise ParamsError(f"{shown_path(path)}: expected the sections insets, legend and columns")
    return data


def credit(wording: Texts, year: int) -> str:
    return wording.sentence("maps/credit.md", vintage=epci_vintage(year), year=year)


def _words(wording: Texts, name: str, **context: object) -> dict[str, str]:
    """Title, source line, alt text, caption and table caption of a map (``maps/NAME.md``)."""
    parts = ("title", "source", "alt", "caption", "table")
    return {part: wording.sentence(f"maps/{name}.md", part=part, **context) for part in parts}


# --- classes -----------------------------------------------------------------------------------


def indicator_frame(sites: pd.DataFrame, table: pd.DataFrame, indicator: str) -> pd.DataFrame:
    """One row per EPCI of the edition: identity, the indicator's published value, suppressed, met, target."""
    rows = table.loc[table["indicator"] == indicator, ["site", "value", "suppressed", "met", "target"]]
    frame = sites[["site", "siren", "short_name", "region", "departement"]].merge(rows, on="site", how="left")
    frame["suppressed"] = frame["suppressed"].astype("boolean").fillna(False).astype(bool) & frame["value"].isna()
    return frame


def class_edges(values: pd.Series, unit: str, count: int = CLASS_COUNT) -> list[float]:
    """Class bounds: quantiles of the published values, rounded as the legend shows them, distinct."""
    if values.empty:
        return []
    count = min(count, int(values.nunique()))  # no more classes than distinct values
    quantiles = np.quantile(values.to_numpy(dtype=float), np.linspace(0, 1, count + 1))
    decimals = 1 if unit in ("%", "ratio") else 0  # as fmt_value shows them
    edges = sorted({round(float(q), decimals) for q in quantiles})
    edges[0], edges[-1] = min(edges[0], float(values.min())), max(edges[-1], float(values.max()))
    return edges if len(edges) > 1 else [edges[0], edges[0]]


def classify(frame: pd.DataFrame, indicator: str, wording: Texts, count: int = CLASS_COUNT) -> Classified:
    """Quantile classes of the published values (colour-blind-safe sequential palette), the suppressed
    figures hatched, the missing ones white; every EPCI's class in ``frame``."""
    unit = INDICATORS[indicator].unit
    legend = labels(wording)["legend"]
    published = frame["value"].notna()
    edges = class_edges(frame.loc[published, "value"].astype(float), unit, count)
    inner = np.asarray(edges[1:-1], dtype=float)
    index = np.searchsorted(inner, frame["value"].fillna(0).astype(float).to_numpy(), side="left")
    palette = _palette(len(edges) - 1)
    classes, bounds, counts = [], [], []
    names = pd.Series("", index=frame.index, dtype=object)
    for number in range(len(edges) - 1):
        members = published & (index == number)
        low, high = fmt_value(edges[number], unit), fmt_value(edges[number + 1], unit)
        words = wording.sentence("maps/class.md", low=low, high=high, count=None)
        label = wording.sentence("maps/class.md", low=low, high=high, count=int(members.sum()))
        classes.append(MapClass(label, tuple(frame.loc[members, "siren"]), palette[number], gid=f"class-{number}"))
        bounds.append(words)
        counts.append(int(members.sum()))
        names[members] = words
    suppressed, missing = frame["suppressed"] & ~published, ~frame["suppressed"] & ~published
    classes.append(MapClass(legend["ns"], tuple(frame.loc[suppressed, "siren"]), "#ffffff", NS_HATCH, gid="ns"))
    classes.append(MapClass(legend["missing"], tuple(frame.loc[missing, "siren"]), "#ffffff", gid="missing"))
    names[suppressed], names[missing] = legend["ns"], legend["missing"]
    return Classified(
        tuple(classes),
        tuple(bounds),
        tuple(counts),
        int(suppressed.sum()),
        int(missing.sum()),
        frame.assign(**{"class": names}),
    )


def _palette(count: int) -> tuple[str, ...]:
    """``count`` colours of the sequential palette, spread from light to dark."""
    if count <= 0:
        return ()
    picks = np.round(np.linspace(0, len(SEQUENTIAL) - 1, count)).astype(int) if count > 1 else [len(SEQUENTIAL) // 2]
    return tuple(SEQUENTIAL[i] for i in picks)


def class_table(classified: Classified, wording: Texts) -> pd.DataFrame:
    """The legend as a table: each class with its bounds and how many EPCI it holds."""
    columns = labels(wording)["columns"]
    rows = [(b, fmt_int(n)) for b, n in zip(classified.bounds, classified.counts, strict=True)]
    rows += [(c.label, fmt_int(len(c.codes))) for c in classified.classes[classified.value_classes :]]
    return pd.DataFrame(rows, columns=[columns["class"], columns["count"]])


def epci_csv_frame(classified: Classified, wording: Texts) -> pd.DataFrame:
    """The figures behind a map, one row per EPCI (empty value: not published)."""
    columns = labels(wording)["columns"]
    frame = classified.frame
    return pd.DataFrame(
        {
            columns["siren"]: frame["siren"],
            columns["epci"]: frame["short_name"],
            columns["region"]: frame["region"],
            columns["departement"]: frame["departement"],
            columns["value"]: frame["value"].round(2),
            columns["class"]: frame["class"],
        }
    )


# --- national synthesis ------------------------------------------------------------------------


def indicator_map(
    ctx: NationalContext, indicator: str, wording: Texts | None = None
) -> tuple[Figure, Classified, dict]:
    """A national choropleth of one indicator, its classes and its words."""

    wording = wording or texts(ctx.edition.edition)
    classified = classify(indicator_frame(ctx.sites, ctx.table, indicator), indicator, wording)
    words = _words(
        wording,
        "indicator",
        label=INDICATORS[indicator].label_fr,
        demo=ctx.is_demo,
        credit=credit(wording, ctx.edition.year),
        csv=_csv_name(indicator),
        published=sum(classified.counts),
        classes=classified.bounds,
        highest=classified.extreme(-1),
        lowest=classified.extreme(0),
        suppressed=classified.suppressed,
        missing=classified.missing,
    )
    return _edition_map(ctx.edition.year, classified.classes, words, indicator, wording), classified, words


def _edition_map(year: int, classes, words: dict, indicator: str, wording: Texts) -> Figure:
    """The national map of ``indicator`` in ``classes``, with the map's words and the legend's labels."""
    from cohorte.report.figures.maps import national_map

    return national_map(
        year,
        classes,
        title=words["title"],
        source=words["source"],
        alt=words["alt"],
        legend_title=INDICATORS[indicator].label_fr,
        inset_labels=labels(wording)["insets"],
        outside_label=labels(wording)["legend"]["outside"],
    )


def show_indicator_map(ctx: NationalContext, indicator: str, output_dir: str | Path = "") -> Path:
    """Show a national choropleth, its classes as a table, and write its figures as CSV."""
    from cohorte.report.display import show_figure, show_table

    wording = texts(ctx.edition.edition)
    fig, classified, words = indicator_map(ctx, indicator, wording)
    show_figure(fig, alt=words["caption"], caption=words["caption"])
    show_table(class_table(classified, wording), caption=words["table"])
    return _write_csv(ctx, _csv_name(indicator), epci_csv_frame(classified, wording), output_dir)


def targets_frame(ctx: NationalContext, indicator: str, wording: Texts) -> tuple[tuple[MapClass, ...], pd.DataFrame]:
    """Reached / not reached / not computable (n.s. hatched, missing white), and each EPCI's status."""
    legend = labels(wording)["legend"]
    frame = indicator_frame(ctx.sites, ctx.table, indicator)
    published = frame["value"].notna()
    met = frame["met"].astype("boolean").fillna(False).astype(bool)
    groups = (
        (legend["reached"], published & met, REACHED, "", "reached"),
        (legend["not_reached"], published & ~met, NOT_REACHED, "", "not-reached"),
        (legend["ns"], frame["suppressed"] & ~published, "#ffffff", NS_HATCH, "ns"),
        (legend["missing"], ~frame["suppressed"] & ~published, "#ffffff", "", "missing"),
    )
    status = pd.Series("", index=frame.index, dtype=object)
    classes = []
    for label, mask, colour, hatch, gid in groups:
        classes.append(MapClass(label, tuple(frame.loc[mask, "siren"]), colour, hatch, gid=gid))
        status[mask] = label
    return tuple(classes), frame.assign(**{"class": status})


def targets_map(
    ctx: NationalContext, indicator: str, wording: Texts | None = None
) -> tuple[Figure, pd.DataFrame, dict]:

    wording = wording or texts(ctx.edition.edition)
    classes, frame = targets_frame(ctx, indicator, wording)
    reached, not_reached, suppressed, missing = (len(c.codes) for c in classes)
    target = getattr(ctx.edition.indicators.national_targets, indicator, None)
    words = _words(
        wording,
        "targets",
        label=INDICATORS[indicator].label_fr,
        demo=ctx.is_demo,
        target=target,
        credit=credit(wording, ctx.edition.year),
        csv=_csv_name(indicator, "objectif"),
        reached=reached,
        not_reached=not_reached,
        published=reached + not_reached,
        not_computable=suppressed + missing,
        suppressed=suppressed,
    )
    return _edition_map(ctx.edition.year, classes, words, indicator, wording), frame, words


def show_targets_map(ctx: NationalContext, indicator: str, output_dir: str | Path = "") -> Path:
    """Show the map of EPCI reaching a target, the counts as a table, and write each EPCI's status as CSV."""
    from cohorte.report.display import show_figure, show_table

    wording = texts(ctx.edition.edition)
    fig, frame, words = targets_map(ctx, indicator, wording)
    columns = labels(wording)["columns"]
    counts = frame["class"].value_counts(sort=False)
    order = [labels(wording)["legend"][k] for k in ("reached", "not_reached", "ns", "missing")]
    table = pd.DataFrame(
        [(label, fmt_int(int(counts.get(label, 0)))) for label in order], columns=[columns["status"], columns["count"]]
    )
    show_figure(fig, alt=words["caption"], caption=words["caption"])
    show_table(table, caption=words["table"])
    csv = epci_csv_frame(Classified((), (), (), 0, 0, frame), wording).rename(
        columns={columns["class"]: columns["status"]}
    )
    return _write_csv(ctx, _csv_name(indicator, "objectif"), csv, output_dir)


def _csv_name(indicator: str, kind: str = "carte") -> str:
    return f"{kind}-{indicator}.csv"


def _write_csv(ctx: NationalContext, name: str, frame: pd.DataFrame, output_dir: str | Path) -> Path:
    folder = Path(output_dir) if output_dir else config.national_output_dir(ctx.edition.edition)
    return atomic_write_text(folder / name, frame.to_csv(index=False))


# --- a fiche, a monograph ------------------------------------------------------------------------


def locator(edition: Edition, site: Site, wording: Texts | None = None) -> tuple[Figure | None, pd.DataFrame, dict]:
    """A site's locator map (None when its SIREN is not in the contours), its table and its words."""
    from cohorte.report.figures.maps import departements_in, locator_map

    wording = wording or texts(edition.edition)
    year = edition.year
    region = region_of_departement(site.departement, year)
    found = region is not None and _mapped(site, year)
    departements = departements_in(year, region) if region else []
    words = _words(
        wording,
        "locator",
        site=site,
        credit=credit(wording, year),
        departements=departements,
        mapped=found,
        vintage=epci_vintage(year),
    )
    columns = labels(wording)["columns"]
    table = pd.DataFrame(
        [(site.short_name, site.siren or "", site.departement, site.region, str(epci_vintage(year)))],
        columns=[columns[k] for k in ("epci", "siren", "departement", "region", "vintage")],
    )
    if not found:
        return None, table, words
    legend = labels(wording)["legend"]
    fig = locator_map(
        year,
        str(site.siren),
        str(region),
        title=words["title"],
        source=words["source"],
        alt=words["alt"],
        labels={"epci": site.short_name, "departements": legend["locator_departements"]},
    )
    return fig, table, words


def show_locator(edition: Edition, site: Site) -> None:
    """A fiche's or a monograph's locator map and its table (the table alone without contours)."""
    from cohorte.report.display import show_figure, show_table

    fig, table, words = locator(edition, site)
    if fig is not None:
        show_figure(fig, alt=words["caption"], caption=words["caption"])
    show_table(table, caption=words["table"])


def position_map(ctx: FicheContext, indicator: str = "q1_outside_qpv") -> tuple[Figure, Classified, dict]:
    """A fiche's EPCI outlined on the national choropleth of ``indicator`` (same classes as the synthesis')."""
    from cohorte.report.figures.maps import national_map

    wording = ctx.wording
    classified = classify(indicator_frame(sites_frame(ctx.edition), ctx.national, indicator), indicator, wording)
    own = classified.frame[(classified.frame["site"] == ctx.site.slug) & classified.frame["value"].notna()]
    site_class = str(own["class"].iloc[0]) if len(own) else ""
    words = _words(
        wording,
        "position",
        label=INDICATORS[indicator].label_fr,
        demo=ctx.is_demo,
        site=ctx.site,
        credit=credit(wording, ctx.edition.year),
        site_class=site_class,
        mapped=_mapped(ctx.site, ctx.edition.year),
        classes=classified.bounds,
        highest=classified.extreme(-1),
        lowest=classified.extreme(0),
        suppressed=classified.suppressed,
    )
    fig = national_map(
        ctx.edition.year,
        classified.classes,
        title=words["title"],
        source=words["source"],
        alt=words["alt"],
        legend_title=INDICATORS[indicator].label_fr,
        inset_labels=labels(wording)["insets"],
        outside_label=labels(wording)["legend"]["outside"],
        highlight=ctx.site.siren,
        highlight_label=ctx.site.short_name,
    )
    return fig, classified, words


def show_national_position(ctx: FicheContext, indicator: str = "q1_outside_qpv") -> None:
    """A fiche's figure on the national map (national editions), and the map's classes as a table."""
    from cohorte.report.display import show_figure, show_table

    if ctx.edition.kind != "national" or not ctx.site.siren:
        return
    fig, classified, words = position_map(ctx, indicator)
    show_figure(fig, alt=words["caption"], caption=words["caption"])
    show_table(class_table(classified, ctx.wording), caption=words["table"])


# --- the cohort synthesis ----------------------------------------------------------------------


def sites_table(edition: Edition, wording: Texts) -> pd.DataFrame:
    columns = labels(wording)["columns"]
    rows = [
        (str(n), s.short_name, s.siren or "", s.departement, s.region) for n, s in enumerate(edition.sites, start=1)
    ]
    return pd.DataFrame(rows, columns=[columns[k] for k in ("number", "epci", "siren", "departement", "region")])


def _mapped(site: Site, year: int) -> bool:
    """Whether the site's EPCI is in the contours the edition draws."""
    return bool(site.siren) and bool(territory_polygons("epci", epci_vintage(year), site.siren))


def sites_map_figure(ctx: SynthesisContext) -> tuple[Figure, pd.DataFrame, dict]:
    from cohorte.report.figures.maps import sites_map

    edition, wording, year = ctx.edition, ctx.wording, ctx.edition.year
    regions = list(dict.fromkeys(s.region for s in edition.sites))
    words = _words(
        wording,
        "sites",
        sites=[s.short_name for s in edition.sites],
        regions=regions,
        year=year,
        credit=credit(wording, year),
        csv="sites-carte.csv",
    )
    legend = labels(wording)["legend"]
    entries = [
        (
            s.siren or "",
            f"{s.short_name} ({s.region})" + ("" if _mapped(s, year) else f", {legend['not_mapped']}"),
            region_of_departement(s.departement, year) or "",
        )
        for s in edition.sites
    ]
    fig = sites_map(
        year,
        entries,
        title=words["title"],
        source=words["source"],
        alt=words["alt"],
        legend_title=labels(wording)["legend"]["sites"],
        inset_labels=labels(wording)["insets"],
    )
    return fig, sites_table(edition, wording), words


def show_sites_map(ctx: SynthesisContext, output_dir: str | Path = "") -> Path:
    """The cohort's observed sites on a map, their table, and ``sites-carte.csv`` beside the synthesis tables."""
    from cohorte.report.display import show_figure, show_table

    fig, table, words = sites_map_figure(ctx)
    show_figure(fig, alt=words["caption"], caption=words["caption"])
    show_table(table, caption=words["table"])
    folder = config.synthesis_tables_dir(
        Path(output_dir) if output_dir else config.synthesis_output_dir(ctx.edition.edition)
    )
    return atomic_write_text(folder / "sites-carte.csv", table.to_csv(index=False))


# --- cohorte check -------------------------------------------------------------------------------

_LABEL_KEYS = {
    "insets": ("971", "972", "973", "974", "976"),
    "legend": ("ns", "missing", "outside", "reached", "not_reached", "locator_departements", "sites", "not_mapped"),
    "columns": ("siren", "epci", "region", "departement", "value", "class", "count", "status", "vintage", "number"),
}


def check_map_texts(edition: Edition, wording: Texts) -> list[str]:
    """Render the maps' templates with sample figures and check ``maps/labels.yml``; one line per problem."""
    site = edition.sites[0]
    sample = {"bounds": "de 1 à 2", "count": 3}
    common = {"label": "Indicateur", "demo": True, "credit": "Contours", "csv": "carte.csv", "suppressed": 1}
    contexts: dict[str, dict[str, object]] = {
        "indicator": common
        | {"published": 3, "classes": ("a", "b"), "highest": sample, "lowest": sample, "missing": 1},
        "targets": common | {"target": 25, "reached": 1, "not_reached": 2, "published": 3, "not_computable": 1},
        "position": common
        | {"site": site, "site_class": "a", "classes": ("a",), "highest": sample, "lowest": sample, "mapped": False},
        "locator": {"site": site, "credit": "Contours", "departements": ["01"], "mapped": False, "vintage": 2025},
        "sites": {"sites": ["a"], "regions": ["r"], "year": edition.year, "credit": "Contours", "csv": "carte.csv"},
    }
    problems = []
    for name, context in contexts.items():
        try:
            _words(wording, name, **context)
        except Exception as exc:  # every template problem reported, not the first only
            problems.append(f"maps/{name}.md: {exc}")
    try:
        credit(wording, edition.year)
        wording.sentence("maps/class.md", low="1", high="2", count=3)
        found = labels(wording)
        problems += [
            f"{LABELS}: no {section}.{key}"
            for section, keys in _LABEL_KEYS.items()
            for key in keys
            if key not in (found.get(section) or {})
        ]
    except Exception as exc:
        problems.append(str(exc))
    return problems
