"""One exception hierarchy: every message says what went wrong, where, and how to fix it."""

from __future__ import annotations


class CohorteError(Exception):
    """Base class of every error the kit reports to a user (the CLI prints it without a traceback)."""


class ParamsError(CohorteError):
    """Edition or site parameters are missing or invalid."""


class InputDataError(CohorteError):
    """An input table is missing, unreadable or does not match its schema.

    ``problems`` holds every problem found, so ``cohorte check`` can list them all.
    """

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))

    def __reduce__(self):  # pickled whole (from a child process): the problems, not their joined text
        return type(self), (self.problems,)


class GridError(CohorteError):
    """An observation grid (params/EDITION/sites/SLUG/grid.yml) is invalid."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))

    def __reduce__(self):  # pickled whole (from a child process): the problems, not their joined text
        return type(self), (self.problems,)


class RenderError(CohorteError):
    """pandoc, typst or Quarto failed to render an output."""
