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
from cohorte.inputs.readers import Inputs, load_inputs, summarize
from cohorte.reference.epci import EpciRecord, load_referential, names_match, provenance


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
    """(problems, notes) of the edition's site identities against the referential."""
    referential = load_referential() if referential is None else referential
    version = provenance().get("version", "?")
    where = f"params/{edition.edition}/edition.yml"
    problems, notes = [], []
    for site in edition.sites:
        if not site.siren:
            notes.append(f"{where}: site {site.slug!r} has no SIREN; it cannot be checked against the EPCI referential")
            continue
        record = referential.get(site.siren)
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
        else:
            report.inputs = load_inputs(report.edition, report.data_dir)
            report.notes += report.inputs.notes
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
