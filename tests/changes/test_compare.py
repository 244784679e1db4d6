"""``cohorte compare`` on the demonstration edition 2021: clear errors before both editions are built
(the CSV itself: tests/build/test_editions_build.py)."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from cohorte.cli import main


def test_when_an_edition_has_not_been_built_then_compare_says_which_and_how(kit_home: Path) -> None:
    result = CliRunner().invoke(main, ["compare", "2020", "2021"])
    assert result.exit_code == 1
    assert "edition 2020 has not been built (no site has key figures); run `cohorte build 2020` first" in result.output


def test_when_editions_are_in_the_wrong_order_then_compare_refuses(kit_home: Path) -> None:
    result = CliRunner().invoke(main, ["compare", "2021", "2020"])
    assert result.exit_code == 1 and "2021 is not before 2020" in result.output
