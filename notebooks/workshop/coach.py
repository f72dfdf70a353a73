"""Checkpoints that coach, as Kaggle's learntools do. A check (workshop/checks/sectionNN.py), run by `check.step2()`,
reads the arguments it is not given from the notebook by name and prints one line: passed; or not started yet, while
the step's TODO stubs (or an earlier step's) are still there; or it raises CheckpointFailed, naming the cause it found
and that cause's first hint. The cells a step asks for, named by tag, are in checks/todo_cells.json."""
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
STALE = "fix the error that cell printed (the line of your code it names), run it again, then this checkpoint"


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
    """An expectation that does not hold: (problem, the hints for its cause)."""


def expect(condition, problem, hint):
    """hint: a string, or a ladder of them for this cause; its first string names the cause in the progress file."""
    if not condition:
        raise Unmet(problem, [hint] if isinstance(hint, str) else list(hint))


def namespace():
    return get_ipython().user_ns if get_ipython() else {}


def written(cell):
    """What the module a %%writefile cell writes holds ("" before it exists); None for a cell that runs in the kernel.
    Its stubs are looked for there: the module's code may run in another process (spark-submit, the luigi command)."""
    target = re.match(r"%%writefile(?: -a)? (\S+)", cell["code"])
    module = target and NOTEBOOKS_DIR / target.group(1)
    return None if not module else module.read_text() if module.exists() else ""


def stubs_left(cell):
    """The cell's TODOs whose stubs are still there: in the module it writes, else in the kernel, among the constants
    of its functions and methods (`raise NotImplementedError(todo)` keeps todo there until the student's code replaces
    it) and the TODOs step() blocks stopped at."""
    if (text := written(cell)) is not None:
        return [todo for todo in cell["todos"] if stub_line(todo) in text]
    values = namespace().values()
    functions = [v for v in values if inspect.isfunction(v)] + [
        f for v in values if inspect.isclass(v) for f in vars(v).values() if inspect.isfunction(f)]
    todos = {c for f in functions for c in f.__code__.co_consts} | set(checkpoints.stopped_at.values())
    return [todo for todo in cell["todos"] if todo in todos]


class Section:
    """One notebook's checkpoints, {number: (achievement, hints, cell tags, check)}, and its TODO cells; and in this
    kernel, the checkpoints waiting (failed or not started, not passed since) and each one's hints: those of the cause
    last found and how many were shown, and how many solutions were given."""

    def __init__(self, name, todo_cells=None):
        self.name, self.checkpoints, self.waiting, self.ladders, self.given = name, {}, [], {}, {}
        self.todo_cells = json.loads(TODO_CELLS.read_text()).get(name, {}) if todo_cells is None else todo_cells

    def checkpoint(self, number, achievement, hints, cells=()):
        def register(function):
            self.checkpoints[number] = (achievement, list(hints), list(cells), function)
            return functools.wraps(function)(lambda **given: self.run(number, given))
        return register

    def run(self, number, given):
        """Prints one line and returns nothing (a cell's last value would be echoed), or raises CheckpointFailed."""
        achievement, _, _, function = self.checkpoints[number]
        self.waiting = [n for n in self.waiting if n != number]
        # A step block that failed leaves what it assigns as an earlier run left it: a pass on those would be a false
        # "done", and a failure may be about them.
        stale = [f'"{what}" did not work ({error}), so an earlier run\'s values are still in {", ".join(sorted(read))}'
                 for what, (error, assigned) in checkpoints.failed.items()
                 if (read := assigned & set(inspect.signature(function).parameters))]
        try:
            function(**arguments(function, given))
        except Unmet as unmet:
            problem, hints = unmet.args
        except Exception as error:  # noqa: BLE001 - the checkpoint could not even look: say why
            problem, hints = missing_step(error), [RUN_ABOVE]
        else:
            if not stale:
                self.found(number, [])
                print(f"CHECKPOINT {number} passed: {achievement}")
                return progress.record(self.name, number, "passed")
            problem, hints = None, []
        if stale:
            problem, hints = "; but ".join(filter(None, [problem, *stale])), [STALE, *hints]
        self.waiting.append(number)
        cells = {n: self.cells_of(n) for n in self.checkpoints if n <= number}
        todos = {n: [todo for cell in cells[n] for todo in cell["todos"]] for n in cells}
        left = {n: [todo for cell in cells[n] for todo in stubs_left(cell)] for n in cells}
        untouched = [n for n in sorted(left) if left[n] and (n < number or left[n] == todos[n])]
        if not untouched:
            self.found(number, hints)
            progress.record(self.name, number, "failed", cause=hints[0])
            raise CheckpointFailed(number, problem, hints[0], left[number])
        self.found(number, [])
        first = number if number in untouched else untouched[0]  # its own TODOs first, else the earliest step's
        waits_for = "Its" if first == number else f"It builds on step {first}, whose"
        print(f"\x1b[1mCHECKPOINT {number}: not started yet: step {number}.\x1b[0m {waits_for} TODOs are not written "
              f"yet: {names(left[first])}. Write them and run their cells, then this one again.\n"
              f"(check.hint({number}) when you want a hint.)")
        progress.record(self.name, number, "not started")

    def found(self, number, cause):
        """A run found this cause (its hints), or none ([]): a new cause's ladder starts at the rung its failure shows;
        the step's own hints, asked for without a cause, go on."""
        if self.ladders.get(number, (None,))[0] != cause:
            self.ladders[number] = (cause, 1 if cause else 0)

    def cells_of(self, number):
        """The checkpoint's TODO cells, as this edition has them."""
        return [{"todos": cell["todos"], "heading": cell["heading"], "code": cell[progress.edition()]}
                for cell in map(self.todo_cells.get, self.checkpoints[number][2])]

    def asked(self, number, helper):
        """The checkpoint check.hint() or check.solution() helps with: number, else the one that most recently failed
        or was not started (and has not passed since); None, said so, when none is waiting."""
        if (number := self.waiting[-1] if number is None and self.waiting else number) is None:
            print(f"No checkpoint of this notebook is waiting for you: check.{helper}(N) helps with checkpoint N.")
        elif number not in self.checkpoints:
            raise ValueError(f"{self.name} has checkpoints {sorted(self.checkpoints)}, not {number!r}")
        return number

    def hint(self, number=None):
        """The next hint, from a nudge to nearly the answer: those of the cause the checkpoint last found (its failure
        showed the first), then the step's own; then the last one again."""
        if (number := self.asked(number, "hint")) is None:
            return
        cause_hints, shown = self.ladders.get(number, ([], 0))
        hints = cause_hints + self.checkpoints[number][1]
        index, self.ladders[number] = min(shown, len(hints) - 1), (cause_hints, shown + 1)
        progress.record(self.name, number, "hint", cause=cause_hints[0] if cause_hints else None)
        shown_first = " (the failure showed hint 1)" if cause_hints and index == 1 else ""
        print(f"Hint {index + 1} of {len(hints)} for CHECKPOINT {number}{shown_first}: {hints[index]}\n" +
              (f"(check.hint({number}) again for the next one.)" if index + 1 < len(hints) else
               f"(That was the last hint. check.solution({number}) gives the answer.)"))

    def solution(self, number=None):
        """The step's solution in a new cell below, unrun: a cell whose TODO is still there, else one whose module
        lacks it as the solution has it, else each cell in turn. It says which cell it replaces and what to run next."""
        if (number := self.asked(number, "solution")) is None:
            return
        if not (cells := self.cells_of(number)):
            return print(f"CHECKPOINT {number} checks cells you run, not code you write: run the cells above it, top "
                         f"to bottom, and read what they print. check.hint({number}) helps.")
        wrong = [c for c in cells if stubs_left(c)] + [
            c for c in cells if (text := written(c)) is not None and c["code"].partition("\n")[2] not in text]
        cell = wrong[0] if wrong else cells[self.given.get(number, 0) % len(cells)]
        self.given[number] = self.given.get(number, 0) + 1
        progress.record(self.name, number, "solution")
        get_ipython().set_next_input(cell["code"], replace=False)  # what %load does: the code goes into a cell, unrun
        under = f' under "{cell["heading"]}"' if cell["heading"] else ""
        print(f"The solution of {names(cell['todos'])} is in a new cell below. It replaces your cell{under} that "
              f"starts with `{cell['code'].partition(chr(10))[0]}`: put it there in place of yours, run it, then run "
              f"every cell from there down to CHECKPOINT {number}." +
              (f" Step {number} has {len(cells)} cells to write: check.solution({number}) again gives the next one."
               if len(cells) > 1 else ""))


def arguments(function, given):
    """The check's arguments: those given by name, the others read by name from the notebook."""
    values, wanted = namespace() | given, inspect.signature(function).parameters
    if missing := [name for name in wanted if name not in values]:
        raise NameError(missing[0], name=missing[0])
    return {name: values[name] for name in wanted}


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
