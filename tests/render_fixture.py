"""Small notebooks executed by papermill in a real kernel, for the rendering and assembly tests.

Imported by tests/test_rendering.py, test_assembly.py and test_site_browser.py: one executed
« monograph » per site and one « synthesis », built once per test session.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from cohorte.editions import Edition

KEY_FIGURE = "18,4\u00a0%"
HEADINGS = ("Gouvernance et pilotage", "Service rendu aux demandeurs")
SITES = {"lorient-agglomeration": "Lorient Agglomération", "mel": "Métropole Européenne de Lille (MEL)"}


def kernel_name() -> str:
    from jupyter_client.kernelspec import KernelSpecManager

    names = KernelSpecManager().find_kernel_specs()
    return "cohorte" if "cohorte" in names else "python3"


def _code(source: str, tags: list[str] | None = None) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell(source)
    if tags:
        cell.metadata["tags"] = tags
    return cell


def monograph_notebook() -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [
        _code('site_name: str = "Site"  # nom du site\nis_demo: bool = True  # données fictives', ["parameters"]),
        _code(
            "import matplotlib.pyplot as plt\nimport pandas as pd\n"
            "from cohorte.report.display import demo_notice, show_figure, show_markdown, show_table"
        ),
        _code('show_markdown(f"# {site_name}")'),
        _code("demo_notice(is_demo)"),
        nbformat.v4.new_markdown_cell(
            f"## {HEADINGS[0]}\n\nLa conférence intercommunale du logement (CIL) a été installée en 2016 ; "
            "le « document-cadre » fixe les orientations d'attribution.\n\n"
            "- la convention intercommunale d'attribution est adoptée ;\n- le PPGDID est en cours."
        ),
        _code(
            f"show_markdown(\"Le taux d'attributions hors QPV au premier quartile atteint **{KEY_FIGURE}** "
            'pour un objectif légal de 25\u00a0%.")\nprint("trace de débogage")'
        ),
        _code(
            'table = pd.DataFrame({"Indicateur": ["Demandes actives", "Attributions", "Pression"],\n'
            '                      "Valeur": ["12\u00a0480", "1\u00a0905", "6,6"]})\n'
            'show_table(table, caption="Indicateurs clés de la demande")'
        ),
        nbformat.v4.new_markdown_cell(
            f"## {HEADINGS[1]}\n\nLe service d'accueil et d'information des demandeurs (SAID) "
            "s'appuie sur un réseau de lieux labellisés."
        ),
        _code(
            'fig, ax = plt.subplots(figsize=(6, 3))\nax.bar(["2018", "2019", "2020"], [15.2, 16.9, 18.4], color="#1f3a5f")\n'
            'ax.set_ylabel("%")\nshow_figure(fig, alt="Taux Q1 hors QPV de 2018 à 2020", caption="Évolution du taux Q1 hors QPV")'
        ),
        _code(
            'plt.figure(figsize=(5, 2.5))\nplt.plot([1, 2, 3], [3, 1, 2])\nplt.title("Figure affichée par le backend inline")\nplt.show()'
        ),
    ]
    return nb


def synthesis_notebook() -> nbformat.NotebookNode:
    nb = monograph_notebook()
    nb.cells[2] = _code('show_markdown("# Synthèse de l\'édition")')
    nb.cells.insert(3, nbformat.v4.new_markdown_cell("## En synthèse\n\nDouze sites observés ; la cotation progresse."))
    return nb


def execute(nb: nbformat.NotebookNode, path: Path, parameters: dict) -> Path:
    import papermill

    src = path.with_name(path.stem + "-source.ipynb")
    nbformat.write(nb, str(src))
    env_root = Path(__file__).resolve().parents[1]
    papermill.execute_notebook(
        str(src), str(path), parameters=parameters, kernel_name=kernel_name(), cwd=str(env_root), progress_bar=False
    )
    return path


def edition(tmp: Path) -> Edition:
    sites = [
        {
            "slug": slug,
            "name": name,
            "short_name": name.split(" ")[0],
            "region": "Bretagne",
            "departement": "56",
            "communes": 25,
            "population_2017": 204107,
        }
        for slug, name in SITES.items()
    ]
    return Edition.model_validate(
        {
            "edition": 2020,
            "title": "La réforme des attributions de logements sociaux",
            "subtitle": "Observation de deux sites — Édition 2020",
            "publisher": "Observatoire cohorte",
            "fieldwork": "entretiens de septembre 2020 à février 2021",
            "reference_date": "2020-12-31",
            "sites": sites,
        }
    )


_EXECUTED: dict[str, Path] = {}


@pytest.fixture(scope="session")
def executed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """``{"synthesis": path, SLUG: path, ...}`` of notebooks executed by papermill.

    Imported by several test modules (each gets its own fixture definition), so the kernel runs
    are memoised here: once per session.
    """
    if _EXECUTED:
        return dict(_EXECUTED)
    folder = tmp_path_factory.mktemp("executed")
    paths = {"synthesis": execute(synthesis_notebook(), folder / "synthesis.ipynb", {"site_name": "Synthèse"})}
    for slug, name in SITES.items():
        paths[slug] = execute(monograph_notebook(), folder / f"{slug}.ipynb", {"site_name": name})
    _EXECUTED.update(paths)
    return paths
