"""A student's path, in a real browser: JupyterLab opens notebook 01, runs every cell, and every checkpoint passes.

Drives Debian's Chromium with Playwright. Skips, saying why, where that Chromium is not installed.
"""
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest

from conftest import ROOT, copy_workshop, without_workshop_settings

CHROMIUM = Path("/usr/bin/chromium")
NOTEBOOK = "notebooks/01_luigi_tasks.ipynb"
SCREENSHOT = ROOT / "build" / "jupyterlab_01_luigi_tasks.png"
# As this machine's probe found: no sandbox as root, and no calls home on a closed network.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]

pytestmark = [pytest.mark.slow, pytest.mark.skipif(not CHROMIUM.exists(),
                                reason="Debian's chromium is not installed (apt-get install chromium)")]


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def make_lab_options():
    """The options `make lab` starts JupyterLab with (the Makefile's LAB_OPTIONS)."""
    [line] = [line for line in (ROOT / "Makefile").read_text().splitlines() if line.startswith("LAB_OPTIONS :=")]
    return line.split(":=", 1)[1].split()


def start_lab(tmp_path, monkeypatch, *options):
    without_workshop_settings(monkeypatch)
    workshop = copy_workshop(tmp_path / "workshop", monkeypatch)
    # Render every cell, not only those in view, so the page can be read top to bottom.
    settings = tmp_path / ".jupyter/lab/user-settings/@jupyterlab/notebook-extension/tracker.jupyterlab-settings"
    settings.parent.mkdir(parents=True)
    settings.write_text('{"windowingMode": "none"}')
    port, token = free_port(), secrets.token_hex(16)
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "jupyter"), "lab", "--no-browser", "--ServerApp.ip=127.0.0.1",
         f"--ServerApp.port={port}", "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}",
         *(options or [f"--ServerApp.root_dir={workshop}"]), *(["--allow-root"] if os.geteuid() == 0 else [])],
        cwd=workshop, stdout=subprocess.DEVNULL, stderr=open(tmp_path / "jupyter.log", "w"),
        env={**os.environ, "HOME": str(tmp_path)})
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        try:
            urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=5).close()
            break
        except OSError:
            assert server.poll() is None and time.monotonic() < deadline, (tmp_path / "jupyter.log").read_text()[-3000:]
            time.sleep(0.5)
    return server, url, token, workshop


@pytest.fixture
def jupyter_lab(tmp_path, monkeypatch):
    server, url, token, workshop = start_lab(tmp_path, monkeypatch)
    yield url, token, workshop
    server.terminate()
    server.wait(timeout=60)


def test_make_lab_lands_on_the_first_exercise_with_the_workshops_kernel_and_no_news(tmp_path, monkeypatch):
    from playwright.sync_api import sync_playwright

    server, url, token, workshop = start_lab(tmp_path, monkeypatch, *make_lab_options())
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(f"{url}/?token={token}")  # what the address `make lab` prints opens
            page.locator(".jp-Notebook .jp-Cell").first.wait_for(timeout=120_000)
            page.wait_for_function("document.querySelector('#jp-main-statusbar')?.innerText.includes('Idle')",
                                   timeout=120_000)
            time.sleep(3)  # time for a news toast to appear, if one would
            assert page.url.split("?")[0].endswith("/lab/tree/exercises/00_setup.ipynb"), page.url
            assert page.locator(".jp-DirListing-item", has_text="01_luigi_tasks.ipynb").count() == 1
            assert "exercises" in page.locator(".jp-BreadCrumbs").inner_text()
            assert "Python 3 (song plays workshop)" in page.locator("#jp-main-statusbar").inner_text()
            assert page.get_by_text("Jupyter news").count() == 0, "the news pop-up is showing"
            SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(ROOT / "build" / "jupyterlab_landing.png"))
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=60)


def wait_until_every_cell_ran(page, timeout=600):
    """Done when no cell is queued or running ([*]) and the kernel has been idle twice in a row."""
    deadline, idle_polls = time.monotonic() + timeout, 0
    while idle_polls < 2:
        assert time.monotonic() < deadline, "the notebook did not finish running"
        time.sleep(1)
        busy = page.locator(".jp-InputPrompt", has_text="[*]").count()
        idle = "Idle" in page.locator("#jp-main-statusbar").inner_text()
        idle_polls = idle_polls + 1 if idle and not busy else 0


def test_a_student_runs_notebook_01_in_jupyterlab(jupyter_lab):
    from playwright.sync_api import sync_playwright

    url, token, workshop = jupyter_lab
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(f"{url}/lab/tree/{NOTEBOOK}?token={token}")
        page.locator(".jp-Notebook .jp-Cell").first.wait_for(timeout=120_000)
        page.wait_for_function("document.querySelector('#jp-main-statusbar')?.innerText.includes('Idle')",
                               timeout=120_000)

        page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
        page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()
        wait_until_every_cell_ran(page)

        code_cells = page.locator(".jp-CodeCell")
        prompts = [code_cells.nth(i).locator(".jp-InputPrompt").inner_text() for i in range(code_cells.count())]
        assert all(prompt.strip() not in ("[ ]:", "") for prompt in prompts), f"cells left unrun: {prompts}"
        passed = page.get_by_text("passed:", exact=False)
        assert passed.count() == 4, f"{passed.count()} checkpoint messages visible, 4 expected"
        passed.last.scroll_into_view_if_needed()
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOT))

        page.keyboard.press("Control+s")
        time.sleep(2)
        browser.close()

    saved = nbformat.read(workshop / NOTEBOOK, as_version=4)
    errors = [output for cell in saved.cells for output in cell.get("outputs", []) if output.output_type == "error"]
    assert not errors, f"a cell shows an error: {errors[0]['ename']}: {errors[0]['evalue']}"
    texts = "".join(output.get("text", "") for cell in saved.cells for output in cell.get("outputs", []))
    assert [f"CHECKPOINT {n} passed" in texts for n in range(1, 5)] == [True] * 4
