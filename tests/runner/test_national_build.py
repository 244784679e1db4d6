"""``cohorte build`` of a national edition: fiches and national synthesis, on either executor."""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
import pandas as pd
import pytest
import yaml

from cohorte import config
from cohorte.editions import load_edition
from cohorte.errors import InputDataError, ParamsError
from cohorte.reference.plh import national_sites
from cohorte.runner.execution import _is_kernel_start_failure, run_job
from cohorte.runner.executors import LocalExecutor, make_executor
from cohorte.runner.pipeline import BuildOptions, build_edition
from cohorte.runner.plan import NotebookJob

SLUGS = ("ca-lorient-agglomeration", "ca-de-blois-agglopolys", "cc-du-pays-de-pontchateau-st-gildas-des-bois")


@pytest.fixture
def national_home(kit_home: Path) -> Path:
    """A national edition of three EPCI of the referential, shrunk so that a build takes seconds."""
    raw = yaml.safe_load((kit_home / "params" / "national-2020" / "edition.yml").read_text(encoding="utf-8"))
    raw.pop("sites_from"), raw.pop("add_sirens")
    raw["sites"] = [{**s, "population_2017": 15_000} for s in national_sites() if s["slug"] in SLUGS]
    (kit_home / "params" / "national-2020" / "edition.yml").write_text(
        yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8"
    )
    return kit_home


def _statuses(report) -> dict[str, str]:
    return {r.name: r.status for r in report.notebooks}


@pytest.mark.slow
def test_when_a_national_edition_is_built_then_every_fiche_the_synthesis_and_its_csv_are_written(national_home: Path):
    edition = load_edition("national-2020")
    report = build_edition(edition.edition, BuildOptions(jobs=2, formats="html"))
    assert report.ok, report.failures
    assert _statuses(report) == {"national": "executed", **{f"sites/{s}": "executed" for s in SLUGS}}
    for slug in SLUGS:
        assert config.fiche_base(edition.edition, slug).with_suffix(".html").stat().st_size > 10_000
    table = pd.read_csv(config.national_output_dir(edition.edition) / config.NATIONAL_CSV)
    assert sorted(table["site"]) == sorted(SLUGS)
    assert table["q1_outside_qpv"].notna().all()
    html = config.fiche_base(edition.edition, SLUGS[0]).with_suffix(".html").read_text(encoding="utf-8")
    assert "Médiane nationale" in html and "sur 3" in html
    timings = next(r.timings for r in report.notebooks if r.name == f"sites/{SLUGS[0]}")
    assert timings["cells"] > 0 and timings["render"] > 0 and timings["overhead"] > 0

    again = build_edition(edition.edition, BuildOptions(jobs=2, formats="html"))
    assert set(_statuses(again).values()) == {"unchanged"}


@pytest.mark.slow
def test_when_an_input_cell_is_bad_then_the_build_says_which_file_column_and_line_as_before(national_home: Path):
    """The preparation runs in a child process; its error reaches the user as a whole read's would."""
    from click.testing import CliRunner

    from cohorte.cli import main
    from cohorte.inputs.demo import ensure_demo_data

    edition = load_edition("national-2020")
    stock = ensure_demo_data(edition) / "housing_stock.csv"
    frame = pd.read_csv(stock, dtype=str, keep_default_na=False)
    row = int(frame.index[frame["epci"] == frame["epci"].iloc[-1]][3])
    frame.loc[row, "monthly_rent_eur"] = "cher"
    frame.to_csv(stock, index=False)
    problem = f"{stock}: column 'monthly_rent_eur': expected a number; found at line {row + 2} ('cher')"
    with pytest.raises(InputDataError) as caught:
        build_edition(edition.edition, BuildOptions(formats="html"))
    assert caught.value.problems == [problem]
    result = CliRunner().invoke(main, ["build", "national-2020", "--formats", "html"])
    assert result.exit_code == 1
    assert f"Error: {problem}" in result.output and "Traceback" not in result.output


def test_when_a_national_build_asks_for_docx_in_any_order_then_error_says_html_and_pdf(national_home: Path):
    with pytest.raises(ParamsError, match=r"format\(s\) docx not made for a national edition: choose among html, pdf"):
        build_edition("national-2020", BuildOptions(formats="html,pdf,docx"))


def _notebook(tmp_path: Path, source: str) -> Path:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source)])
    nb.metadata["kernelspec"] = {"name": "cohorte", "display_name": "cohorte", "language": "python"}
    path = tmp_path / "probe.ipynb"
    nbformat.write(nb, path)
    return path


@pytest.mark.slow
def test_when_two_notebooks_run_in_one_worker_then_the_second_kernel_starts_clean(tmp_path: Path):
    probe = _notebook(tmp_path, "assert 'LEAK' not in globals(), 'state of the previous site'\nLEAK = 1")
    jobs = [NotebookJob(f"sites/{i}", probe, tmp_path / str(i) / "probe.ipynb", {}) for i in range(2)]
    results = list(LocalExecutor(1).run(run_job, jobs, "test"))
    assert [r.status for r in results] == ["executed", "executed"], [r.error for r in results]
    assert len({r.worker for r in results}) == 1  # the same worker process ran both (its second kernel started ahead)
    for i in range(2):
        cell = nbformat.read(tmp_path / str(i) / "probe.ipynb", as_version=4).cells[0]
        assert cell.execution_count == 1  # the warm kernel's imports left no trace in the history


@pytest.mark.slow
def test_when_a_cell_outlives_the_timeout_then_the_job_fails_naming_the_cell(tmp_path: Path):
    slow = _notebook(tmp_path, "import time\ntime.sleep(30)")
    result = run_job(NotebookJob("sites/slow", slow, tmp_path / "out" / "probe.ipynb", {}, timeout=2), "test")
    assert result.status == "failed"
    assert "Timeout" in result.error or "timed out" in result.error
    assert (tmp_path / "out" / "probe.failed.ipynb").exists() or not (tmp_path / "out" / "probe.ipynb").exists()


def test_a_kernel_that_died_before_replying_is_a_start_failure_and_a_failing_cell_is_not():
    import papermill

    assert _is_kernel_start_failure(RuntimeError("Kernel died before replying to kernel_info"))
    assert not _is_kernel_start_failure(papermill.PapermillExecutionError(2, 1, "boom", "ValueError", "boom", []))


def test_when_the_executor_is_unknown_or_scheduler_without_dask_then_error_says_which():
    with pytest.raises(ParamsError, match="unknown executor 'spark'"):
        make_executor("spark")
    with pytest.raises(ParamsError, match="--scheduler is for --executor dask"):
        make_executor("local", 1, "tcp://127.0.0.1:8786")


@pytest.mark.slow
def test_when_built_on_a_dask_local_cluster_then_fiches_are_those_of_the_local_engine(national_home: Path):
    edition = load_edition("national-2020")
    local = build_edition(edition.edition, BuildOptions(jobs=2, formats="html"))
    assert local.ok, local.failures
    csv = (config.national_output_dir(edition.edition) / config.NATIONAL_CSV).read_bytes()
    report = build_edition(edition.edition, BuildOptions(jobs=2, formats="html", executor="dask", force=True))
    assert report.ok, report.failures
    assert set(_statuses(report).values()) == {"executed"}
    assert len({r.worker for r in report.notebooks}) == 2  # both worker processes took jobs
    assert all(r.worker.split(":")[1] != str(os.getpid()) for r in report.notebooks)
    assert (config.national_output_dir(edition.edition) / config.NATIONAL_CSV).read_bytes() == csv


def test_cli_build_with_a_scheduler_but_the_local_executor_is_a_plain_error(national_home: Path):
    from click.testing import CliRunner

    from cohorte.cli import main

    result = CliRunner().invoke(
        main, ["build", "national-2020", "--formats", "html", "--scheduler", "tcp://127.0.0.1:1"]
    )
    assert result.exit_code == 1
    assert "Error: --scheduler is for --executor dask" in result.output
