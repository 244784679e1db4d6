"""``cohorte check``: validate an edition's params, grids and input tables in one report."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from cohorte.editions import Edition, load_edition
from cohorte.errors import CohorteError, InputDataError
from cohorte.grids import check_grids
from cohorte.indicators.registry import not_computable
from cohorte.inputs.readers import Inputs, find_table, load_inputs, read_table, summarize
from cohorte.reference.epci import (
    EpciRecord,
    load_referential,
    names_match,
    nearest_year,
    provenance,
    shipped_years,
)
from cohorte.reference.q1 import q1_decree, threshold_disagreements
from cohorte.reference.scope import compare_scope, scope_messages, scope_summary


@dataclass
class CheckReport:
    edition: Edition | None = None
    data_dir: Path | None = None
    inputs: Inputs | None = None
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # differences that do not block a build

    def text(self) -> str:
        lines = []
        if self.edition is not None:
            lines.append(
                f"Edition {self.edition.edition}: {len(self.edition.sites)} sites ({', '.join(self.edition.slugs)})"
            )
        if self.inputs is not None:
            lines += _inputs_summary(self.inputs, self.data_dir)
        if self.warnings:
            lines.append(f"{len(self.warnings)} warning(s):")
            lines += [f"  - {w}" for w in self.warnings]
        if self.notes:
            lines.append(f"{len(self.notes)} note(s):")
            lines += [f"  - {n}" for n in self.notes]
        if self.problems:
            lines.append(f"{len(self.problems)} problem(s) found:")
            lines += [f"  - {p}" for p in self.problems]
        else:
            lines.append("All checks passed.")
        return "\n".join(lines)


def _period(frame: pd.DataFrame, column: str) -> str:
    return f"{frame[column].min():%Y-%m-%d} → {frame[column].max():%Y-%m-%d}"


def _inputs_summary(inputs: Inputs, data_dir: Path | None) -> list[str]:
    lines = [f"Input tables in {data_dir}:"]
    for name, frame in inputs.tables().items():
        lines.append(f"  {name:<18} {len(frame):>9,} rows".replace(",", " "))
    lines.append(
        f"Period covered: demands filed {_period(inputs.demands, 'filing_date')}; "
        f"leases signed {_period(inputs.attributions, 'lease_date')}"
    )
    read = {t: s for t, s in inputs.sources.items() if s != "kit"}
    if read:
        lines.append("Sources: " + ", ".join(f"{t} through {s}" for t, s in sorted(read.items())))
    for indicator, (table, column) in not_computable(inputs.lacking).items():
        lines.append(f"  {indicator}: not computable from source {inputs.sources.get(table)} ({table} has no {column})")
    lines.append("Rows per site:")
    lines += ["  " + line for line in summarize(inputs).to_string().splitlines()]
    return lines


def _confirmation_warnings(report: CheckReport) -> list[str]:
    from cohorte.changes.previous import confirmation_warnings
    from cohorte.grids import load_grids

    if report.edition is None:
        return []
    try:
        return confirmation_warnings(report.edition, load_grids(report.edition.edition))
    except CohorteError as exc:
        report.problems += str(exc).splitlines()
        return []


def check_sites(edition: Edition, referential: Mapping[str, EpciRecord] | None = None) -> tuple[list[str], list[str]]:
    """(problems, notes) of the edition's site identities against the referential of its year."""
    shipped = referential is None  # the kit's referentials: a later year may hold a SIREN created since
    where = f"params/{edition.edition}/edition.yml"
    problems, notes = [], []
    year = nearest_year(edition.year) if shipped else edition.year
    if year != edition.year:
        notes.append(
            f"{where}: the kit ships no EPCI referential of {edition.year}; sites checked against that of {year} "
            f"(scripts/refresh_epci_referential.py {edition.year} adds it)"
        )
    referential = load_referential(year) if referential is None else referential
    version = f"{provenance(year).get('version', '?')}, {year}"
    for site in edition.sites:
        if not site.siren:
            notes.append(f"{where}: site {site.slug!r} has no SIREN; it cannot be checked against the EPCI referential")
            continue
        record = referential.get(site.siren)
        later = _later_version(year, site.siren) if record is None and shipped else None
        if later:
            notes.append(
                f"{where}: site {site.slug!r}: SIREN {site.siren} is not in the EPCI referential of {year} "
                f"({version}) but is in that of {later}: the package's version predates the EPCI's creation "
                f"(see its provenance); check the SIREN on BANATIC"
            )
            continue
        if record is None:
            problems.append(
                f"{where}: site {site.slug!r}: SIREN {site.siren} is not an EPCI of the referential "
                f"(@etalab/decoupage-administratif {version}); check the SIREN on BANATIC"
            )
            continue
        if not names_match(site.name, record.name):
            problems.append(
                f"{where}: site {site.slug!r}: name {site.name!r} does not match the referential's "
                f"{record.name!r} for SIREN {site.siren}; a renamed EPCI or a wrong SIREN"
            )
        if len(record.communes) != site.communes:
            notes.append(
                f"{where}: site {site.slug!r}: {site.communes} communes in the edition, {len(record.communes)} "
                f"in the referential ({version}); the edition's count is that of its year"
            )
    return problems, notes


def _later_version(year: int, siren: str) -> str | None:
    """« YEAR (VERSION) » of the first later referential the kit ships that holds ``siren``; None otherwise."""
    for later in (y for y in shipped_years() if y > year):
        if siren in load_referential(later):
            return f"{later} ({provenance(later).get('version', '?')})"
    return None


def scope_warnings(edition: Edition) -> tuple[list[str], list[str]]:
    """(warnings, notes) of a national edition whose year has an arrêté: one warning per EPCI where the
    CCH L302-1 rule and the arrêté's list disagree, and a note with the counts. For the build too."""
    if edition.kind != "national":
        return [], []
    comparison = compare_scope(edition.year)
    if comparison is None:
        return [], [
            f"Scope {edition.year}: the kit ships no first-quartile arrêté for {edition.year}; sites from the CCH L302-1 rule"
        ]
    return scope_messages(comparison), [scope_summary(comparison)]


def threshold_warnings(edition: Edition, thresholds: pd.DataFrame | None) -> list[str]:
    """One warning per site whose Q1 threshold in the data (``q1_thresholds``: year, epci as slug or
    SIREN, threshold_eur_per_uc) differs from the arrêté of the edition's year."""
    if (
        thresholds is None
        or q1_decree(edition.year) is None
        or not {"year", "epci", "threshold_eur_per_uc"} <= set(thresholds)
    ):
        return []
    slug_of = {**{s.slug: s.slug for s in edition.sites}, **{s.siren: s.slug for s in edition.sites if s.siren}}
    years = pd.to_numeric(thresholds["year"], errors="coerce")
    values = pd.to_numeric(thresholds["threshold_eur_per_uc"], errors="coerce")
    mine = thresholds.assign(site=thresholds["epci"].astype(str).str.strip().map(slug_of), value=values)
    mine = mine[(years == edition.year) & mine["site"].notna() & mine["value"].notna()]
    given = dict(zip(mine["site"], mine["value"], strict=True))
    decree = q1_decree(edition.year)
    return [
        f"q1_thresholds: site {site!r}: {value:g} €/UC in the data for {edition.year}, {official:g} in the arrêté "
        f"of {decree.signed.isoformat()} ({decree.jorf_id}); the arrêté's value is used"  # type: ignore[union-attr]
        for site, value, official in threshold_disagreements(edition.year, edition.sirens, given)
    ]


def data_threshold_warnings(edition: Edition, data_dir: Path) -> list[str]:
    """``threshold_warnings`` on the ``q1_thresholds`` table of ``data_dir`` (none when it has none). For the build."""
    path = find_table(Path(data_dir), "q1_thresholds") if Path(data_dir).is_dir() else None
    return threshold_warnings(edition, read_table(path).frame) if path is not None else []


def check_edition(edition_id: str | int, data_dir: Path | None = None) -> CheckReport:
    """Validate everything an edition's build needs, collecting every problem."""
    report = CheckReport()
    try:
        report.edition = load_edition(edition_id)
    except CohorteError as exc:
        report.problems += str(exc).splitlines()
        return report
    report.problems += check_grids(report.edition.edition)
    identity_problems, identity_notes = check_sites(report.edition)
    report.problems += identity_problems
    report.notes += identity_notes
    scope, scope_notes = scope_warnings(report.edition)
    report.warnings += scope
    report.notes += scope_notes
    if not report.problems:
        from cohorte.report.checks import check_texts

        texts = check_texts(report.edition)
        report.problems += texts.problems
        report.warnings += texts.warnings
        report.warnings += _confirmation_warnings(report)
    report.data_dir = Path(data_dir) if data_dir else report.edition.input_dir()
    try:
        if report.edition.kind == "national":  # millions of rows: validated a group of sites at a time
            _check_by_groups(report.edition, report.data_dir, report.notes)
            report.warnings += data_threshold_warnings(report.edition, report.data_dir)
        else:
            report.inputs = load_inputs(report.edition, report.data_dir)
            report.notes += report.inputs.notes
            report.warnings += threshold_warnings(report.edition, report.inputs.q1_thresholds)
    except InputDataError as exc:
        report.problems += exc.problems
    return report


def _check_by_groups(edition: Edition, data_dir: Path, notes: list[str]) -> None:
    """Validate a national edition's tables as the build reads them (cohorte.indicators.chunked)."""
    from cohorte.indicators.published import published_indicators

    if not data_dir.is_dir():
        raise InputDataError(
            [f"{data_dir}: no such data folder; run `cohorte demo-data {edition.edition}` for demo data"]
        )
    published_indicators(edition, data_dir, grids={}, notes=notes)
