"""Notebook hygiene and the papermill CLI: the notebooks run as a user would run them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from cohorte import config
from conftest import REPO

NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))
PAPERMILL = str(Path(sys.executable).with_name("papermill"))


def test_the_kit_ships_its_four_notebooks() -> None:
    """Cohort editions: a monograph per site and the synthesis; national editions: a fiche per EPCI and the national synthesis."""
    assert [p.name for p in NOTEBOOKS] == ["fiche.ipynb", "monograph.ipynb", "national.ipynb", "synthesis.ipynb"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_committed_clean_with_one_parameters_cell_and_the_kit_kernel(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(not c.outputs and c.execution_count is None for c in code), "outputs are committed"
    assert sum("parameters" in c.metadata.get("tags", []) for c in nb.cells) == 1
    assert "parameters" in code[0].metadata["tags"], "the parameters cell comes first"
    assert nb.metadata.kernelspec.name == "cohorte"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_thin_and_hides_its_code(path: Path) -> None:
    for cell in nbformat.read(path, as_version=4).cells:
        if cell.cell_type != "code":
            continue
        assert cell.source.startswith("#| echo: false"), "Quarto must hide every code cell"
        assert "remove-input" in cell.metadata["tags"], "the built-in engine hides tagged inputs"
        lines = [line for line in cell.source.splitlines() if line.strip()]
        assert not any(line.lstrip().startswith(("def ", "class ", "import matplotlib")) for line in lines)
        assert "lambda" not in cell.source and len(lines) <= 15, "logic belongs in src/cohorte/"


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_papermill_documents_every_parameter(path: Path) -> None:
    result = subprocess.run([PAPERMILL, "--help-notebook", str(path)], capture_output=True, text=True, check=True)
    expected = {
        "monograph": ("edition: int (default 2020)", "site: str", "prepared_dir: str", "output_dir: str"),
        "synthesis": ("edition: int (default 2020)", "sites_dir: str", "output_dir: str"),
        "fiche": ('edition: str (default "national-2020")', "site: str", "prepared_dir: str", "national_file: str"),
        "national": ('edition: str (default "national-2020")', "national_file: str", "output_dir: str"),
    }[path.stem]
    for name in expected:
        assert name in result.stdout


def papermill(home: Path, out: Path, *params: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "COHORTE_HOME": str(home)}
    args = [a for pair in zip(["-p"] * (len(params) // 2), params[::2], params[1::2], strict=True) for a in pair]
    return subprocess.run(
        [PAPERMILL, str(REPO / "notebooks" / "monograph.ipynb"), str(out), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=900,
    )


@pytest.mark.slow
def test_when_no_input_data_then_the_monograph_says_what_to_run_and_generates_nothing(
    kit_home: Path, tmp_path: Path
) -> None:
    result = papermill(kit_home, tmp_path / "carene.ipynb", "site", "carene", "output_dir", str(tmp_path))
    assert result.returncode != 0
    assert (
        "no input data for edition 2020; run `cohorte demo-data 2020` for demo data, or set data_dir" in result.stderr
    )
    assert not (kit_home / "data").exists(), "the notebook generated data"


@pytest.mark.slow
def test_papermill_cli_with_defaults_reads_the_slice_the_build_uses_and_gives_the_same_key_figures(
    kit_home: Path, tmp_path: Path
) -> None:
    env = {**os.environ, "COHORTE_HOME": str(kit_home)}
    cohorte = str(Path(sys.executable).with_name("cohorte"))
    subprocess.run([cohorte, "demo-data", "2020"], env=env, check=True, capture_output=True)
    out = tmp_path / "carene.ipynb"
    result = papermill(kit_home, out, "site", "carene", "output_dir", str(tmp_path))
    assert result.returncode == 0, result.stderr[-3000:]
    nb = nbformat.read(out, as_version=4)
    assert nb.metadata.papermill.parameters == {"site": "carene", "output_dir": str(tmp_path)}
    shown = "\n".join(o.get("data", {}).get("text/markdown", "") for c in nb.cells for o in c.get("outputs", []))
    assert "Communauté d'agglomération de la Région Nazairienne" in shown
    assert "Données fictives" in shown
    assert (kit_home / "outputs" / "2020" / "sites" / "carene" / "prepared" / config.PREPARED_FILE).exists()

    build = subprocess.run(
        [cohorte, "build", "2020", "--sites", "carene", "--formats", "html"],
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    assert build.returncode == 0, build.stdout + build.stderr
    assert "computing the indicators" not in build.stdout, "the build did not reuse the notebook's preparation"
    by_build = json.loads(
        (kit_home / "outputs" / "2020" / "sites" / "carene" / config.KEY_FIGURES_FILE).read_text(encoding="utf-8")
    )
    by_papermill = json.loads((tmp_path / config.KEY_FIGURES_FILE).read_text(encoding="utf-8"))
    assert by_papermill == by_build


def test_when_the_kit_kernel_is_not_registered_then_the_build_says_how_to_register_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from jupyter_client.kernelspec import KernelSpecManager

    from cohorte.errors import ParamsError
    from cohorte.runner.execution import check_kernel

    monkeypatch.setattr(KernelSpecManager, "find_kernel_specs", lambda self: {"python3": "/somewhere"})
    with pytest.raises(ParamsError, match=r"kernel 'cohorte' is not registered; run `make install`"):
        check_kernel()
