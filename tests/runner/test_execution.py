"""Execution's bookkeeping: parameters checked before any kernel, the manifest recording what ran,
up-to-date checks, and failures kept aside — with real papermill kernels on tiny notebooks."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import nbformat
import pytest
from click.testing import CliRunner

from cohorte import config
from cohorte.cli import main
from cohorte.errors import ParamsError
from cohorte.report import parameters
from cohorte.runner.execution import run_jobs
from cohorte.runner.plan import Cohort, NotebookJob
from cohorte.store.manifest import read_manifest
from render_fixture import kernel_name


class TinyParameters(parameters.NotebookParameters):
    value: int = 1
    output_dir: str = ""


@pytest.fixture
def tiny_notebook(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A two-cell notebook that writes ``value`` to a product file, or fails when ``value`` is 0."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": kernel_name(), "display_name": "k", "language": "python"}
    params = nbformat.v4.new_code_cell('value: int = 1\noutput_dir: str = ""')
    params.metadata["tags"] = ["parameters"]
    nb.cells = [
        params,
        nbformat.v4.new_code_cell(
            "from pathlib import Path\nassert value != 0, 'value must not be 0'\n(Path(output_dir) / 'product.txt').write_text(str(value))"
        ),
    ]
    path = tmp_path / "tiny.ipynb"
    nbformat.write(nb, path)
    monkeypatch.setitem(parameters.PARAMETERS, "tiny.ipynb", TinyParameters)
    return path


def job(notebook: Path, folder: Path, value: int) -> NotebookJob:
    return NotebookJob(
        "sites/tiny",
        notebook,
        folder / "out.ipynb",
        {"value": value, "output_dir": str(folder)},
        reads={"grid": "abc"},
        products=(folder / "product.txt",),
    )


@pytest.mark.slow  # starts kernels
def test_when_a_job_runs_then_the_manifest_records_its_outputs_relative_to_the_edition(
    tiny_notebook: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "sites" / "tiny"
    manifest = read_manifest(tmp_path / "manifest.json")
    [result] = run_jobs([job(tiny_notebook, folder, 3)], manifest, workers=1)
    assert result.status == "executed", result.error
    entry = manifest.notebooks["sites/tiny"]
    assert set(entry.outputs) == {"sites/tiny/out.ipynb", "sites/tiny/product.txt"}
    assert entry.sources == {"grid": "abc"} and entry.details["parameters"]["value"] == 3
    assert nbformat.read(folder / "out.ipynb", as_version=4).metadata.cohorte.job == "sites/tiny"


@pytest.mark.slow  # starts kernels
def test_when_nothing_changed_then_the_job_is_unchanged_and_a_damaged_product_reruns_it(
    tiny_notebook: Path, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    folder = tmp_path / "sites" / "tiny"
    manifest = read_manifest(tmp_path / "manifest.json")
    run_jobs([job(tiny_notebook, folder, 3)], manifest, workers=1)
    assert [r.status for r in run_jobs([job(tiny_notebook, folder, 3)], manifest, workers=1)] == ["unchanged"]
    (folder / "product.txt").write_text("33")
    assert [r.status for r in run_jobs([job(tiny_notebook, folder, 3)], manifest, workers=1)] == ["executed"]
    assert (
        "sites/tiny/product.txt differs from the file the build recorded (content hash changed): re-making it"
        in capsys.readouterr().out
    )
    assert (folder / "product.txt").read_text() == "3"
    assert [r.status for r in run_jobs([job(tiny_notebook, folder, 4)], manifest, workers=1)] == ["executed"]


@pytest.mark.slow  # starts kernels
def test_when_a_job_fails_then_its_last_good_notebook_stays_and_its_products_are_marked_stale(
    tiny_notebook: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "sites" / "tiny"
    manifest = read_manifest(tmp_path / "manifest.json")
    run_jobs([job(tiny_notebook, folder, 3)], manifest, workers=1)
    good = (folder / "out.ipynb").read_bytes()
    [result] = run_jobs([job(tiny_notebook, folder, 0)], manifest, workers=1)
    assert result.status == "failed"
    assert "cell 2 raised AssertionError: value must not be 0" in result.error  # after papermill's injected cell
    assert (folder / "out.ipynb").read_bytes() == good
    assert (folder / "out.failed.ipynb").exists()
    assert not (folder / "product.txt").exists() and (folder / "product.stale.txt").read_text() == "3"
    assert "sites/tiny" not in manifest.notebooks


def test_when_a_parameter_is_missing_unknown_or_mistyped_then_no_kernel_starts(
    tiny_notebook: Path, tmp_path: Path
) -> None:
    bad = NotebookJob("sites/tiny", tiny_notebook, tmp_path / "out.ipynb", {"value": "3", "sitee": "x"})
    with pytest.raises(ParamsError) as caught:
        run_jobs([bad], read_manifest(tmp_path / "manifest.json"), workers=1)
    assert str(caught.value).splitlines() == [
        "tiny.ipynb: unknown parameter(s) sitee; the notebook declares value, output_dir",
        "tiny.ipynb: parameter 'output_dir' is missing",
        "tiny.ipynb: parameter 'value' must be int, got str '3'",
    ]
    assert not list(tmp_path.glob("out.*")), "a kernel ran"


def test_when_the_build_gives_a_notebook_a_wrongly_typed_value_then_the_cli_names_notebook_and_key(
    kit_home: Path, tiny_data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = Cohort.monograph

    def with_a_string_edition(
        self, edition, slug, formats
    ):  # a build whose parameters drifted from the notebook's model
        job = real(self, edition, slug, formats)
        return dataclasses.replace(job, parameters={**job.parameters, "edition": str(job.parameters["edition"])})

    monkeypatch.setattr(Cohort, "monograph", with_a_string_edition)
    result = CliRunner().invoke(
        main, ["build", "2020", "--data", str(tiny_data), "--sites", "mel", "--formats", "html"]
    )
    assert result.exit_code == 1
    assert "Error: monograph.ipynb: parameter 'edition' must be int, got str '2020'" in result.output
    assert not (config.site_output_dir(2020, "mel") / config.MONOGRAPH_NOTEBOOK).exists()
    assert "Traceback" not in result.output
