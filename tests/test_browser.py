"""The explorer in a real headless Chromium (Debian's `chromium`, driven by Playwright with the system's
executable; no browser is downloaded): list, sort, search, a feature page's shading and plot, "what fires here",
and a screenshot. Skipped, saying why, when chromium or playwright is missing (`make browser` installs them)."""

from __future__ import annotations

import shutil
import socket
import threading
import time

import pytest
from test_serve_explorer import build_real_index, model_cfg

CHROMIUM = next((p for p in map(shutil.which, ("chromium", "chromium-browser")) if p), None)
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install playwright)")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="no chromium on PATH (Debian: apt-get install chromium)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tiny_qwen3_dir, tiny_activations, tmp_path_factory):
    import uvicorn

    from saescope.serve.app import create_app

    index = build_real_index(tiny_qwen3_dir, tiny_activations, tmp_path_factory.mktemp("browser"))
    app = create_app(index, None, model_cfg(tiny_qwen3_dir), model_given=True)
    port = free_port()
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.time() + 20
    while not srv.started and time.time() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(10)


def test_explorer_in_chromium(server, tmp_path):
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(server + "/")
        assert page.locator("#features tr").count() > 10
        page.click('a.sort[data-key="max_activation"]')
        page.wait_for_url("**sort=max_activation**")
        maxes = [float(t) for t in page.locator("#features tr td:nth-child(4)").all_inner_texts()]
        assert maxes == sorted(maxes, reverse=True) and len(maxes) > 10
        page.fill('header input[name="q"]', "the")
        page.click("header button")
        page.wait_for_url("**/search?q=the")
        page.locator('td > a[href^="/feature/"]').first.click()
        page.wait_for_url("**/feature/*")
        assert page.locator("svg.histogram rect.bar").count() > 0
        fired = page.locator(".tok.fire")
        assert fired.count() > 0 and float(fired.first.get_attribute("data-act")) > 0
        assert "rgba(255, 140, 0" in fired.first.get_attribute("style")
        page.screenshot(path=str(tmp_path / "feature.png"), full_page=True)
        page.goto(server + "/fires")
        page.fill('textarea[name="text"]', "Tell me a riddle")
        page.click("form[action='/fires'] button")
        page.wait_for_selector("a.fired")
        assert page.locator("#fires tr").count() > 5
        browser.close()
    assert (tmp_path / "feature.png").stat().st_size > 10_000
