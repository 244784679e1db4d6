"""The whole 2020 demo edition built through the real CLI: notebooks in real kernels, real pandoc
and typst, the site in headless chromium, PDFs through poppler. Built once per module (slow)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from browser import IMAGES_OK, axe_violations, scrolls_horizontally
from conftest import REPO

pytestmark = pytest.mark.slow
COHORTE = str(Path(sys.executable).with_name("cohorte"))
SLUGS = [
    "agglopolys",
    "caen-la-mer",
    "clermont-auvergne-metropole",
    "coeur-d-essonne",
    "carene",
    "eurometropole-strasbourg",
    "grandangouleme",
    "grand-avignon",
    "grand-besancon",
    "lorient-agglomeration",
    "mel",
    "montpellier-mediterranee-metropole",
]
ARTIFACTS = Path(__file__).parents[1] / "artifacts"


def cohorte(home: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "COHORTE_HOME": str(home)}
    return subprocess.run([COHORTE, *args], env=env, capture_output=True, text=True, timeout=1800)


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("edition")
    shutil.copytree(REPO / "params", root / "params")
    return root


@pytest.fixture(scope="module")
def first_build(home: Path) -> subprocess.CompletedProcess:
    return cohorte(home, "build", "2020")


@pytest.fixture(scope="module")
def out(home: Path, first_build: subprocess.CompletedProcess) -> Path:
    assert first_build.returncode == 0, first_build.stdout + first_build.stderr
    return home / "outputs" / "2020"


def test_when_no_data_is_configured_then_the_build_generates_the_demo_data(home: Path, first_build) -> None:
    assert "generating" in first_build.stdout
    assert (home / "data" / "2020-demo" / "demands.csv").exists()
    assert "13 notebook(s) executed, 0 unchanged, 0 failed" in first_build.stdout
    assert "données fictives" in first_build.stdout


def test_every_site_has_its_monograph_in_every_format(out: Path) -> None:
    for slug in SLUGS:
        folder = out / "sites" / slug
        for name in ("monograph.ipynb", "key_figures.json", "monograph.html", "monograph.pdf", "monograph.docx"):
            assert (folder / name).stat().st_size > 0, f"{slug}/{name}"
    for ext in ("html", "pdf", "docx"):
        assert (out / f"synthese-2020.{ext}").exists()
    assert (out / "site" / "index.html").exists()
    assert (out / "book" / "_quarto.yml").exists()


def test_executed_notebooks_carry_parameters_and_provenance(out: Path) -> None:
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    for slug in SLUGS:
        path = out / "sites" / slug / "monograph.ipynb"
        nb = nbformat.read(path, as_version=4)
        assert nb.metadata.papermill.parameters["site"] == slug
        stamp = nb.metadata.cohorte
        assert (
            stamp.kit_version
            and stamp.git_commit
            and set(stamp.sources) == {"edition.yml", "texts", "grid", "data_slice", "prose", "cohort_grids"}
        )
        entry = manifest["notebooks"][f"sites/{slug}"]
        from cohorte.files import sha256_file

        assert entry["outputs"][f"sites/{slug}/monograph.ipynb"] == sha256_file(path)
        assert entry["fingerprint"] == stamp.fingerprint
    assert set(manifest["prepared"]["indicators"]["sources"]) >= {"demands.csv", "attributions.csv"}
    assert "synthesis" in manifest["notebooks"] and len(manifest["renders"]) == 13


def test_no_code_and_no_error_in_any_executed_notebook(out: Path) -> None:
    for path in out.rglob("*.ipynb"):
        if "book" in path.parts:
            continue
        for cell in nbformat.read(path, as_version=4).cells:
            for output in cell.get("outputs", []):
                assert output["output_type"] != "error", f"{path}: {output.get('evalue')}"


def test_published_counts_respect_the_disclosure_threshold(out: Path) -> None:
    from cohorte.indicators import INDICATORS

    for slug in SLUGS:
        figures = json.loads((out / "sites" / slug / "key_figures.json").read_text(encoding="utf-8"))
        assert figures["schema_version"] == 1 and figures["demo_data"] is True
        for row in figures["indicators"]:
            unit = INDICATORS[row["indicator"]].unit
            for column in ("numerator", "denominator") + (("value",) if unit == "nombre" else ()):
                count = row[column]
                assert count is None or count == 0 or count >= 5, f"{slug} {row['indicator']} {column}={count}"
    table = pd.read_csv(out / "synthesis" / "tables" / "indicators.csv")
    counts = table[table["indicator"].map(lambda i: INDICATORS[i].unit == "nombre")]["value"].dropna()
    assert not ((counts > 0) & (counts < 5)).any(), "the synthesis table publishes a small count"


def test_no_row_level_identifier_leaves_the_kit(home: Path, out: Path) -> None:
    from cohorte.editions import load_edition
    from cohorte.inputs.readers import load_inputs

    inputs = load_inputs(load_edition(2020), home / "data" / "2020-demo")  # through the demo's layouts
    demands, stock = inputs.demands["demand_id"], inputs.housing_stock["dwelling_id"]
    pattern = re.compile(r"\b\d{3}\d{4}\d{5,10}[A-Z]\b")
    sample = set(demands.sample(200, random_state=1)) | set(stock.sample(200, random_state=1))
    for path in out.rglob("*"):
        if path.suffix not in (".csv", ".json", ".html", ".ipynb", ".yml"):
            continue
        text = path.read_text(encoding="utf-8", errors="ignore")
        assert not pattern.search(text), f"{path}: a demand id"
        assert not any(ident in text for ident in sample), f"{path}: a row identifier"


def test_synthesis_counts_come_from_the_grids(out: Path) -> None:
    tables = out / "synthesis" / "tables"
    sites = pd.read_csv(tables / "sites.csv")
    assert list(sites.columns) == ["site", "name", "region", "communes", "population", "fictitious"]
    assert len(sites) == 12 and sites["population"].sum() == 3_856_795
    indicators = pd.read_csv(tables / "indicators.csv")
    assert {"site", "indicator", "value", "target", "met"} <= set(indicators.columns)
    observations = pd.read_csv(tables / "observations.csv", dtype=str)
    assert list(observations.columns) == ["site", "theme", "field", "value"]
    from cohorte.grids import coded_fields

    assert len(observations) == 12 * len(coded_fields())
    from cohorte.editions import load_edition
    from cohorte.report.formatting import join_fr

    short = {s.slug: s.short_name for s in load_edition(2020).sites}

    def named(field: str, value: str) -> str:
        chosen = observations[observations["field"].eq(field) & observations["value"].eq(value)]["site"]
        return join_fr([short[s] for s in short if s in set(chosen)])

    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", (out / "synthese-2020.html").read_text(encoding="utf-8")))
    shared = observations["field"].eq("demand_register") & observations["value"].eq("shared_file")
    assert f"fichier partagé {shared.sum()} {named('demand_register', 'shared_file')}" in text  # the table's row
    operational = observations["field"].eq("stage") & observations["value"].eq("operational")
    assert f"opérationnelle {operational.sum()} {named('stage', 'operational')}" in text  # the stages table's row


def test_the_2020_build_states_the_deadlines_in_force_in_2020_and_the_legal_targets(out: Path) -> None:
    """1 September 2021 for cotation and 24 November 2021 for flux (not 2023); EMS, whose cotation works
    since 2017, is not told the law imposes one; no demo threshold is « fixé par arrêté »."""
    import json

    for slug in ("lorient-agglomeration", "eurometropole-strasbourg"):
        figures = json.loads((out / "sites" / slug / "key_figures.json").read_text(encoding="utf-8"))
        text = " ".join(figures["sentences"].values()).replace("\u00a0", " ")
        assert "1er septembre 2021" in text and "24 novembre 2021" in text and "2023" not in text
        assert "fixé par arrêté" not in text
        assert figures["demo_data"] is True and figures["facts"]["q1_threshold"]["origin"] in (
            "fictitious",
            "estimated",
        )
    ems = json.loads((out / "sites" / "eurometropole-strasbourg" / "key_figures.json").read_text(encoding="utf-8"))
    assert ems["sentences"]["cotation_deadline"].startswith(
        "Un système de cotation de la demande fonctionne sur le site depuis 2017"
    )
    assert ems["facts"]["cotation"]["status"] == "illustrative"
    html = (out / "sites" / "lorient-agglomeration" / "monograph.html").read_text(encoding="utf-8")
    assert "2023" not in re.sub(r"<[^>]+>", " ", html)  # no 2023 deadline anywhere in the text
    indicators = (out / "synthesis" / "tables" / "indicators.csv").read_text(encoding="utf-8").splitlines()
    assert indicators[0].endswith(",demo_data") and indicators[1].endswith(",True")


def pdf_text(path: Path) -> str:
    result = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True)
    return re.sub(r"\s+", " ", result.stdout)


@pytest.mark.skipif(
    shutil.which("pdftoppm") is None, reason="poppler-utils not installed (apt-get install poppler-utils)"
)
def test_the_2020_synthesis_covers_every_part_of_its_source_on_at_least_16_pages(out: Path) -> None:
    pdf = out / "synthese-2020.pdf"
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1)) >= 16
    text = pdf_text(pdf)
    parts = (
        "En synthèse",
        "Démarche et contexte",
        "I. La gouvernance locale",
        "II. Le service rendu au demandeur",
        "III. Les politiques territoriales d’attribution",
        "IV. Les travaux de 2020",
        "Méthode",
        "Annexe : définition des indicateurs",
        "Annexe : sigles",
    )
    assert [part for part in parts if part not in text] == []


def test_pdfs_render_to_pages_with_headings_and_french_figures(out: Path, tmp_path: Path) -> None:
    synthesis = pdf_text(out / "synthese-2020.pdf")
    for heading in (
        "Sommaire",
        "En synthèse",
        "I. La gouvernance locale",
        "IV. Les travaux de 2020",
        "Données fictives",
    ):
        assert heading in synthesis
    monograph = pdf_text(out / "sites" / "lorient-agglomeration" / "monograph.pdf")
    for heading in (
        "Lorient Agglomération",
        "Gouvernance",
        "Cotation de la demande",
        "Gestion en flux",
        "Perspectives",
    ):
        assert heading in monograph
    assert re.search(r"\d+,\d %", monograph), "no French-formatted percentage"
    assert "import " not in monograph and "show_table" not in monograph
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(out / "synthese-2020.pdf"), str(tmp_path / "p")], check=True)
    pages = sorted(tmp_path.glob("p-*.png"))
    assert 6 <= len(pages) <= 40
    ARTIFACTS.mkdir(exist_ok=True)
    shutil.copyfile(pages[2], ARTIFACTS / "synthese-2020-page3.png")


@pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="poppler-utils not installed (apt-get install poppler-utils)"
)
def test_no_pdf_page_ends_with_a_heading_or_a_caption(out: Path) -> None:
    from pdf_pages import stranded

    headings = {"Enseignements des entretiens", "Sommaire"}
    for name in ("monograph.ipynb", "synthesis.ipynb"):
        cells = nbformat.read(REPO / "notebooks" / name, as_version=4).cells
        headings |= {
            line.lstrip("#").strip()
            for c in cells
            if c.cell_type == "markdown"
            for line in c.source.splitlines()
            if line.startswith("#")
        }
    found = {}
    for pdf in [out / "synthese-2020.pdf", *sorted(out.glob("sites/*/monograph.pdf"))]:
        if problems := stranded(pdf, headings):
            found[pdf.parent.name] = problems
    assert found == {}


def test_no_chart_of_the_edition_is_wider_than_the_page(out: Path) -> None:
    """A chart wider than its 16 cm (a legend or title running past it) is shrunk, labels and all."""
    from PIL import Image

    from cohorte.report.display import FIGURE_DPI
    from cohorte.report.figures.style import WIDTH_IN

    charts = sorted((out / "site").rglob("*.png"))
    assert len(charts) >= 20
    wide = []
    for chart in charts:
        with Image.open(chart) as image:
            if image.width > 1.02 * WIDTH_IN * FIGURE_DPI:
                wide.append(f"{chart.relative_to(out)} ({image.width} px)")
    assert wide == []


def test_docx_has_headings_tables_and_images(out: Path) -> None:
    import docx

    document = docx.Document(str(out / "sites" / "mel" / "monograph.docx"))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert "Gouvernance" in headings and "Gestion en flux" in headings
    assert len(document.tables) >= 5
    assert len(document.inline_shapes) >= 4


@pytest.mark.browser
def test_site_loads_in_chromium_and_reaches_every_monograph(out: Path, tab) -> None:
    index = out / "site" / "index.html"
    for slug in SLUGS:
        tab.open(index.as_uri())
        assert tab.errors == []
        tab.page.click(f'nav.site-nav a[href="sites/{slug}.html"]')
        tab.page.wait_for_load_state("load")
        assert tab.errors == [], slug
        images = tab.evaluate(IMAGES_OK)
        assert len(images) >= 4 and all(ok for _, ok in images), slug
        assert "Données fictives" in tab.evaluate("document.body.innerText")
    ARTIFACTS.mkdir(exist_ok=True)
    tab.page.screenshot(path=str(ARTIFACTS / "edition-2020-last-monograph.png"))


@pytest.mark.browser
def test_every_page_of_the_edition_passes_axe_and_fits_a_phone(out: Path, tab, phone_tab) -> None:
    pages = [out / "site" / "index.html", *[out / "site" / "sites" / f"{slug}.html" for slug in SLUGS]]
    for page in pages:
        tab.open(page.as_uri())
        assert axe_violations(tab) == [], page.name
        phone_tab.open(page.as_uri())
        assert not scrolls_horizontally(phone_tab), f"{page.name} scrolls sideways at 390 px"


def _mtimes(out: Path) -> dict[Path, int]:
    return {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file() and p.name not in ("manifest.json", ".lock")}


def test_when_nothing_changed_then_the_rebuild_executes_and_renders_nothing(home: Path, out: Path) -> None:
    before = _mtimes(out)
    result = cohorte(home, "build", "2020")
    assert result.returncode == 0, result.stderr
    assert "0 notebook(s) executed, 13 unchanged, 0 failed" in result.stdout
    assert "0 file(s) rendered" in result.stdout
    assert _mtimes(out) == before


def test_when_one_grid_changes_then_only_its_site_and_the_synthesis_are_rebuilt(home: Path, out: Path) -> None:
    grid = home / "params" / "2020" / "sites" / "grandangouleme" / "grid.yml"
    grid.write_text(
        grid.read_text(encoding="utf-8").replace(
            "perspectives: []\n", 'perspectives:\n  - "Une perspective ajoutée pour le test."\n', 1
        ),
        encoding="utf-8",
    )
    untouched = (out / "sites" / "mel" / "monograph.pdf").stat().st_mtime_ns
    result = cohorte(home, "build", "2020")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 notebook(s) executed, 11 unchanged, 0 failed" in result.stdout
    assert "perspective ajoutée pour le test" in pdf_text(out / "sites" / "grandangouleme" / "monograph.pdf")
    assert (out / "sites" / "mel" / "monograph.pdf").stat().st_mtime_ns == untouched


def test_when_cached_outputs_are_damaged_then_they_are_remade_and_the_build_says_so(home: Path, out: Path) -> None:
    from cohorte.files import sha256_file

    slice_, pdf, notebook = (
        out / "sites" / "carene" / "prepared" / "indicators.csv",
        out / "sites" / "mel" / "monograph.pdf",
        out / "sites" / "lorient-agglomeration" / "monograph.ipynb",
    )
    good_slice = sha256_file(slice_)
    slice_.write_bytes(slice_.read_bytes()[: slice_.stat().st_size // 2])  # truncated
    pdf.write_bytes(pdf.read_bytes() + b"damaged")
    notebook.write_text(
        notebook.read_text(encoding="utf-8").replace("Lorient", "Lorient (edited)", 1), encoding="utf-8"
    )
    result = cohorte(home, "build", "2020")
    assert result.returncode == 0, result.stdout + result.stderr
    for rel in (
        "sites/carene/prepared/indicators.csv",
        "sites/mel/monograph.pdf",
        "sites/lorient-agglomeration/monograph.ipynb",
    ):
        assert (
            result.stdout.count(f"{rel} differs from the file the build recorded (content hash changed): re-making it")
            == 1
        )
    assert sha256_file(slice_) == good_slice, "the re-made slice differs from the original"
    assert pdf.read_bytes().endswith(b"%%EOF\n") or b"damaged" not in pdf.read_bytes()[-16:]
    assert "Lorient (edited)" not in notebook.read_text(encoding="utf-8")


def test_when_a_site_breaks_then_it_fails_alone_and_keeps_its_last_good_outputs(home: Path, out: Path) -> None:
    from cohorte.files import sha256_file

    good = out / "sites" / "carene" / "monograph.ipynb"
    good_hash = sha256_file(good)
    garbage = out / "sites" / "carene" / "prepared" / "indicators.csv"
    garbage.write_text("garbage\n1\n", encoding="utf-8")
    # a slice the build believes good (as if preparation had a bug): the notebook itself must fail
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    manifest["prepared"]["indicators"]["outputs"]["sites/carene/prepared/indicators.csv"] = sha256_file(garbage)
    (out / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    result = cohorte(
        home, "build", "2020", "--sites", "carene,lorient-agglomeration,mel", "--force", "--formats", "html"
    )
    assert result.returncode == 1
    assert "FAILED sites/carene: cell" in result.stdout
    assert "prepared indicators lack column(s)" in result.stdout
    assert "3 notebook(s) executed, 0 unchanged, 1 failed" in result.stdout  # 2 sites and the synthesis
    assert sha256_file(good) == good_hash, "the last good notebook was replaced"
    assert (out / "sites" / "carene" / "monograph.failed.ipynb").exists()
    for slug in ("lorient-agglomeration", "mel"):
        assert (out / "sites" / slug / "monograph.html").exists()
    (out / "sites" / "carene" / "prepared" / "indicators.csv").unlink()
    repaired = cohorte(home, "build", "2020", "--sites", "carene", "--formats", "html")
    assert repaired.returncode == 0, repaired.stdout


def test_when_a_site_is_unknown_then_build_names_the_known_sites(home: Path) -> None:
    result = cohorte(home, "build", "2020", "--sites", "paris")
    assert result.returncode == 1
    assert "unknown site(s) paris in edition 2020; known sites: agglopolys" in result.stderr
    assert "Traceback" not in result.stderr


def test_when_the_data_are_real_then_no_document_says_they_are_fictitious(tmp_path: Path) -> None:
    from conftest import tiny_tables, write_tables

    shutil.copytree(REPO / "params", tmp_path / "params")
    data = write_tables(tiny_tables(), tmp_path / "extract")
    result = cohorte(tmp_path, "build", "2020", "--data", str(data), "--sites", "mel", "--formats", "html,pdf")
    assert result.returncode == 0, result.stdout + result.stderr
    monograph = tmp_path / "outputs" / "2020" / "sites" / "mel"
    assert "Données fictives" not in pdf_text(monograph / "monograph.pdf")
    assert "Données fictives" not in (monograph / "monograph.html").read_text(encoding="utf-8")
    assert json.loads((monograph / "key_figures.json").read_text(encoding="utf-8"))["demo_data"] is False
    assert "n.s." in pdf_text(monograph / "monograph.pdf"), "a two-site toy extract must show secret cells"


def test_site_pages_offer_their_pdf_and_docx_for_download(out: Path) -> None:
    site = out / "site"
    pages = {site / "index.html": "synthese-2020"} | {site / "sites" / f"{s}.html": f"{s}-2020" for s in SLUGS}
    for page, stem in pages.items():
        text = page.read_text(encoding="utf-8")
        for ext in ("pdf", "docx"):
            assert f'telechargements/{stem}.{ext}"' in text, f"{page.name}: no {ext} link"
            assert (site / "telechargements" / f"{stem}.{ext}").stat().st_size > 1000


def test_when_the_manifest_is_unreadable_then_the_build_says_so_and_remakes_everything(home: Path, out: Path) -> None:
    (out / "manifest.json").write_text("{not json", encoding="utf-8")
    result = cohorte(home, "build", "2020", "--sites", "mel", "--formats", "html")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "manifest.json: not a valid manifest (" in result.stdout
    assert "starting from an empty one: every output will be re-made" in result.stdout
    assert "2 notebook(s) executed, 0 unchanged, 0 failed" in result.stdout
    assert json.loads((out / "manifest.json").read_text(encoding="utf-8"))["notebooks"].keys() == {
        "sites/mel",
        "synthesis",
    }
