"""The ``cohorte`` command line: one sub-command per stage, every error printed as a sentence."""

from __future__ import annotations

import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from cohorte import __version__
from cohorte.errors import CohorteError
from cohorte.runner.executors import EXECUTORS
from cohorte.runner.formats import FORMATS

if TYPE_CHECKING:  # pragma: no cover
    from cohorte.history import Backup
    from cohorte.roundtrip import ImportResult


class _Group(click.Group):
    """Turns any CohorteError into a plain message and exit code 1, never a traceback."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except CohorteError as exc:
            click.secho(f"Error: {exc}", fg="red", err=True)
            sys.exit(1)
        except OSError as exc:  # a folder that cannot be written, a full disk: one sentence, no traceback
            from cohorte.files import os_error_sentence

            click.secho(f"Error: {os_error_sentence(exc)}", fg="red", err=True)
            sys.exit(1)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="cohorte")
def main() -> None:
    """cohorte — monographs and cross-site synthesis of the social-housing allocation reform."""


# --- inputs -------------------------------------------------------------------------------


@main.command("demo-data")
@click.argument("edition")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder to write (default: data/EDITION-demo/).",
)
@click.option(
    "--seed", type=click.IntRange(min=0), default=2020, show_default=True, help="Same seed, same files, byte for byte."
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "parquet", "xlsx"]),
    default="csv",
    show_default=True,
    help="File format of the tables (xlsx is slow on large editions).",
)
def demo_data(edition: str, out_dir: Path | None, seed: int, fmt: str) -> None:
    """Write fictitious input tables (« données fictives ») for every site of EDITION."""
    import time

    from cohorte import config
    from cohorte.editions import load_edition
    from cohorte.inputs import demo

    params = load_edition(edition)
    started = time.perf_counter()
    target = out_dir or config.demo_data_dir(params.edition)
    rows = demo.write_demo_folder(params, target, seed, fmt)
    for name, count in rows.items():
        click.echo(f"  {name:<18} {count:>9,} rows  {name}.{fmt}")
    elapsed = time.perf_counter() - started
    click.echo(f"Données fictives (seed {seed}) for {len(params.sites)} sites written to {target} in {elapsed:.1f} s.")


@main.command()
@click.argument("edition")
@click.option(
    "--data",
    "data_dir",
    type=click.Path(path_type=Path),
    help="Folder of the input tables (default: the edition's data_dir, else its demo data).",
)
def check(edition: str, data_dir: Path | None) -> None:
    """Validate EDITION's parameters, observation grids and every input table; list every problem."""
    from cohorte.runner.checks import check_edition

    report = check_edition(edition, data_dir)
    click.echo(report.text())
    if report.problems:
        raise click.exceptions.Exit(1)


@main.group("data")
def data_group() -> None:
    """Look at input files before declaring them (sources: docs/sources.md)."""


@data_group.command("inspect")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--table",
    type=click.Choice(["demands", "attributions", "housing_stock", "cal_presentations", "q1_thresholds"]),
    help="The input table the file holds (default: that of the matched source).",
)
@click.option(
    "--skeleton",
    "skeleton_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write the mapping skeleton (default: FILE_STEM.source.yml in the current folder).",
)
def data_inspect(file: Path, table: str | None, skeleton_path: Path | None) -> None:
    """Print FILE's encoding, delimiter, rows, columns and sample values, the built-in source it
    matches, and write a mapping skeleton for a new source (never over an existing file)."""
    from cohorte.errors import InputDataError
    from cohorte.files import atomic_write_text
    from cohorte.inputs.schemas import contract_columns
    from cohorte.inputs.sources.inspect import inspect_file, skeleton
    from cohorte.inputs.sources.model import builtin_sources
    from cohorte.inputs.sources.text import EncodingProblem

    try:
        found = inspect_file(file)
    except EncodingProblem as exc:
        raise InputDataError([f"{file}: {exc}"]) from None
    click.echo(found.text())
    table = table or (builtin_sources()[found.matches[0]].table if found.matches else "housing_stock")
    target = skeleton_path or Path.cwd() / f"{file.stem}.source.yml"
    if target.exists():
        raise CohorteError(f"{target} already exists; give another --skeleton path (nothing is overwritten)")
    atomic_write_text(target, skeleton(found, table, contract_columns(table)))
    click.echo(
        f"Mapping skeleton for table {table} written to {target}; complete it, then copy it to "
        "params/EDITION/sources/NAME.yml and name it in edition.yml (tables.TABLE.source)."
    )


# --- indicators ---------------------------------------------------------------------------


@main.command()
@click.argument("edition")
@click.option(
    "--data", "data_dir", type=click.Path(path_type=Path), help="Folder of the input tables (default: the edition's)."
)
@click.option(
    "--out", "out_file", type=click.Path(path_type=Path), help="CSV to write (default: outputs/EDITION/indicators.csv)."
)
def indicators(edition: str, data_dir: Path | None, out_file: Path | None) -> None:
    """Compute every indicator of EDITION for all sites and write the published (disclosure-controlled) table."""
    from cohorte import config
    from cohorte.editions import load_edition
    from cohorte.files import atomic_write_csv
    from cohorte.indicators.published import published_indicators, with_demo_flag

    params = load_edition(edition)
    table = published_indicators(params, data_dir)
    out_file = out_file or config.outputs_dir(params.edition) / config.INDICATORS_FILE
    is_demo = config.is_demo_folder(Path(data_dir)) if data_dir else params.uses_demo_data
    atomic_write_csv(out_file, with_demo_flag(table, is_demo))
    click.echo(f"{len(table)} rows for {table['site'].nunique()} sites written to {out_file}")


# --- observation grids --------------------------------------------------------------------


@main.command("new-site")
@click.argument("edition")
@click.argument("slug")
@click.option(
    "--stdout", "to_stdout", is_flag=True, help="Print the grid instead of writing params/EDITION/sites/SLUG/."
)
def new_site(edition: str, slug: str, to_stdout: bool) -> None:
    """Scaffold site SLUG: its observation grid (every field, with its allowed values) and one prose file per theme."""
    from cohorte.grids import scaffold, write_scaffold
    from cohorte.report.prose import write_prose_scaffold
    from cohorte.validation import display_path

    if to_stdout:
        click.echo(scaffold(edition, slug), nl=False)
        return
    click.echo(f"Grid written to {display_path(write_scaffold(edition, slug))}")
    for path in write_prose_scaffold(edition, slug):
        click.echo(f"Prose file written to {display_path(path)}")


@main.command("new-edition")
@click.argument("edition", type=int)
@click.option(
    "--from", "previous", type=int, required=True, help="The edition to start from (its settings, grids and prose)."
)
@click.option("--drop", multiple=True, help="A site leaving the cohort (repeat for several).")
@click.option("--add", multiple=True, help="A site joining the cohort, with no previous grid (repeat for several).")
def new_edition_cmd(edition: int, previous: int, drop: tuple[str, ...], add: tuple[str, ...]) -> None:
    """Start EDITION from the previous one: settings, grids (every coded field to confirm), prose."""
    from cohorte.runner.new_edition import TO_COMPLETE, new_edition
    from cohorte.validation import display_path

    done = new_edition(edition, previous, list(drop), list(add))
    click.echo(
        f"Edition {edition} written to {display_path(done.folder)} from edition {previous}: "
        f"reference date {edition}-12-31, {len(done.carried)} site(s) carried over."
    )
    if done.left:
        click.echo(f"  leaving the cohort: {', '.join(done.left)}")
    if done.joined:
        click.echo(f"  joining the cohort (empty grid and prose): {', '.join(done.joined)}")
    for slug in done.to_complete:
        click.echo(f"  complete the identity of {slug} in {display_path(done.folder / 'edition.yml')} ({TO_COMPLETE})")
    click.echo(
        f"Next: fill in fieldwork in edition.yml, confirm or change each grid's to_confirm fields, "
        f"then `cohorte check {edition}`."
    )


_MERGE_HELP = "Apply the import's changes where the files did not change since the export; keep the newer files elsewhere (refused on a conflict)."
_FORCE_HELP = (
    "Replace the files even if they changed since the export (or the export has no record); they are backed up first."
)


def _import_mode(merge: bool, force: bool) -> str:
    from cohorte.roundtrip import CHECK, FORCE, MERGE

    if merge and force:
        raise click.UsageError("--merge and --force exclude each other: choose one")
    return FORCE if force else MERGE if merge else CHECK


def _report_import(result: ImportResult, source: Path, what: str, history_command: str) -> None:
    """What an import wrote, kept and backed up, one line each."""
    from cohorte.validation import display_path

    for path in result.written:
        click.echo(f"  updated {display_path(path)}")
    for path in result.kept:
        click.echo(f"  kept {display_path(path)} (changed since the export; {source.name} left it as exported)")
    click.echo(f"{len(result.written)} {what} updated from {source.name}; the others were unchanged.")
    if result.backup is not None:
        click.echo(
            f"Previous versions saved as backup {result.backup.id} "
            f"(`{history_command} --restore {result.backup.id}` brings them back)."
        )


def _list_backups(found: list[Backup], edition: str, what: str) -> None:
    from cohorte.history import history_dir
    from cohorte.validation import display_path

    if not found:
        click.echo(f"No backup of {what} yet in {display_path(history_dir(edition))}/.")
    for backup in found:
        click.echo(backup.describe())
        for name in backup.files:
            click.echo(f"    {name}")
        for name in backup.absent:
            click.echo(f"    {name} (did not exist: removed by a restore)")


def _report_restore(saved: Backup, restored: Backup) -> None:
    click.echo(f"Backup {restored.id} restored ({restored.command}, {restored.when}):")
    for name in restored.files:
        click.echo(f"  restored {name}")
    for name in restored.absent:
        click.echo(f"  removed {name} (it did not exist then)")
    click.echo(f"The files as they were before this restore are saved as backup {saved.id}.")


@main.group("grids")
def grids_group() -> None:
    """Observation grids: spreadsheet round-trip and tidy table of the coded fields."""


@grids_group.command("export")
@click.argument("edition")
@click.argument("xlsx", type=click.Path(dir_okay=False, path_type=Path))
def grids_export(edition: str, xlsx: Path) -> None:
    """Write EDITION's grids to the workbook XLSX (one row per site × field, drop-down lists)."""
    from cohorte.grids.xlsx import export_xlsx

    click.echo(f"Grids of edition {edition} written to {export_xlsx(edition, xlsx)}")


@grids_group.command("import")
@click.argument("edition")
@click.argument("xlsx", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--merge", is_flag=True, help=_MERGE_HELP.replace("files", "fields"))
@click.option(
    "--force", is_flag=True, help=_FORCE_HELP + " YAML comments the new values leave no place for are dropped."
)
def grids_import(edition: str, xlsx: Path, merge: bool, force: bool) -> None:
    """Validate the workbook XLSX, then write EDITION's grids changed in it (nothing is written on any error).

    Values are updated in place: comments and key order of the YAML are kept. Refused when a grid changed
    since XLSX was exported, when XLSX has no record of its export, or when a comment would be dropped:
    --merge or --force say what to do then. Files replaced are backed up (`cohorte grids history`)."""
    from cohorte.grids.xlsx import import_xlsx

    result = import_xlsx(edition, xlsx, _import_mode(merge, force))
    _report_import(result, xlsx, "grid(s)", f"cohorte grids history {edition}")


@grids_group.command("history")
@click.argument("edition")
@click.option(
    "--restore",
    "backup_id",
    metavar="ID",
    help="Put back the grids of backup ID (the current ones are backed up first).",
)
def grids_history(edition: str, backup_id: str | None) -> None:
    """List the backups of grid files made by `cohorte grids import`, or restore one."""
    from cohorte import history

    if backup_id is None:
        _list_backups(history.backups(edition, "grids"), edition, "grids")
        return
    command = f"cohorte grids history {edition} --restore {backup_id}"
    _report_restore(*history.restore(edition, backup_id, kind="grids", command=command))


@grids_group.command("table")
@click.argument("edition")
@click.option(
    "--out", "out_file", type=click.Path(dir_okay=False, path_type=Path), help="CSV to write (default: stdout)."
)
def grids_table_cmd(edition: str, out_file: Path | None) -> None:
    """Every coded field of EDITION as CSV: site, theme, field, value."""
    from cohorte.files import csv_text
    from cohorte.grids import grids_table

    text = csv_text(grids_table(edition))
    if out_file is None:
        click.echo(text, nl=False)
        return
    from cohorte.files import atomic_write_text

    atomic_write_text(out_file, text)
    click.echo(f"{text.count(chr(10)) - 1} rows written to {out_file}")


@main.group("texts")
def texts_group() -> None:
    """Consultants' prose of a site: round-trip through Word (one Heading 1 per theme)."""


@texts_group.command("export")
@click.argument("edition")
@click.argument("slug")
@click.argument("docx", type=click.Path(dir_okay=False, path_type=Path))
def texts_export(edition: str, slug: str, docx: Path) -> None:
    """Write site SLUG's prose (params/EDITION/sites/SLUG/prose/*.md) to DOCX."""
    from cohorte.report.prose import export_docx

    click.echo(f"Prose of {slug} written to {export_docx(edition, slug, docx)}")


@texts_group.command("import")
@click.argument("edition")
@click.argument("slug")
@click.argument("docx", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--merge", is_flag=True, help=_MERGE_HELP)
@click.option("--force", is_flag=True, help=_FORCE_HELP)
def texts_import(edition: str, slug: str, docx: Path, merge: bool, force: bool) -> None:
    """Validate DOCX, then write site SLUG's prose files changed in Word (nothing is written on any error).

    Refused when a prose file changed since DOCX was exported, or when DOCX has no record of its export:
    --merge or --force say what to do then. Files replaced are backed up (`cohorte texts history`)."""
    from cohorte.report.checks import prose_validator
    from cohorte.report.prose import import_docx

    result = import_docx(edition, slug, docx, prose_validator(edition, slug), _import_mode(merge, force))
    _report_import(result, docx, "prose file(s)", f"cohorte texts history {edition}")


@texts_group.command("history")
@click.argument("edition")
@click.argument("slug", required=False)
@click.option(
    "--restore",
    "backup_id",
    metavar="ID",
    help="Put back the files of backup ID (the current ones are backed up first).",
)
def texts_history(edition: str, slug: str | None, backup_id: str | None) -> None:
    """List the backups of prose files made by `cohorte texts import` (of site SLUG only, if given), or restore one."""
    from cohorte import history

    if backup_id is None:
        _list_backups(history.backups(edition, "texts", slug), edition, "prose" + (f" of {slug}" if slug else ""))
        return
    command = f"cohorte texts history {edition} --restore {backup_id}"
    _report_restore(*history.restore(edition, backup_id, kind="texts", command=command))


@main.command()
@click.argument("first")
@click.argument("second")
@click.option(
    "--out", "out_file", type=click.Path(dir_okay=False, path_type=Path), help="CSV to write (default: stdout)."
)
def compare(first: str, second: str, out_file: Path | None) -> None:
    """What changed from edition FIRST to SECOND (both built): coded fields and main indicators, as CSV."""
    from cohorte.changes.compare import compare as compare_editions

    table = compare_editions(first, second)
    if table.attrs.get("not_built"):
        click.echo(f"Not compared (not built in both editions): {', '.join(table.attrs['not_built'])}", err=True)
    text = table.to_csv(index=False)
    if out_file is None:
        click.echo(text, nl=False)
        return
    from cohorte.files import atomic_write_text

    atomic_write_text(out_file, text)
    builds = table[["before_build", "after_build"]].drop_duplicates()
    click.echo(f"{len(table)} rows for {table['site'].nunique()} sites written to {out_file}")
    for row in builds.itertuples():
        click.echo(
            f"  builds compared: edition {first} manifest {row.before_build[:12]}, edition {second} manifest {row.after_build[:12]}"
        )


# --- build --------------------------------------------------------------------------------


def _split(value: str | None) -> list[str] | None:
    return [v.strip() for v in value.split(",") if v.strip()] if value else None


@main.command()
@click.argument("edition")
@click.option(
    "--data",
    "data_dir",
    type=click.Path(path_type=Path),
    help="Folder of the input tables (default: the edition's, else its demo data).",
)
@click.option("--sites", help="Comma-separated site slugs to build (default: all).")
@click.option("--jobs", type=click.IntRange(min=1), help="Kernels run in parallel (default: number of cores).")
@click.option("--force", is_flag=True, help="Re-execute and re-render even what is up to date.")
@click.option(
    "--formats",
    help=f"Output formats, comma-separated, among {', '.join(FORMATS)} (default: all those of the edition's kind; "
    "a national edition makes HTML and PDF).",
)
@click.option(
    "--engine",
    type=click.Choice(["auto", "quarto", "builtin"]),
    default="auto",
    show_default=True,
    help="Quarto when installed (auto), or the built-in pandoc + typst engine.",
)
@click.option("--wait", is_flag=True, help="When another build of EDITION is running, wait for it instead of stopping.")
@click.option(
    "--executor",
    type=click.Choice(list(EXECUTORS)),
    default="local",
    show_default=True,
    help="Where notebooks run: local processes, or Dask distributed (an embedded LocalCluster, or --scheduler).",
)
@click.option("--scheduler", help="Address of an existing Dask scheduler (tcp://HOST:8786), with --executor dask.")
def build(
    edition: str,
    data_dir: Path | None,
    sites: str | None,
    jobs: int | None,
    force: bool,
    formats: str | None,
    engine: str,
    wait: bool,
    executor: str,
    scheduler: str | None,
) -> None:
    """Validate EDITION, execute its monographs and synthesis, and render the book (HTML, PDF, DOCX).

    A national edition (kind: national) builds a fiche per EPCI and the national synthesis (HTML, PDF)."""
    from cohorte.runner.pipeline import BuildOptions, build_edition, print_report

    options = BuildOptions(data_dir, _split(sites), jobs, force, formats, engine, wait, executor, scheduler)
    try:
        report = build_edition(edition, options)
    except KeyboardInterrupt:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # workers are already stopped: a further Ctrl-C changes nothing
        click.secho(
            f"\nInterrupted: what finished is kept and recorded in the manifest; "
            f"run `cohorte build {edition}` again to resume.",
            fg="yellow",
            err=True,
        )
        sys.exit(130)
    click.echo(print_report(report))
    if not report.ok:
        raise click.exceptions.Exit(1)
