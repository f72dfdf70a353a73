"""Checkpoints that coach, in the manner of Kaggle's learntools: one-line checks, hints one at a time, the
solution on request, and progress kept.

A notebook's checkpoints live in a module of their own, workshop/checks/sectionNN.py:

    section = Section("01_luigi_tasks.ipynb")

    @section.checkpoint(2, "the published day ends :) and the unpublished one :|", cells=["6596f262"],
                        hints=["a nudge", "closer", "nearly the answer"])
    def step2(published, unpublished):
        expect(face(published) == ":)", f"the run ended {face(published)}", hint="what to look at")

and the notebook's cell is one line, `check.step2()`: the arguments it does not pass are read, by name, from
the notebook. Then:
- every expectation holds: "CHECKPOINT 2 passed: ..." is printed;
- one does not: CheckpointFailed, which IPython shows as three short lines (what is wrong, a hint, where to
  get more) instead of a traceback; papermill still sees the error;
- the step's TODOs are still there (or an earlier step's are): "not started yet: step 2", printed, no error.

`cells` are the solution cells whose code the step asks the student to write: check.solution(2) loads them
from the solution notebook, the one source the exercises are made from, into a new cell.
"""
import dataclasses
import functools
import inspect
import re
from dataclasses import dataclass
from pathlib import Path

from workshop import progress, solution_blocks

NOTEBOOKS_DIR = Path(__file__).resolve().parents[1]
BOLD_RED, BOLD, RESET = "\x1b[1;31m", "\x1b[1m", "\x1b[0m"
RUN_ABOVE = ("run every cell above this one, top to bottom, and finish its TODO; the first cell that printed "
             "a problem is the one to fix")


class CheckpointFailed(AssertionError):
    """A checkpoint found something wrong. Its message keeps the old one-line form that tests parse."""

    def __init__(self, number, problem, hint, todos_left=()):
        super().__init__(f"CHECKPOINT {number}: {problem}. Hint: {hint}")
        self.number, self.problem, self.hint, self.todos_left = number, problem, hint, list(todos_left)

    def _render_traceback_(self):
        """What IPython shows instead of a traceback: the student's problem, not the checker's call stack."""
        lines = [f"{BOLD_RED}CHECKPOINT {self.number} failed:{RESET} {self.problem}.", f"Hint: {self.hint}"]
        if self.todos_left:
            lines.append("Still to write: " + "; ".join(self.todos_left))
        lines.append(f"More help: check.hint({self.number}) gives hints one at a time; "
                     f"check.solution({self.number}) puts the answer in a new cell.")
        return lines


class Unmet(Exception):
    """An expectation that does not hold (caught by the checkpoint that made it)."""

    def __init__(self, problem, hint):
        super().__init__(problem)
        self.problem, self.hint = problem, hint


class NotDefinedYet(Exception):
    pass


def expect(condition, problem, hint):
    """One check of a checkpoint: problem says what is wrong when condition is false, hint what to look at."""
    if not condition:
        raise Unmet(problem, hint)


def missing_step(error):
    """What an error raised while checking says about the steps before it."""
    if isinstance(error, NotDefinedYet):
        return f"{error} is not defined yet, so the cell that sets it has not run (or did not finish)"
    if isinstance(error, NameError):
        return f"{error.name or error} is not defined yet, so the cell that sets it has not run (or did not finish)"
    if isinstance(error, NotImplementedError):
        return f"a step is not written yet ({error})"
    return f"an earlier step did not finish ({type(error).__name__}: {error})"


def shell():
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    return get_ipython()


@dataclass
class TodoCell:
    """A solution cell with code for the student to write, as the exercise edition has it."""
    cell_id: str
    source: str          # the solution's code
    key_line: str        # a line of the cell that no other cell has, and no TODO replaces
    todos: list          # the TODOs' texts
    writes_to: Path      # the module a %%writefile cell writes, or None

    def stubs_seen(self, history):
        """The TODOs whose stub is still in what the student last ran of this cell (or wrote to its module).

        Empty when the cell has not run in this kernel and writes no module: nothing can be seen.
        """
        ran = self.last_run(history)
        if ran is None and self.writes_to is not None:
            module = self.module_path()
            ran = module.read_text() if module.exists() else None
        return [todo for todo in self.todos if ran is not None and solution_blocks.stub_line(todo) in ran]

    def last_run(self, history):
        """What the student last ran of this cell in this kernel, or None."""
        return next((entry for entry in reversed(history) if self.key_line in entry), None)

    def differs_from_solution(self, history):
        ran = self.last_run(history)
        return ran is None or [line.rstrip() for line in ran.strip().split("\n")] != \
            [line.rstrip() for line in self.code().strip().split("\n")]

    def module_path(self):
        if progress.edition() == "exercises":
            return NOTEBOOKS_DIR.parent / "workspace" / self.writes_to.relative_to(NOTEBOOKS_DIR.parent)
        return self.writes_to

    def code(self):
        return solution_blocks.exercise_writefile(self.source) if progress.edition() == "exercises" else self.source


@dataclass
class Checkpoint:
    number: int
    achievement: str
    hints: list
    cells: list
    function: object


class Section:
    """One notebook's checkpoints, their hints and their solutions."""

    def __init__(self, notebook):
        self.notebook = notebook  # a solution notebook's name in notebooks/ (or a path, for tests)
        self.name = Path(notebook).stem
        self.checkpoints = {}
        self._todo_cells = None

    def checkpoint(self, number, achievement, hints, cells=()):
        if not 2 <= len(hints) <= 3:
            raise ValueError(f"checkpoint {number}: give two or three hints, from a nudge to nearly the answer")

        def register(function):
            self.checkpoints[number] = Checkpoint(number, achievement, list(hints), list(cells), function)

            @functools.wraps(function)
            def step(*args, **kwargs):
                return self.run(number, args, kwargs)
            return step
        return register

    # --- checking -------------------------------------------------------------------------------------------
    def run(self, number, args, kwargs):
        checkpoint = self.checkpoints[number]
        try:
            checkpoint.function(**self.arguments(checkpoint.function, args, kwargs))
        except Unmet as unmet:
            problem, hint = unmet.problem, unmet.hint
        except Exception as error:  # noqa: BLE001 - the checkpoint could not even look: say why
            problem, hint = missing_step(error), RUN_ABOVE
        else:
            print(f"CHECKPOINT {number} passed: {checkpoint.achievement}")
            progress.record(self.name, number, "passed")
            return True
        history = self.history()
        own = self.todos_left(number, history)
        if own and len(own) == len(self.todos(number)):
            self.not_started(number, f"its TODOs are still there: {names(own)}. Write them and run their cells, "
                                     "then this one again")
            return False
        for earlier in sorted(n for n in self.checkpoints if n < number):
            left = self.todos_left(earlier, history)
            if left:
                self.not_started(number, f"it builds on step {earlier}, whose TODOs are not written yet: "
                                         f"{names(left)}. Finish step {earlier} first")
                return False
        progress.record(self.name, number, "failed")
        raise CheckpointFailed(number, problem, hint, own)

    def not_started(self, number, why):
        print(f"{BOLD}CHECKPOINT {number}: not started yet: step {number}.{RESET} {why[0].upper()}{why[1:]}.\n"
              f"(check.hint({number}) when you want a hint.)")
        progress.record(self.name, number, "not started")

    @staticmethod
    def arguments(function, args, kwargs):
        """The check's arguments: those given, and the others read by name from the notebook."""
        bound = inspect.signature(function).bind_partial(*args, **kwargs).arguments
        ipython = shell()
        namespace = ipython.user_ns if ipython else {}
        for name in inspect.signature(function).parameters:
            if name not in bound:
                if name not in namespace:
                    raise NotDefinedYet(name)
                bound[name] = namespace[name]
        return bound

    @staticmethod
    def history():
        ipython = shell()
        return list(ipython.history_manager.input_hist_raw) if ipython else []

    # --- the solution notebook: the one source of the TODOs and their solutions -----------------------------
    def todo_cells(self):
        if self._todo_cells is None:
            self._todo_cells = read_todo_cells(NOTEBOOKS_DIR / self.notebook)
        return self._todo_cells

    def cells_of(self, number):
        """The checkpoint's TODO cells. "475205f5:validate" is cell 475205f5 with only its TODOs that start
        "validate": a cell may hold the code of several steps."""
        cells = []
        for entry in self.checkpoints[number].cells:
            cell_id, _, prefix = entry.partition(":")
            cell = self.todo_cells().get(cell_id)
            if cell is None:  # a solution notebook cut short by hand: nothing to look for
                continue
            cells.append(dataclasses.replace(cell, todos=[todo for todo in cell.todos if todo.startswith(prefix)]))
        return cells

    def todos(self, number):
        return [todo for cell in self.cells_of(number) for todo in cell.todos]

    def todos_left(self, number, history=None):
        history = self.history() if history is None else history
        return [todo for cell in self.cells_of(number) for todo in cell.stubs_seen(history)]

    # --- help -----------------------------------------------------------------------------------------------
    def last_unpassed(self):
        """The checkpoint of this notebook that most recently failed or was not started, and has not passed since."""
        latest = {}  # checkpoint: (its latest event, that event's place in the file)
        for place, event in enumerate(progress.read_events()):
            if (event["section"], event["edition"]) == (self.name, progress.edition()) and \
                    event["event"] in ("passed", "failed", "not started"):
                latest[event["checkpoint"]] = (event["event"], place)
        open_ones = [(place, number) for number, (result, place) in latest.items() if result != "passed"]
        return max(open_ones)[1] if open_ones else None

    def hint(self, number=None, which=None):
        """The next hint for a checkpoint (or hint `which`), from a nudge to nearly the answer.
        Without a number: the checkpoint that last failed or was not started."""
        number = number if number is not None else self.last_unpassed()
        if number is None:
            print(f"No checkpoint of this notebook is waiting for you: check.hint(N) gives checkpoint N's hints.")
            return
        hints = self.known(number).hints
        index = (min(progress.count(self.name, number, "hint"), len(hints) - 1) if which is None
                 else max(1, min(which, len(hints))) - 1)
        progress.record(self.name, number, "hint")
        print(f"Hint {index + 1} of {len(hints)} for CHECKPOINT {number}: {hints[index]}")
        if index + 1 < len(hints):
            print(f"(check.hint({number}) again for the next one.)")
        else:
            print(f"(That was the last hint. check.solution({number}) puts the answer in a new cell below.)")

    def solution(self, number=None):
        """Put the solution of the step checkpoint `number` checks into a new cell below. Nothing runs.
        Without a number: the checkpoint that last failed or was not started."""
        number = number if number is not None else self.last_unpassed()
        if number is None:
            print("No checkpoint of this notebook is waiting for you: check.solution(N) gives checkpoint N's.")
            return None
        cells = self.cells_of(self.known(number).number)
        if not cells:
            print(f"CHECKPOINT {number} checks cells you run, not code you write: run the cells above it, top to "
                  f"bottom, and read what they print. check.hint({number}) helps.")
            return None
        history = self.history()
        # First a cell whose TODO is still there, else one whose code is not the solution's, else each in turn.
        waiting = ([cell for cell in cells if cell.stubs_seen(history)]
                   or [cell for cell in cells if cell.differs_from_solution(history)])
        if waiting:
            cell = waiting[0]
        else:
            cell = cells[progress.count(self.name, number, "solution") % len(cells)]
        progress.record(self.name, number, "solution")
        code = cell.code()
        ipython = shell()
        if ipython is None:
            print(code)
            return code
        ipython.set_next_input(code, replace=False)  # what %load does: the code goes into a cell, unrun
        print(f"The solution of {names(cell.todos)} is in a new cell below this one: read it, then run it, "
              f"then the cells after it." + (f" Step {number} has {len(cells)} cells to write: "
                                             f"check.solution({number}) again gives the next one."
                                             if len(cells) > 1 else ""))
        return None  # returning the code would echo it as the cell's result

    def known(self, number):
        if number not in self.checkpoints:
            raise ValueError(f"{self.notebook} has checkpoints {sorted(self.checkpoints)}, not {number!r}")
        return self.checkpoints[number]


def names(todos):
    """The short names of TODOs, e.g. "DownloadSpins.output(), DownloadSpins.run()"."""
    return ", ".join(todo.split(":")[0] for todo in todos)


def read_todo_cells(notebook_path):
    """The solution notebook's cells with solution_blocks, by cell id."""
    import nbformat
    nb = nbformat.read(notebook_path, as_version=4)
    code_cells = [cell for cell in nb.cells if cell.cell_type == "code"]
    cells = {}
    for cell in code_cells:
        blocks = cell.metadata.get("solution_blocks")
        if not blocks:
            continue
        lines = cell.source.split("\n")
        spans = solution_blocks.block_spans(lines, blocks, f"{notebook_path.name}, cell {cell.id}")
        replaced = {i for first, last, _ in spans for i in range(first, last + 1)}
        others = {line.strip() for other in code_cells if other is not cell for line in other.source.split("\n")}
        candidates = [line.strip() for i, line in enumerate(lines)
                      if i not in replaced and line.strip() and not line.startswith("%%")]
        # The longest line of its own: a short one ("import pandas as pd") might be typed in another cell.
        key_line = max((line for line in candidates if line not in others), key=len, default=None)
        if key_line is None:
            raise ValueError(f"{notebook_path.name}, cell {cell.id}: no line of it is its own")
        target = re.match(r"%%writefile(?: -a)? (\S+)", lines[0])
        writes_to = (notebook_path.parent / target.group(1)).resolve() if target else None
        cells[cell.id] = TodoCell(cell.id, cell.source, key_line, [todo for *_, todo in reversed(spans)], writes_to)
    return cells
