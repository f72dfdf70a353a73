"""%%writefile, safe to run again: a part written with -a replaces its own earlier version instead of piling up.

IPython's own %%writefile -a appends whatever it is given. A student who fixes a cell and runs it again ends up
with both versions of a class in the module: Python uses the last one, but the luigi command refuses the module
(TaskClassAmbigiousException). Here a part replaces the classes and functions of the same names where they
stand, and the head of a module (%%writefile without -a) replaces only the head, keeping the parts after it.
A class or function the student writes where the exercise left a whole-definition TODO (a comment, see
solution_blocks.TOP_LEVEL_STUB) replaces that TODO, so that the coach no longer finds it.
Run in order, once, it writes exactly what IPython's would. A module already imported is imported again from what
was written, so every cell after it, and every checkpoint, uses the code as last written: nothing to reload by hand.
"""
import ast
import importlib
import os
import shlex
import sys

from workshop.solution_blocks import WHOLE_DEFINITION_TODO

DEFINITIONS = (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)


def defined_names(text):
    try:
        return {node.name for node in ast.parse(text).body if isinstance(node, DEFINITIONS)}
    except SyntaxError:
        return set()


def todo_standing_for(existing, text):
    """Where existing holds a whole-definition TODO that text now writes: the TODO of a class or function text
    defines (its text starts with the name, "DownloadListeners: ..."), or the same TODO again. (start, end) or None."""
    names = defined_names(text)
    for match in WHOLE_DEFINITION_TODO.finditer(existing):
        if match.group("name") in names or match.group(0).strip() in text:
            return match.span()
    return None


def line_offsets(text):
    """offsets[n]: where line n+1 (1-based) starts; the last one is len(text)."""
    offsets = [0]
    for line in text.splitlines(keepends=True):
        offsets.append(offsets[-1] + len(line))
    return offsets


def merge(existing, text, append):
    """The module after writing text into it; existing is None when the file is new."""
    if existing is None:
        return text
    try:
        nodes = ast.parse(existing).body
    except SyntaxError:  # a broken module cannot be matched: behave as IPython does
        return existing + text if append else text
    offsets = line_offsets(existing)

    def region_start(node):  # right after the end of the statement before it: its blank lines belong to it
        index = nodes.index(node)
        return offsets[nodes[index - 1].end_lineno] if index else 0

    definitions = [node for node in nodes if isinstance(node, DEFINITIONS)]
    if not append:  # the module's head: replace what stands before the first definition
        if not definitions or defined_names(text):
            return text
        return text + existing[region_start(definitions[0]):]
    matched = [node for node in definitions if node.name in defined_names(text)]
    if not matched:
        todo = todo_standing_for(existing, text)
        if not todo:
            return existing + text
        rest = existing[todo[1]:]
        return existing[:todo[0]] + text + (rest[1:] if text.endswith("\n") and rest.startswith("\n") else rest)
    first, last = nodes.index(matched[0]), nodes.index(matched[-1])

    def also_in_part(node):  # a statement of the old part around its definitions, e.g. `if __name__ == ...`
        return not isinstance(node, DEFINITIONS) and ast.get_source_segment(existing, node) in text

    while first > 0 and also_in_part(nodes[first - 1]):
        first -= 1
    while last + 1 < len(nodes) and also_in_part(nodes[last + 1]):
        last += 1
    return existing[:region_start(nodes[first])] + text + existing[offsets[nodes[last].end_lineno]:]


def writefile(line, cell):
    """%%writefile [-a] FILE: write the cell to FILE; with -a, add it, replacing its earlier version."""
    words = shlex.split(line)
    append = bool({"-a", "--append"} & set(words))
    [path] = [os.path.expanduser(word) for word in words if word not in ("-a", "--append")]
    existing = None
    if os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            existing = f.read()
    merged = merge(existing, cell, append)
    replaced = sorted(defined_names(cell) & defined_names(existing or "")) if append else []
    with open(path, "w", encoding="utf-8") as f:
        f.write(merged)
    if existing is None:
        print(f"Writing {path}")
    elif replaced:
        print(f"Replacing {', '.join(replaced)} in {path}")
    else:
        print(f"{'Appending to' if append else 'Writing' if merged == cell else 'Writing the head of'} {path}")
    reload_modules_from(path)


def reload_modules_from(path):
    """Import again each loaded module that path holds; a module Python cannot import is said so, not raised."""
    for module in [m for m in list(sys.modules.values()) if getattr(m, "__file__", None)
                   and os.path.realpath(m.__file__) == os.path.realpath(path)]:
        try:
            importlib.reload(module)
        except Exception as error:  # noqa: BLE001 - the file is written; say what stops Python importing it
            print(f"Python cannot import {module.__name__} as written: {type(error).__name__}: {error}")


def register(shell):
    shell.register_magic_function(writefile, magic_kind="cell", magic_name="writefile")
