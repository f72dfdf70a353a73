"""What a solution cell's `solution_blocks` metadata means: which of its lines the student writes, and the
stub that stands for them in the exercise edition.

The exercise generator, tools/make_exercises.py, writes the exercises (and checks/todo_cells.json) with them;
at run time the coach needs only stub_line, to find a TODO left in a module.
"""
import re

WRITEFILE_TARGET = re.compile(r"^(%%writefile(?: -a)?) \.\./(luigi_tasks|spark)/")


class MarkerError(ValueError):
    """A solution's block list cannot be turned into an exercise."""


def indent_of(line):
    return line[:len(line) - len(line.lstrip())]


def only_line(lines, text, where):
    found = [i for i, line in enumerate(lines) if line == text]
    if len(found) != 1:
        raise MarkerError(f"{where}: {text.strip()!r} is in the cell {len(found)} times, not once; "
                          "update the cell's solution_blocks")
    return found[0]


def body_span(lines, def_index):
    """The lines of a def's body after its docstring: (first, last) indexes."""
    indent = len(indent_of(lines[def_index]))
    end = def_index
    for i in range(def_index + 1, len(lines)):
        if lines[i].strip() and len(indent_of(lines[i])) <= indent:
            break
        if lines[i].strip():
            end = i
    first = def_index + 1
    if lines[first].strip().startswith('"""'):
        quote_end = first if lines[first].strip().count('"""') >= 2 and len(lines[first].strip()) > 3 else \
            next(i for i in range(first + 1, end + 1) if '"""' in lines[i])
        first = quote_end + 1
    return first, end


def block_spans(lines, blocks, where):
    """Where each block is in a cell's lines: (first, last, todo), last to first."""
    spans = []
    for block in blocks:
        if not block.get("todo"):
            raise MarkerError(f"{where}: a block needs a 'todo' that says what to write")
        if "body_of" in block:
            first, last = body_span(lines, only_line(lines, block["body_of"], where))
        else:
            first = only_line(lines, block["from"], where)
            last = next((i for i in range(first, len(lines)) if lines[i] == block["to"]), None)
            if last is None:
                raise MarkerError(f"{where}: {block['to'].strip()!r} does not follow {block['from'].strip()!r}")
        if not indent_of(lines[first]) and not is_writefile(lines):
            raise MarkerError(f"{where}: a block at the top level would stop the cell; "
                              "put it inside a function or a `with workshop.step(...)` block")
        spans.append((first, last, block["todo"]))
    return sorted(spans, reverse=True)


def is_writefile(lines):
    return bool(lines) and lines[0].startswith("%%writefile")


def stub_line(todo):
    """The line that stands for a block until the student writes it (workshop.coach looks for it)."""
    return f"raise NotImplementedError({todo!r})"


# A whole class or function of a module: a raise at the module's top level would stop every import of it, so the
# stub is a comment there. The coach still finds its text in the written module ("not started yet").
TOP_LEVEL_STUB = "# {stub}  <- delete this line and the TODO above once you have written it"
_STUB_BEFORE, _, _STUB_AFTER = TOP_LEVEL_STUB.partition("{stub}")
# Such a TODO in a written module; its text starts with the name it stands for, "DownloadListeners: ...".
WHOLE_DEFINITION_TODO = re.compile(r"(?m)^\n*# TODO: (?P<todo>(?P<name>[^\n:]*)[^\n]*)\n" + re.escape(_STUB_BEFORE) +
                                   r"raise NotImplementedError\([^\n]*\)" + re.escape(_STUB_AFTER) + r"$")


def stub_out(source, blocks, where):
    """source with each block replaced by a TODO and a NotImplementedError."""
    lines = source.split("\n")
    for first, last, todo in block_spans(lines, blocks, where):
        indent = indent_of(lines[first])
        stub = f"{indent}{stub_line(todo)}" if indent else TOP_LEVEL_STUB.format(stub=stub_line(todo))
        lines[first:last + 1] = [f"{indent}# TODO: {todo}", stub]
    return "\n".join(lines)


def exercise_writefile(source):
    """A %%writefile cell as the exercise edition has it: writing into workspace/."""
    first, newline, rest = source.partition("\n")
    return WRITEFILE_TARGET.sub(r"\1 ../workspace/\2/", first) + newline + rest
