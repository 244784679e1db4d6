"""Edition over edition, end to end: 2020 then the 2021 demonstration built on two sites through the
real CLI (real kernels, pandoc), then ``cohorte compare 2020 2021``. Slow."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from html import unescape
from pathlib import Path

import pandas as pd
import pytest

from conftest import REPO

pytestmark = pytest.mark.slow
COHORTE = str(Path(sys.executable).with_name("cohorte"))
SITES = "caen-la-mer,grandangouleme"


def cohorte(home: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "COHORTE_HOME": str(home)}
    return subprocess.run([COHORTE, *args], env=env, capture_output=True, text=True, timeout=1800)


def text_of(path: Path) -> str:
    html = re.sub(r"<(script|style).*?</\1>", " ", path.read_text(encoding="utf-8"), flags=re.S)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("editions")
    shutil.copytree(REPO / "params", root / "params")
    for edition in ("2020", "2021"):
        done = cohorte(root, "build", edition, "--sites", SITES, "--jobs", "1", "--formats", "html")
        assert done.returncode == 0, done.stdout + done.stderr
    return root


def test_when_2021_is_built_before_2020_then_the_build_says_to_build_2020_first(tmp_path: Path) -> None:
    shutil.copytree(REPO / "params", tmp_path / "params")
    done = cohorte(tmp_path, "build", "2021", "--sites", SITES, "--formats", "html")
    assert done.returncode == 1
    assert "edition 2020 has not been built" in done.stderr and "cohorte build 2020" in done.stderr


def test_when_2021_follows_2020_then_a_monograph_shows_its_transitions_and_indicator_changes(home: Path) -> None:
    text = text_of(home / "outputs/2021/sites/caen-la-mer/monograph.html")
    assert "Ce qui a changé depuis l’édition 2020" in text or "Ce qui a changé depuis l'édition 2020" in text
    assert "Cotation : des principes posés à une mise en œuvre engagée." in text
    assert "Demandes actives au 31/12" in text and "Évolution" in text
    assert "Observations fictives" in text and "31 décembre 2021" in text
    figures = json.loads((home / "outputs/2021/sites/caen-la-mer/key_figures.json").read_text(encoding="utf-8"))
    build = figures["comparison"]["previous_build"]
    assert build["edition"] == 2020 and len(build["key_figures_sha256"]["caen-la-mer"]) == 64


def test_when_2021_follows_2020_then_the_synthesis_shows_the_transition_table_and_the_renewal(home: Path) -> None:
    text = text_of(home / "outputs/2021/site/index.html")
    assert "Transitions entre éditions" in text
    assert "Agglopolys a quitté la cohorte après l’édition 2020" in text.replace("'", "’")
    assert "Le Territoire de démonstration rejoint la cohorte à l’édition 2021" in text.replace("'", "’")
    assert "Caen la Mer — Cotation : des principes posés à une mise en œuvre engagée." in text
    assert "Observations fictives" in text


def test_when_the_2020_edition_is_built_then_it_says_nothing_of_fictitious_observations(home: Path) -> None:
    text = text_of(home / "outputs/2020/sites/caen-la-mer/monograph.html")
    assert "Observations fictives" not in text and "Ce qui a changé" not in text


def test_when_compare_runs_then_its_csv_is_the_tidy_table_with_both_builds(home: Path, tmp_path: Path) -> None:
    out = tmp_path / "changes.csv"
    done = cohorte(home, "compare", "2020", "2021", "--out", str(out))
    assert done.returncode == 0, done.stderr
    table = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert list(table.columns) == [
        "site",
        "theme",
        "field",
        "breakdown",
        "before",
        "after",
        "change",
        "before_build",
        "after_build",
    ]
    assert set(table["site"]) == {"caen-la-mer", "grandangouleme"}
    stage = table[(table["site"] == "caen-la-mer") & (table["theme"] == "cotation") & (table["field"] == "stage")].iloc[
        0
    ]
    assert (stage["before"], stage["after"], stage["change"]) == ("principles", "started", "advanced")
    demands = table[(table["site"] == "caen-la-mer") & (table["field"] == "active_demands")].iloc[0]
    assert float(demands["after"]) - float(demands["before"]) == pytest.approx(float(demands["change"]))
    from cohorte.files import sha256_file

    assert set(table["before_build"]) == {sha256_file(home / "outputs/2020/manifest.json")}
    assert set(table["after_build"]) == {sha256_file(home / "outputs/2021/manifest.json")}
    assert "builds compared: edition 2020 manifest" in done.stdout
