"""Write the student edition, notebooks/exercises/NN_*.ipynb, from the solutions in notebooks/NN_*.ipynb.

    python notebooks/make_exercises.py           # make exercises
    python notebooks/make_exercises.py --check   # change nothing; exit 1 when the exercises are out of date

In a solution, the code a student writes sits between two lines (nbgrader's style):

        # BEGIN SOLUTION: DownloadSpins.output(): a LocalTarget at data/spins/YYYY/MM/DD/...
        return luigi.LocalTarget(...)
        # END SOLUTION

The exercise keeps the text after "BEGIN SOLUTION:" as a TODO, and a NotImplementedError that says the
same, so running the cell early says what is left to write. Everything else stays as it is: markdown,
imports, scaffolding, CHECKPOINT cells. The exercises' %%writefile cells write into workspace/ (git-ignored),
never over the committed modules, and each notebook starts by pointing its imports there.
"""
import argparse
import re
import sys
from pathlib import Path

import nbformat

NOTEBOOKS_DIR = Path(__file__).resolve().parent
EXERCISES_DIR = NOTEBOOKS_DIR / "exercises"
BEGIN = re.compile(r"^(\s*)# BEGIN SOLUTION(?::\s*(.*\S))?\s*$")
END = re.compile(r"^\s*# END SOLUTION\s*$")
WRITEFILE_TARGET = re.compile(r"^(%%writefile(?: -a)?) \.\./(luigi_tasks|spark)/")
USE_WORKSPACE = "workshop.use_workspace()  # your modules go to workspace/; the solutions stay as they are"


class MarkerError(ValueError):
    """A solution's markers cannot be turned into an exercise."""


def stub_out(source, where):
    """source with each marked block replaced by a TODO and a NotImplementedError."""
    lines, out, block = source.split("\n"), [], None
    for number, line in enumerate(lines, 1):
        begin = BEGIN.match(line)
        if begin:
            if block is not None:
                raise MarkerError(f"{where}, line {number}: BEGIN SOLUTION inside another block")
            indent, todo = begin.groups()
            if not todo:
                raise MarkerError(f"{where}, line {number}: say what to write, as '# BEGIN SOLUTION: <what>'")
            if not indent:
                raise MarkerError(f"{where}, line {number}: a block at the top level would stop the cell; "
                                  "put it inside a function or a `with workshop.step(...)` block")
            block = (indent, todo)
        elif END.match(line):
            if block is None:
                raise MarkerError(f"{where}, line {number}: END SOLUTION without BEGIN SOLUTION")
            indent, todo = block
            out += [f"{indent}# TODO: {todo}", f"{indent}raise NotImplementedError({todo!r})"]
            block = None
        elif block is None:
            out.append(line)
    if block is not None:
        raise MarkerError(f"{where}: BEGIN SOLUTION without END SOLUTION")
    return "\n".join(out)


def exercise_of(solution_path):
    """The exercise edition of one solution notebook, as a notebook object."""
    nb = nbformat.read(solution_path, as_version=4)
    name = solution_path.name
    for index, cell in enumerate(nb.cells):
        where = f"{name}, cell {index} ({cell.id})"
        if cell.cell_type == "code":
            cell.source = stub_out(cell.source, where)
            first, newline, rest = cell.source.partition("\n")
            cell.source = WRITEFILE_TARGET.sub(r"\1 ../workspace/\2/", first) + newline + rest
            if "\nimport workshop\n" in f"\n{cell.source}\n" and USE_WORKSPACE not in cell.source:
                cell.source = re.sub(r"^import workshop$", f"import workshop\n{USE_WORKSPACE}", cell.source,
                                     count=1, flags=re.MULTILINE)
        else:  # one folder deeper: links that leave notebooks/ need one more ../
            cell.source = (cell.source.replace("](../", "](../../")
                           .replace("?urlpath=lab/tree/notebooks/", "?urlpath=lab/tree/notebooks/exercises/"))
    banner = nbformat.v4.new_markdown_cell(
        f"**Exercise edition.** Write the code where a cell says `TODO`; the CHECKPOINT after it checks your work "
        f"and says what to fix. Your modules go to `workspace/`. Stuck? The solution is "
        f"[../{name}](../{name}).")
    banner.id = "exercise-edition"
    nb.cells.insert(1, banner)
    return nb


def solution_notebooks():
    return sorted(NOTEBOOKS_DIR.glob("[0-9][0-9]_*.ipynb"))


def main(argv=None):
    parser = argparse.ArgumentParser(description="Generate notebooks/exercises/ from the solution notebooks.")
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if anything is out of date")
    args = parser.parse_args(argv)
    stale = []
    EXERCISES_DIR.mkdir(exist_ok=True)
    for solution in solution_notebooks():
        target = EXERCISES_DIR / solution.name
        text = nbformat.writes(exercise_of(solution)) + "\n"
        if not target.exists() or target.read_text() != text:
            stale.append(target.name)
            if not args.check:
                target.write_text(text)
    expected = {solution.name for solution in solution_notebooks()}
    extra = sorted(path.name for path in EXERCISES_DIR.glob("*.ipynb") if path.name not in expected)
    if args.check:
        if stale or extra:
            print(f"out of date: {', '.join(stale + extra)}. Run `make exercises`.")
            return 1
        return 0
    for name in extra:
        (EXERCISES_DIR / name).unlink()
    print(f"wrote {len(stale)} exercise notebooks" + (f", removed {', '.join(extra)}" if extra else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
