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

