"""The static web site opened in headless chromium from disk: no console error, every image loads,
the home page's navigation reaches every monograph. A screenshot is kept under tests/artifacts/."""

from __future__ import annotations

import base64
import json
import re
import shutil
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

from cohorte import rendering
from render_fixture import SITES, edition, executed  # noqa: F401  (session fixture)

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARTIFACTS = Path(__file__).parent / "artifacts"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed (apt-get install chromium)"),
]


class Browser:
    """A minimal DevTools-protocol client: navigate, collect errors, evaluate, screenshot."""

    def __init__(self, executable: str):
        import websocket

        self.profile = tempfile.mkdtemp(prefix="cohorte-chromium-")
        self.process = subprocess.Popen(
            [executable, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--remote-debugging-port=0", "--window-size=1280,1400", f"--user-data-dir={self.profile}", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        port = self._port()
        targets = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10))
        page = next(t for t in targets if t["type"] == "page")
        self.ws = websocket.create_connection(page["webSocketDebuggerUrl"], timeout=20, suppress_origin=True)
        self.next_id = 0
        self.events: list[dict] = []
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.call(f"{domain}.enable")

    def _port(self) -> int:
        deadline = time.monotonic() + 30
        assert self.process.stderr is not None
        while time.monotonic() < deadline:
            line = self.process.stderr.readline()
            match = re.search(r"DevTools listening on ws://[^:]+:(\d+)/", line)
            if match:
                return int(match.group(1))
        raise RuntimeError("chromium did not start its DevTools endpoint within 30 s")

    def call(self, method: str, **params: object) -> dict:
        self.next_id += 1
        ident = self.next_id
        self.ws.send(json.dumps({"id": ident, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv())
            if message.get("id") == ident:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})
            self.events.append(message)

    def wait_for(self, method: str, timeout: float = 20) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            message = json.loads(self.ws.recv())
            self.events.append(message)
            if message.get("method") == method:
                return
        raise TimeoutError(method)

    def open(self, url: str) -> None:
        self.events.clear()
        self.call("Page.navigate", url=url)
        self.wait_for("Page.loadEventFired")

    def click_and_wait(self, selector: str) -> None:
        self.events.clear()
        self.evaluate(f"document.querySelector({json.dumps(selector)}).click()")
        self.wait_for("Page.loadEventFired")

    def evaluate(self, expression: str) -> object:
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        return result["result"].get("value")

    def errors(self) -> list[str]:
        found = []
        for event in self.events:
            method, params = event.get("method"), event.get("params", {})
            if method == "Runtime.exceptionThrown":
                found.append(params["exceptionDetails"].get("text", "exception"))
            elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
                found.append(str(params.get("args")))
            elif method == "Log.entryAdded" and params["entry"].get("level") == "error":
                found.append(params["entry"].get("text", "") + " " + params["entry"].get("url", ""))
            elif method == "Network.loadingFailed":
                found.append(f"load failed: {params.get('errorText')}")
        return found

    def screenshot(self, path: Path) -> None:
        data = self.call("Page.captureScreenshot", format="png")["data"]
        path.write_bytes(base64.b64decode(data))

    def close(self) -> None:
        try:
            self.ws.close()
        finally:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
            shutil.rmtree(self.profile, ignore_errors=True)


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


IMAGES_OK = "Array.from(document.images).map(i => [i.getAttribute('src'), i.complete && i.naturalWidth > 0])"


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
