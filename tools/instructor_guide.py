"""Write INSTRUCTOR_GUIDE.md from what the workshop really is, so that it cannot drift from it:

- the sections and their planned times (SECTIONS);
- the time each section takes to run, as `make timings` measured it (tools/timings.py: the browser's Run All
  of exercises 01-04 typed in, and papermill's first run of every notebook), kept in tools/section_timings.json;
- the reading time of each exercise notebook (its words, at 200 a minute) and the TODOs to write;
- what the TODOs ask students to write, and how much of it they dictate (tools/dictation.py);
- the mistakes tests/test_exercises.py plants (tools/planted_mistakes.py), and the checkpoint that catches each.

    python tools/instructor_guide.py           # part of make generated
    python tools/instructor_guide.py --check   # change nothing; exit 1 when the guide is out of date
"""
import argparse
import json
import math
import re
import sys
from pathlib import Path

import nbformat

import dictation
from workshop.sections import SECTIONS

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS_DIR = ROOT / "notebooks"
GUIDE = ROOT / "INSTRUCTOR_GUIDE.md"
TIMINGS = Path(__file__).resolve().parent / "section_timings.json"
WORDS_PER_MINUTE = 200


def planted_mistakes():
    from planted_mistakes import WRONG_SOLUTIONS
    return WRONG_SOLUTIONS


def reading(notebook):
    """(minutes to read the exercise notebook, TODOs in it)."""
    nb = nbformat.read(NOTEBOOKS_DIR / "exercises" / notebook, as_version=4)
    words = sum(len(re.findall(r"\w+", cell.source)) for cell in nb.cells
                if not {"navigation", "bootstrap"} & set(cell.metadata.get("tags", [])))
    todos = sum(cell.source.count("# TODO: ") for cell in nb.cells)
    return math.ceil(words / WORDS_PER_MINUTE), todos


def seconds(value):
    return "-" if value is None else f"{value:.0f} s"


def timing_table(timings):
    lines = ["| section | planned | reading | TODOs to write | Run All, typed in JupyterLab | papermill run |",
             "| --- | --- | --- | --- | --- | --- |"]
    for notebook, title, _, planned in SECTIONS:
        minutes, todos = reading(notebook)
        figures = timings.get(notebook, {})
        lines.append(f"| {title} | {planned} | {minutes} min | {todos} | {seconds(figures.get('browser'))} | "
                     f"{seconds(figures.get('papermill'))} |")
    return "\n".join(lines)


def mistakes_table():
    titles = {notebook: title for notebook, title, *_ in SECTIONS}
    lines = ["| the mistake | in | caught by | its message says |", "| --- | --- | --- | --- |"]
    for mistake, (notebook, _, _, checkpoint, cause) in planted_mistakes().items():
        cell = cause.replace("|", "\\|")  # a ":|" would end the table's cell
        lines.append(f"| {mistake} | {titles[notebook]} | CHECKPOINT {checkpoint} | “{cell}” |")
    return "\n".join(lines)


def writing_table():
    """Per section: the TODOs, the lines of code they ask for, and how many dictate their answer (tools/dictation.py)."""
    found = dictation.todos()
    lines = [f"| section | TODOs | answer lines | TODOs naming more than {dictation.DICTATES:.0%} of their answer's names |",
             "| --- | ---: | ---: | ---: |"]
    for notebook, title, *_ in SECTIONS:
        mine = [todo for todo in found if todo.notebook == Path(notebook).stem]
        if mine:
            lines.append(f"| {title} | {len(mine)} | {sum(todo.lines for todo in mine)} | "
                         f"{sum(todo.share > dictation.DICTATES for todo in mine)} |")
    return "\n".join(lines) + f"\n\nIn all: {dictation.summary(found)}."


def guide_text(timings):
    return TEMPLATE.format(timing_table=timing_table(timings), mistakes_table=mistakes_table(),
                           writing_table=writing_table(), words_per_minute=WORDS_PER_MINUTE).strip() + "\n"


TEMPLATE = """
# Instructor guide

<!-- Written by tools/instructor_guide.py (`make generated`); edit the template there, not this file. -->

The workshop runs as five notebooks. Students work in the **exercise edition** (`notebooks/exercises/`, where
`make lab` and the Binder badges open); the complete notebooks in `notebooks/` are the solutions. Every
CHECKPOINT is a call such as `check.step2()`: it says "passed", or what is wrong with one hint, or "not started
yet" when the step's TODO is still there. Students can ask for more: `check.hint(2)` (a better hint each time,
for the cause the checkpoint found, then the step's own) and `check.solution(2)` (the answer, in a new cell,
not run, with the cell it replaces named). What they pass and ask for is kept on their machine, in
`workspace/progress.jsonl`; `workshop progress` prints it as a table.

## Timing

| | |
| --- | --- |
| planned | the time to plan for, from the sections table in the README |
| reading | the exercise notebook's words at {words_per_minute} a minute |
| Run All, typed in JupyterLab | measured: the browser test types every TODO's solution into the exercise in JupyterLab, then runs all cells (machine time only) |
| papermill run | measured: the solution notebook's first run by the tests under papermill, in a fresh kernel |

{timing_table}

The machine time is small next to the reading and the writing: plan on the "planned" column, which leaves
time to write the TODOs, read what each cell prints, and get stuck once or twice. Section 04's steps 1 and 2 are
exercises; steps 3 to 5 are demonstrations, each with a prediction to make first: show them, or let students run
them, on Binder too (luigi.cfg sizes its cluster, its Connect server and their JVMs to stay
within 1.7 GB of Binder's 2 GB; `benchmarks/README.md` has the figures).
The measured times come from a 2-core machine; `make timings` measures them again.

## What students write

Each TODO states a goal; its code is in the checkpoint's hints and `check.solution(N)`. The last column is
`tools/dictation.py`'s measure: a TODO that names most of the identifiers of its own answer dictates it
(`python tools/dictation.py` lists every TODO).

{writing_table}

## Mistakes students make, and what catches them

Each of these is planted in a solution by `tests/test_exercises.py`, which proves that the checkpoint named
here fails, without a traceback, with a message that says this; and that it passes once the cell is fixed and run
again, with no other cell run in between. When a student shows you one of these messages, this is the likely cause.

{mistakes_table}

Other frequent ones, caught by the same checkpoints:
- a cell run out of order: the checkpoint says which name "is not defined yet" (run the cells above, top to
  bottom);
- a `%%writefile` cell edited and run again: fine, the new version replaces the old one in the module, and the
  module is imported again, so the next cell and the checkpoint use the new code;
- a TODO left with its `raise NotImplementedError(...)`: the checkpoint says "not started yet" and names it;
- a cell whose code raised inside its `workshop.step(...)` block: the cell says so, and its variables keep what
  an earlier run left, so the checkpoint after it fails, naming that error (beside what it found, if anything),
  even when the values left over would pass.

## Running it for a room

**Before the day.**
- Run `make preflight` on a machine set up as the students' will be. It checks that the data host publishes the
  listeners and the day's spins, that it does *not* publish 2019-02-09 yet (section 1 waits for that day), that
  Spark finds Java 17 or 21, and the pyspark and luigi versions. Against your own host:
  `make preflight DATA_URL=https://your.host/path`.
- Open each Binder badge once: the first launch builds the image (several minutes); later launches reuse it.

**Binder.** mybinder.org runs at most 100 sessions of one repository at a time, and each gets about 2 GB of
memory. For a bigger room, or to be safe, have half the room use a fork (its own limit), or run the notebooks
on your institution's JupyterHub with `requirements.txt`. Each Binder session serves its own copy of the data
from 127.0.0.1, so nothing needs to be shared.

**Laptops.** `make lab` sets everything up (Python 3.11 to 3.13 and Java 17 or 21 needed). Each student's
notebooks serve the generated data from their own machine, so the room needs no network once set up. To serve
one copy of the data to everyone instead, publish the folder `build/remote/` (after `make setup`) on any web
host, and give students its address: the `DATA_URL` parameter at the top of notebooks 01 to 03, or
`SONG_PLAYS_DATA_URL` in their environment. The files can also sit behind share links or signed URLs
(`SONG_PLAYS_SPINS_URL` with `{{date:%Y-%m-%d}}` where the day goes, and `SONG_PLAYS_LISTENERS_URL`).

**Pace.** Section 00 is a check list: ask everyone to reach its last cell, the progress table, before you start
section 1. Sections 1 and 2 hold all but two of the TODOs; section 3 runs the whole day and breaks it on purpose.

## When a student is stuck

1. Read the checkpoint's message together: it says what is wrong and what to look at.
2. `check.hint(N)`, a few times: from a nudge to nearly the answer, for the cause the checkpoint found (a new
   cause starts its hints over).
3. `check.solution(N)`: the answer goes into a new cell below, and the message names the cell it replaces (its
   heading and first line); put it there, run it, then every cell from there down to the checkpoint.
4. Still red? Restart the kernel (Kernel > Restart Kernel and Run All Cells): a kernel that ran cells in
   many orders holds stale names.
5. The environment, not the code: notebook 00 checks Python, Java, Spark, luigi and the data, and says how to
   fix each. A kernel that dies in section 2 or 4 is out of memory: close other notebooks' kernels.
6. To start a section over, delete its part of `workspace/` (the exercises' modules and data): whatever is not
   written there is taken from the solutions, so any section can start from a clean slate.

`workshop progress` in a terminal of the student's JupyterLab, in any folder, shows how far they got: the
checkpoints passed in each section, and how many hints and solutions they used. Each notebook ends with the same table.

## Questions

Notebooks 01 to 04 end with three to five recall questions. The exercise edition has the questions only; the
answers are under them in the solution notebooks, for you.
"""


def main(argv=None):
    parser = argparse.ArgumentParser(description="Write INSTRUCTOR_GUIDE.md.")
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if the guide is out of date")
    args = parser.parse_args(argv)
    timings = json.loads(TIMINGS.read_text()) if TIMINGS.exists() else {}
    if args.check:
        if not GUIDE.exists() or GUIDE.read_text() != guide_text(timings):
            print("INSTRUCTOR_GUIDE.md is out of date: run `make generated`.")
            return 1
        return 0
    GUIDE.write_text(guide_text(timings))
    print(f"wrote {GUIDE.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
