"""``cohorte build``: one runner for every kind of edition.

Validate (params, grids, texts — cached on their hashes), prepare the published indicators once,
then run the kind's stages (:mod:`cohorte.runner.plan`): each job executes its notebook and renders
its documents on the same executor, local or Dask. A cohort edition then assembles its web site and
Quarto book. Every decision "is this current?" is taken on the manifest (:mod:`cohorte.store.manifest`).
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from cohorte import __version__, config
from cohorte.editions import Edition, load_edition
from cohorte.errors import GridError, ParamsError
from cohorte.files import fingerprint, remove_leftovers
from cohorte.reference.q1 import q1_decree
from cohorte.runner.execution import JobResult, run_jobs
from cohorte.runner.executors import OnDemand, check_options
from cohorte.runner.formats import parse_formats
from cohorte.runner.lock import edition_lock
from cohorte.runner.plan import EditionKind, kind_of, select_sites
from cohorte.runner.reproducible import fix_source_date
from cohorte.store.manifest import Manifest, read_manifest, write_manifest
from cohorte.store.prepared import data_label, prepare
from cohorte.store.provenance import kit_fingerprint
from cohorte.store.reads import hash_read

CHECKS = "texts"  # the validation's entry in the manifest's ``checks`` section


@dataclass(frozen=True)
class BuildOptions:
    """What ``cohorte build`` was asked for (defaults: everything, locally, formats of the edition's kind)."""

    data_dir: Path | None = None
    sites: list[str] | None = None
    jobs: int | None = None  # processes at once (default: the machine's cores)
    force: bool = False
    formats: str | tuple[str, ...] | None = None
    engine: str = "auto"  # the book: "auto", "quarto" or "builtin"
    wait: bool = False
    executor: str = "local"
    scheduler: str | None = None


@dataclass
class BuildReport:
    edition: Edition
    notebooks: list[JobResult] = field(default_factory=list)
    rendered: list[Path] = field(default_factory=list)
    failures: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    engine: str = "builtin"  # who rendered the book: "quarto" or "builtin"
    timings: dict[str, float] = field(default_factory=dict)  # seconds per stage

    @property
    def ok(self) -> bool:
        return not self.failures


def build_edition(edition_id: str | int, options: BuildOptions | None = None) -> BuildReport:
    """Build an edition: validate, prepare, execute and render its notebooks, assemble (cohort editions).

    One build per edition at a time (``outputs/EDITION/.lock``; ``options.wait`` queues behind the
    other); what an interrupted build left behind is removed first.
    """
    options = options or BuildOptions()
    check_options(options.executor, options.scheduler)
    edition = load_edition(edition_id)
    if options.data_dir:
        edition = edition.with_data_dir(options.data_dir)
    kind = kind_of(edition)
    formats = parse_formats(options.formats, kind.formats, f"a {kind.name} edition")
    slugs = select_sites(edition, options.sites)
    engine = kind.engine(options.engine)  # before any kernel: --engine quarto without Quarto is an error now
    out = config.outputs_dir(edition.edition)
    checks_key, warnings = validate(edition, slugs, read_manifest(config.manifest_path(edition.edition)))
    for warning in warnings:
        print(f"Warning: {warning}", file=sys.stderr)
    fix_source_date(edition.reference_date)  # every document dated alike, wherever and whenever it is built
    with edition_lock(out, edition.edition, wait=options.wait):
        leftovers = remove_leftovers(out)
        if leftovers:
            print(f"Removed {len(leftovers)} temporary file(s) left by an interrupted build.", flush=True)
        report = BuildReport(edition, warnings=list(warnings), engine=engine)
        _run(kind, slugs, formats, options, report, (checks_key, warnings))
        return report


def _checks_key(edition: Edition) -> str:
    """What the validation reads: the edition's params (and the previous edition's), and the kit."""
    folders = [config.params_dir(edition.edition)]
    if edition.previous_edition is not None:
        folders.append(config.params_dir(edition.previous_edition))
    return fingerprint([hash_read(f) for f in folders], data_label(edition.input_dir()), kit_fingerprint())


def validate(edition: Edition, slugs: list[str], manifest: Manifest) -> tuple[str, list[str]]:
    """The previous edition's build, grids and every text, before any kernel; the warnings to print.

    Grids and texts are skipped when nothing they read changed since they last passed (the
    manifest's ``checks`` section)."""
    from cohorte.changes.previous import check_previous_build

    check_previous_build(edition, slugs)  # outside the cache: it reads the previous edition's build
    key = _checks_key(edition)
    if manifest.is_current("checks", CHECKS, key):
        warnings = manifest.checks[CHECKS].details.get("warnings")
        return key, [str(w) for w in warnings] if isinstance(warnings, list) else []
    print(f"Checking the grids and texts of edition {edition.edition} …", flush=True)
    from cohorte.changes.previous import confirmation_warnings
    from cohorte.grids import check_grids, load_grids
    from cohorte.report.checks import check_texts

    problems = check_grids(edition.edition)
    if problems:
        raise GridError(problems)
    texts = check_texts(edition)  # every template, prose file and synthesis part
    if texts.problems:
        raise ParamsError("\n".join(texts.problems))
    warnings = texts.warnings + confirmation_warnings(edition, load_grids(edition.edition))
    if edition.kind == "national":  # where the CCH L302-1 rule and the year's arrêté disagree
        from cohorte.runner.checks import scope_warnings

        scope, notes = scope_warnings(edition)
        warnings += scope + notes
    return key, warnings


def _run(
    kind: EditionKind,
    slugs: list[str],
    formats: tuple[str, ...],
    options: BuildOptions,
    report: BuildReport,
    checks: tuple[str, list[str]],
) -> None:
    from cohorte.inputs.demo import ensure_demo_data

    edition, stages = report.edition, report.timings
    start = time.perf_counter()
    data = ensure_demo_data(edition)
    stages["data"] = time.perf_counter() - start
    if q1_decree(edition.year) is not None:  # thresholds in the data that the year's arrêté contradicts
        from cohorte.runner.checks import data_threshold_warnings

        report.warnings += data_threshold_warnings(edition, data)
    manifest_path = config.manifest_path(edition.edition)
    manifest = read_manifest(manifest_path)
    manifest.edition, manifest.kit_version = str(edition.edition), __version__
    manifest.record("checks", CHECKS, checks[0], [], warnings=checks[1])
    executor = OnDemand(options.executor, options.jobs, options.scheduler)
    try:
        start = time.perf_counter()
        prepare(edition, data, manifest)
        stages["preparation"] = time.perf_counter() - start
        for stage in kind.stages(edition, slugs, formats):
            start = time.perf_counter()
            meta = lambda job: kind.document_meta(edition, job)  # noqa: E731
            report.notebooks += run_jobs(
                stage.jobs(), manifest, executor.workers, options.force, stage.label, executor, meta
            )
            stages[stage.label] = time.perf_counter() - start
        executor.close()
        _collect(report)
        start = time.perf_counter()
        report.rendered += kind.assemble(edition, report, manifest, formats, options.force)
        stages["assembly"] = time.perf_counter() - start
    finally:  # what finished is recorded first, even if stopping the workers fails
        manifest.forget_sites(edition.slugs)
        write_manifest(manifest_path, manifest)
        executor.close()


def _collect(report: BuildReport) -> None:
    """The failures by notebook (execution) and by document (rendering), and the documents rendered."""
    for result in report.notebooks:
        if result.status == "failed":
            report.failures[result.name] = result.error
        elif result.render_error:
            report.failures[f"{result.name} (rendering)"] = result.render_error
        report.rendered += [Path(p) for p in result.rendered]


def print_report(report: BuildReport) -> str:
    """The build's closing summary: what ran, what failed and why, where to open the results."""
    counts = {s: sum(r.status == s for r in report.notebooks) for s in ("executed", "rendered", "unchanged", "failed")}
    rendered = f"{counts['rendered']} re-rendered, " if counts["rendered"] else ""
    lines = [
        f"Edition {report.edition.edition}: {counts['executed']} notebook(s) executed, {rendered}"
        f"{counts['unchanged']} unchanged, {counts['failed']} failed."
    ]
    for name, why in report.failures.items():
        lines.append(f"  FAILED {name}: {why}")
    lines += [f"  Warning: {w}" for w in report.warnings]
    lines.append(f"{len(report.rendered)} file(s) rendered.")
    lines.append("Open:")
    lines += [f"  {line}" for line in kind_of(report.edition).open_lines(report.edition, report.engine)]
    if report.edition.uses_demo_data:
        lines.append("Figures come from demo data (données fictives).")
    if report.edition.disclosure_note:
        lines.append(report.edition.disclosure_note)
    return "\n".join(lines)
