"""What the notebooks and their checks read from a luigi run, and step(): a cell that carries on when the
code it calls is not written yet. The CHECKPOINTs themselves are in workshop.coach and workshop.checks."""
import re
from contextlib import contextmanager


def face(result):
    """The face luigi ends its summary with: ':)', ':|' or ':('."""
    return result.status.value[0]


def ran(result):
    """The tasks luigi's summary lists as run, e.g. ['1 DownloadSpins(date=2019-02-08)']: not those already complete."""
    section = re.search(r"ran successfully:\n((?: {4}- .*\n)+)", result.summary_text)
    return [line.strip()[2:] for line in section.group(1).splitlines()] if section else []


stopped_at = {}  # {what: its TODO} for each step() block whose last run stopped at a TODO stub: the coach reads it


@contextmanager
def step(what):
    """A cell that calls code you write: if that code is not written yet, or fails, say so and carry on,
    so that the CHECKPOINT after it can say what to fix."""
    stopped_at.pop(what, None)
    try:
        yield
    except NotImplementedError as todo:
        stopped_at[what] = str(todo)
        print(f"{what}: not written yet (TODO: {todo}). The CHECKPOINT below says where.")
    except Exception as error:  # noqa: BLE001 - reported, then the checkpoint explains
        print(f"{what} did not work: {type(error).__name__}: {error}\nThe CHECKPOINT below says what to fix.")
