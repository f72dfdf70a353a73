"""step(): a cell that carries on when the code it calls is not written yet, and remembers the TODO it stopped at
for the CHECKPOINT after it (workshop.coach). What the checks read from a luigi run is in workshop.luigi_runs."""
import types
from contextlib import contextmanager

from workshop.solution_blocks import WHOLE_DEFINITION_TODO

stopped_at = {}  # {what: its TODO} for each step() block whose last run stopped at a TODO stub: the coach reads it


@contextmanager
def step(what):
    """A cell that calls code you write: if that code is not written yet, or fails, say so and carry on,
    so that the CHECKPOINT after it can say what to fix."""
    stopped_at.pop(what, None)
    try:
        yield
    except (NotImplementedError, AttributeError) as error:
        if (todo := todo_of(error)) is None:
            print(f"{what} did not work: {type(error).__name__}: {error}\nThe CHECKPOINT below says what to fix.")
            return
        stopped_at[what] = todo
        print(f"{what}: not written yet (TODO: {todo}). The CHECKPOINT below says where.")
    except Exception as error:  # noqa: BLE001 - reported, then the checkpoint explains
        print(f"{what} did not work: {type(error).__name__}: {error}\nThe CHECKPOINT below says what to fix.")


def todo_of(error):
    """The TODO an error stands for: a stub's own, or a whole class or function a module does not define yet
    because its TODO is still there (its stub is a comment in the module, see solution_blocks.TOP_LEVEL_STUB)."""
    if isinstance(error, NotImplementedError):
        return str(error)
    module, name = getattr(error, "obj", None), getattr(error, "name", None)
    if isinstance(module, types.ModuleType) and name and getattr(module, "__file__", None):
        with open(module.__file__) as source:
            todos = WHOLE_DEFINITION_TODO.finditer(source.read())
        return next((found.group("todo") for found in todos if found.group("name") == name), None)
    return None
