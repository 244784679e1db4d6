"""The static web site opened in headless chromium (pytest-playwright's fixtures) from disk: no console error, every
image loads, the navigation reaches every monograph, axe-core finds nothing (WCAG 2.1 A/AA and the
best practices region, skip-link, empty-table-header), nothing scrolls sideways on a 390 px phone.
Screenshots are kept under tests/artifacts/."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from browser import IMAGES_OK, axe_violations, scrolls_horizontally
from cohorte.runner import rendering
from render_fixture import SITES, edition

ARTIFACTS = Path(__file__).parents[1] / "artifacts"

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def site(executed: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site-build")
    site_nbs = {slug: executed[slug] for slug in SITES}
    return rendering.build_site(edition(out), executed["synthesis"], site_nbs, out / "site")


def _pages(site: Path) -> list[Path]:
    return [site, *[site.parent / "sites" / f"{slug}.html" for slug in SITES]]


def _check_page(tab, label: str) -> None:
    assert tab.errors == [], f"{label}: errors in the browser"
    images = tab.evaluate(IMAGES_OK)
    assert images, f"{label}: no image"
    assert all(ok for _, ok in images), f"{label}: images not loaded: {images}"
    assert tab.evaluate("document.documentElement.lang") == "fr"
    assert tab.evaluate("!!document.querySelector('header.masthead .demo-banner')")
    text = tab.evaluate("document.body.innerText")
    assert "import " not in text and "show_table(" not in text


def test_site_links_are_relative(site: Path) -> None:
    for page in site.parent.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        assert not re.search(r'(href|src)="(/|file:)', html), f"{page}: absolute link"


def test_home_page_loads_without_errors_and_shows_its_figures(site: Path, tab) -> None:
    tab.open(site.as_uri())
    _check_page(tab, "index.html")
    ARTIFACTS.mkdir(exist_ok=True)
    tab.page.screenshot(path=str(ARTIFACTS / "site-home.png"))
    assert (ARTIFACTS / "site-home.png").stat().st_size > 10_000


@pytest.mark.parametrize("slug", list(SITES))
def test_navigation_from_home_reaches_each_monograph(site: Path, tab, slug: str) -> None:
    tab.open(site.as_uri())
    tab.page.click(f'nav.site-nav a[href="sites/{slug}.html"]')
    tab.page.wait_for_load_state("load")
    assert tab.evaluate("location.pathname").endswith(f"/sites/{slug}.html")
    _check_page(tab, slug)
    assert tab.evaluate("document.querySelector('article h1').innerText") == SITES[slug]
    assert tab.evaluate("document.querySelector('nav.site-nav a[aria-current=page]').innerText") == SITES[slug]
    tab.page.screenshot(path=str(ARTIFACTS / f"site-{slug}.png"))
    tab.page.click('nav.site-nav a[href="../index.html"]')  # and back home
    tab.page.wait_for_load_state("load")
    assert tab.evaluate("location.pathname").endswith("/site/index.html")


def test_every_page_passes_axe_core(site: Path, tab) -> None:
    for page in _pages(site):
        tab.open(page.as_uri())
        assert axe_violations(tab) == [], page.name


def test_on_a_phone_no_page_scrolls_sideways_and_the_navigation_is_folded(site: Path, phone_tab) -> None:
    tab = phone_tab
    for page in _pages(site):
        tab.open(page.as_uri())
        assert not scrolls_horizontally(tab), f"{page.name} scrolls sideways at 390 px"
        assert tab.evaluate("document.querySelector('.nav-details').open") is False, page.name
    tab.page.screenshot(path=str(ARTIFACTS / "site-phone.png"), full_page=False)


def test_skip_link_leads_to_the_text_and_tables_have_headers_with_scope(site: Path, tab) -> None:
    tab.open(site.as_uri())
    tab.page.keyboard.press("Tab")
    assert tab.evaluate("document.activeElement.textContent") == "Aller au contenu"
    tab.page.keyboard.press("Enter")
    assert tab.evaluate("location.hash") == "#contenu"
    assert tab.evaluate("document.querySelectorAll('th:not([scope])').length") == 0
    assert tab.evaluate("document.querySelectorAll('.table-wrap[role=region][tabindex=\"0\"] > table').length") >= 1


def test_figures_have_a_caption_and_an_alt_text(site: Path, tab) -> None:
    tab.open((site.parent / "sites" / "mel.html").as_uri())
    figures = tab.evaluate(
        "Array.from(document.querySelectorAll('figure')).map(f => "
        "[f.querySelector('img').alt, f.querySelector('figcaption')?.innerText])"
    )
    assert ["Taux Q1 hors QPV de 2018 à 2020", "Évolution du taux Q1 hors QPV"] in figures


def test_axe_check_reports_what_the_site_avoids(tmp_path: Path, tab) -> None:
    page = tmp_path / "bad.html"
    page.write_text(
        '<html lang="fr"><title>x</title><body><p class="demo-banner">Données fictives</p>'
        "<main><table><tr><th></th><th>Lorient</th></tr><tr><td>Région</td><td>Bretagne</td></tr></table>"
        '<img src="x.png"></main></body></html>',
        encoding="utf-8",
    )
    tab.open(page.as_uri())
    found = " ".join(axe_violations(tab))
    for rule in ("image-alt", "region", "empty-table-header"):
        assert rule in found
