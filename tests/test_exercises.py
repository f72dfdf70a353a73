"""The student edition: generated from the solutions, in sync, and its checkpoints catch what students get wrong.

Each run happens in a kernel of its own (papermill's, or nbclient's one cell at a time) in a fresh copy of the
workshop, as test_notebooks.py does.
"""
import os
import re
import subprocess

import nbformat
import papermill
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

import make_exercises  # tools/ is on the path (pytest.ini)
from conftest import ROOT, copy_workshop, luigi_command, without_workshop_settings
from planted_mistakes import WRONG_SOLUTIONS
from workshop.solution_blocks import stub_line
from test_notebooks import WRITTEN_MODULES

EXERCISED = ["01_luigi_tasks.ipynb", "02_spark_job.ipynb", "03_putting_it_all_together.ipynb",
             "04_going_further.ipynb"]
CHECKPOINT_CELL = re.compile(r"check\.step(\d+)\(")


def test_the_committed_exercises_are_what_make_exercises_writes():
    assert make_exercises.main(["--check"]) == 0, "run `make generated` and commit notebooks/exercises/"


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


@pytest.mark.parametrize("tags", [[], ["parameters"], ["step1-f", "step2-f"]])
def test_a_todo_cell_needs_one_tag_that_names_it(tmp_path, tags):
    """The checks and the planted mistakes name a cell by its tag, which JupyterLab shows; an id it does not show."""
    cell = nbformat.v4.new_code_cell("def f():\n    return 1")
    cell.metadata = {"tags": tags, "solution_blocks": [{"body_of": "def f():", "todo": "f(): one"}]}
    nbformat.write(nbformat.v4.new_notebook(cells=[cell]), tmp_path / "n.ipynb")
    with pytest.raises(make_exercises.MarkerError, match="one tag that names it"):
        make_exercises.todo_cells(tmp_path / "n.ipynb")
    cell.metadata["tags"] = tags + ["step3-f"] if len(tags) < 2 else ["step3-f"]
    nbformat.write(nbformat.v4.new_notebook(cells=[cell]), tmp_path / "n.ipynb")
    assert make_exercises.todo_cells(tmp_path / "n.ipynb") == {
        "step3-f": {"todos": ["f(): one"], "heading": "", "solutions": cell.source, "exercises": cell.source}}


def test_a_def_keeps_its_signature_and_docstring_and_loses_its_body():
    source = 'def f(x):\n    """Twice x."""\n    y = x * 2\n    return y\n\n\ndef g():\n    pass'
    stubbed = make_exercises.stub_out(source, [{"body_of": "def f(x):", "todo": "f(): twice x"}], "a cell")
    assert stubbed == ('def f(x):\n    """Twice x."""\n    # TODO: f(): twice x\n'
                       "    raise NotImplementedError('f(): twice x')\n\n\ndef g():\n    pass")


def test_a_whole_class_of_a_module_becomes_a_todo_that_leaves_the_module_importable(tmp_path):
    """In a %%writefile cell the student may write a whole class: its stub is a comment, so the module still
    imports (other cells use it), and the coach still finds the stub's text in it ("not started yet")."""
    source = ('%%writefile -a ../luigi_tasks/m.py\n\n\nclass A:\n    """An A."""\n    x = 1\n\n\n'
              'def b():\n    return 2')
    stubbed = make_exercises.stub_out(source, [{"from": "class A:", "to": "    x = 1", "todo": "A: what it is"}],
                                      "a cell")
    module = stubbed.partition("\n")[2]
    assert "# TODO: A: what it is" in module and stub_line("A: what it is") in module
    namespace = {}
    exec(module, namespace)  # imports: nothing at the top level raises
    assert "A" not in namespace and namespace["b"]() == 2


def test_the_exercises_rewrite_the_paths_their_tasks_write_and_leave_prose_about_other_folders_alone():
    """The exercise edition's tasks write under workspace/data/: the prose that names those outputs says so.
    A month's glob, a folder of the original workshop and a path under another folder are not the edition's."""
    written = ("The data goes to `data/`. The output sits in `data/spins/YYYY/MM/DD/spins.snappy.parquet`, the "
               "listeners in `data/listeners/listeners.snappy.parquet`, the reports in "
               "`data/output/YYYY/MM/DD/dataset/`.\n\n```bash\nrm -r data/output/2019/02/08\n```")
    assert make_exercises.in_the_workspace(written) == written.replace("`data/", "`workspace/data/").replace(
        "rm -r data/", "rm -r workspace/data/")
    other_places = ("(The original workshop had students delete `data/output` by hand for this.) A month is one "
                    "glob away: `data/spins/2019/02/*`. The month's job reads `build/month/data/spins/2019/02/*` "
                    "and `MONTH / \"data/listeners/listeners.snappy.parquet\"`; plain prose about data/ stays.")
    assert make_exercises.in_the_workspace(other_places) == other_places
    # and in the committed exercises: no prose about the original workshop or a month speaks of workspace/
    for path in sorted(make_exercises.EXERCISES_DIR.glob("*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type == "markdown":
                assert "workspace/data/spins/2019/02/*" not in cell.source, (path.name, cell.id)
                assert not re.search(r"original workshop[^.]*workspace/", cell.source), (path.name, cell.id)


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
    assert error.ename == "CheckpointFailed", error.evalue
    return int(stopped_at.group(1)), error.evalue


def checkpoint_messages(executed):
    """{checkpoint number: what its cell printed}, from an executed notebook."""
    return {int(CHECKPOINT_CELL.search(cell.source).group(1)):
            "".join(output.get("text", "") for output in cell.outputs)
            for cell in executed.cells if cell.cell_type == "code" and CHECKPOINT_CELL.search(cell.source)}


@pytest.mark.slow
@pytest.mark.parametrize("name", EXERCISED)
def test_the_untouched_exercise_runs_to_the_end_and_says_which_steps_are_not_started(name, workshop_copy):
    """Run All on an exercise nobody has touched: no error, no red; each checkpoint of a step with a TODO says
    "not started yet", and the others pass."""
    exercises = workshop_copy / "notebooks" / "exercises"
    papermill.execute_notebook(str(exercises / name), str(exercises / f"{name}.out.ipynb"), cwd=str(exercises),
                               kernel_name="python3", progress_bar=False)
    executed = nbformat.read(exercises / f"{name}.out.ipynb", as_version=4)
    red = [output for cell in executed.cells for output in cell.get("outputs", [])
           if output.output_type == "error" or output.get("name") == "stderr"]
    assert not red, red[0]
    messages = checkpoint_messages(executed)
    code = [cell.source for cell in executed.cells if cell.cell_type == "code"]
    first_todo = next(i for i, source in enumerate(code) if "# TODO: " in source)
    first_after = next(int(CHECKPOINT_CELL.search(source).group(1)) for source in code[first_todo:]
                       if CHECKPOINT_CELL.search(source))
    for number, text in messages.items():
        # Before the first TODO, everything passes; after it, a check passes only if it needs nothing unwritten.
        said = "passed" if f"CHECKPOINT {number} passed" in text else "not started" if \
            f"not started yet: step {number}" in text else text
        assert said == "passed" if number < first_after else said in ("passed", "not started"), (number, text)
    assert "Its TODOs are not written yet" in messages[first_after], messages[first_after]
    # The student's modules went to the workspace; the solutions were not touched.
    for module in WRITTEN_MODULES:
        assert (workshop_copy / module).read_text() == (ROOT / module).read_text(), module
    assert list((workshop_copy / "workspace").rglob("*.py")) or name == "03_putting_it_all_together.ipynb"


def tagged(nb, tag):
    """The index of the cell a tag names (JupyterLab shows a cell's tags; its id it does not)."""
    [index] = [i for i, cell in enumerate(nb.cells) if tag in cell.metadata.get("tags", [])]
    return index


def planted(cell, mistake):
    name, tag, edits, *_ = WRONG_SOLUTIONS[mistake]
    wrong = nbformat.from_dict(dict(cell))  # a copy: the notebook's own cell stays right
    for right, bad in edits:
        assert wrong.source.count(right) == 1, f"the solution changed: update the planted mistake {mistake!r}"
        wrong.source = wrong.source.replace(right, bad)
    return wrong


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted({notebook for notebook, *_ in WRONG_SOLUTIONS.values()}))
def test_each_planted_mistake_fails_at_the_checkpoint_meant_to_catch_it(name, workshop_copy):
    """One kernel per notebook, as papermill's (nbclient), instead of a whole run per mistake. In the order of the
    cells they are planted in: run the cells up to the planted one, right; then the planted one, wrong, and the
    cells after it until one fails, which must be the checkpoint meant to catch it, showing its own short lines,
    which name the cause. Then the student's fix: the planted cell, right, and the checkpoint again, alone, which
    must pass (it checks the code as its cells last wrote it, not what the cells between ran). The next mistake
    carries on from there, or from its own planted cell if that comes first."""
    notebook = workshop_copy / "notebooks" / name
    nb = nbformat.read(notebook, as_version=4)
    mistakes = sorted((mistake for mistake, (notebook_name, *_) in WRONG_SOLUTIONS.items() if notebook_name == name),
                      key=lambda mistake: tagged(nb, WRONG_SOLUTIONS[mistake][1]))
    client = NotebookClient(nb, kernel_name="python3", timeout=900, resources={"metadata": {"path": str(notebook.parent)}})
    cells = list(nb.cells)  # the notebook's own: nbclient puts each cell it runs, a planted one too, into nb.cells
    with client.setup_kernel():
        ran_up_to = 0
        for mistake in mistakes:
            _, tag, _, expected_checkpoint, cause = WRONG_SOLUTIONS[mistake]
            start = tagged(nb, tag)
            for index in range(ran_up_to, start):
                client.execute_cell(cells[index], index)
            with pytest.raises(CellExecutionError) as failure:
                for index in range(start, len(nb.cells)):
                    client.execute_cell(planted(cells[index], mistake) if index == start else cells[index], index)
            stopped_at = CHECKPOINT_CELL.search(cells[index].source)
            assert stopped_at and failure.value.ename == "CheckpointFailed", (mistake, cells[index].source,
                                                                             str(failure.value)[-2000:])
            number, message = int(stopped_at.group(1)), failure.value.evalue
            assert number == expected_checkpoint, (mistake, message)
            assert cause in message, (mistake, message)
            # What the student sees: the checkpoint's own lines, not a traceback through the checker.
            [shown] = [output for output in cells[index].outputs if output.output_type == "error"]
            assert shown["traceback"][0].startswith(f"\x1b[1;31mCHECKPOINT {number} failed:"), shown["traceback"]
            assert any(cause in line for line in shown["traceback"]) and len(shown["traceback"]) <= 4, \
                shown["traceback"]
            assert not any("Traceback" in line or 'File "' in line for line in shown["traceback"]), shown["traceback"]
            client.execute_cell(cells[start], start)  # the fix, and the checkpoint again: it passes
            client.execute_cell(cells[index], index)
            said = "".join(output.get("text", "") for output in cells[index].outputs)
            assert f"CHECKPOINT {number} passed" in said, (mistake, said)
            ran_up_to = index + 1


@pytest.mark.slow
def test_a_remote_that_is_not_there_is_named_in_the_first_checkpoint(workshop_copy):
    notebook = workshop_copy / "notebooks" / "01_luigi_tasks.ipynb"
    number, message = run_until_failure(notebook, notebook.parent, {"DATA_URL": "http://127.0.0.1:9"})
    assert number == 1 and "data server is not running" in message, message


@pytest.mark.slow
def test_jumping_ahead_says_which_step_is_missing_not_a_name_error(workshop_copy):
    """Checkpoint 4 reads what the cell above it ran (sketch); 2 and 3 run the module's tasks themselves."""
    notebook = workshop_copy / "notebooks" / "01_luigi_tasks.ipynb"
    nb = nbformat.read(notebook, as_version=4)
    setup_end = next(i for i, cell in enumerate(nb.cells) if "import workshop" in cell.source)
    checkpoint_4 = next(i for i, cell in enumerate(nb.cells) if "check.step4()" in cell.source)
    nb.cells = nb.cells[:setup_end + 1] + nb.cells[checkpoint_4:checkpoint_4 + 1]
    nbformat.write(nb, notebook)
    number, message = run_until_failure(notebook, notebook.parent)
    assert number == 4, message
    assert "sketch is not defined yet, so the cell that sets it has not run" in message and "Hint:" in message, message


@pytest.mark.slow
def test_a_cell_fixed_and_run_again_leaves_one_version_and_the_command_line_works(workshop_copy, data_server, tmp_path):
    """A student runs a wrong DownloadSpins, fixes it and runs the cell again: the module holds the fixed one only."""
    notebook = workshop_copy / "notebooks" / "01_luigi_tasks.ipynb"
    nb = nbformat.read(notebook, as_version=4)
    index = tagged(nb, "step2-download-spins")
    wrong = nbformat.v4.new_code_cell(nb.cells[index].source.replace(
        'f"spins/{self.date:%Y/%m/%d}/spins.snappy.parquet"', '"spins/spins.snappy.parquet"'))
    nb.cells.insert(index, wrong)  # the first, wrong, version runs first; the fixed one after it
    nbformat.write(nb, notebook)
    papermill.execute_notebook(str(notebook), str(tmp_path / "out.ipynb"), cwd=str(notebook.parent),
                               kernel_name="python3", progress_bar=False)
    module = workshop_copy / "luigi_tasks/song_plays_tasks.py"
    assert module.read_text().count("class DownloadSpins(") == 1
    assert module.read_text() == (ROOT / "luigi_tasks/song_plays_tasks.py").read_text()
    run = subprocess.run(luigi_command("DownloadSpins", "--date", "2019-02-08")[0], cwd=workshop_copy,
                         env={**os.environ, "SONG_PLAYS_DATA_URL": data_server.url,
                              "SONG_PLAYS_DATA_DIR": str(tmp_path / "data")}, capture_output=True, text=True, timeout=300)
    assert "This progress looks :)" in run.stderr, run.stderr[-2000:]


def export_line(exercise):
    """The export line the exercise edition's terminal section gives the student."""
    text = "\n".join(cell.source for cell in nbformat.read(exercise, as_version=4).cells if cell.cell_type == "markdown")
    [line] = [line for line in text.splitlines() if line.startswith("export ")]
    return dict(word.split("=", 1) for word in line.split()[1:])


@pytest.mark.slow
def test_the_exercises_terminal_commands_run_the_students_module_else_the_solution(workshop_copy, data_server):
    exported = export_line(workshop_copy / "notebooks/exercises/01_luigi_tasks.ipynb")
    assert exported == {"PYTHONPATH": "workspace/luigi_tasks", "SONG_PLAYS_WORKSPACE": "workspace"}
    # The terminal the student opens: the workshop folder; its python path is the installed workshop (this copy).
    env = {**os.environ, "SONG_PLAYS_DATA_URL": data_server.url,
           "PYTHONPATH": os.pathsep.join([exported["PYTHONPATH"], os.environ["PYTHONPATH"]]),
           "SONG_PLAYS_WORKSPACE": exported["SONG_PLAYS_WORKSPACE"]}
    command = luigi_command("DownloadSpins", "--date", "2019-02-08")[0]
    student = workshop_copy / "workspace/luigi_tasks/song_plays_tasks.py"
    student.parent.mkdir(parents=True)
    student.write_text((ROOT / "luigi_tasks/song_plays_tasks.py").read_text().replace(
        "        download(self.input().url, self.output())", "        raise RuntimeError('my DownloadSpins is broken')"))
    broken = subprocess.run(command, cwd=workshop_copy, env=env, capture_output=True, text=True, timeout=300)
    assert "my DownloadSpins is broken" in broken.stderr and "This progress looks :(" in broken.stderr

    student.unlink()  # not written yet: the solution's module runs, with the data in workspace/data/
    solution = subprocess.run(command, cwd=workshop_copy, env=env, capture_output=True, text=True, timeout=300)
    assert "This progress looks :)" in solution.stderr, solution.stderr[-2000:]
    assert (workshop_copy / "workspace/data/spins/2019/02/08/spins.snappy.parquet").exists()
