"""Through a real build: an edition's overriding template, a site's prose and an authored synthesis part
change the built documents with no Python touched (slow: real kernels and pandoc)."""

from __future__ import annotations

import html
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO

pytestmark = pytest.mark.slow
COHORTE = str(Path(sys.executable).with_name("cohorte"))


def read(path: Path) -> str:
    """The page's text with pandoc's typography undone (curly apostrophes, no-break spaces, entities)."""
    return html.unescape(path.read_text(encoding="utf-8")).replace("\u2019", "'").replace("\u00a0", " ")


def cohorte(home: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [COHORTE, *args], env={**os.environ, "COHORTE_HOME": str(home)}, capture_output=True, text=True, timeout=1800
    )


def test_when_texts_change_then_the_built_documents_change_with_no_python_touched(tmp_path: Path) -> None:
    shutil.copytree(REPO / "params", tmp_path / "params")
    edition = tmp_path / "params" / "2020"
    (edition / "text/monograph/figures").mkdir(parents=True)
    (edition / "text/monograph/figures/poulidors.md").write_text(
        "{% if count is none %}Pas de chiffre.{% else %}Phrase de l'édition : {{ count | entier }} ménages.{% endif %}\n",
        encoding="utf-8",
    )
    (edition / "sites/mel/prose").mkdir(parents=True, exist_ok=True)
    (edition / "sites/mel/prose/cotation.md").write_text(
        "<!-- consigne -->\nProse des consultants : {{ site.short_name }} et {{ n_sites }} sites.\n", encoding="utf-8"
    )
    (edition / "synthesis").mkdir(exist_ok=True)
    (edition / "synthesis/00-en-synthese.md").write_text(
        "# En synthèse\n\nTexte écrit par l'édition sur {{ n_sites | en_lettres }} sites.\n\n"
        '::: {.encadre title="Encadré de l\'édition"}\nSon contenu.\n:::\n',
        encoding="utf-8",
    )
    result = cohorte(tmp_path, "build", "2020", "--sites", "mel", "--formats", "html", "--jobs", "1")
    assert result.returncode == 0, result.stdout + result.stderr
    out = tmp_path / "outputs" / "2020"
    monograph = read(out / "sites/mel/monograph.html")
    assert "Phrase de l'édition :" in monograph and "ménages." in monograph
    assert "Prose des consultants : MEL et 12 sites." in monograph and "consigne" not in monograph
    synthesis = read(out / "synthese-2020.html")
    assert "Texte écrit par l'édition sur douze sites." in synthesis
    assert "Encadré de l'édition" in synthesis and 'class="callout' in synthesis
    assert "Annexe : définition des indicateurs" in synthesis
