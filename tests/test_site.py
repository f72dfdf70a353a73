"""The workshop's site (make site): built offline from the notebooks as the tests ran them, and browsed page by
page in Debian's Chromium, served from 127.0.0.1. Every request that would leave the machine is refused, and
counts as a failure."""
import html
import re
import struct
import subprocess
import sys
import urllib.parse

import pytest

from conftest import ROOT
from test_jupyterlab_browser import CHROMIUM, CHROMIUM_ARGS
from workshop import DataServer
from workshop.sections import SECTIONS as NOTEBOOKS

SECTIONS = [name.removesuffix(".ipynb") for name, *_ in NOTEBOOKS]

pytestmark = [pytest.mark.slow, pytest.mark.skipif(not CHROMIUM.exists(),
                                reason="Debian's chromium is not installed (apt-get install chromium)")]


# Session-scoped: under pytest-xdist another module's tests may run between these two, which would tear a
# module-scoped site down and build it again (about two minutes).
@pytest.fixture(scope="session")
def site_dir(solution_runs, artifacts):
    """make site's own command, with the pages from the notebook tests' runs (solution_runs makes any missing)."""
    for name, *_ in NOTEBOOKS:
        solution_runs(name)
    site = artifacts / "site"
    build = subprocess.run([sys.executable, str(ROOT / "tools" / "site" / "build.py"), "--executed",
                            str(solution_runs.out), "--out", str(site)], cwd=ROOT, capture_output=True, text=True,
                           timeout=1800)
    assert build.returncode == 0, build.stdout[-3000:] + build.stderr[-3000:]
    assert f"pages from the notebooks executed in {solution_runs.out}" in build.stdout, build.stdout
    return site


@pytest.fixture(scope="session")
def site(site_dir):
    with DataServer(site_dir) as server:
        yield server.url


def pages(site):
    return sorted(path.relative_to(site).as_posix() for path in site.rglob("*.html")
                  if not path.relative_to(site).as_posix().startswith(("_static/", "_sources/")))


def test_the_site_has_a_page_per_section_both_editions_and_the_index(site_dir):
    expected = {"index.html", *(f"notebooks/{name}.html" for name in SECTIONS),
                *(f"notebooks/exercises/{name}.html" for name in SECTIONS)}
    assert expected <= set(pages(site_dir)), expected - set(pages(site_dir))


def test_every_page_loads_without_errors_with_working_links_and_images_and_launch_buttons(site, site_dir, artifacts):
    from playwright.sync_api import sync_playwright

    problems, left_the_machine = [], []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1300, "height": 900})

        def only_loopback(route):
            if urllib.parse.urlsplit(route.request.url).hostname == "127.0.0.1":
                route.continue_()
            else:
                left_the_machine.append(route.request.url)
                route.abort()
        page.route("**/*", only_loopback)
        page.on("console", lambda message: message.type == "error" and problems.append(f"console: {message.text}"))
        page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
        page.on("response", lambda response: response.status >= 400 and problems.append(f"{response.status} {response.url}"))

        for name in pages(site_dir):
            page.goto(f"{site}/{name}")
            page.wait_for_load_state("load")
            for href in page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)"):
                parts = urllib.parse.urlsplit(href)
                if parts.hostname == "127.0.0.1" and not (site_dir / urllib.parse.unquote(parts.path).lstrip("/")).exists() \
                        and not (site_dir / urllib.parse.unquote(parts.path).lstrip("/") / "index.html").exists():
                    problems.append(f"{name}: broken link {href}")
            broken_images = page.eval_on_selector_all(
                "img", "images => images.filter(i => !i.complete || i.naturalWidth === 0).map(i => i.src)")
            problems += [f"{name}: image not shown {src}" for src in broken_images]
            if name.startswith("notebooks/"):
                notebook = name.removesuffix(".html") + ".ipynb"
                launch = page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)")
                for service in ("mybinder.org/v2/gh/song-plays-workshop/song-plays-workshop/main",
                                f"colab.research.google.com/github/song-plays-workshop/song-plays-workshop/blob/main/{notebook}"):
                    if not any(service in href for href in launch):
                        problems.append(f"{name}: no launch button for {service}")
            if name in ("notebooks/03_putting_it_all_together.html", "notebooks/04_going_further.html"):
                plots = page.locator("img[src*='_images/']").count()
                if plots < 1:
                    problems.append(f"{name}: no plot")
            if name == "notebooks/03_putting_it_all_together.html":
                if page.get_by_text("CHECKPOINT 8 passed").count() != 1:
                    problems.append(f"{name}: the checkpoints' output is missing")
                page.locator("img[src*='_images/']").first.scroll_into_view_if_needed()
                page.screenshot(path=str(artifacts / "site_03_putting_it_all_together.png"))
        browser.close()
    assert not left_the_machine, f"pages asked for outside addresses: {sorted(set(left_the_machine))[:5]}"
    assert not problems, "\n".join(problems[:20])


def test_the_glossary_is_in_the_sites_table_of_contents_and_defines_each_term(site_dir):
    from test_site_pages import TERMS
    index = (site_dir / "index.html").read_text()
    assert re.search(r'<a class="reference internal" href="glossary.html">', index), "index: no link to the glossary"
    assert re.search(r'<a class="reference internal" href="spark_ui_tour.html">', index), "index: no link to the tour"
    glossary = (site_dir / "glossary.html").read_text()
    entries = dict(re.findall(r'<dt id="term-[^"]*">(.*?)<a class="headerlink".*?</dt>\s*<dd>(.*?)</dd>', glossary,
                              re.DOTALL))
    entries = {html.unescape(re.sub(r"<[^>]+>", "", term)).strip(): re.sub(r"<[^>]+>", "", text).strip()
               for term, text in entries.items()}
    for term in (term for terms in TERMS.values() for term in terms):
        assert len(entries.get(term, "")) >= 40, f"the built glossary has no definition for {term}"


def test_the_spark_ui_tour_shows_four_screenshots_of_the_ui(site_dir):
    page = (site_dir / "spark_ui_tour.html").read_text()
    images = re.findall(r'<img [^>]*src="([^"]+\.png)"', page)
    assert len(images) == 4, images
    for src in images:
        png = (site_dir / src)
        assert png.exists(), src
        data = png.read_bytes()
        width, height = struct.unpack(">II", data[16:24])
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000 and width >= 400 and height >= 500, \
            (src, len(data), width, height)
