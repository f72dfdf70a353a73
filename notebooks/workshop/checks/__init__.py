"""Each notebook's checkpoints, hints and solutions: `from workshop.checks import section01 as check`, then
check.step2() (CHECKPOINT 2), check.hint(2), check.solution(2) (in a new cell below) and check.progress().
Their TODOs and solutions are in todo_cells.json, which tools/make_exercises.py writes."""
import importlib

from workshop import progress

MODULES = ["section00", "section01", "section02", "section03", "section04"]


def sections():
    """[(name, title, number of checkpoints)] for every notebook, in order."""
    from workshop.sections import SECTIONS
    titles = {notebook.removesuffix(".ipynb"): title for notebook, title, *_ in SECTIONS}
    return [(s.name, titles[s.name], len(s.checkpoints))
            for s in (importlib.import_module(f"workshop.checks.{module}").section for module in MODULES)]


def show_progress():
    print(f"Your progress, kept in {progress.progress_file()} (nothing leaves this machine):\n")
    print(progress.table_text(sections()))
