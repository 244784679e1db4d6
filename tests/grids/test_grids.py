"""Observation grids: schema errors name the file and key, the 2020 coding, scaffold, table and CLI."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pandas as pd
import pytest
import yaml
from click.testing import CliRunner

from cohorte import grids
from cohorte.cli import main
from cohorte.errors import GridError

REPO = Path(__file__).resolve().parents[2]
SITES = REPO / "params" / "2020" / "sites"
N_CODED = len(grids.coded_fields())


def _edit(home: Path, slug: str, change) -> Path:  # type: ignore[no-untyped-def]
    """Apply ``change`` to the parsed grid of ``slug`` under ``home`` and write it back."""
    path = home / "params" / "2020" / "sites" / slug / "grid.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _problems(edition: int = 2020) -> str:
    with pytest.raises(GridError) as caught:
        grids.load_grids(edition)
    return str(caught.value)


def _raw(slug: str) -> dict:
    return yaml.safe_load((SITES / slug / "grid.yml").read_text(encoding="utf-8"))


# --- broken grids ----------------------------------------------------------------------------


def test_when_grid_has_unknown_key_then_error_names_file_and_key(kit_home: Path) -> None:
    _edit(kit_home, "mel", lambda d: d["cotation"].update(stade="operational"))
    message = _problems()
    assert "params/2020/sites/mel/grid.yml: key 'cotation.stade': unknown key" in message
    assert "stage, operational_since, tool, regional_framework" in message


def test_when_value_is_outside_the_list_then_error_lists_allowed_values(kit_home: Path) -> None:
    _edit(kit_home, "mel", lambda d: d["cotation"].update(stage="operationel"))
    message = _problems()
    assert (
        "params/2020/sites/mel/grid.yml: key 'cotation.stage': 'operationel' is not allowed; allowed values: "
        "none, observation, reflection, principles, started, about_to_finish, operational"
    ) in message


def test_when_list_item_is_outside_the_list_then_error_names_its_index(kit_home: Path) -> None:
    _edit(kit_home, "carene", lambda d: d["flux"].update(negotiations=["action_logement", "banque"]))
    message = _problems()
    assert "params/2020/sites/carene/grid.yml: key 'flux.negotiations[1]': 'banque' is not allowed" in message
    assert "state, action_logement, communes, epci, other" in message


def test_when_value_has_wrong_type_then_error_names_key_and_type(kit_home: Path) -> None:
    _edit(kit_home, "eurometropole-strasbourg", lambda d: d["cotation"].update(operational_since="2017"))
    _edit(kit_home, "mel", lambda d: d["demand_service"].update(dedicated_website="oui"))
    message = _problems()
    assert "params/2020/sites/eurometropole-strasbourg/grid.yml: key 'cotation.operational_since': " in message
    assert "valid integer, got '2017' (str)" in message
    assert "params/2020/sites/mel/grid.yml: key 'demand_service.dedicated_website': " in message
    assert "valid boolean, got 'oui' (str)" in message


def test_when_a_key_is_missing_then_error_says_to_write_null(kit_home: Path) -> None:
    _edit(kit_home, "mel", lambda d: d["flux"].pop("landlord_inventories"))
    assert "mel/grid.yml: key 'flux.landlord_inventories': missing key" in _problems()


def test_when_a_site_has_no_grid_then_error_names_it_and_the_fix(kit_home: Path) -> None:
    (kit_home / "params/2020/sites/grand-avignon/grid.yml").unlink()
    message = _problems()
    assert "params/2020/sites/grand-avignon/grid.yml: no grid for site 'grand-avignon'" in message
    assert "cohorte new-site 2020 grand-avignon" in message


def test_when_a_grid_names_an_unknown_site_then_error_names_the_file(kit_home: Path) -> None:
    sites = kit_home / "params/2020/sites"
    (sites / "mel").rename(sites / "lille")
    message = _problems()
    assert "params/2020/sites/lille: folder for unknown site 'lille'" in message
    assert "no grid for site 'mel'" in message


def test_when_grid_is_not_valid_yaml_then_error_names_file_and_line(kit_home: Path) -> None:
    path = kit_home / "params/2020/sites/carene/grid.yml"
    path.write_text("governance:\n  cil_installed: [2017\n", encoding="utf-8")
    message = _problems()
    assert "params/2020/sites/carene/grid.yml: not valid YAML" in message
    assert "line" in message


def test_when_a_key_is_written_twice_then_error_instead_of_silent_overwrite(kit_home: Path) -> None:
    path = kit_home / "params/2020/sites/carene/grid.yml"
    path.write_text(path.read_text(encoding="utf-8") + "perspectives: []\n", encoding="utf-8")
    assert "carene/grid.yml: not valid YAML" in _problems() and "'perspectives' appears twice" in _problems()


def test_when_several_grids_are_broken_then_every_problem_is_reported(kit_home: Path) -> None:
    _edit(kit_home, "mel", lambda d: d["cotation"].update(stage="operationel"))
    _edit(kit_home, "carene", lambda d: d["governance"].update(ar_hlm_role="leader"))
    (kit_home / "params/2020/sites/agglopolys/grid.yml").unlink()
    problems = grids.check_grids(2020)
    assert len(problems) == 3
    assert any("mel/grid.yml" in p for p in problems) and any("carene/grid.yml" in p for p in problems)


def test_when_a_year_is_given_without_its_precondition_then_error_explains(kit_home: Path) -> None:
    _edit(kit_home, "carene", lambda d: d["cotation"].update(operational_since=2019))
    message = _problems()
    assert "carene/grid.yml: key 'cotation.operational_since': only allowed when stage is operational" in message


def test_when_grids_are_valid_then_check_grids_is_empty() -> None:
    assert grids.check_grids(2020) == []


# --- the 2020 coding, as the synthesis supports it ---------------------------------------------


@pytest.fixture(scope="module")
def coded() -> dict[str, grids.Grid]:
    return grids.load_grids(2020)


def _sites(coded: dict[str, grids.Grid], getter, value) -> set[str]:  # type: ignore[no-untyped-def]
    return {slug for slug, grid in coded.items() if getter(grid) == value}


def test_all_twelve_sites_have_a_valid_grid(coded: dict[str, grids.Grid]) -> None:
    assert len(coded) == 12


def test_demand_register_matches_the_synthesis(coded: dict[str, grids.Grid]) -> None:
    register = lambda g: g.demand_service.demand_register  # noqa: E731
    assert _sites(coded, register, "shared_file") == {
        "caen-la-mer",
        "lorient-agglomeration",
        "grandangouleme",
        "carene",
        "grand-besancon",
        "clermont-auvergne-metropole",
        "eurometropole-strasbourg",
    }
    assert _sites(coded, register, "sne") == {"montpellier-mediterranee-metropole", "coeur-d-essonne"}
    # 4 sites use the SNE; the 3 unnamed ones stay null (2 of them are SNE, 1 a shared file).
    assert _sites(coded, register, None) == {"agglopolys", "grand-avignon", "mel"}
    assert coded["eurometropole-strasbourg"].demand_service.shared_file_since == 2005


def test_local_targets_above_the_law(coded: dict[str, grids.Grid]) -> None:
    assert coded["agglopolys"].attribution_policy.targets.non_q1_in_qpv == 55
    assert coded["grand-besancon"].attribution_policy.targets.non_q1_in_qpv == 67
    others = {
        s for s, g in coded.items() if any(v is not None for v in g.attribution_policy.targets.model_dump().values())
    }
    assert others == {"agglopolys", "grand-besancon"}


def test_only_clermont_and_besancon_differentiate_targets(coded: dict[str, grids.Grid]) -> None:
    kind = lambda g: g.attribution_policy.targets_differentiated  # noqa: E731
    assert _sites(coded, kind, "communes") == {"clermont-auvergne-metropole"}
    assert _sites(coded, kind, "communes_and_landlords") == {"grand-besancon"}
    assert len(_sites(coded, kind, "none")) == 10


def test_ar_hlm_copilot_at_mel_and_clermont(coded: dict[str, grids.Grid]) -> None:
    assert _sites(coded, lambda g: g.governance.ar_hlm_role, "copilot") == {"mel", "clermont-auvergne-metropole"}


def test_cotation_stages(coded: dict[str, grids.Grid]) -> None:
    stage = lambda g: g.cotation.stage  # noqa: E731
    assert _sites(coded, stage, "operational") == {"eurometropole-strasbourg"}
    assert coded["eurometropole-strasbourg"].cotation.operational_since == 2017
    assert _sites(coded, stage, "about_to_finish") == {"carene"}
    assert _sites(coded, stage, "started") == {"coeur-d-essonne", "agglopolys"}
    assert _sites(coded, stage, "principles") == {"grand-avignon", "grand-besancon", "caen-la-mer", "grandangouleme"}
    assert _sites(coded, stage, "reflection") == {"montpellier-mediterranee-metropole"}
    # the seed places neither Clermont nor the MEL among its stages (it describes their method only)
    assert _sites(coded, stage, None) == {"clermont-auvergne-metropole", "mel"}
    assert _sites(coded, stage, "observation") == {"lorient-agglomeration"}
    assert coded["coeur-d-essonne"].cotation.tool == "own_file"
    assert coded["montpellier-mediterranee-metropole"].cotation.tool == "undecided"


def test_flux_postures(coded: dict[str, grids.Grid]) -> None:
    posture = lambda g: g.flux.epci_posture  # noqa: E731
    assert _sites(coded, posture, "observer") == {"lorient-agglomeration", "grandangouleme"}
    assert _sites(coded, posture, "waiting") == {"agglopolys", "grand-besancon", "grand-avignon", "caen-la-mer"}
    # the seed names Montpellier alone for gathering landlords and réservataires; CARENE is not placed
    assert _sites(coded, posture, "proactive") == {"montpellier-mediterranee-metropole"}
    assert _sites(coded, posture, "not_documented") == {"carene", "coeur-d-essonne", "eurometropole-strasbourg"}
    assert _sites(coded, posture, "pilot") == {"mel", "clermont-auvergne-metropole"}
    state = {s for s, g in coded.items() if "state" in g.flux.negotiations}
    assert state == {"agglopolys", "montpellier-mediterranee-metropole", "coeur-d-essonne"}
    action_logement = {s for s, g in coded.items() if "action_logement" in g.flux.negotiations}
    assert action_logement == {"lorient-agglomeration", "carene"}
    # « rares sont [les bailleurs] qui avaient remis [leurs états des lieux] fin 2020 »: a general finding
    # that names no site, said once in the synthesis; no site is coded from it
    assert {g.flux.landlord_inventories for g in coded.values()} == {None}


def test_demand_service_facts(coded: dict[str, grids.Grid]) -> None:
    ds = lambda g: g.demand_service  # noqa: E731
    assert _sites(coded, lambda g: ds(g).dedicated_website, True) == {"clermont-auvergne-metropole", "mel"}
    assert _sites(coded, lambda g: ds(g).info_videos, True) == {"eurometropole-strasbourg", "mel"}
    assert _sites(coded, lambda g: ds(g).anomaly_statistics, True) == {
        "coeur-d-essonne",
        "mel",
        "eurometropole-strasbourg",
    }
    assert _sites(coded, lambda g: ds(g).said_common_place, "stalled") == {
        "grand-besancon",
        "coeur-d-essonne",
        "lorient-agglomeration",
    }
    assert _sites(coded, lambda g: ds(g).said_common_place, "project") == {"montpellier-mediterranee-metropole", "mel"}
    assert _sites(coded, lambda g: ds(g).said_network, "hybrid") == {"carene", "lorient-agglomeration"}
    assert _sites(coded, lambda g: ds(g).said_network, "landlord_agencies") == {"grandangouleme"}


def test_affordability_work(coded: dict[str, grids.Grid]) -> None:
    work = lambda g: g.attribution_policy.affordability_work  # noqa: E731
    assert _sites(coded, work, "operational") == {"lorient-agglomeration"}
    assert _sites(coded, work, "mapping") == {
        "clermont-auvergne-metropole",
        "carene",
        "montpellier-mediterranee-metropole",
    }


def test_site_texts_name_the_site_in_full_once_and_never_as_a_prefix(coded: dict[str, grids.Grid]) -> None:
    """Inside its own monograph a site is named at its first mention through the edition's data (its
    name with its article: ``{{ site | nom(true) }}``, ``{{ site | de_nom }}``…); no bullet or encadré
    title starts with « Site : »."""
    themes = ("governance", "demand_service", "attribution_policy", "cotation", "flux", "perspectives")
    for slug, grid in coded.items():
        prose = [(SITES / slug / "prose" / f"{t}.md") for t in themes]
        texts = [p.read_text(encoding="utf-8") for p in prose if p.exists()]
        assert texts and "{{ site |" in texts[0], slug
        assert not any("{{ site.name }}" in text for text in texts), f"{slug}: a bare name has no article"
        lines = [line for text in texts for line in text.splitlines() if line.startswith(("- ", "* "))]
        lines += [f"- {h.title}" for h in grid.highlights]
        assert not [
            line
            for line in lines
            if re.match(r"^[-*] [^:.]{2,40} : ", line)
            and (
                "{{" in line.split(" : ")[0]
                or any(
                    word in line.split(" : ")[0]
                    for word in (
                        "Lorient",
                        "MEL",
                        "EMS",
                        "Clermont",
                        "CARENE",
                        "CDEA",
                        "Montpellier",
                        "Besançon",
                        "Avignon",
                        "Caen",
                        "GrandAngoulême",
                        "Agglopolys",
                    )
                )
            )
        ], slug


def test_every_grid_file_cites_its_sources() -> None:
    for path in SITES.glob("*/grid.yml"):
        assert path.read_text(encoding="utf-8").startswith("# Grille d'observation"), path.name
        assert "synthese-2020.md" in grids.comment_header(path), path.name


# --- scaffold ----------------------------------------------------------------------------------------


def test_scaffold_has_every_field_with_its_allowed_values() -> None:
    text = grids.scaffold(2020, "mel")
    grid = grids.validate_grid(yaml.safe_load(text), "scaffold")
    assert grid.flux.epci_posture == "not_documented"
    assert "stage: null  # avancement de la cotation — none | observation | reflection" in text
    for spec in grids.coded_fields():
        assert f"{spec.field.split('.')[-1]}:" in text


def test_when_new_site_grid_exists_then_cli_refuses_to_overwrite(kit_home: Path) -> None:
    result = CliRunner().invoke(main, ["new-site", "2020", "mel"])
    assert result.exit_code == 1
    assert "params/2020/sites/mel/grid.yml: already exists" in result.output


def test_new_site_writes_a_valid_grid(kit_home: Path) -> None:
    target = kit_home / "params/2020/sites/carene/grid.yml"
    target.unlink()
    result = CliRunner().invoke(main, ["new-site", "2020", "carene"])
    assert result.exit_code == 0, result.output
    assert grids.load_grid(target).cotation.stage is None
    assert target.read_text(encoding="utf-8").count("#") > N_CODED


def test_new_site_stdout_prints_without_writing(kit_home: Path) -> None:
    result = CliRunner().invoke(main, ["new-site", "2020", "mel", "--stdout"])
    assert result.exit_code == 0 and result.output.startswith("# Grille d'observation")


def test_when_new_site_is_not_in_the_edition_then_error_says_where_to_add_it(kit_home: Path) -> None:
    result = CliRunner().invoke(main, ["new-site", "2020", "lille", "--stdout"])
    assert result.exit_code == 1 and "add it to the sites there first" in result.output


# --- tidy table ---------------------------------------------------------------------------------------


def test_table_has_one_row_per_site_and_coded_field() -> None:
    table = grids.grids_table(2020)
    assert list(table.columns) == ["site", "theme", "field", "value"]
    assert len(table) == 12 * N_CODED
    assert not table.duplicated(["site", "theme", "field"]).any()
    value = table.set_index(["site", "field"])["value"]
    assert value[("grand-besancon", "targets.non_q1_in_qpv")] == "67"
    assert value[("mel", "dedicated_website")] == "true"
    assert value[("mel", "cia.status")] == "in_progress"
    assert value[("agglopolys", "interviews")].split(";")[0] == "epci"
    assert value[("agglopolys", "demand_register")] == ""


def test_table_cli_writes_csv_to_stdout_and_file(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["grids", "table", "2020"])
    assert result.exit_code == 0, result.output
    table = pd.read_csv(io.StringIO(result.output), dtype=str, keep_default_na=False)
    assert table.shape == (12 * N_CODED, 4)
    out = tmp_path / "grids.csv"
    result = runner.invoke(main, ["grids", "table", "2020", "--out", str(out)])
    assert result.exit_code == 0 and out.read_text(encoding="utf-8").startswith("site,theme,field,value")


def test_format_value_covers_lists_booleans_and_records() -> None:
    spec = next(s for s in grids.coded_fields() if s.field == "differentiated_targets")
    records = [{"indicator": "non_q1_in_qpv", "commune": "25056", "landlord": None, "target": 67.0}]
    assert grids.format_value(spec, records) == "indicator=non_q1_in_qpv,commune=25056,target=67"
    bool_spec = next(s for s in grids.coded_fields() if s.field == "info_videos")
    assert grids.format_value(bool_spec, False) == "false" and grids.format_value(bool_spec, None) == ""


# --- text that would not render as written -----------------------------------------------------


@pytest.mark.parametrize(
    ("change", "key", "problem"),
    [
        (lambda d: d["findings"]["flux"].append("<script>alert(1)</script>"), "findings.flux[", "raw HTML '<script>'"),
        (lambda d: d["perspectives"].append("`#rect()`{=typst}"), "perspectives[", "raw block {=typst}"),
        (
            lambda d: d["highlights"].append({"title": "x", "theme": "flux", "text": "[ici](javascript:alert(1))"}),
            "highlights[",
            "link to 'javascript:alert(1' is not allowed",
        ),
        (
            lambda d: d["governance"]["technical_bodies"].append("<img src=x onerror=alert(1)>"),
            "governance.technical_bodies[",
            "raw HTML '<img'",
        ),
    ],
)
def test_when_grid_text_holds_live_markup_then_check_names_file_and_key(
    kit_home: Path, change, key: str, problem: str
) -> None:
    _edit(kit_home, "mel", change)
    result = CliRunner().invoke(main, ["check", "2020"])
    assert result.exit_code == 1
    line = next(line for line in result.output.splitlines() if "mel/grid.yml" in line)
    assert f"params/2020/sites/mel/grid.yml: key '{key}" in line and problem in line


def test_when_a_grid_is_an_alias_bomb_then_it_is_refused_quickly_naming_the_file(kit_home: Path) -> None:
    import time

    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 12)]
    (kit_home / "params/2020/sites/mel/grid.yml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    started = time.monotonic()
    message = _problems()
    assert time.monotonic() - started < 5
    assert "params/2020/sites/mel/grid.yml: not valid YAML: more than 100 aliases" in message
