"""Every notebook runs under papermill in a fresh copy of the workshop, as a student would run it: each solution
notebook once, and again where it leaves state behind (files, modules, a data folder) that a second Run All must
cope with. The exercise edition, its TODOs written as the solutions have them, is what the browser student types
and runs (test_jupyterlab_browser.py); its untouched form runs in test_exercises.py.

The copy keeps the checkout clean: the notebooks' %%writefile cells write into the copy, and a test compares
what they wrote with the committed modules. Executed notebooks go to the artifacts folder (conftest.artifacts).
"""
import re
import shlex
from pathlib import Path

import nbformat
import pytest

from conftest import PLANTED_SECRET, ROOT
from test_pasted_commands import bash_words

NOTEBOOKS = sorted(path.name for path in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
WRITTEN_MODULES = ["luigi_tasks/song_plays_tasks.py", "spark/dataset_gen.py", "spark/test_my_build_dataset.py",
                   "luigi_tasks/top_zip_codes.py", "luigi_tasks/month_report.py"]
# Notebooks whose second Run All meets what the first left behind: downloaded files, written modules, reports.
WITH_STATE = ["01_luigi_tasks.ipynb", "02_spark_job.ipynb", "03_putting_it_all_together.ipynb",
              "04_going_further.ipynb"]


def test_the_notebooks_are_committed_without_outputs():
    for name in NOTEBOOKS:
        for cell in nbformat.read(ROOT / "notebooks" / name, as_version=4).cells:
            if cell.cell_type == "code":
                assert not cell.outputs and cell.execution_count is None, f"{name} has outputs: clear them"


def test_each_notebook_has_a_parameters_cell():
    for name in NOTEBOOKS:
        cells = nbformat.read(ROOT / "notebooks" / name, as_version=4).cells
        assert any("parameters" in cell.metadata.get("tags", []) for cell in cells), name


def test_the_committed_modules_are_exactly_what_the_writefile_cells_write():
    import write_modules
    assert sorted(write_modules.written_modules()) == sorted((ROOT / module).resolve() for module in WRITTEN_MODULES)
    assert write_modules.main(["--check"]) == 0, "run `make generated` and commit the modules"


def outputs(executed):
    return [output for cell in executed.cells for output in cell.get("outputs", [])]


def assert_clean_and_green(path):
    """Every checkpoint passed, and nothing red (assert_nothing_red)."""
    executed = nbformat.read(path, as_version=4)
    printed = "".join(output.get("text", "") for output in outputs(executed))
    expected = sum(len(re.findall(r"check\.step\d+\(", cell.source)) for cell in executed.cells
                   if cell.cell_type == "code")
    assert printed.count("CHECKPOINT ") == printed.count(" passed: ") == expected > 0, path.name
    assert_nothing_red(path)


def assert_nothing_red(path):
    """No stderr, no error, no DataFrame echo, no environment printed."""
    executed = nbformat.read(path, as_version=4)
    red = [output.get("text", output.get("evalue", ""))[:500] for output in outputs(executed)
           if output.get("name") == "stderr" or output.output_type == "error"]
    assert not red, f"{path.name} shows red output: {red}"
    echoes = [output["data"]["text/plain"] for output in outputs(executed)
              if output.output_type == "execute_result" and output["data"].get("text/plain", "").startswith("DataFrame[")]
    assert not echoes, f"{path.name} echoes {echoes}"
    assert PLANTED_SECRET not in path.read_text(), "an output printed the environment"


# The commands the notebooks print for a student to paste, as many as each prints (tests/test_pasted_commands.py).
PRINTED_COMMANDS = {"01_luigi_tasks.ipynb": 1, "03_putting_it_all_together.ipynb": 1, "04_going_further.ipynb": 2}


def printed_commands(path):
    """Each printed line (backslash-newlines joined) that runs spark-submit, luigi or env: what a student copies."""
    printed = "".join(output.get("text", "") for output in outputs(nbformat.read(path, as_version=4)))
    for line in printed.replace("\\\n", "").splitlines():
        first = line.split(" ", 1)[0].strip("'")
        if first == "env" or (first.startswith("/") and Path(first).name in ("spark-submit", "luigi")):
            yield line, shlex.split(line)


def assert_printed_commands_paste(path):
    commands = list(printed_commands(path))
    assert len(commands) == PRINTED_COMMANDS.get(path.name, 0), commands
    for line, words in commands:
        assert bash_words(line) == words, line
        program = next(word for word in words if word != "env" and "=" not in word)
        assert Path(program).is_absolute() and Path(program).exists(), line


@pytest.mark.slow
@pytest.mark.parametrize("name", NOTEBOOKS)
def test_the_solution_notebook_runs_green_under_papermill(name, solution_runs):
    assert_clean_and_green(solution_runs(name))
    assert_printed_commands_paste(solution_runs(name))
    for module in WRITTEN_MODULES:
        written = solution_runs.copy / module
        assert written.read_text() == (ROOT / module).read_text(), f"{name} wrote another {module}"


@pytest.mark.slow
@pytest.mark.parametrize("name", WITH_STATE)
def test_a_second_run_all_copes_with_what_the_first_left(name, solution_runs):
    """Students run whole notebooks again, after later ones too: in the copy where every solution notebook may
    have run, a second Run All of this one must pass as the first did."""
    solution_runs(name)
    assert_clean_and_green(solution_runs.again(name))
