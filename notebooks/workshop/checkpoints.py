"""step(): a cell that carries on when the code it calls is not written yet, and remembers the TODO it stopped at
for the CHECKPOINT after it (workshop.coach). What the checks read from a luigi run is in workshop.luigi_runs."""
import ast
import linecache
import sys
import types
from contextlib import contextmanager
from pathlib import Path

from workshop.solution_blocks import WHOLE_DEFINITION_TODO

stopped_at = {}  # {what: its TODO} for each step() block whose last run stopped at a TODO stub: the coach reads it
# {what: (its error, the names its block assigns)} for each step() block whose last run failed otherwise: those names
# still hold an earlier run's values, and a checkpoint that reads one names the failure
failed = {}


@contextmanager
def step(what):
    """A cell that calls code you write: if that code is not written yet, or fails, say so and carry on,
    so that the CHECKPOINT after it can say what to fix."""
    stopped_at.pop(what, None)
    failed.pop(what, None)
    cell = sys._getframe(2)  # the cell's code: this generator's frame, contextmanager's __enter__, then the cell
    where = cell.f_code.co_filename, cell.f_lineno
    try:
        yield
    except Exception as error:  # noqa: BLE001 - said here; the checkpoint after it explains
        if todo := todo_of(error):
            stopped_at[what] = todo
            print(f"{what}: not written yet (TODO: {todo}). The CHECKPOINT below says where.")
        else:
            failed[what] = f"{type(error).__name__}: {error}", names_assigned(*where)
            print(f"{what} did not work: {failed[what][0]}\nThe CHECKPOINT below says what to fix.")


def names_assigned(filename, line):
    """The names assigned in the block of the `with` statement at that line, from its cell's source (IPython keeps
    each cell's source in linecache, for tracebacks); none when the source is not there."""
    try:
        tree = ast.parse("".join(linecache.getlines(filename)))
    except SyntaxError:
        return set()
    blocks = [node for node in ast.walk(tree)
              if isinstance(node, ast.With) and node.lineno <= line < node.body[0].lineno]
    return {node.id for block in blocks for statement in block.body for node in ast.walk(statement)
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store)}


def todo_of(error):
    """The TODO an error stands for: a stub's own, or that of a whole class or function a module does not define yet
    because its TODO is still there (its stub is a comment in the module, see solution_blocks.TOP_LEVEL_STUB)."""
    if isinstance(error, NotImplementedError):
        return str(error)
    module = getattr(error, "obj", None)
    if isinstance(error, AttributeError) and isinstance(module, types.ModuleType) and getattr(module, "__file__", None):
        found = WHOLE_DEFINITION_TODO.finditer(Path(module.__file__).read_text())
        return next((todo["todo"] for todo in found if todo["name"] == error.name), None)
    return None
