"""One exception hierarchy: every message says what went wrong, where, and how to fix it."""

from __future__ import annotations


class CohorteError(Exception):
    """Base class of every error the kit reports to a user (the CLI prints it without a traceback)."""


class ParamsError(CohorteError):
    """Edition or site parameters are missing or invalid."""


class ProblemsError(CohorteError):
    """An error listing every problem found (``problems``), one per line, so that a check lists them all."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))

    def __reduce__(self):  # pickled whole (from a child process): the problems, not their joined text
        return type(self), (self.problems,)


class InputDataError(ProblemsError):
    """An input table is missing, unreadable or does not match its schema."""


class GridError(ProblemsError):
    """An observation grid (params/EDITION/sites/SLUG/grid.yml) is invalid."""


class RenderError(CohorteError):
    """pandoc, typst or Quarto failed to render an output."""


class ImportRefusedError(CohorteError):
    """An import would overwrite files changed since its export, or cannot tell (no record)."""
