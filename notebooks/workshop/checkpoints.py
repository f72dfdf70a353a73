"""CHECKPOINT cells: every check must hold, and a failure says what to fix."""
import re
from contextlib import contextmanager


def face(result):
    """The face luigi ends its summary with: ':)', ':|' or ':('."""
    return result.status.value[0]


def ran(result):
    """The tasks luigi's summary lists as run successfully, e.g. ['1 DownloadSpins(date=2019-02-08)'].

    A task whose outputs already existed is not among them: luigi did not run it.
    """
    section = re.search(r"ran successfully:\n((?: {4}- .*\n)+)", result.summary_text)
    return [line.strip()[2:] for line in section.group(1).splitlines()] if section else []


class Checkpoint:
    """A CHECKPOINT cell: every check must hold, and a failure says what to fix.

        with Checkpoint(1, "DownloadSpins ended :)") as check:
            check(face(result) == ":)", f"the run ended {face(result)}", hint="is the data server running?")
    """

    def __init__(self, number, achievement):
        self.number = number
        self.achievement = achievement

    def __call__(self, condition, problem, hint):
        if not condition:
            raise AssertionError(f"CHECKPOINT {self.number}: {problem}. Hint: {hint}")

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, traceback):
        if exc_type is None:
            print(f"CHECKPOINT {self.number} passed: {self.achievement}")
            return False
        if issubclass(exc_type, AssertionError) and str(exc).startswith("CHECKPOINT "):
            return False
        # Anything else means the checkpoint could not even look: an earlier step is missing or unfinished.
        raise AssertionError(f"CHECKPOINT {self.number}: {missing_step(exc)}. Hint: run every cell above this one, "
                             "top to bottom, and finish its TODO; the first cell that printed a problem is "
                             "the one to fix") from None


def missing_step(error):
    """What a NameError, NotImplementedError... raised inside a checkpoint says about the steps before it."""
    if isinstance(error, NameError):
        return f"{error.name or error} is not defined yet, so the cell that sets it has not run (or did not finish)"
    if isinstance(error, NotImplementedError):
        return f"a step is not written yet ({error})"
    return f"an earlier step did not finish ({type(error).__name__}: {error})"


@contextmanager
def step(what):
    """A cell that calls code you write: if that code is not written yet, or fails, say so and carry on,
    so that the CHECKPOINT after it can say what to fix."""
    try:
        yield
    except Exception as error:  # noqa: BLE001 - reported, then the checkpoint explains
        print(f"{what} did not work: {type(error).__name__}: {error}\n"
              "The CHECKPOINT below says what to fix.")
