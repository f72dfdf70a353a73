"""Checkpoints that coach (workshop.coach, workshop.progress and workshop.checks), on their own.

A small section with a notebook of its own exercises the machinery in a real IPython shell; then each
notebook's checks module is held against its solution notebook, the one source of TODOs and solutions (which
tools/make_exercises.py copies into workshop/checks/todo_cells.json for the coach).
"""
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from IPython.core.interactiveshell import InteractiveShell

import make_exercises
from conftest import ROOT
from workshop import checks, checkpoints, coach, progress, writefile
from workshop.checks import section00, section01, section02, section03, section04
from workshop.solution_blocks import stub_line

MODULES = [section00, section01, section02, section03, section04]
STEP_CALL = re.compile(r"check\.step(\d+)\(\)")


@pytest.fixture
def progress_file(tmp_path, monkeypatch):
    path = tmp_path / "workspace" / "progress.jsonl"
    monkeypatch.setattr(progress, "PROGRESS_FILE", path)
    monkeypatch.delenv("SONG_PLAYS_WORKSPACE", raising=False)
    return path


@pytest.fixture
def shell():
    ipython = InteractiveShell.instance()
    ipython.user_ns.clear()
    yield ipython
    ipython.user_ns.clear()


@pytest.fixture
def tiny(tmp_path, progress_file):
    """A section whose notebook has one TODO cell: write double(), then checkpoint 1 checks it."""
    nb = nbformat.v4.new_notebook()
    todo = nbformat.v4.new_code_cell('def double(x):\n    """Twice x."""\n    return 2 * x\n\nfour = double(2)')
    todo.metadata["tags"] = ["step1-double"]
    todo.metadata["solution_blocks"] = [{"body_of": "def double(x):", "todo": "double(): twice x"}]
    nb.cells = [todo, nbformat.v4.new_code_cell("check.step1()"), nbformat.v4.new_code_cell("check.step2()")]
    nbformat.write(nb, tmp_path / "tiny.ipynb")
    section = coach.Section("tiny", todo_cells=make_exercises.todo_cells(tmp_path / "tiny.ipynb"))

    @section.checkpoint(1, "double(2) is 4", cells=["step1-double"], hints=["a nudge", "closer", "nearly the answer"])
    def step1(four):
        coach.expect(four == 4, f"double(2) gave {four}", hint="multiply by two")

    @section.checkpoint(2, "four is even", hints=["look at step 1", "it builds on it"])
    def step2(four):
        coach.expect(four % 2 == 0, f"{four} is odd", hint="fix step 1 first")

    return section, step1, step2, todo.source


def logged(path):
    return [json.loads(line) for line in path.read_text().splitlines()]


def events(path):
    return [(e["checkpoint"], e["event"]) for e in logged(path)]


def test_a_passing_checkpoint_says_so_and_is_recorded_with_its_time(tiny, progress_file, capsys):
    section, step1, _, _ = tiny
    assert step1(four=4) is None  # nothing for the cell to echo below the line
    assert capsys.readouterr().out == "CHECKPOINT 1 passed: double(2) is 4\n"
    [event] = logged(progress_file)
    assert event["event"] == "passed" and event["section"] == "tiny" and event["edition"] == "solutions"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", event["time"])


def test_a_failing_checkpoint_raises_a_short_message_ipython_shows_without_a_traceback(tiny, progress_file, shell, capsys):
    section, step1, _, _ = tiny
    with pytest.raises(coach.CheckpointFailed, match=r"^CHECKPOINT 1: double\(2\) gave 5\. Hint: multiply by two$"):
        step1(four=5)
    assert events(progress_file) == [(1, "failed")]

    shell.user_ns.update(step1=step1, four=5)
    capsys.readouterr()
    result = shell.run_cell("step1()")
    shown = capsys.readouterr().out
    assert isinstance(result.error_in_exec, coach.CheckpointFailed)  # papermill and Run All still see the failure
    assert "CHECKPOINT 1 failed:" in shown and "Hint: multiply by two" in shown and "check.hint(1)" in shown
    assert "Traceback" not in shown and "coach.py" not in shown and len(shown.strip().splitlines()) == 3


def test_arguments_not_given_are_read_from_the_notebook_by_name(tiny, shell, capsys):
    section, step1, _, _ = tiny
    shell.user_ns["four"] = 4
    step1()
    assert "passed" in capsys.readouterr().out
    del shell.user_ns["four"]
    with pytest.raises(coach.CheckpointFailed, match="four is not defined yet, so the cell that sets it has not run"):
        step1()


def run_in_shell(shell, source):
    shell.run_cell(source, store_history=True)


def test_a_step_whose_todo_is_still_there_is_not_started_and_no_error(tiny, progress_file, shell, capsys):
    section, step1, step2, solution = tiny
    exercise = make_exercises.stub_out(solution, [{"body_of": "def double(x):", "todo": "double(): twice x"}], "tiny")
    run_in_shell(shell, exercise)  # raises NotImplementedError, as the untouched exercise does
    capsys.readouterr()
    step1()
    said = capsys.readouterr().out
    assert "CHECKPOINT 1: not started yet: step 1." in said and "Its TODOs are not written yet: double()" in said
    # A later step that needs it waits for it, also without an error.
    shell.user_ns["four"] = 3
    step2()
    waiting = capsys.readouterr().out
    assert "not started yet: step 2" in waiting and "It builds on step 1, whose TODOs are not written yet" in waiting
    assert events(progress_file) == [(1, "not started"), (2, "not started")]

    # Written, but wrong: now it is a failure that names what is wrong.
    run_in_shell(shell, solution.replace("return 2 * x", "return 2 + x + 1"))
    with pytest.raises(coach.CheckpointFailed, match="double\\(2\\) gave 5"):
        step1()
    run_in_shell(shell, solution)
    step1()
    assert "CHECKPOINT 1 passed" in capsys.readouterr().out


def test_a_todo_is_seen_in_the_module_a_writefile_cell_wrote_and_where_a_step_block_stopped(tmp_path, progress_file,
                                                                                            shell, capsys):
    """Code that runs in another process (the luigi command, spark-submit) leaves its stub in the module file;
    a `with workshop.step(...)` block at a cell's top level, in the block's record of where it stopped."""
    writefile.register(shell)
    module = tmp_path / "job.py"
    nb = nbformat.v4.new_notebook()
    job = nbformat.v4.new_code_cell(f'%%writefile -a {module}\n\n\ndef half(x):\n    """Half x."""\n    return x / 2')
    run = nbformat.v4.new_code_cell('with workshop.step("The run"):\n    result = 42\n    print(result)')
    job.metadata = {"tags": ["step1-job"], "solution_blocks": [{"body_of": "def half(x):", "todo": "half(): x / 2"}]}
    run.metadata = {"tags": ["step2-run"], "solution_blocks": [
        {"from": "    result = 42", "to": "    print(result)", "todo": "run it, into result"}]}
    nb.cells = [job, run]
    nbformat.write(nb, tmp_path / "two.ipynb")
    section = coach.Section("two", todo_cells=make_exercises.todo_cells(tmp_path / "two.ipynb"))
    step1 = section.checkpoint(1, "half", cells=["step1-job"], hints=["a", "b"])(lambda: coach.expect(False, "no", "no"))
    step2 = section.checkpoint(2, "run", cells=["step2-run"], hints=["a", "b"])(
        lambda result: coach.expect(result == 42, f"result is {result}", "42"))
    shell.user_ns["workshop"] = checkpoints
    module.write_text("")
    for cell in nb.cells:
        run_in_shell(shell, make_exercises.stub_out(cell.source, cell.metadata["solution_blocks"], "two"))
    assert "raise NotImplementedError('half(): x / 2')" in module.read_text()
    capsys.readouterr()
    step1(), step2()
    said = capsys.readouterr().out
    assert "not started yet: step 1" in said and "not started yet: step 2" in said, said
    run_in_shell(shell, job.source)  # written, in the module: now step 1 is a failure, step 2 still waits for its own
    with pytest.raises(coach.CheckpointFailed):
        step1()
    run_in_shell(shell, run.source.replace("42", "41"))
    with pytest.raises(coach.CheckpointFailed, match="result is 41"):
        step2()
    run_in_shell(shell, run.source)
    step2()
    assert "CHECKPOINT 2 passed" in capsys.readouterr().out


def test_a_step_with_some_of_its_todos_left_fails_and_names_them(tmp_path, progress_file, shell, capsys):
    cell = nbformat.v4.new_code_cell('def one():\n    """1"""\n    return 1\n\n\ndef two():\n    """2"""\n    return 2')
    cell.metadata = {"tags": ["step1-numbers"], "solution_blocks": [
        {"body_of": "def one():", "todo": "one(): the number"}, {"body_of": "def two():", "todo": "two(): the number"}]}
    nbformat.write(nbformat.v4.new_notebook(cells=[cell]), tmp_path / "n.ipynb")
    section = coach.Section("n", todo_cells=make_exercises.todo_cells(tmp_path / "n.ipynb"))
    step1 = section.checkpoint(1, "three", cells=["step1-numbers"], hints=["a", "b"])(
        lambda one, two: coach.expect(one() + two() == 3, "not three", "add them"))
    exercise = make_exercises.stub_out(cell.source, cell.metadata["solution_blocks"], "n")
    run_in_shell(shell, exercise.replace("raise NotImplementedError('one(): the number')", "return 1"))
    with pytest.raises(coach.CheckpointFailed) as failure:
        step1()
    assert failure.value.todos_left == ["two(): the number"]
    assert "Still to write: two(): the number" in failure.value._render_traceback_()


def test_hints_come_one_at_a_time_then_stay_on_the_last(tiny, progress_file, capsys):
    section, *_ = tiny
    shown = []
    for _ in range(4):
        section.hint(1)
        shown.append(capsys.readouterr().out)
    assert [line.splitlines()[0] for line in shown] == [
        "Hint 1 of 3 for CHECKPOINT 1: a nudge", "Hint 2 of 3 for CHECKPOINT 1: closer",
        "Hint 3 of 3 for CHECKPOINT 1: nearly the answer", "Hint 3 of 3 for CHECKPOINT 1: nearly the answer"]
    assert "check.solution(1)" in shown[2]
    assert events(progress_file).count((1, "hint")) == 4
    with pytest.raises(ValueError, match="not 9"):
        section.hint(9)


def test_hints_follow_the_cause_found_and_start_over_when_it_changes(tmp_path, progress_file, capsys):
    section = coach.Section("causes", todo_cells={})

    @section.checkpoint(1, "a positive even number", hints=["what is the step for?", "the step's answer"])
    def step1(n):
        coach.expect(n % 2 == 0, f"{n} is odd", hint=["odd: a nudge", "odd: closer", "odd: nearly"])
        coach.expect(n > 0, f"{n} is not positive", hint="not positive: the one hint")

    def first_lines(*numbers):
        for number in numbers:
            section.hint(number)
        return [line for line in capsys.readouterr().out.splitlines() if line.startswith("Hint")]

    with pytest.raises(coach.CheckpointFailed, match="Hint: odd: a nudge$"):
        step1(n=3)
    assert first_lines(1, 1) == ["Hint 2 of 5 for CHECKPOINT 1 (the failure showed hint 1): odd: closer",
                                 "Hint 3 of 5 for CHECKPOINT 1: odd: nearly"]
    with pytest.raises(coach.CheckpointFailed, match="Hint: odd: a nudge$"):
        step1(n=5)  # the same cause again: its ladder goes on
    assert first_lines(1) == ["Hint 4 of 5 for CHECKPOINT 1: what is the step for?"]
    with pytest.raises(coach.CheckpointFailed, match="Hint: not positive: the one hint$"):
        step1(n=-2)  # another cause: its own hints, from the start, then the step's
    assert first_lines(1, 1, 1) == ["Hint 2 of 3 for CHECKPOINT 1 (the failure showed hint 1): what is the step for?",
                                    "Hint 3 of 3 for CHECKPOINT 1: the step's answer",
                                    "Hint 3 of 3 for CHECKPOINT 1: the step's answer"]
    with pytest.raises(coach.CheckpointFailed, match="Hint: odd: a nudge$"):
        step1(n=-3)  # the first cause again, after another: it starts over
    assert first_lines(1) == ["Hint 2 of 5 for CHECKPOINT 1 (the failure showed hint 1): odd: closer"]
    step1(n=4)
    assert first_lines(1) == ["Hint 1 of 2 for CHECKPOINT 1: what is the step for?"]  # passed: no cause now
    causes = [e.get("cause") for e in logged(progress_file) if e["event"] == "failed"]
    assert causes == ["odd: a nudge", "odd: a nudge", "not positive: the one hint", "odd: a nudge"]


def test_the_solution_goes_into_the_next_cell_unrun_and_is_recorded(tiny, progress_file, shell, capsys):
    section, _, _, solution = tiny
    shell.rl_next_input = None
    assert section.solution(1) is None  # nothing echoed
    assert shell.rl_next_input == solution  # what %load does: a new cell, for the student to run
    assert "four" not in shell.user_ns  # nothing ran
    said = capsys.readouterr().out
    assert "in a new cell below" in said and "starts with `def double(x):`" in said
    assert "run every cell from there down to CHECKPOINT 1" in said
    assert section.solution(2) is None and "checks cells you run" in capsys.readouterr().out
    assert events(progress_file) == [(1, "solution")]


def test_the_progress_table_counts_each_checkpoints_latest_result_and_the_help_used(progress_file):
    for checkpoint, event in [(1, "failed"), (1, "hint"), (1, "passed"), (2, "passed"), (2, "failed"), (3, "solution")]:
        progress.record("01_luigi_tasks", checkpoint, event)
    table = progress.table_text([("00_setup", "00 · Setup", 6), ("01_luigi_tasks", "01 · Luigi tasks", 4)])
    rows = [re.split(r"\s{2,}", line.strip()) for line in table.splitlines()[1:]]
    assert [row[:4] for row in rows] == [["00 · Setup", "0 of 6", "0", "0"], ["01 · Luigi tasks", "0 of 4", "0", "0"],
                                         ["01 · Luigi tasks (solution)", "1 of 4", "1", "1"]], table
    assert rows[0][4] == "-" and re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", rows[2][4]), table
    # A line damaged by hand, or cut short by a kernel killed as it wrote, does not stop the lesson or lose the rest.
    progress_file.write_text(progress_file.read_text() + '{"section": "01_luigi_tas\n[3]\n'
                             '{"section": "01_luigi_tasks", "edition": "solutions", "event": "passed"}\n')
    progress.record("01_luigi_tasks", 4, "passed")
    assert [e["checkpoint"] for e in progress.events()] == [1, 1, 1, 2, 2, 3, 4]
    assert re.search(r"01 · Luigi tasks \(solution\)\s+2 of 4\s+1\s+1\s",
                     progress.table_text([("01_luigi_tasks", "01 · Luigi tasks", 4)]))  # 1 and 4 passed


def test_make_progress_prints_every_section(progress_file, monkeypatch, capsys):
    import workshop.__main__ as main
    monkeypatch.setenv("SONG_PLAYS_WORKSPACE", str(progress_file.parent))
    progress.record("02_spark_job", 3, "passed")
    assert main.main(["progress"]) == 0
    out = capsys.readouterr().out
    assert str(progress_file) in out
    assert re.search(r"02 · The Spark job\s+1 of 11", out) and re.search(r"04 · Going further\s+0 of 5", out), out


def in_a_terminal_of_make_lab(command):
    """command, in a shell started as `make lab` starts JupyterLab (whose terminals inherit its environment:
    the Makefile's LAB_PATH, MAKEFLAGS and MAKELEVEL), from notebooks/exercises, where JupyterLab's terminal opens."""
    venv_bin = str(Path(sys.executable).parent)
    env = {key: value for key, value in os.environ.items() if not key.startswith("MAKE")}
    env["PATH"] = os.pathsep.join(folder for folder in env["PATH"].split(os.pathsep) if folder != venv_bin)
    env["TERMINAL_COMMAND"] = f"cd notebooks/exercises && {command}"
    recipe = 'terminal:\n\t@$(LAB_PATH) sh -c "$$TERMINAL_COMMAND"\n'
    return subprocess.run(["make", "-f", "Makefile", "-f", "-", "terminal"], input=recipe, cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("command", ["workshop progress", "cd ../.. && make progress"])
def test_the_progress_table_prints_alone_from_jupyterlabs_terminal(command, capsys):
    if subprocess.run(["make", "-q", ".venv/.installed"], cwd=ROOT).returncode != 0:
        pytest.skip("the environment is older than its pins: `make setup` first (this test must not reinstall it)")
    checks.show_progress()  # the checkout's own workspace/progress.jsonl, which the command reads too
    table = capsys.readouterr().out
    run = in_a_terminal_of_make_lab(command)
    assert (run.stdout, run.stderr, run.returncode) == (table, "", 0)


# --- each notebook's checks, held against its solution notebook ----------------------------------------------

@pytest.mark.parametrize("module", MODULES, ids=lambda module: module.__name__.rsplit(".", 1)[1])
def test_every_checkpoint_cell_calls_a_check_of_its_module_in_order(module):
    nb = nbformat.read(ROOT / "notebooks" / f"{module.section.name}.ipynb", as_version=4)
    called = [int(number) for cell in nb.cells if cell.cell_type == "code" for number in STEP_CALL.findall(cell.source)]
    assert called == sorted(module.section.checkpoints) == list(range(1, len(called) + 1))
    for number in called:
        assert callable(getattr(module, f"step{number}"))
    assert module.hint == module.section.hint and module.solution == module.section.solution
    for number, (_, hints, _, _) in module.section.checkpoints.items():
        assert 2 <= len(hints) <= 3, f"checkpoint {number}: give two or three hints, from a nudge to nearly the answer"
    assert any(cell.source.strip() == "check.progress()" for cell in nb.cells[-3:]), "the table ends the notebook"


@pytest.mark.parametrize("module", MODULES, ids=lambda module: module.__name__.rsplit(".", 1)[1])
def test_every_todo_belongs_to_exactly_one_checkpoint_and_its_solution_is_the_tagged_cell(module, monkeypatch):
    section = module.section
    solution = nbformat.read(ROOT / "notebooks" / f"{section.name}.ipynb", as_version=4)
    exercise = nbformat.read(ROOT / "notebooks" / "exercises" / f"{section.name}.ipynb", as_version=4)
    todo_cells = json.loads(coach.TODO_CELLS.read_text())[section.name]
    claimed = [todo for number in section.checkpoints for cell in section.cells_of(number) for todo in cell["todos"]]
    assert sorted(claimed) == sorted(todo for cell in todo_cells.values() for todo in cell["todos"])
    for edition, nb in (("solutions", solution), ("exercises", exercise)):
        if edition == "exercises":
            monkeypatch.setenv("SONG_PLAYS_WORKSPACE", "workspace")
        tagged = {tag: cell.source for cell in nb.cells for tag in cell.metadata.get("tags", [])}
        for number in section.checkpoints:
            for cell in section.cells_of(number):
                [tag] = [tag for tag in todo_cells if todo_cells[tag][edition] == cell["code"]]
                if edition == "solutions":
                    assert cell["code"] == tagged[tag]
                else:  # the exercise cell has the stubs the coach looks for; its %%writefile writes into workspace/
                    assert cell["code"] == make_exercises.exercise_writefile(todo_cells[tag]["solutions"])
                    assert all(stub_line(todo) in tagged[tag] for todo in cell["todos"]), tag
                    assert "../workspace/" in cell["code"].split("\n")[0] or coach.written(cell) is None


def test_the_exercises_run_the_same_checks_and_keep_no_answers():
    for module in MODULES[1:]:
        exercise = nbformat.read(ROOT / "notebooks" / "exercises" / f"{module.section.name}.ipynb", as_version=4)
        solution = nbformat.read(ROOT / "notebooks" / f"{module.section.name}.ipynb", as_version=4)
        assert [c.source for c in exercise.cells if STEP_CALL.search(c.source)] == \
               [c.source for c in solution.cells if STEP_CALL.search(c.source)]
        questions = [c.source for c in solution.cells if c.source.startswith("## Questions")]
        answers = [c for c in solution.cells if "answers" in c.metadata.get("tags", [])]
        assert len(questions) == len(answers) == 1, module.section.name
        assert 3 <= len(re.findall(r"^\d\. ", questions[0], re.MULTILINE)) <= 5
        assert len(re.findall(r"^\d\. ", answers[0].source, re.MULTILINE)) == \
               len(re.findall(r"^\d\. ", questions[0], re.MULTILINE))
        assert make_exercises.in_the_workspace(questions[0]) in [c.source for c in exercise.cells]
        assert not [c for c in exercise.cells if c.source.startswith("### Answers")], "answers in the exercises"


def test_the_sections_table_lists_every_notebook_with_its_checkpoints():
    assert [name for name, _, _ in checks.sections()] == [
        path.stem for path in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))]
    assert all(total >= 4 for _, _, total in checks.sections())


def test_the_solution_asked_for_is_first_the_cell_that_differs_from_it(tmp_path, progress_file, shell, capsys):
    """Two %%writefile -a cells of one module: the one whose code the module does not hold as the solution has it."""
    writefile.register(shell)
    nb = nbformat.v4.new_notebook()
    right = nbformat.v4.new_code_cell(f'%%writefile -a {tmp_path}/numbers.py\n\n\ndef one():\n    """One."""\n    return 1')
    wrong = nbformat.v4.new_code_cell(f'%%writefile -a {tmp_path}/numbers.py\n\n\ndef two():\n    """Two."""\n    return 2')
    for cell, name in ((right, "one"), (wrong, "two")):
        cell.metadata["tags"] = [f"step1-{name}"]
        cell.metadata["solution_blocks"] = [{"body_of": f"def {name}():", "todo": f"{name}(): the number"}]
    nb.cells = [right, wrong]
    nbformat.write(nb, tmp_path / "two.ipynb")
    section = coach.Section("two", todo_cells=make_exercises.todo_cells(tmp_path / "two.ipynb"))
    section.checkpoint(1, "both", cells=["step1-one", "step1-two"], hints=["a", "b"])(lambda: None)
    run_in_shell(shell, right.source)
    run_in_shell(shell, wrong.source.replace("return 2", "return 3"))
    section.solution(1)
    assert shell.rl_next_input == wrong.source  # the one the student got wrong, not the first
    run_in_shell(shell, wrong.source)
    section.solution(1)  # both as the solution: each in turn
    section.solution(1)
    assert events(progress_file) == [(1, "solution")] * 3


def test_hint_and_solution_without_a_number_help_with_the_checkpoint_that_is_waiting(tiny, progress_file, shell, capsys):
    section, step1, step2, _ = tiny
    section.hint()
    assert "No checkpoint of this notebook is waiting" in capsys.readouterr().out
    step1(four=4)
    with pytest.raises(coach.CheckpointFailed):
        step2(four=3)
    capsys.readouterr()
    section.hint()  # the failure showed the cause's one hint: next come the step's own
    assert capsys.readouterr().out.startswith("Hint 2 of 3 for CHECKPOINT 2 (the failure showed hint 1): look at step 1")
    step2(four=2)
    section.solution()
    assert "No checkpoint of this notebook is waiting" in capsys.readouterr().out


def test_notebook_03s_recovery_needs_a_failure_to_recover_from(progress_file):
    """A student who went past checkpoint 6 with a run that passed: the plain rerun then runs nothing, and
    checkpoint 7 must not say that it recovered from a failure."""
    import datetime
    import types

    from luigi.execution_summary import LuigiStatusCode
    ended = types.SimpleNamespace(status=LuigiStatusCode.SUCCESS)  # what workshop.build returns: .status is read
    with pytest.raises(coach.CheckpointFailed) as failure:
        section03.step7(failed=ended, recovered=ended, day=datetime.date(2019, 2, 8))
    assert failure.value.number == 7 and "step 6's run ended :), not :(" in failure.value.problem
    assert "make step 6 fail first" in failure.value.hint


def run_cell(shell, source):
    """A notebook cell, as the kernel runs it: IPython keeps its source for tracebacks, where step() reads it."""
    shell.user_ns["step"] = checkpoints.step
    shell.run_cell(source, store_history=True)


def test_a_step_block_that_failed_is_named_beside_what_its_last_good_run_left(tiny, shell, monkeypatch, capsys):
    """A student's cell raised inside its step block, so a variable the checkpoint reads still holds an earlier run's
    value: the checkpoint says so beside what it found, and its first hint is to fix that cell. Once the block runs
    well, what it found alone."""
    section, step1, _, _ = tiny
    monkeypatch.setattr(checkpoints, "failed", {})
    shell.user_ns["four"] = 5  # what an earlier, wrong run left
    run_cell(shell, 'with step("Doubling"):\n    four = int("two") * 2\n')
    with pytest.raises(coach.CheckpointFailed) as failure:
        step1()
    assert failure.value.problem == ('double(2) gave 5; but "Doubling" did not work (ValueError: invalid literal for '
                                     "int() with base 10: 'two'), so an earlier run's values are still in four")
    assert failure.value.hint == coach.STALE
    run_cell(shell, 'with step("Doubling"):\n    four = 5\n')  # the block, fixed, runs well; the value is wrong
    with pytest.raises(coach.CheckpointFailed) as failure:
        step1()
    assert failure.value.problem == "double(2) gave 5" and failure.value.hint == "multiply by two"


def test_a_step_block_that_failed_fails_its_checkpoint_even_when_the_values_it_left_pass(tiny, shell, monkeypatch,
                                                                                        capsys):
    """The earlier run's values were right: a pass on them would say "done" for code that no longer works. The
    checkpoint fails, naming the block, its error and the stale variable; once the block runs well, it passes."""
    section, step1, _, _ = tiny
    monkeypatch.setattr(checkpoints, "failed", {})
    shell.user_ns["four"] = 4  # what an earlier, right run left
    run_cell(shell, 'with step("Doubling"):\n    half = 1\n    four = doubel(2)\n')
    with pytest.raises(coach.CheckpointFailed) as failure:
        step1()
    assert failure.value.problem == ('"Doubling" did not work (NameError: name \'doubel\' is not defined), so an '
                                     "earlier run's values are still in four")
    assert failure.value.hint == coach.STALE
    run_cell(shell, 'with step("Doubling"):\n    four = 2 * 2\n')
    step1()
    assert "CHECKPOINT 1 passed" in capsys.readouterr().out


def test_a_failed_step_block_whose_variables_a_checkpoint_does_not_read_leaves_it_alone(tiny, shell, monkeypatch,
                                                                                       capsys):
    """A checkpoint that checks the code as last written, not a cell's variables, passes once that code is fixed,
    even if a cell that ran the broken code in between is not run again."""
    section, step1, _, _ = tiny
    monkeypatch.setattr(checkpoints, "failed", {})
    shell.user_ns["four"] = 4
    run_cell(shell, 'with step("Trying it"):\n    eight = int("eight")\n')
    assert list(checkpoints.failed) == ["Trying it"]
    step1()
    assert "CHECKPOINT 1 passed" in capsys.readouterr().out
