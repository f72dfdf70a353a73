"""Checkpoints that coach, as Kaggle's learntools do. A check (workshop/checks/sectionNN.py), run by `check.step2()`,
reads the arguments it is not given by name from the notebook and prints one line: passed; or not started yet, while
the step's TODO stubs (or an earlier step's) are still there; or it raises CheckpointFailed, whose few short lines
name the cause it found and that cause's first hint. The TODOs and solutions of the cells a step asks for (named by
their tags) are in checks/todo_cells.json, which tools/make_exercises.py writes."""
import functools
import inspect
import json
import re
from pathlib import Path

from IPython import get_ipython

from workshop import checkpoints, progress
from workshop.solution_blocks import stub_line

NOTEBOOKS_DIR = Path(__file__).resolve().parents[1]  # where a notebook's %%writefile path starts: workshop chdirs there
TODO_CELLS = Path(__file__).with_name("checks") / "todo_cells.json"
RUN_ABOVE = ("run every cell above this one, top to bottom, and finish its TODO; the first cell that printed "
             "a problem is the one to fix")


class CheckpointFailed(AssertionError):
    def __init__(self, number, problem, hint, todos_left):
        super().__init__(f"CHECKPOINT {number}: {problem}. Hint: {hint}")  # the one line tests and papermill read
        self.number, self.problem, self.hint, self.todos_left = number, problem, hint, todos_left

    def _render_traceback_(self):
        """What IPython shows instead of a traceback: the student's problem, not the checker's call stack."""
        return [f"\x1b[1;31mCHECKPOINT {self.number} failed:\x1b[0m {self.problem}.", f"Hint: {self.hint}",
                *(["Still to write: " + "; ".join(self.todos_left)] if self.todos_left else []),
                f"More help: check.hint({self.number}) gives the next hint for this cause; "
                f"check.solution({self.number}) gives the answer."]


class Unmet(Exception):
    """An expectation that does not hold: (problem, the hints for its cause, a nudge first)."""


def expect(condition, problem, hint):
    """hint: a string, or a ladder of them for this cause; its first string names the cause in the progress file."""
    if not condition:
        raise Unmet(problem, [hint] if isinstance(hint, str) else list(hint))


def namespace():
    return get_ipython().user_ns if get_ipython() else {}


def kernel_stubs():
    """The kernel's stub lines: `raise NotImplementedError(todo)` keeps todo among the constants of the function or
    method it stands in until the student's code replaces it; and those of the TODOs step() blocks stopped at."""
    values = namespace().values()
    functions = [v for v in values if inspect.isfunction(v)] + [
        f for v in values if inspect.isclass(v) for f in vars(v).values() if inspect.isfunction(f)]
    constants = {c for f in functions for c in f.__code__.co_consts if isinstance(c, str)}
    return {stub_line(todo) for todo in constants | set(checkpoints.stopped_at.values())}


class TodoCell:
    """A cell the student writes: its TODOs, heading and code in this edition. A %%writefile cell's code may run in
    another process (spark-submit, the luigi command), so its stubs are looked for in the module it writes."""

    def __init__(self, todos, heading, code):
        target = re.match(r"%%writefile(?: -a)? (\S+)", code)
        self.todos, self.heading, self.code = todos, heading, code
        self.module = target and NOTEBOOKS_DIR / target.group(1)

    def written(self):
        return self.module.read_text() if self.module.exists() else ""

    def stubs_left(self):
        stubs = self.written() if self.module else kernel_stubs()  # a module's text, or the kernel's set of lines
        return [todo for todo in self.todos if stub_line(todo) in stubs]

    def differs(self):
        """Whether the module lacks the cell's code as the solution has it (the kernel keeps no copy to compare)."""
        return bool(self.module) and self.code.partition("\n")[2] not in self.written()


class Section:
    """One notebook's checkpoints: {number: (achievement, hints, cell tags, check)}, and its TODO cells."""

    def __init__(self, name, todo_cells=None):
        self.name, self.checkpoints, self.causes = name, {}, {}  # causes: {number: the hints of the cause last found}
        self.todo_cells = json.loads(TODO_CELLS.read_text()).get(name, {}) if todo_cells is None else todo_cells

    def checkpoint(self, number, achievement, hints, cells=()):
        def register(function):
            self.checkpoints[number] = (achievement, list(hints), list(cells), function)
            return functools.wraps(function)(lambda *args, **kwargs: self.run(number, args, kwargs))
        return register

    def run(self, number, args, kwargs):
        """Prints one line and returns nothing (a cell's last value would be echoed), or raises CheckpointFailed."""
        achievement, _, _, function = self.checkpoints[number]
        self.causes.pop(number, None)
        try:
            function(**arguments(function, args, kwargs))
        except Unmet as unmet:
            problem, hints = unmet.args
        except Exception as error:  # noqa: BLE001 - the checkpoint could not even look: say why
            problem, hints = missing_step(error), [RUN_ABOVE]
        else:
            print(f"CHECKPOINT {number} passed: {achievement}")
            return progress.record(self.name, number, "passed")
        left = {n: self.todos(n, left=True) for n in sorted(self.checkpoints) if n <= number}
        earlier = [n for n in left if n < number and left[n]]
        if left[number] and left[number] == self.todos(number):
            why = (f"Its TODOs are still there: {names(left[number])}. Write them and run their cells, "
                   "then this one again")
        elif earlier:
            why = (f"It builds on step {earlier[0]}, whose TODOs are not written yet: {names(left[earlier[0]])}. "
                   f"Finish step {earlier[0]} first")
        else:
            self.causes[number] = hints
            progress.record(self.name, number, "failed", cause=hints[0])
            raise CheckpointFailed(number, problem, hints[0], left[number])
        print(f"\x1b[1mCHECKPOINT {number}: not started yet: step {number}.\x1b[0m {why}.\n"
              f"(check.hint({number}) when you want a hint.)")
        progress.record(self.name, number, "not started")

    def cells_of(self, number):
        """The checkpoint's TODO cells; "tag:prefix" is the tagged cell with only its TODOs that start so."""
        return [TodoCell([t for t in cell["todos"] if t.startswith(prefix)], cell["heading"], cell[progress.edition()])
                for tag, _, prefix in (tag.partition(":") for tag in self.checkpoints[number][2])
                for cell in [self.todo_cells[tag]]]

    def todos(self, number, left=False):
        """The step's TODOs, or those whose stubs are still there."""
        return [todo for cell in self.cells_of(number) for todo in (cell.stubs_left() if left else cell.todos)]

    def asked(self, number, helper):
        """The checkpoint check.hint() or check.solution() helps with: number, else the one that most recently
        failed or was not started (and has not passed since); None, said so, when there is none."""
        results = [(e["checkpoint"], e["event"]) for e in progress.mine(self.name) if e["event"] in progress.RESULTS]
        unpassed = [n for i, (n, _) in enumerate(results) if (n, "passed") not in results[i:]]  # not passed since
        if (number := unpassed[-1] if number is None and unpassed else number) is None:
            print(f"No checkpoint of this notebook is waiting for you: check.{helper}(N) helps with checkpoint N.")
        elif number not in self.checkpoints:
            raise ValueError(f"{self.name} has checkpoints {sorted(self.checkpoints)}, not {number!r}")
        return number

    def hint(self, number=None):
        """The next hint, from a nudge to nearly the answer: those of the cause the checkpoint last found (its
        failure showed the first), then the step's; then the last one again. A new cause starts over."""
        if (number := self.asked(number, "hint")) is None:
            return
        cause_hints = self.causes.get(number, [])
        hints, cause = cause_hints + self.checkpoints[number][1], cause_hints[0] if cause_hints else None
        shown = int(bool(cause))  # its failure showed the cause's first hint; the step's own hints come after
        for event in reversed([e for e in progress.mine(self.name) if e["checkpoint"] == number]):
            if event["event"] == "failed" and event.get("cause") != cause:
                break  # hints given before another cause was found count for that one
            shown += event["event"] == "hint" and event.get("cause") == cause
        index = min(shown, len(hints) - 1)
        progress.record(self.name, number, "hint", cause=cause)
        print(f"Hint {index + 1} of {len(hints)} for CHECKPOINT {number}: {hints[index]}\n" +
              (f"(check.hint({number}) again for the next one.)" if index + 1 < len(hints) else
               f"(That was the last hint. check.solution({number}) gives the answer.)"))

    def solution(self, number=None):
        """The step's solution in a new cell below, unrun: a cell whose TODO is still there, else one whose module
        differs from the solution, else each cell in turn. It says which cell it replaces and what to run again."""
        if (number := self.asked(number, "solution")) is None:
            return
        if not (cells := self.cells_of(number)):
            return print(f"CHECKPOINT {number} checks cells you run, not code you write: run the cells above it, top "
                         f"to bottom, and read what they print. check.hint({number}) helps.")
        first = [c for c in cells if c.stubs_left()] or [c for c in cells if c.differs()]
        cell = first[0] if first else cells[progress.count(self.name, number, "solution") % len(cells)]
        progress.record(self.name, number, "solution")
        get_ipython().set_next_input(cell.code, replace=False)  # what %load does: the code goes into a cell, unrun
        under = f' under "{cell.heading}"' if cell.heading else ""
        print(f"The solution of {names(cell.todos)} is in a new cell below. It replaces your cell{under} that starts "
              f"with `{cell.code.partition(chr(10))[0]}`: put it there in place of yours, run it, then run every "
              f"cell from there down to CHECKPOINT {number}." +
              (f" Step {number} has {len(cells)} cells to write: check.solution({number}) again gives the next one."
               if len(cells) > 1 else ""))


def arguments(function, args, kwargs):
    """The check's arguments: those given, and the others read by name from the notebook."""
    bound = inspect.signature(function).bind_partial(*args, **kwargs).arguments
    for name in inspect.signature(function).parameters.keys() - bound.keys():
        if name not in namespace():
            raise NameError(name, name=name)
        bound[name] = namespace()[name]
    return bound


def missing_step(error):
    """What an error raised while checking says about the steps before it."""
    if isinstance(error, NameError):
        return f"{error.name or error} is not defined yet, so the cell that sets it has not run (or did not finish)"
    if isinstance(error, NotImplementedError):
        return f"a step is not written yet ({error})"
    return f"an earlier step did not finish ({type(error).__name__}: {error})"


def names(todos):
    """The short names of TODOs, e.g. "DownloadSpins.output(), DownloadSpins.run()"."""
    return ", ".join(todo.split(":")[0] for todo in todos)
