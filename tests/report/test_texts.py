"""Report wording through the CLI: templates overridden per edition, located template errors, typed
counts refused, stated aggregates, the prose scaffold and its Word round-trip on the 12 sites."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from cohorte.cli import main
from cohorte.editions import load_edition
from cohorte.grids import load_grids
from cohorte.report import authored, narrative
from cohorte.report.checks import check_texts
from cohorte.report.placeholders import Placeholders, load_stated
from cohorte.report.text import elision, en_lettres, liste, texts
from conftest import REPO

SLUGS = load_edition(2020).slugs if (REPO / "params/2020/edition.yml").exists() else []


def run(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(main, list(args))


def write(home: Path, relative: str, text: str) -> Path:
    path = home / "params" / "2020" / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def problems(home: Path) -> str:
    report = check_texts(load_edition(2020))
    return "\n".join(report.problems)


# --- filters ----------------------------------------------------------------------------------------


def test_filters_write_french() -> None:
    assert en_lettres(3) == "trois" and en_lettres(1, feminine=True) == "une" and en_lettres(25) == "25"
    assert elision("Action Logement", "de") == "d'Action Logement" and elision("Lorient", "de") == "de Lorient"
    assert liste(["A", "B", "C"]) == "A, B et C"


# --- overriding a template ------------------------------------------------------------------------


def test_when_an_edition_overrides_a_sentence_template_then_its_words_are_used(kit_home: Path) -> None:
    table = narrative.pd.DataFrame({"indicator": ["poulidors"], "breakdown": [""], "value": [12.0]})
    assert narrative.poulidors_sentence(table, text=texts(2020)).startswith("12 demandeurs ont été présentés")
    write(
        kit_home,
        "text/monograph/figures/poulidors.md",
        "{% if count is none %}Inconnu.{% else %}{{ count | entier }} ménages sans succès après {{ min_presentations }} passages.{% endif %}\n",
    )
    assert narrative.poulidors_sentence(table, text=texts(2020)) == "12 ménages sans succès après 3 passages."
    assert narrative.poulidors_sentence(table).startswith("12 demandeurs")  # the kit's default is untouched


# --- template errors name file and line ----------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("Ligne un.\n{% if count %}\nsans fin\n", "line 3"),  # syntax: unclosed block (reported at the end)
        ("Ligne un.\n\n{{ count | entierr }}\n", "line 3: No filter named 'entierr'"),
        ("Ligne un.\n{{ countt }}\n", "line 2: 'countt' is undefined"),
    ],
)
def test_when_a_template_is_wrong_then_check_names_its_file_and_line(kit_home: Path, body: str, expected: str) -> None:
    write(kit_home, "text/monograph/figures/poulidors.md", body)
    result = run("check", "2020", "--data", str(kit_home / "nowhere"))
    assert result.exit_code == 1
    assert "params/2020/text/monograph/figures/poulidors.md, " in result.output
    assert expected in result.output


def test_when_a_synthesis_part_calls_an_unknown_field_then_error_names_file_line_and_fields(kit_home: Path) -> None:
    write(kit_home, "synthesis/00-en-synthese.md", '# En synthèse\n\n{{ count("cotation.stade", "operational") }}\n')
    message = problems(kit_home)
    assert "params/2020/synthesis/00-en-synthese.md, line 3: unknown coded field 'cotation.stade'" in message
    assert "cotation.stage" in message


def test_when_a_value_is_misspelt_then_error_lists_allowed_values(kit_home: Path) -> None:
    write(kit_home, "synthesis/00-en-synthese.md", '# En synthèse\n\n{{ count("cotation.stage", "operationel") }}\n')
    assert "line 3: 'operationel' is not a value of cotation.stage; allowed values: none, observation" in problems(
        kit_home
    )


# --- authored synthesis -------------------------------------------------------------------------------


def test_when_a_count_of_sites_is_typed_by_hand_then_check_refuses_it(kit_home: Path) -> None:
    write(
        kit_home,
        "synthesis/00-en-synthese.md",
        "# En synthèse\n\n{{ n_sites }} EPCI observés sur environ 400 EPCI concernés.\n\n"
        "Trois EPCI ont adopté leur CIA, dont deux grands territoires.\n",
    )
    result = run("check", "2020", "--data", str(kit_home / "nowhere"))
    assert result.exit_code == 1
    assert (
        "params/2020/synthesis/00-en-synthese.md, line 5: « Trois EPCI » is a count of sites typed by hand"
        in result.output
    )
    assert "« deux grands territoires »" in result.output
    assert "400 EPCI" not in result.output and "line 3" not in result.output


def test_when_a_headline_counts_an_undocumented_field_then_check_warns_with_file_and_line(kit_home: Path) -> None:
    write(
        kit_home,
        "synthesis/00-en-synthese.md",
        '# En synthèse\n\nCIA adoptée : {{ count("governance.cia.status", "adopted") }}.\n',
    )
    report = check_texts(load_edition(2020))
    assert not report.problems
    assert any(
        "params/2020/synthesis/00-en-synthese.md, line 3: counts sites on governance.cia.status, documented "
        "for only 2 of 12 sites" in w
        for w in report.warnings
    )


def test_authored_parts_render_placeholders_stated_aggregates_and_encadres(kit_home: Path) -> None:
    write(
        kit_home,
        "stated.yml",
        yaml.safe_dump(
            {
                "sne_users": {
                    "field": "demand_service.demand_register",
                    "value": "sne",
                    "count": 4,
                    "named": ["carene", "lorient-agglomeration"],
                    "source": "synthèse 2020, partie II",
                }
            }
        ),
    )
    write(
        kit_home,
        "synthesis/20-demande.md",
        "# II. La demande\n\nIntroduction.\n\n## Le SNE\n\n"
        'Le SNE sert {{ stated("sne_users").text }}, dont {{ stated("sne_users").named | liste }} ; '
        'cotation en place avant le {{ deadline("cotation") | date_longue }} sur {{ n_sites }} {{ n_sites | pluriel("site") }}.\n\n'
        '::: {.encadre title="Un exemple"}\nTexte de l\'encadré.\n:::\n',
    )
    edition = load_edition(2020)
    places = Placeholders(edition, load_grids(2020), texts(2020), None, load_stated(edition))
    (part,) = [p for p in authored.parts(2020, texts(2020)) if p.stem == "20-demande"]
    intro, rest = authored.split_intro(authored.render_part(part, places))
    assert intro.startswith("## II. La demande") and rest.startswith("### Le SNE")
    assert (
        "Le SNE sert quatre sites, dont CARENE et Lorient ; cotation en place avant le 1er septembre 2021 sur 12 sites."
        in rest
    )
    assert "::: {.callout-note}\n**Un exemple**\n\nTexte de l'encadré.\n:::" in rest


@pytest.mark.parametrize(
    ("item", "expected"),
    [
        (
            {"count": 2, "named": ["carene", "mel", "agglopolys"], "source": "s"},
            "count 2 is smaller than the 3 named sites",
        ),
        ({"count": 4, "named": ["lille"], "source": "s"}, "key 'sne.named': 'lille' is not a site of edition 2020"),
        ({"count": None, "qualifier": None, "source": "s"}, "give either count"),
    ],
)
def test_when_a_stated_aggregate_is_inconsistent_then_check_says_why(kit_home: Path, item: dict, expected: str) -> None:
    write(kit_home, "stated.yml", yaml.safe_dump({"sne": item}))
    message = problems(kit_home)
    assert "params/2020/stated.yml" in message and expected in message


def test_glossary_and_methods_annexes_follow_the_synthesis(kit_home: Path) -> None:
    write(
        kit_home,
        "text/glossary.yml",
        "SNE: système national d'enregistrement\nCIL: conférence intercommunale du logement\n",
    )
    edition = load_edition(2020)
    places = Placeholders(edition, load_grids(2020), texts(2020))
    glossary = authored.glossary_markdown(places)
    assert glossary.index("**CIL** : conférence intercommunale") < glossary.index("**SNE** : système national")
    methods = authored.methods_markdown(places)
    assert "**Attributions hors QPV au 1er quartile** (%) : CCH L441-1" in methods
    assert "tout effectif compris entre 1 et 4 est remplacé par « n.s. »" in methods and "un effectif nul" in methods


# --- site prose -----------------------------------------------------------------------------------------


def test_new_site_scaffolds_one_prose_file_per_theme_with_its_guidance(kit_home: Path) -> None:
    shutil.rmtree(kit_home / "params/2020/sites/carene")
    result = run("new-site", "2020", "carene")
    assert result.exit_code == 0, result.output
    prose = kit_home / "params/2020/sites/carene/prose"
    assert sorted(p.stem for p in prose.glob("*.md")) == sorted(
        ["governance", "demand_service", "attribution_policy", "cotation", "flux", "perspectives"]
    )
    assert (prose / "cotation.md").read_text(encoding="utf-8").startswith("<!-- cotation — prose des consultants")
    assert not check_texts(load_edition(2020)).problems  # a scaffold is valid and renders to nothing


def _prose_fixture(slug: str) -> dict[str, str]:
    """Placeholder-bearing prose for one site, in every construct consultants use."""
    return {
        "governance": "<!-- consigne -->\nLa CIL de {{ site.name }} s'est réunie deux fois ; {{ site.short_name }} pilote.\n\n"
        "### Les instances\n\n- le comité technique ;\n- le comité de pilotage, *mensuel*.\n",
        "cotation": f'Cotation : {{{{ count("cotation.stage", ["started", "operational"]) }}}} sites '
        f'({{{{ sites("cotation.stage", "operational") | liste }}}}), échéance '
        f'{{{{ deadline("cotation") | date_longue }}}} — « {slug} ».\n',
        "flux": 'Pression : {{ figure("pressure") }} ; {{ n_sites | en_lettres }} sites observés en {{ edition.year }}.\n',
        "perspectives": "",
    }


def test_docx_round_trip_is_lossless_on_the_12_sites(kit_home: Path, tmp_path: Path) -> None:
    for slug in SLUGS:
        for theme, text in _prose_fixture(slug).items():
            write(kit_home, f"sites/{slug}/prose/{theme}.md", text)
    assert not check_texts(load_edition(2020)).problems
    for slug in SLUGS:
        docx = tmp_path / f"{slug}.docx"
        assert run("texts", "export", "2020", slug, str(docx)).exit_code == 0
        shutil.rmtree(kit_home / f"params/2020/sites/{slug}/prose")
        result = run("texts", "import", "2020", slug, str(docx), "--force")  # the files are gone: forced
        assert result.exit_code == 0, result.output
        for theme, text in _prose_fixture(slug).items():
            path = kit_home / f"params/2020/sites/{slug}/prose/{theme}.md"
            got = path.read_text(encoding="utf-8") if path.exists() else ""
            assert got == text.replace("<!-- consigne -->\n", ""), (slug, theme)  # byte for byte, comment aside


def test_import_keeps_the_files_guidance_comment_and_rewrites_nothing_unchanged(kit_home: Path, tmp_path: Path) -> None:
    for theme, text in _prose_fixture("mel").items():
        write(kit_home, f"sites/mel/prose/{theme}.md", text)
    docx = tmp_path / "mel.docx"
    run("texts", "export", "2020", "mel", str(docx))
    result = run("texts", "import", "2020", "mel", str(docx))
    assert "0 prose file(s) updated" in result.output
    assert (
        (kit_home / "params/2020/sites/mel/prose/governance.md")
        .read_text(encoding="utf-8")
        .startswith("<!-- consigne -->")
    )


def test_when_a_docx_section_is_wrong_then_import_names_the_heading_and_writes_nothing(
    kit_home: Path, tmp_path: Path
) -> None:
    from cohorte.report.prose import _pandoc

    docx = tmp_path / "bad.docx"
    good = "".join(
        f"# {t}\n\nTexte.\n\n"
        for t in (
            "Gouvernance",
            "Service au demandeur",
            "Politique d'attribution et objectifs",
            "Gestion en flux",
            "Perspectives",
        )
    )
    _pandoc(
        ["-f", "markdown", "-t", "docx", "-o", str(docx)],
        good + '# Cotation de la demande\n\n{{ figure("pression") }}\n',
    )
    before = sorted((kit_home / "params/2020/sites/mel").rglob("*"))
    result = run("texts", "import", "2020", "mel", str(docx))
    assert result.exit_code == 1
    assert "section « Cotation de la demande »" in result.output and "unknown indicator 'pression'" in result.output
    assert sorted((kit_home / "params/2020/sites/mel").rglob("*")) == before
    _pandoc(["-f", "markdown", "-t", "docx", "-o", str(docx)], good + "# Cotations\n\nx\n")
    result = run("texts", "import", "2020", "mel", str(docx))
    assert "heading « Cotations » is not a theme" in result.output


def test_when_a_body_is_named_in_a_sentence_then_its_article_elision_and_gender_are_its_own() -> None:
    from cohorte.editions import load_edition
    from cohorte.report.text import a_nom, accord, de_nom, nom

    edition = load_edition(2020)
    ems, carene, avignon, lorient, agglopolys = (
        edition.site(s)
        for s in ("eurometropole-strasbourg", "carene", "grand-avignon", "lorient-agglomeration", "agglopolys")
    )
    assert nom(ems, True) == "L'Eurométropole de Strasbourg" and nom(carene, True) == "La CARENE"
    assert nom(lorient, True) == "Lorient Agglomération"
    assert (
        de_nom(avignon) == "du Grand Avignon"
        and de_nom(agglopolys) == "d'Agglopolys"
        and de_nom(ems) == ("de l'Eurométropole de Strasbourg")
    )
    assert a_nom(avignon) == "au Grand Avignon" and a_nom(carene) == "à la CARENE"
    assert f"s'est doté{accord(carene)}" == "s'est dotée" and f"s'est doté{accord(avignon)}" == "s'est doté"
    assert edition.site("mel").name == "Métropole européenne de Lille (MEL)", "one spelling per name"
