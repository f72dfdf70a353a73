"""Every notebook runs under papermill, in order, in a fresh copy of the workshop, as a student would run them.

The copy keeps the checkout clean: the notebooks' %%writefile cells write into the copy, and a test
compares what they wrote with the committed modules. Executed notebooks are kept in build/executed/.
"""
import re

import nbformat
import papermill
import pytest

from conftest import ROOT, copy_workshop, use_copy, without_workshop_settings

NOTEBOOKS = sorted(path.name for path in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
WRITTEN_MODULES = ["luigi_tasks/song_plays_tasks.py", "spark/dataset_gen.py"]
EXECUTED = ROOT / "build" / "executed"
PLANTED_SECRET = "planted-secret-3f9a1d"
WRITEFILE = re.compile(r"%%writefile\s+(-a\s+)?(\S+)")


def writefile_cells(notebook_path):
    for cell in nbformat.read(notebook_path, as_version=4).cells:
        first_line, _, body = cell.source.partition("\n")
        match = WRITEFILE.match(first_line)
        if cell.cell_type == "code" and match:
            yield bool(match.group(1)), (notebook_path.parent / match.group(2)).resolve(), body


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
    written = {}
    for name in NOTEBOOKS:
        for append, target, body in writefile_cells(ROOT / "notebooks" / name):
            written[target] = (written.get(target, "") if append else "") + body + "\n"
    assert sorted(written) == sorted((ROOT / module).resolve() for module in WRITTEN_MODULES)
    for target, text in written.items():
        assert target.read_text() == text, f"{target.relative_to(ROOT)} differs from what the notebooks write"


@pytest.fixture(scope="module")
def workshop_copy(tmp_path_factory):
    EXECUTED.mkdir(parents=True, exist_ok=True)
    return copy_workshop(tmp_path_factory.mktemp("workshop"))


def outputs(executed):
    return [output for cell in executed.cells for output in cell.get("outputs", [])]


def assert_clean_and_green(path):
    """Every checkpoint passed; nothing red (no stderr, no error); no DataFrame echo; no environment printed."""
    executed = nbformat.read(path, as_version=4)
    printed = "".join(output.get("text", "") for output in outputs(executed))
    expected = sum(len(re.findall(r"check\.step\d+\(", cell.source)) for cell in executed.cells
                   if cell.cell_type == "code")
    assert printed.count("CHECKPOINT ") == printed.count(" passed: ") == expected > 0, path.name
    red = [output.get("text", output.get("evalue", ""))[:500] for output in outputs(executed)
           if output.get("name") == "stderr" or output.output_type == "error"]
    assert not red, f"{path.name} shows red output: {red}"
    echoes = [output["data"]["text/plain"] for output in outputs(executed)
              if output.output_type == "execute_result" and output["data"].get("text/plain", "").startswith("DataFrame[")]
    assert not echoes, f"{path.name} echoes {echoes}"
    assert PLANTED_SECRET not in path.read_text(), "an output printed the environment"


@pytest.mark.slow
@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_runs_green_twice_under_papermill(name, workshop_copy, monkeypatch):
    """Students run whole notebooks again: the second run in the same checkout must pass as the first did."""
    without_workshop_settings(monkeypatch)
    use_copy(monkeypatch, workshop_copy)
    monkeypatch.setenv("WORKSHOP_API_TOKEN", PLANTED_SECRET)
    for run in ("first", "second"):
        executed = EXECUTED / (name if run == "second" else f"first-run-{name}")
        papermill.execute_notebook(str(workshop_copy / "notebooks" / name), str(executed),
                                   cwd=str(workshop_copy / "notebooks"), kernel_name="python3", progress_bar=False)
        assert_clean_and_green(executed)
    for module in WRITTEN_MODULES:
        if (workshop_copy / module).exists():
            assert (workshop_copy / module).read_text() == (ROOT / module).read_text(), f"{name} wrote another {module}"


@pytest.mark.slow
@pytest.mark.parametrize("name", NOTEBOOKS)
def test_the_exercise_edition_done_runs_green_twice(name, tmp_path_factory, monkeypatch):
    """The exercises with every TODO written as the solution does: the student's path, workspace/ and all."""
    import make_exercises
    copy = copy_workshop(tmp_path_factory.mktemp("exercises"), monkeypatch)
    without_workshop_settings(monkeypatch)
    monkeypatch.setenv("WORKSHOP_API_TOKEN", PLANTED_SECRET)
    notebook = copy / "notebooks" / "exercises" / name
    nbformat.write(make_exercises.exercise_of(copy / "notebooks" / name, solved=True), notebook)
    for run in ("first", "second"):
        executed = EXECUTED / f"exercise-{run}-run-{name}"
        papermill.execute_notebook(str(notebook), str(executed), cwd=str(notebook.parent), kernel_name="python3",
                                   progress_bar=False)
        assert_clean_and_green(executed)
    for module in WRITTEN_MODULES:
        written = copy / "workspace" / module
        assert not written.exists() or written.read_text() == (ROOT / module).read_text(), f"{name}: {module}"
