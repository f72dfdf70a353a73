"""What the notebooks and their checks read from a luigi run, and step(): a cell that carries on when the
code it calls is not written yet. The CHECKPOINTs themselves are in workshop.coach and workshop.checks."""
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


@contextmanager
def step(what):
    """A cell that calls code you write: if that code is not written yet, or fails, say so and carry on,
    so that the CHECKPOINT after it can say what to fix."""
    try:
        yield
    except NotImplementedError as todo:
        print(f"{what}: not written yet (TODO: {todo}). The CHECKPOINT below says where.")
    except Exception as error:  # noqa: BLE001 - reported, then the checkpoint explains
        print(f"{what} did not work: {type(error).__name__}: {error}\n"
              "The CHECKPOINT below says what to fix.")
