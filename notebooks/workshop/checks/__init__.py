"""Each notebook's checkpoints, hints and solutions: `from workshop.checks import section01 as check`, then
check.step2() (CHECKPOINT 2), check.hint(2), check.solution(2) (in a new cell below) and check.progress().
Their TODOs and solutions are in todo_cells.json, which tools/make_exercises.py writes."""
import importlib

from workshop import progress


def sections():
    """[(name, title, number of checkpoints)] for every notebook, in order: sectionNN checks notebook NN."""
    from workshop.sections import SECTIONS
    return [(notebook.removesuffix(".ipynb"), title,
             len(importlib.import_module(f"workshop.checks.section{notebook[:2]}").section.checkpoints))
            for notebook, title, *_ in SECTIONS]


def show_progress():
    print(f"Your progress, kept in {progress.PROGRESS_FILE} (nothing leaves this machine):\n")
    print(progress.table_text(sections()))


def attempt(call):
    """(what call() returned, None), or (None, the error it raised): the student's code, whose error is a finding.
    A TODO left (NotImplementedError) is raised on, for the coach to say "not started"."""
    try:
        return call(), None
    except NotImplementedError:
        raise
    except (Exception, SystemExit) as error:  # noqa: BLE001 - reported by the check that called it (argparse exits)
        return None, error


def error_line(error):
    """An error as a traceback's last line shows it, cut to its first line (Spark's go on for pages)."""
    lines = str(error).split(" SQLSTATE: ")[0].strip().splitlines()
    return f"{type(error).__name__}: {lines[0][:300] if lines else ''}".rstrip(".")
