"""Each notebook's checkpoints, hints and solutions: `from workshop.checks import section01 as check`.

    check.step2()        # CHECKPOINT 2: passed, what is wrong and a hint, or "not started yet"
    check.hint(2)        # the next hint for checkpoint 2
    check.solution(2)    # its solution, from the solution notebook, in a new cell below
    check.progress()     # the table of checkpoints passed, hints and solutions used, section by section
"""
import importlib

from workshop import progress

MODULES = ["section00", "section01", "section02", "section03", "section04"]


def sections():
    """[(name, title, number of checkpoints)] for every notebook, in order."""
    from workshop.sections import SECTIONS
    titles = {notebook.removesuffix(".ipynb"): title for notebook, title, *_ in SECTIONS}
    found = []
    for module in MODULES:
        section = importlib.import_module(f"workshop.checks.{module}").section
        found.append((section.name, titles[section.name], len(section.checkpoints)))
    return found


def progress_table():
    """The table `make progress` prints, from workspace/progress.json."""
    return progress.table_text(sections())


def show_progress():
    print(f"Your progress, kept in {progress.progress_file()} (nothing leaves this machine):\n")
    print(progress_table())
