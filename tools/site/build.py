"""Build the workshop's site into build/site/ (make site): Sphinx with MyST-NB, offline.

Pages: an index (the README's sections table and the exercise links), the solution notebooks with the outputs
of their papermill runs, the exercise notebooks as students get them, a glossary (glossary.md) and a tour of the
Spark UI (spark_ui_tour.md) whose screenshots spark_ui_tour.py takes afresh at each build, into the build folder:
one local SparkSession runs the day's job, and Debian's Chromium photographs the UI. Each notebook page has the
theme's launch buttons: Binder and Colab.

    python tools/site/build.py                      # make site: runs the notebooks itself, into build/site-executed/
    python tools/site/build.py --executed DIR       # pages from notebooks already executed in DIR (the site test's)
    python tools/site/build.py --out DIR            # the site somewhere else than build/site/

Where the outputs come from is always said: its own runs (a notebook whose run there is missing, failed or older
than its source is run again, in a copy of the workshop), or the folder given.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))
import navigation  # noqa: E402

SITE = ROOT / "build" / "site"
EXECUTED = ROOT / "build" / "site-executed"
RUN_COPY = ROOT / "build" / "site-run"
LEFT_OUT = ("navigation", "bootstrap")  # the site has its own navigation and launch buttons
HERE = Path(__file__).resolve().parent
PAGES = ("glossary.md", "spark_ui_tour.md")  # written by hand, next to this file
RELATIVE_LINK = re.compile(r"\]\(((?:\.\./)+)([^)#\s]+)(#[^)]*)?\)")
GLOSSARY_LINK = re.compile(r"\[([^\]]+)\]\(((?:\.\./)+)tools/site/glossary\.md#([^)\s]+)\)")


def up_to_date(executed, source):
    """An executed copy of the notebook's current code, which ran without an error."""
    if not executed.exists():
        return False
    ran = nbformat.read(executed, as_version=4)
    code = [cell.source for cell in nbformat.read(source, as_version=4).cells if cell.cell_type == "code"]
    failed = any(output.output_type == "error" for cell in ran.cells for output in cell.get("outputs", []))
    return not failed and code == [cell.source for cell in ran.cells if cell.cell_type == "code"]


def executed_notebooks(given=None):
    """{name: executed path}: from the folder given, else the site's own runs (made again where stale)."""
    if given is not None:
        print(f"pages from the notebooks executed in {given}", flush=True)
        missing = [name for name, *_ in navigation.SECTIONS if not (given / name).exists()]
        if missing:
            raise SystemExit(f"{given} has no executed {', '.join(missing)}")
        return {name: given / name for name, *_ in navigation.SECTIONS}
    print(f"pages from the site's own runs of the notebooks, in {EXECUTED}", flush=True)
    stale = [name for name, *_ in navigation.SECTIONS if not up_to_date(EXECUTED / name, ROOT / "notebooks" / name)]
    if stale:
        run_in_a_copy(stale)
    return {name: EXECUTED / name for name, *_ in navigation.SECTIONS}


def run_in_a_copy(names):
    """As tests/test_notebooks.py does: in a copy, so that running them cannot touch this checkout."""
    import papermill
    from song_plays_ops import workshop_copy
    shutil.rmtree(RUN_COPY, ignore_errors=True)
    workshop_copy.copy_workshop(RUN_COPY)
    os.environ["PYTHONPATH"] = workshop_copy.pythonpath(RUN_COPY)
    EXECUTED.mkdir(parents=True, exist_ok=True)
    for name in names:
        print(f"running {name} for the site", flush=True)
        papermill.execute_notebook(str(RUN_COPY / "notebooks" / name), str(EXECUTED / name),
                                   cwd=str(RUN_COPY / "notebooks"), kernel_name="python3", progress_bar=False)


def glossary_terms():
    """{anchor: term} of the glossary's entries: "term-Task-Spark" -> "Task (Spark)", as Sphinx names them."""
    blocks = re.findall(r"```\{glossary\}\n(.*?)\n```", (HERE / "glossary.md").read_text(), re.DOTALL)
    terms = [term for block in blocks for term in re.findall(r"^(\S.*)$", block, re.MULTILINE)]
    return {"term-" + re.sub(r"[^\w]+", "-", term).strip("-"): term for term in terms}


def site_links(markdown, page):
    """Links that leave the notebooks (../benchmarks/README.md) point at the repository; links to pages stay.
    A link to a glossary entry, [shuffle](../tools/site/glossary.md#term-Shuffle) (JupyterLab and GitHub open the
    file), becomes the site's cross-reference to it, which the build checks."""
    terms = glossary_terms()

    def term(match):
        text, up, anchor = match.groups()
        if (ROOT / page.parent / up / "tools/site/glossary.md").resolve() != HERE / "glossary.md" or anchor not in terms:
            raise SystemExit(f"{page}: [{text}]: no glossary entry {anchor} at {up}tools/site/glossary.md")
        return f"{{term}}`{text.replace('`', '').replace('*', '')} <{terms[anchor]}>`"
    markdown = GLOSSARY_LINK.sub(term, markdown)

    def replace(match):
        target = (ROOT / page.parent / (match.group(1) + match.group(2))).resolve()
        inside = target.is_relative_to(ROOT / "notebooks") and target.suffix == ".ipynb"
        if inside:
            return match.group(0)
        if target.parent == HERE and target.name in PAGES:  # the site's own page, at the site's root
            return f"]({os.path.relpath(target.name, page.parent)}{match.group(3) or ''})"
        where = target.relative_to(ROOT).as_posix()
        return f"]({navigation.repository_url()}/blob/{navigation.BRANCH}/{where}{match.group(3) or ''})"
    return RELATIVE_LINK.sub(replace, markdown)


def stage_notebook(source, page, stage):
    """Copy a notebook to the site's sources as page (its path in the repository), for reading."""
    nb = nbformat.read(source, as_version=4)
    nb.cells = [cell for cell in nb.cells if not set(cell.metadata.get("tags", [])) & set(LEFT_OUT)]
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            cell.source = site_links(cell.source, page)
    (stage / page).parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, stage / page)


def index_page():
    rows = ["| section | what you build | time | exercise |", "| --- | --- | --- | --- |"]
    rows += [f"| [{title}](notebooks/{name}) | {builds} | {minutes} | [exercise](notebooks/exercises/{name}) |"
             for name, title, builds, minutes in navigation.SECTIONS]
    pages = "\n".join(f"notebooks/{name}" for name, *_ in navigation.SECTIONS)
    exercises = "\n".join(f"notebooks/exercises/{name}" for name, *_ in navigation.SECTIONS)
    return f"""# Song plays: a hands-on data-engineering workshop

Build a daily batch pipeline with **Luigi** and **PySpark**, step by step, in JupyterLab: Luigi tasks download
a day's song plays and the listeners dimension, a PySpark job joins, deduplicates, validates and writes two
reports, and Luigi runs the job with `spark-submit`.

This site shows each section as it runs: the solution notebooks, with what every cell printed and drew when the
workshop's tests ran them. To work through it yourself, open a section's **exercise** with the launch button
at the top of its page (Binder or Colab), or on your own machine: clone [the repository]({navigation.repository_url()})
and run `make lab`.

{chr(10).join(rows)}

```{{toctree}}
:caption: Sections (solutions, as run)
:maxdepth: 1

{pages}
```

```{{toctree}}
:caption: Exercises (as students get them)
:maxdepth: 1

{exercises}
```

```{{toctree}}
:caption: Reference
:maxdepth: 1

spark_ui_tour
glossary
```
"""


def spark_ui_screenshots(out):
    """The tour's PNGs of the Spark UI, made now (spark_ui_tour.py, in a process of its own: its JVM ends with it)."""
    started = time.monotonic()
    run = subprocess.run([sys.executable, str(HERE / "spark_ui_tour.py"), str(out)], capture_output=True, text=True,
                         timeout=900)
    if run.returncode != 0:
        raise SystemExit(f"the Spark UI's screenshots failed:\n{run.stdout[-3000:]}{run.stderr[-3000:]}")
    print(f"the Spark UI tour's screenshots took {time.monotonic() - started:.1f} s", flush=True)


def build(executed=None, site=SITE):
    stage = site.with_name(site.name + "-src")
    shutil.rmtree(stage, ignore_errors=True)
    stage.mkdir(parents=True)
    for name, path in executed_notebooks(executed).items():
        stage_notebook(path, Path("notebooks") / name, stage)
        stage_notebook(ROOT / "notebooks" / "exercises" / name, Path("notebooks") / "exercises" / name, stage)
    (stage / "index.md").write_text(index_page())
    for page in PAGES:
        shutil.copy(HERE / page, stage / page)
    spark_ui_screenshots(stage / "spark_ui")
    shutil.rmtree(site, ignore_errors=True)
    return subprocess.run([sys.executable, "-m", "sphinx", "-b", "html", "-q", "-W", "--keep-going",
                           "-c", str(Path(__file__).resolve().parent), str(stage), str(site)]).returncode


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Build the workshop's site (make site).")
    parser.add_argument("--executed", type=Path, help="a folder of executed solution notebooks to take pages from")
    parser.add_argument("--out", type=Path, default=SITE, help=f"where the site goes (default {SITE})")
    args = parser.parse_args()
    code = build(args.executed and args.executed.resolve(), args.out.resolve())
    print(f"the site is in {args.out}/ (open index.html)" if code == 0 else "the site did not build")
    sys.exit(code)
