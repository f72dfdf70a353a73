"""How much of its answer each TODO dictates, and how much code the student writes.

    python tools/dictation.py      # a table: each TODO, its answer lines, the share its own text gives away

A TODO should state a goal; its code belongs in the hints and the solution. The measure: the names and calls in
the answer (the identifiers of the code the TODO replaces, without Python's keywords and `self`), and the share
of them that the TODO's text names as a word. A TODO that says "keep the spins longer than MIN_SPIN_SECONDS"
gives away one name of `spins.where(F.col("elapsed_seconds") > MIN_SPIN_SECONDS)`'s five.
tests/test_dictation.py holds the workshop to it; INSTRUCTOR_GUIDE.md shows the sums per section.
"""
import ast
import io
import keyword
import re
import sys
import textwrap
import tokenize
from dataclasses import dataclass
from pathlib import Path

import nbformat

from workshop.solution_blocks import block_spans

NOTEBOOKS_DIR = Path(__file__).resolve().parents[1] / "notebooks"
NOT_NAMES = set(keyword.kwlist) | set(keyword.softkwlist) | {"self"}
DICTATES = 0.6  # a TODO whose text names more than this share of its answer's names dictates it


@dataclass
class Todo:
    notebook: str
    text: str
    answer: str

    @property
    def lines(self):
        """The answer's lines of code: not blank, not only a comment, not a docstring (a student may skip those)."""
        docstrings = set()
        for node in ast.walk(ast.parse(textwrap.dedent(self.answer))):
            body = getattr(node, "body", None)
            if isinstance(body, list) and body and isinstance(body[0], ast.Expr) and \
                    isinstance(body[0].value, ast.Constant) and isinstance(body[0].value.value, str):
                docstrings.update(range(body[0].lineno, body[0].end_lineno + 1))
        return sum(1 for number, line in enumerate(self.answer.split("\n"), 1)
                   if line.strip() and not line.strip().startswith("#") and number not in docstrings)

    @property
    def names(self):
        tokens = tokenize.generate_tokens(io.StringIO(textwrap.dedent(self.answer) + "\n").readline)
        return {token.string for token in tokens if token.type == tokenize.NAME and token.string not in NOT_NAMES}

    @property
    def given_away(self):
        return {name for name in self.names if re.search(rf"(?<![\w]){re.escape(name)}(?![\w])", self.text)}

    @property
    def share(self):
        return len(self.given_away) / len(self.names) if self.names else 0.0


def todos():
    """Every TODO of the solution notebooks, in order."""
    found = []
    for path in sorted(NOTEBOOKS_DIR.glob("[0-9][0-9]_*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            if blocks := cell.metadata.get("solution_blocks"):
                lines = cell.source.split("\n")
                for first, last, text in reversed(block_spans(lines, blocks, path.name)):
                    found.append(Todo(path.stem, text, "\n".join(lines[first:last + 1])))
    return found


def summary(found):
    dictating = [todo for todo in found if todo.share > DICTATES]
    return (f"{len(found)} TODOs, {sum(todo.lines for todo in found)} answer lines; "
            f"{len(dictating)} of {len(found)} give away more than {DICTATES:.0%} of their answer's names")


def table(found):
    rows = ["| section | TODO | answer lines | names given away |", "| --- | --- | ---: | ---: |"]
    for todo in found:
        text = todo.text if len(todo.text) <= 70 else todo.text[:67] + "..."
        rows.append(f"| {todo.notebook[:2]} | {text.replace('|', '/')} | {todo.lines} | "
                    f"{len(todo.given_away)}/{len(todo.names)} ({todo.share:.0%}) |")
    return "\n".join(rows)


def main():
    found = todos()
    print(table(found))
    print()
    print(summary(found))
    return 0


if __name__ == "__main__":
    sys.exit(main())
