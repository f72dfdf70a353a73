"""step(): a cell that carries on when the code it calls is not written yet, and remembers the TODO it stopped at
for the CHECKPOINT after it (workshop.coach). What the checks read from a luigi run is in workshop.luigi_runs."""
from contextlib import contextmanager

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
