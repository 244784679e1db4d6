"""The static web site opened in headless chromium from disk: no console error, every image loads,
the home page's navigation reaches every monograph. A screenshot is kept under tests/artifacts/."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from browser import CHROMIUM, IMAGES_OK, Browser
from cohorte.build import rendering
from render_fixture import SITES, edition, executed  # noqa: F401  (session fixture)

ARTIFACTS = Path(__file__).parents[1] / "artifacts"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed (apt-get install chromium)"),
]


@pytest.fixture(scope="module")
def site(executed: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:  # noqa: F811
    out = tmp_path_factory.mktemp("site-build")
    site_nbs = {slug: executed[slug] for slug in SITES}
    return rendering.build_site(edition(out), executed["synthesis"], site_nbs, out / "site")


@pytest.fixture(scope="module")
def browser() -> Browser:
    assert CHROMIUM is not None
    client = Browser(CHROMIUM)
    yield client
    client.close()


def _check_page(browser: Browser, label: str) -> None:
    assert browser.errors() == [], f"{label}: errors in the browser"
    images = browser.evaluate(IMAGES_OK)
    assert images, f"{label}: no image"
    assert all(ok for _, ok in images), f"{label}: images not loaded: {images}"
    assert browser.evaluate("document.documentElement.lang") == "fr"
    assert browser.evaluate("!!document.querySelector('.demo-banner')")
    text = browser.evaluate("document.body.innerText")
    assert "import " not in text and "show_table(" not in text


def test_site_links_are_relative(site: Path) -> None:
    for page in site.parent.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        assert not re.search(r'(href|src)="(/|file:)', html), f"{page}: absolute link"


def test_home_page_loads_without_errors_and_shows_its_figures(site: Path, browser: Browser) -> None:
    browser.open(site.as_uri())
    _check_page(browser, "index.html")
    ARTIFACTS.mkdir(exist_ok=True)
    browser.screenshot(ARTIFACTS / "site-home.png")
    assert (ARTIFACTS / "site-home.png").stat().st_size > 10_000


@pytest.mark.parametrize("slug", list(SITES))
def test_navigation_from_home_reaches_each_monograph(site: Path, browser: Browser, slug: str) -> None:
    browser.open(site.as_uri())
    browser.click_and_wait(f'nav.site-nav a[href="sites/{slug}.html"]')
    assert browser.evaluate("location.pathname").endswith(f"/sites/{slug}.html")
    _check_page(browser, slug)
    assert browser.evaluate("document.querySelector('article h1').innerText") == SITES[slug]
    assert browser.evaluate("document.querySelector('nav.site-nav a[aria-current=page]').innerText") == SITES[slug]
    browser.screenshot(ARTIFACTS / f"site-{slug}.png")
    browser.click_and_wait('nav.site-nav a[href="../index.html"]')  # and back home
    assert browser.evaluate("location.pathname").endswith("/site/index.html")
