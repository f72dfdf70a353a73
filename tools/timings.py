"""Measure how long each section takes to run, into the committed tools/section_timings.json (make timings).

    python tools/timings.py                 # every section: papermill's first run, and Run All in JupyterLab
    python tools/timings.py --no-browser    # papermill only (no Chromium here)

Two figures per section, each from a fresh start:
- papermill: the solution notebook's first run in a fresh copy of the workshop (a new kernel, an empty data
  folder), the notebooks run in order as a class would;
- browser: Run All of the exercise notebook with its TODOs typed in, in JupyterLab in Chromium
  (tests/test_jupyterlab_browser.py's student, which hands its timings over through WORKSHOP_TIMINGS).

The instructor guide (tools/instructor_guide.py) reads the file; nothing else writes it, so a test run never
changes the guide. The machine these ran on is noted in the file.
"""
import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat
import papermill

from song_plays_ops.workshop_copy import copy_workshop, pythonpath
from workshop.sections import SECTIONS

ROOT = Path(__file__).resolve().parents[1]
TIMINGS = Path(__file__).resolve().parent / "section_timings.json"


def papermill_seconds(scratch):
    """{notebook: seconds} for each solution notebook's first run, in order, in one fresh copy."""
    copy = copy_workshop(scratch / "workshop")
    env = {key: value for key, value in os.environ.items() if not key.startswith("SONG_PLAYS_")}
    os.environ.clear()
    os.environ.update(env, PYTHONPATH=pythonpath(copy))  # the kernels import the copy's code
    found = {}
    for name, *_ in SECTIONS:
        print(f"papermill: {name}", flush=True)
        executed = scratch / f"executed-{name}"
        papermill.execute_notebook(str(copy / "notebooks" / name), str(executed), cwd=str(copy / "notebooks"),
                                   kernel_name="python3", progress_bar=False)
        found[name] = round(nbformat.read(executed, as_version=4).metadata["papermill"]["duration"], 1)
    return found


def browser_seconds(scratch):
    """{notebook: seconds} of Run All in JupyterLab, from the browser test's student."""
    out = scratch / "browser.json"
    print("browser: exercises typed in and run in JupyterLab", flush=True)
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                          "tests/test_jupyterlab_browser.py", "-k", "types_the_solutions"],
                         cwd=ROOT, env={**os.environ, "WORKSHOP_TIMINGS": str(out)})
    if run.returncode != 0 or not out.exists():
        raise SystemExit("the browser run failed: its output is above; no timings were written")
    return json.loads(out.read_text())["run_all_seconds"]


def main(argv=None):
    parser = argparse.ArgumentParser(description="Measure each section's running time into section_timings.json.")
    parser.add_argument("--no-browser", action="store_true", help="keep the browser figures the file has")
    args = parser.parse_args(argv)
    timings = json.loads(TIMINGS.read_text()) if TIMINGS.exists() else {}
    with tempfile.TemporaryDirectory() as scratch:
        measured = {"papermill": papermill_seconds(Path(scratch))}
        if not args.no_browser:
            measured["browser"] = browser_seconds(Path(scratch))
    for kind, figures in measured.items():
        for name, seconds in figures.items():
            timings.setdefault(name, {})[kind] = seconds
    timings["_machine"] = f"{os.cpu_count()} cores, Python {platform.python_version()}"
    TIMINGS.write_text(json.dumps(timings, indent=1, sort_keys=True) + "\n")
    print(f"wrote {TIMINGS.relative_to(ROOT)}; `make generated` puts the figures in the guide")
    return 0


if __name__ == "__main__":
    sys.exit(main())
