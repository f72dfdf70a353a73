"""Screenshots of the Spark UI for the site's tour page, made afresh at each site build (generated means
reproducible: nothing here is committed).

    python tools/site/spark_ui_tour.py OUT_DIR      # writes OUT_DIR/spark_ui_{jobs,stages,sql,storage}.png

It runs the day's job as notebook 02 does, on the generated day (2019-02-08, 5,000 spins, seed 2019): a local
SparkSession (pyspark's own, local[2], spark/conf's settings, bound to 127.0.0.1), build_dataset and
count_spins_by_sub from spark/dataset_gen.py, the counts persisted and counted twice (the second count reads the
cache, and the Storage tab lists it). Each job carries a description, so the pages say which code ran. Debian's
Chromium, through Playwright, opens the UI's Jobs, Stages and Storage pages, and the SQL tab's graph of the first
count's plan, and saves each. One JVM, one browser, in a process of its own so that the JVM ends with it.
"""
import datetime
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
# As tests/test_jupyterlab_browser.py launches it: no sandbox as root, and no calls home on a closed network.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
DAY = datetime.date(2019, 2, 8)
PAGES = ("jobs", "stages", "sql", "storage")


def run_the_job(spark, data):
    """The day's job as notebook 02 runs it in its session; returns the counts, persisted, and their rows."""
    import dataset_gen
    from song_plays_spark.inputs import read_listeners, read_spins

    describe = spark.sparkContext.setJobDescription
    describe("read and check the day's spins and the listeners")
    spins = read_spins(spark, str(data / f"spins-{DAY}.snappy.parquet"))
    listeners = read_listeners(spark, str(data / "listeners.snappy.parquet"))
    counts = dataset_gen.count_spins_by_sub(dataset_gen.build_dataset(spins, listeners)).persist()
    describe("counts.count(), first: computes the counts and caches them")
    rows = counts.count()
    describe("counts.count(), again: reads the cached counts")
    counts.count()
    describe(None)
    return counts, rows


def shoot(ui, out):
    """A PNG of each page of the UI, in out: the Jobs, Stages and Storage pages as they open, and the plan graph
    of the first count's query (the SQL tab), drawn at a size where its nodes can be read."""
    from playwright.sync_api import sync_playwright

    shots = {name: out / f"spark_ui_{name}.png" for name in PAGES}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 760})
        page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(ui) else route.abort())
        for name in ("jobs", "stages", "storage"):
            page.goto(f"{ui}/{name}/")
            page.wait_for_load_state("load")
            page.add_style_tag(content=".scroll-btn-container { display: none !important; }")  # floating arrows
            page.screenshot(path=str(shots[name]))
        page.goto(f"{ui}/SQL/")
        page.locator("a", has_text="counts.count(), first").first.click()
        page.wait_for_selector("#plan-viz-graph svg g.node", timeout=30000)
        # The graph is drawn to fit 70% of the window's height, too small to read: draw it at its own size.
        page.evaluate("""() => {
            const svg = document.querySelector('#plan-viz-graph svg');
            const [, , width, height] = svg.getAttribute('viewBox').split(' ').map(Number);
            svg.style.setProperty('width', (width * 1.4) + 'px', 'important');
            svg.style.setProperty('height', (height * 1.4) + 'px', 'important');
            svg.style.maxHeight = 'none';
        }""")
        page.wait_for_timeout(300)
        page.locator("#plan-viz-graph svg").screenshot(path=str(shots["sql"]))
        browser.close()
    return [shots[name] for name in PAGES]


def main(out):
    if not CHROMIUM.exists():
        raise SystemExit(f"the Spark UI tour photographs the UI with Debian's Chromium, and {CHROMIUM} is not "
                         "installed: apt-get install chromium")
    out = Path(out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    sys.path[:0] = [str(ROOT / "spark"), str(ROOT / "notebooks")]
    import song_plays_luigi.settings  # noqa: F401 - points SPARK_CONF_DIR at spark/conf, as the notebooks do
    from pyspark.sql import SparkSession
    from song_plays_ops import generate_fake_data
    from song_plays_ops.services import free_port

    started = time.monotonic()
    os.environ["PYSPARK_PYTHON"] = sys.executable
    os.environ["SPARK_LOCAL_IP"] = "127.0.0.1"  # else Spark warns that the host name resolves to a loopback
    with tempfile.TemporaryDirectory(prefix="spark-ui-tour-") as folder:
        data = generate_fake_data.generate(Path(folder), DAY, DAY, 5000, 100, 2019, log=lambda line: None)
        spark = (SparkSession.builder.master("local[2]").appName("section 2")
                 .config("spark.driver.bindAddress", "127.0.0.1").config("spark.driver.host", "127.0.0.1")
                 .config("spark.ui.port", str(free_port()))
                 .getOrCreate())
        try:
            print(f"Spark UI tour: Spark started ({time.monotonic() - started:.1f} s)", flush=True)
            counts, rows = run_the_job(spark, data)
            print(f"Spark UI tour: the job ran ({time.monotonic() - started:.1f} s)", flush=True)
            shots = shoot(spark.sparkContext.uiWebUrl.rstrip("/"), out)
            counts.unpersist()
        finally:
            spark.stop()
    print(f"Spark UI tour: {rows} count rows, {len(shots)} screenshots in {out} "
          f"({time.monotonic() - started:.1f} s)", flush=True)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    main(sys.argv[1])
