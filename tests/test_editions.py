"""Edition params under hostile input: disclosure control stays on, names never leave their folders."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from cohorte.cli import main
from cohorte.editions import load_edition
from cohorte.runner.pipeline import BuildReport, print_report


def _set(home: Path, **changes: object) -> None:
    path = home / "params/2020/edition.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data.update(changes)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def test_when_edition_repeats_disclosure_threshold_then_it_is_refused(kit_home: Path) -> None:
    path = kit_home / "params/2020/edition.yml"
    path.write_text(path.read_text(encoding="utf-8") + "disclosure_threshold: 1\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["check", "2020"])
    assert result.exit_code == 1 and "'disclosure_threshold' appears twice" in result.output


def test_when_threshold_is_below_the_default_without_a_reason_then_it_is_refused(kit_home: Path) -> None:
    _set(kit_home, disclosure_threshold=1)
    result = CliRunner().invoke(main, ["check", "2020"])
    assert result.exit_code == 1
    assert "disclosure_threshold 1 is below the default 5" in result.output and "disclosure_reason" in result.output


def test_when_threshold_below_the_default_is_justified_then_the_build_summary_prints_why(kit_home: Path) -> None:
    _set(kit_home, disclosure_threshold=3, disclosure_reason="accord du comité du secret du 12 mars 2021")
    edition = load_edition(2020)
    summary = print_report(BuildReport(edition))
    assert "Disclosure threshold 3 (below the default 5): accord du comité du secret du 12 mars 2021" in summary


def test_at_the_default_threshold_the_summary_says_nothing_of_it(kit_home: Path) -> None:
    assert "Disclosure threshold" not in print_report(BuildReport(load_edition(2020)))


def test_when_a_national_build_ends_then_its_summary_says_where_the_fiches_are(kit_home: Path) -> None:
    summary = print_report(BuildReport(load_edition("national-2020")))
    assert "outputs/national-2020/sites/SLUG/fiche.{html,pdf}" in summary
    assert "outputs/national-2020/national/synthese-national-2020.html" in summary


@pytest.mark.parametrize(
    "args",
    [
        ["new-site", "../../x", "slug"],
        ["new-site", "/tmp/x", "slug"],  # noqa: S108  # an absolute path given as an edition id, never written
        ["check", "../2020"],
        ["build", "..", "--jobs", "1"],
        ["grids", "table", "2020/../../.."],
        ["indicators", "../../etc"],
    ],
)
def test_when_edition_id_is_a_path_then_every_command_refuses_it_and_writes_nothing(
    kit_home: Path, args: list[str]
) -> None:
    before = sorted(p for p in kit_home.parent.rglob("*") if kit_home.parent in p.parents)
    result = CliRunner().invoke(main, args)
    assert result.exit_code != 0
    assert "is not a valid edition name" in result.output
    assert sorted(p for p in kit_home.parent.rglob("*") if kit_home.parent in p.parents) == before


def test_when_site_slug_is_a_path_then_new_site_refuses_it(kit_home: Path) -> None:
    result = CliRunner().invoke(main, ["new-site", "2020", "../../../evil"])
    assert result.exit_code == 1 and "site '../../../evil' is not a valid site name" in result.output
    assert not (kit_home.parent / "evil.yml").exists()


def test_when_edition_title_carries_raw_html_then_check_refuses_it_naming_the_key(kit_home: Path) -> None:
    _set(kit_home, title="Synthèse <script>alert(1)</script>")
    result = CliRunner().invoke(main, ["check", "2020"])
    assert result.exit_code == 1
    assert "title" in result.output and "raw HTML '<script>' is not allowed" in result.output
