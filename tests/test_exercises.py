"""The student edition: generated from the solutions, in sync, and its checkpoints catch what students get wrong.

Each run happens under papermill in a fresh copy of the workshop, as test_notebooks.py does.
"""
import re

import nbformat
import papermill
import pytest

import make_exercises  # noqa: E402 (notebooks/ is on the path via conftest)
from conftest import ROOT, copy_workshop, without_workshop_settings
from test_notebooks import WRITTEN_MODULES

EXERCISED = ["01_luigi_tasks.ipynb", "02_spark_job.ipynb", "03_putting_it_all_together.ipynb"]
CHECKPOINT_CELL = re.compile(r"with Checkpoint\((\d+),")


def test_the_committed_exercises_are_what_make_exercises_writes():
    assert make_exercises.main(["--check"]) == 0, "run `make exercises` and commit notebooks/exercises/"


def test_every_solution_block_became_a_todo_and_no_solution_is_left():
    for name in EXERCISED:
        solution = nbformat.read(ROOT / "notebooks" / name, as_version=4)
        exercise = nbformat.read(ROOT / "notebooks" / "exercises" / name, as_version=4)
        blocks = [block for cell in solution.cells for block in cell.metadata.get("solution_blocks", [])]
        text = "\n".join(cell.source for cell in exercise.cells)
        assert blocks and text.count("# TODO: ") == len(blocks) == text.count("raise NotImplementedError("), name
        for block in blocks:
            assert block.get("from", "@") not in text.split("\n"), f"{name} still holds {block['from']!r}"
        assert "solution_blocks" not in str([cell.metadata for cell in exercise.cells]), name
        assert "%%writefile ../luigi_tasks/" not in text and "%%writefile ../spark/" not in text, name


@pytest.mark.parametrize("source, blocks, complaint", [
    ("def f():\n    return 1", [{"body_of": "def f():"}], "needs a 'todo'"),
    ("def f():\n    return 1", [{"body_of": "def g():", "todo": "g"}], "0 times"),
    ("x = 1\ny = 2", [{"from": "x = 1", "to": "y = 2", "todo": "x and y"}], "top level"),
    ("    x = 1\n    y = 2", [{"from": "    y = 2", "to": "    x = 1", "todo": "x"}], "does not follow"),
])
def test_a_block_list_that_does_not_fit_the_cell_is_refused_with_a_reason(source, blocks, complaint):
    with pytest.raises(make_exercises.MarkerError, match=complaint):
        make_exercises.stub_out(source, blocks, "a cell")


def test_a_def_keeps_its_signature_and_docstring_and_loses_its_body():
    source = 'def f(x):\n    """Twice x."""\n    y = x * 2\n    return y\n\n\ndef g():\n    pass'
    stubbed = make_exercises.stub_out(source, [{"body_of": "def f(x):", "todo": "f(): twice x"}], "a cell")
    assert stubbed == ('def f(x):\n    """Twice x."""\n    # TODO: f(): twice x\n'
                       "    raise NotImplementedError('f(): twice x')\n\n\ndef g():\n    pass")


@pytest.fixture
def workshop_copy(tmp_path, monkeypatch):
    without_workshop_settings(monkeypatch)
    return copy_workshop(tmp_path / "workshop", monkeypatch)


def run_until_failure(notebook, cwd, parameters=None):
    """Run a notebook under papermill; return (checkpoint number, message) of the cell that stopped it."""
    with pytest.raises(papermill.PapermillExecutionError) as failure:
        papermill.execute_notebook(str(notebook), str(notebook.with_suffix(".out.ipynb")), cwd=str(cwd),
                                   kernel_name="python3", progress_bar=False, parameters=parameters or {})
    error = failure.value
    executed = nbformat.read(notebook.with_suffix(".out.ipynb"), as_version=4)
    [source] = [cell.source for cell in executed.cells
                if any(output.get("output_type") == "error" for output in cell.get("outputs", []))]
    stopped_at = CHECKPOINT_CELL.search(source)
    assert stopped_at, f"stopped outside a checkpoint, in:\n{source}\n{error.ename}: {error.evalue}"
    assert error.ename == "AssertionError", error.evalue
    return int(stopped_at.group(1)), error.evalue


def first_checkpoint_after_first_todo(notebook):
    cells = [cell.source for cell in nbformat.read(notebook, as_version=4).cells if cell.cell_type == "code"]
    first_todo = next(i for i, source in enumerate(cells) if "# TODO: " in source)
    return next(int(CHECKPOINT_CELL.search(source).group(1)) for source in cells[first_todo:]
                if CHECKPOINT_CELL.search(source))


@pytest.mark.slow
@pytest.mark.parametrize("name", EXERCISED)
def test_the_untouched_exercise_fails_at_its_first_checkpoint_with_a_hint(name, workshop_copy):
    exercises = workshop_copy / "notebooks" / "exercises"
    number, message = run_until_failure(exercises / name, exercises)
    assert number == first_checkpoint_after_first_todo(exercises / name)
    assert re.match(rf"CHECKPOINT {number}: .+\. Hint: .+", message), message
    # The student's modules went to the workspace; the solutions were not touched.
    for module in WRITTEN_MODULES:
        assert (workshop_copy / module).read_text() == (ROOT / module).read_text(), module
    assert list((workshop_copy / "workspace").rglob("*.py")) or name == "03_putting_it_all_together.ipynb"


# Mistakes students make, each planted in a solution, and the checkpoint and hint that must catch it.
WRONG_SOLUTIONS = {
    "output path without the date": ("01_luigi_tasks.ipynb", "6596f262", [
        ('f"spins/{self.date:%Y/%m/%d}/spins.snappy.parquet"', '"spins/spins.snappy.parquet"'),
    ], 2, "one folder per day"),
    "requires() missing": ("01_luigi_tasks.ipynb", "6596f262", [
        ('return ExternalFileChecker(f"{data_url()}/spins-{self.date:%Y-%m-%d}.snappy.parquet")', "return []"),
        ("download(self.input().url, self.output())",
         'download(f"{data_url()}/spins-{self.date:%Y-%m-%d}.snappy.parquet", self.output())'),
    ], 2, "requires() is missing"),
    "waiting (MISSING_EXT) where a failure was expected": ("01_luigi_tasks.ipynb", "363ca4c0", [
        ("DatasetGen(date=day)", "DatasetGen(date=unpublished_day)"),
    ], 4, "a :| means a download is waiting"),
    ">= 30 in the filter": ("02_spark_job.ipynb", "475205f5", [
        ("> MIN_SPIN_SECONDS", ">= MIN_SPIN_SECONDS"),
    ], 3, "> and not >="),
    "distinct() forgotten": ("02_spark_job.ipynb", "d9b2f7a6", [
        ("filter_on_spin_time(spins).distinct()", "filter_on_spin_time(spins)"),
    ], 3, "must call distinct()"),
    "columns out of order": ("02_spark_job.ipynb", "d9b2f7a6", [
        (".select(*DATASET_COLUMNS)", ".select(*reversed(DATASET_COLUMNS))"),
    ], 3, "select DATASET_COLUMNS in that order"),
}


@pytest.mark.slow
@pytest.mark.parametrize("mistake", WRONG_SOLUTIONS)
def test_a_wrong_solution_fails_at_the_checkpoint_meant_to_catch_it(mistake, workshop_copy):
    name, cell_id, edits, expected_checkpoint, hint = WRONG_SOLUTIONS[mistake]
    notebook = workshop_copy / "notebooks" / name
    nb = nbformat.read(notebook, as_version=4)
    [cell] = [cell for cell in nb.cells if cell.id == cell_id]
    for right, wrong in edits:
        assert cell.source.count(right) == 1, f"the solution changed: update the planted mistake {mistake!r}"
        cell.source = cell.source.replace(right, wrong)
    nbformat.write(nb, notebook)
    number, message = run_until_failure(notebook, notebook.parent)
    assert number == expected_checkpoint, message
    assert hint in message.split(". Hint: ", 1)[1], message


@pytest.mark.slow
def test_a_remote_that_is_not_there_is_named_in_the_first_checkpoint(workshop_copy):
    notebook = workshop_copy / "notebooks" / "01_luigi_tasks.ipynb"
    number, message = run_until_failure(notebook, notebook.parent, {"DATA_URL": "http://127.0.0.1:9"})
    assert number == 1 and "data server is not running" in message, message


@pytest.mark.slow
def test_jumping_ahead_says_which_step_is_missing_not_a_name_error(workshop_copy):
    notebook = workshop_copy / "notebooks" / "01_luigi_tasks.ipynb"
    nb = nbformat.read(notebook, as_version=4)
    setup_end = next(i for i, cell in enumerate(nb.cells) if "import workshop" in cell.source)
    checkpoint_2 = next(i for i, cell in enumerate(nb.cells) if "with Checkpoint(2," in cell.source)
    nb.cells = nb.cells[:setup_end + 1] + nb.cells[checkpoint_2:checkpoint_2 + 1]
    nbformat.write(nb, notebook)
    number, message = run_until_failure(notebook, notebook.parent)
    assert number == 2, message
    assert "is not defined yet, so the cell that sets it has not run" in message and "Hint:" in message, message
