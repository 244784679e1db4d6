"""The ``cohorte`` command line: one sub-command per stage, every error printed as a sentence."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from . import __version__
from .errors import CohorteError


class _Group(click.Group):
    """Turns any CohorteError into a plain message and exit code 1, never a traceback."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except CohorteError as exc:
            click.secho(f"Error: {exc}", fg="red", err=True)
            sys.exit(1)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="cohorte")
def main() -> None:
    """cohorte — monographs and cross-site synthesis of the social-housing allocation reform."""


# --- inputs -------------------------------------------------------------------------------


@main.command()
@click.argument("edition")
@click.option("--data", "data_dir", type=click.Path(path_type=Path), help="Folder of the input tables (default: the edition's data_dir, else its demo data).")
def check(edition: str, data_dir: Path | None) -> None:
    """Validate EDITION's parameters, observation grids and every input table; list every problem."""
    from .checking import check_edition

    report = check_edition(edition, data_dir)
    click.echo(report.text())
    if report.problems:
        raise click.exceptions.Exit(1)

# --- indicators ---------------------------------------------------------------------------

# --- observation grids --------------------------------------------------------------------

# --- build --------------------------------------------------------------------------------
