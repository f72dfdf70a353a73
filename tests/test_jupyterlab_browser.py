"""A student's path, in a real browser: JupyterLab opens notebook 01, runs every cell, and every checkpoint passes.

Drives Debian's Chromium with Playwright. Skips, saying why, where that Chromium is not installed.
"""
import json
import os
import re
import secrets
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest

from conftest import PLANTED_SECRET, ROOT, copy_workshop, without_workshop_settings
from song_plays_ops.services import free_port
from workshop.checks import sections

CHROMIUM = Path("/usr/bin/chromium")
NOTEBOOK = "notebooks/01_luigi_tasks.ipynb"
# As this machine's probe found: no sandbox as root, and no calls home on a closed network.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]

pytestmark = [pytest.mark.slow, pytest.mark.skipif(not CHROMIUM.exists(),
                                reason="Debian's chromium is not installed (apt-get install chromium)")]


def make_lab_options():
    """The options `make lab` starts JupyterLab with (the Makefile's LAB_OPTIONS)."""
    [line] = [line for line in (ROOT / "Makefile").read_text().splitlines() if line.startswith("LAB_OPTIONS :=")]
    return line.split(":=", 1)[1].split()


def start_lab(tmp_path, monkeypatch, *options):
    without_workshop_settings(monkeypatch)
    monkeypatch.setenv("WORKSHOP_API_TOKEN", PLANTED_SECRET)  # in every kernel's environment: no output may show it
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


def test_make_lab_lands_on_the_first_exercise_with_the_workshops_kernel_and_no_news_and_changes_nothing(
        tmp_path, monkeypatch, artifacts):
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
            page.screenshot(path=str(artifacts / "jupyterlab_landing.png"))
            page.keyboard.press("Control+s")  # what autosave would write of a notebook only opened
            page.wait_for_function("!document.querySelector('.lm-TabBar-tab.lm-mod-current.jp-mod-dirty')",
                                   timeout=30_000)
            browser.close()
        landing = "notebooks/exercises/00_setup.ipynb"
        assert (workshop / landing).read_text() == (ROOT / landing).read_text(), "opening it changed the notebook"
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


def test_a_student_runs_notebook_01_in_jupyterlab(jupyter_lab, artifacts):
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

        passed = page.get_by_text("passed:", exact=False)
        assert passed.count() == 4, f"{passed.count()} checkpoint messages visible, 4 expected"
        passed.last.scroll_into_view_if_needed()
        page.screenshot(path=str(artifacts / "jupyterlab_01_luigi_tasks.png"))

        page.keyboard.press("Control+s")
        time.sleep(2)
        browser.close()

    saved = nbformat.read(workshop / NOTEBOOK, as_version=4)
    # Every code cell ran, the collapsed Colab cell too (its prompt is hidden with its source, so ask the file).
    unrun = [cell.source[:60] for cell in saved.cells if cell.cell_type == "code" and cell.execution_count is None]
    assert not unrun, f"cells left unrun: {unrun}"
    errors = [output for cell in saved.cells for output in cell.get("outputs", []) if output.output_type == "error"]
    assert not errors, f"a cell shows an error: {errors[0]['ename']}: {errors[0]['evalue']}"
    texts = "".join(output.get("text", "") for cell in saved.cells for output in cell.get("outputs", []))
    assert [f"CHECKPOINT {n} passed" in texts for n in range(1, 5)] == [True] * 4


# --- the exercise edition, typed in by a student ----------------------------------------------------------------

EXERCISES = ["00_setup.ipynb", "01_luigi_tasks.ipynb", "02_spark_job.ipynb", "03_putting_it_all_together.ipynb",
             "04_going_further.ipynb"]
# make timings (tools/timings.py) names a file for the Run All timings; a plain test run writes none.
TIMINGS = os.environ.get("WORKSHOP_TIMINGS")


def cells(page):
    """The cells of the notebook in view (the notebooks opened before stay open, in hidden tabs)."""
    return page.locator(".jp-NotebookPanel").filter(visible=True).locator(".jp-Notebook .jp-Cell")


def open_notebook(page, url, token, path):
    """The first notebook from its address; the next ones as a student opens them, with a double click in the file
    browser (which shows the folder of the notebook opened last): a page load would start JupyterLab over and
    render again every notebook it had open, a few CPU seconds each."""
    if page.url.startswith(url):
        page.locator(".jp-DirListing-item", has_text=Path(path).name).dblclick()
    else:
        page.goto(f"{url}/lab/tree/{path}?token={token}")
    page.locator(".lm-DockPanel-tabBar .lm-TabBar-tab.lm-mod-current", has_text=Path(path).name).wait_for(timeout=120_000)
    cells(page).first.wait_for(timeout=120_000)
    page.wait_for_function("document.querySelector('#jp-main-statusbar')?.innerText.includes('Idle')",
                           timeout=120_000)


def type_into_cell(page, index, source, artifacts):
    """Replace a cell's code as a student would: click into its editor, select all, type."""
    cell = cells(page).nth(index)
    cell.scroll_into_view_if_needed()
    try:
        cell.locator(".cm-content").click(timeout=10_000)
    except Exception:
        page.screenshot(path=str(artifacts / "jupyterlab_typing_failed.png"))
        raise
    page.keyboard.press("Control+a")
    page.keyboard.insert_text(source)  # one input event: the editor adds no indentation or brackets of its own
    page.keyboard.press("Escape")


def run_all(page):
    page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
    page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()
    started = time.monotonic()
    wait_until_every_cell_ran(page, timeout=900)
    return time.monotonic() - started


def run_cell(page, index):
    """Run one cell (Ctrl+Enter on it) and return what it shows."""
    cells(page).nth(index).locator(".jp-InputPrompt").click()
    page.keyboard.press("Control+Enter")
    wait_until_every_cell_ran(page)
    return cells(page).nth(index).locator(".jp-OutputArea").inner_text()


def add_cell_below_and_run(page, index, source, artifacts):
    """Select cell `index`, add a cell below it (b), type source and run it (Shift+Enter)."""
    cells(page).nth(index).locator(".jp-InputPrompt").click()
    page.keyboard.press("Escape")
    page.keyboard.press("b")
    type_into_cell(page, index + 1, source, artifacts)
    cells(page).nth(index + 1).locator(".jp-InputPrompt").click()
    page.keyboard.press("Shift+Enter")
    wait_until_every_cell_ran(page)
    return cells(page).nth(index + 1).locator(".jp-OutputArea").inner_text()


def save_and_read(page, path):
    page.keyboard.press("Control+s")
    page.wait_for_function("!document.querySelector('.lm-TabBar-tab.lm-mod-current.jp-mod-dirty')", timeout=30_000)
    return nbformat.read(path, as_version=4)


def solutions_of(workshop, name):
    """{cell index: (the tags that name the cell, the code a student types)} for each TODO cell of an exercise."""
    import make_exercises
    exercise = nbformat.read(workshop / "notebooks" / "exercises" / name, as_version=4)
    solved = make_exercises.exercise_of(workshop / "notebooks" / name, solved=True)
    assert [cell.metadata.get("tags") for cell in exercise.cells] == [cell.metadata.get("tags") for cell in solved.cells]
    return {i: (cell.metadata["tags"], solved.cells[i].source) for i, cell in enumerate(exercise.cells)
            if "# TODO: " in cell.source}


def assert_every_checkpoint_passed(saved, name):
    errors = [output for cell in saved.cells for output in cell.get("outputs", []) if output.output_type == "error"]
    assert not errors, f"{name}: a cell shows an error: {errors[0]['ename']}: {errors[0]['evalue']}"
    steps = [cell for cell in saved.cells if cell.cell_type == "code" and cell.source.startswith("check.step")]
    for cell in steps:
        printed = "".join(output.get("text", "") for output in cell.outputs)
        assert f"CHECKPOINT {cell.source[10:-2]} passed" in printed, f"{name}, {cell.source}: {printed!r}"
    return len(steps)


def test_a_student_types_the_solutions_into_the_exercises_and_every_checkpoint_passes(jupyter_lab, artifacts):
    """00 to 04 in the exercise edition, in order, in one workspace: type each TODO's solution through the editor,
    Run All, and every checkpoint passes, with nothing red; the modules the cells wrote into the workspace are the
    solutions'. In 01 a planted mistake comes first: the page shows the clean failure naming its cause; check.hint
    and check.solution run through the UI; the fixed cell and the checkpoint, run again alone, pass."""
    from playwright.sync_api import sync_playwright
    from planted_mistakes import WRONG_SOLUTIONS
    from test_notebooks import WRITTEN_MODULES, assert_nothing_red

    url, token, workshop = jupyter_lab
    timings = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        for name in EXERCISES:
            path = f"notebooks/exercises/{name}"
            open_notebook(page, url, token, path)
            solutions = solutions_of(workshop, name)
            if name == "01_luigi_tasks.ipynb":
                # One of the mistakes students made when we watched: a plain luigi.Parameter for the date.
                _, tag, edits, number, hint = WRONG_SOLUTIONS["date = luigi.Parameter() in DownloadSpins"]
                in_file = nbformat.read(workshop / path, as_version=4).cells
                [mistake_at] = [i for i, cell in enumerate(in_file) if tag in cell.metadata.get("tags", [])]
                [check_at] = [i for i, cell in enumerate(in_file) if cell.source == f"check.step{number}()"]
                for index, (_, source) in solutions.items():
                    for right, wrong in (edits if index == mistake_at else []):
                        source = source.replace(right, wrong)
                    type_into_cell(page, index, source, artifacts)
                run_all(page)
                failure = cells(page).nth(check_at).locator(".jp-OutputArea")
                shown = failure.inner_text()
                assert f"CHECKPOINT {number} failed:" in shown and hint in shown, shown
                assert f"check.hint({number})" in shown and "Traceback" not in shown and "coach.py" not in shown, shown
                failure.scroll_into_view_if_needed()
                page.screenshot(path=str(artifacts / "jupyterlab_checkpoint_failure.png"))

                first_hint = add_cell_below_and_run(page, check_at, f"check.hint({number})", artifacts)
                # The failure showed the cause's hint; the next is the step's first.
                assert re.search(rf"Hint 2 of \d for CHECKPOINT {number}", first_hint), first_hint
                said = add_cell_below_and_run(page, check_at + 1, f"check.solution({number})", artifacts)
                assert "in a new cell below" in said and "It replaces your cell under" in said, said
                loaded = cells(page).nth(check_at + 3)
                assert "%%writefile -a ../workspace/luigi_tasks/song_plays_tasks.py" in loaded.inner_text()
                assert loaded.locator(".jp-InputPrompt").inner_text().strip() in ("[ ]:", ""), "it ran by itself"
                loaded.scroll_into_view_if_needed()
                page.screenshot(path=str(artifacts / "jupyterlab_hint_and_solution.png"))
                # The fix, and only that cell and the checkpoint run again: it checks the code as last written.
                type_into_cell(page, mistake_at, solutions[mistake_at][1], artifacts)
                rerun = [run_cell(page, index) for index in (mistake_at, check_at)][-1]
                assert f"CHECKPOINT {number} passed" in rerun, rerun
                cells(page).nth(check_at).scroll_into_view_if_needed()
                page.screenshot(path=str(artifacts / "jupyterlab_fixed_cell_rerun.png"))
            else:
                for index, (_, source) in solutions.items():
                    type_into_cell(page, index, source, artifacts)
            timings[name] = round(run_all(page), 1)
            saved = save_and_read(page, workshop / path)
            typed = {tag: cell.source for cell in saved.cells for tag in cell.metadata.get("tags", [])}
            for tags, source in solutions.values():
                assert typed[tags[0]] == source, f"{name}: cell {tags[0]} holds what was not typed"
            assert assert_every_checkpoint_passed(saved, name) >= 4
            assert_nothing_red(workshop / path)
            page.screenshot(path=str(artifacts / f"jupyterlab_exercise_{name[:2]}_passed.png"))
        browser.close()
    for module in WRITTEN_MODULES:
        written = workshop / "workspace" / module
        assert written.read_text() == (ROOT / module).read_text(), f"the exercises wrote another {module}"
    progress_table = subprocess.run([sys.executable, "-m", "workshop", "progress"], cwd=workshop,
                                    capture_output=True, text=True, env={**os.environ, "HOME": str(workshop)})
    for _, title, total in sections():  # every section, as the progress table lists them
        assert re.search(rf"{title}\s+{total} of {total}\s", progress_table.stdout), progress_table.stdout
    # The hint and the solution were asked for by hand, then again by Run All, which runs their cells too.
    assert re.search(r"01 · Luigi tasks\s+4 of 4\s+2\s+2\s", progress_table.stdout), progress_table.stdout
    if TIMINGS:
        Path(TIMINGS).write_text(json.dumps({"run_all_seconds": timings}, indent=1))
