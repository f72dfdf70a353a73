"""Write the student edition, notebooks/exercises/NN_*.ipynb, from the solutions in notebooks/NN_*.ipynb.

    python tools/make_exercises.py           # part of make generated
    python tools/make_exercises.py --check   # change nothing; exit 1 when the exercises are out of date

A solution cell says which of its code a student writes in its metadata, so the solutions' visible code (and
the modules their %%writefile cells write) carries no markers at all:

    "solution_blocks": [
        {"body_of": "    def output(self):", "todo": "DownloadSpins.output(): a LocalTarget at ..."},
        {"from": "    filtered_pd = ...", "to": "    distinct_pd = ...", "todo": "in pandas, ..."}
    ]

"body_of" is a def line: its body (after any docstring) is left out. "from" and "to" are the first and last
lines of a block. Each becomes a TODO and a NotImplementedError that says the same, so running the cell early
says what is left to write (and the CHECKPOINT after it, "not started yet": workshop.coach looks for the stub).
Each such cell is named by a tag, "stepN-what" (JupyterLab shows tags; the checks and tools/planted_mistakes.py
name cells by them), and its TODOs and solution go into notebooks/workshop/checks/todo_cells.json, where the coach
reads them at run time.
Cells tagged "answers" (the answers to a notebook's closing questions) are left out. Everything else stays as it
is: markdown, imports, scaffolding, CHECKPOINT cells.
The exercises' %%writefile cells write into workspace/ (git-ignored), never over the committed modules, and
each notebook starts by pointing its imports there.
"""
import argparse
import json
import re
import sys
from pathlib import Path

import nbformat

from workshop.jupyter_setup import notebook_kernelspec
from workshop.solution_blocks import MarkerError, block_spans, exercise_writefile, stub_out

NOTEBOOKS_DIR = Path(__file__).resolve().parents[1] / "notebooks"
EXERCISES_DIR = NOTEBOOKS_DIR / "exercises"
TODO_CELLS = NOTEBOOKS_DIR / "workshop" / "checks" / "todo_cells.json"
NAME_TAG = re.compile(r"^step\d+-[a-z0-9-]+$")
ANSWERS_TAG = "answers"
USE_WORKSPACE = "workshop.use_workspace()  # your modules and data go to workspace/; the solutions stay as they are"


# The exercises' terminal commands run the student's own module, and their data lives in workspace/data/.
WORKSPACE_COMMANDS = ("In this edition your code and data live in `workspace/`, and the first line below points the "
                      "terminal there: `luigi` then imports your own `workspace/luigi_tasks/{module}.py` (the "
                      "solution's, until you have written yours), submits your own job once you have written it, "
                      "and keeps the data in `workspace/data/`:\n\n```bash\n"
                      "export PYTHONPATH=workspace/luigi_tasks SONG_PLAYS_WORKSPACE=workspace\n")
DATA_FOLDER = re.compile(r"(?<![\w./-])data/")
# Where the exercise edition's own tasks write, as the prose names it: the data folder itself (`data/`), a day's
# template (`data/output/YYYY/MM/DD/dataset/`) or a file (`data/listeners/listeners.snappy.parquet`), in a code
# span. Anything else that starts with data/ is prose about another place: a month's glob
# (`data/spins/2019/02/*`, which notebook 04 reads from build/month/data/), a folder in the original workshop
# (`data/output`), or a path under another folder (`build/month/data/...`); it stays as the solution says it.
WORKSPACE_PATH = re.compile(r"`data/(?:[^`\s*]*YYYY[^`\s*]*|[^`\s*]*[^/`\s*.]\.[A-Za-z]+)?`")
FENCED_BASH = re.compile(r"```bash\n.*?```", re.DOTALL)


def in_the_workspace(markdown):
    """A solution's markdown as the exercise edition says it: the paths its tasks write (WORKSPACE_PATH), and
    data/ in the bash blocks the student runs, are under workspace/data/; its first luigi command first points the
    terminal at the workspace. Prose about any other data/ folder is left alone."""
    markdown = WORKSPACE_PATH.sub(lambda match: "`workspace/" + match.group(0)[1:], markdown)
    markdown = FENCED_BASH.sub(lambda match: DATA_FOLDER.sub("workspace/data/", match.group(0)), markdown)
    return re.sub(r"```bash\n(?=(?:\.venv/bin/)?luigi --module (\w+))",
                  lambda found: WORKSPACE_COMMANDS.format(module=found.group(1)), markdown, count=1)


def exercise_of(solution_path, solved=False):
    """The exercise edition of one solution notebook, as a notebook object.

    solved=True keeps the solutions' code where the TODOs would be: the exercise edition as a student who has
    done every exercise has it (the tests run it).
    """
    nb = nbformat.read(solution_path, as_version=4)
    name = solution_path.name
    # The answers to the questions at a notebook's end are for the solution edition only.
    nb.cells = [cell for cell in nb.cells if ANSWERS_TAG not in cell.metadata.get("tags", [])]
    has_todos = any(cell.metadata.get("solution_blocks") for cell in nb.cells)
    for index, cell in enumerate(nb.cells):
        where = f"{name}, cell {index} ({cell.id})"
        if cell.cell_type == "code":
            blocks = cell.metadata.pop("solution_blocks", [])
            cell.source = exercise_writefile(cell.source if solved else stub_out(cell.source, blocks, where))
            if "\nimport workshop\n" in f"\n{cell.source}\n" and USE_WORKSPACE not in cell.source:
                cell.source = re.sub(r"^import workshop$", f"import workshop\n{USE_WORKSPACE}", cell.source,
                                     count=1, flags=re.MULTILINE)
        else:  # one folder deeper: links that leave notebooks/ need one more ../
            cell.source = (cell.source.replace("](../", "](../../")
                           .replace("?urlpath=lab/tree/notebooks/", "?urlpath=lab/tree/notebooks/exercises/"))
            cell.source = in_the_workspace(cell.source)
    if has_todos:
        text = (f"**Exercise edition.** Write the code where a cell says `TODO`; the CHECKPOINT after it, "
                f"`check.stepN()`, checks your work and says what to fix. Your modules and data go to `workspace/`. "
                f"Stuck? `check.hint(N)` gives a hint, a better one each time; `check.solution(N)` puts the answer "
                f"in a new cell. The whole solution: [../{name}](../{name}).")
    else:
        text = (f"**Exercise edition.** This section has no code for you to write: run it top to bottom, read "
                f"what each step prints, and let its CHECKPOINTs confirm it worked. The same notebook without this "
                f"note: [../{name}](../{name}).")
    banner = nbformat.v4.new_markdown_cell(text)
    banner.id = "exercise-edition"
    nb.cells.insert(1, banner)
    nb.metadata["kernelspec"] = notebook_kernelspec()  # the installed kernel's, whatever the solution says
    return nb


def name_tag(cell, where):
    """The tag that names a cell, "stepN-what"."""
    names = [tag for tag in cell.metadata.get("tags", []) if NAME_TAG.match(tag)]
    if len(names) != 1:
        raise MarkerError(f"{where}: a cell with solution_blocks needs one tag that names it, like step2-download-spins")
    return names[0]


def todo_cells(solution_path):
    """{tag: {"todos", "heading", "solutions", "exercises"}} for each cell with solution_blocks: its TODOs, in the
    cell's order, the heading it stands under, and its code in each edition (the exercises'
    %%writefile writes into workspace/)."""
    cells, heading = {}, ""
    for cell in nbformat.read(solution_path, as_version=4).cells:
        if cell.cell_type == "markdown" and cell.source.startswith("#"):
            heading = cell.source.partition("\n")[0].lstrip("# ")
        if blocks := cell.metadata.get("solution_blocks"):
            where = f"{solution_path.name}, cell {cell.id}"
            spans = block_spans(cell.source.split("\n"), blocks, where)
            cells[name_tag(cell, where)] = {"todos": [todo for *_, todo in reversed(spans)], "heading": heading,
                                            "solutions": cell.source, "exercises": exercise_writefile(cell.source)}
    return cells


def todo_cells_text():
    return json.dumps({path.stem: todo_cells(path) for path in solution_notebooks()}, indent=1, ensure_ascii=False) + "\n"


def solution_notebooks():
    return sorted(NOTEBOOKS_DIR.glob("[0-9][0-9]_*.ipynb"))


def main(argv=None):
    parser = argparse.ArgumentParser(description="Generate notebooks/exercises/ from the solution notebooks.")
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if anything is out of date")
    args = parser.parse_args(argv)
    stale = []
    EXERCISES_DIR.mkdir(exist_ok=True)
    outputs = [(EXERCISES_DIR / solution.name, nbformat.writes(exercise_of(solution)) + "\n")
               for solution in solution_notebooks()] + [(TODO_CELLS, todo_cells_text())]
    for target, text in outputs:
        if not target.exists() or target.read_text() != text:
            stale.append(target.name)
            if not args.check:
                target.write_text(text)
    expected = {solution.name for solution in solution_notebooks()}
    extra = sorted(path.name for path in EXERCISES_DIR.glob("*.ipynb") if path.name not in expected)
    if args.check:
        if stale or extra:
            print(f"out of date: {', '.join(stale + extra)}. Run `make generated`.")
            return 1
        return 0
    for name in extra:
        (EXERCISES_DIR / name).unlink()
    print(f"wrote {len(stale)} files" + (f", removed {', '.join(extra)}" if extra else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
