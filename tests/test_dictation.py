"""The lesson asks students to think: its TODOs state goals, and the student writes the pipeline (issue #26)."""
import dictation  # tools/ is on the path (pytest.ini)


def test_the_measure_counts_the_answers_names_that_the_todo_names():
    todo = dictation.Todo("02", "keep the spins longer than MIN_SPIN_SECONDS",
                          '    return spins.where(F.col("elapsed_seconds") > MIN_SPIN_SECONDS)')
    assert todo.names == {"spins", "where", "F", "col", "MIN_SPIN_SECONDS"}
    assert todo.given_away == {"spins", "MIN_SPIN_SECONDS"} and todo.share == 0.4
    assert todo.lines == 1
    whole = dictation.Todo("01", "A: one", 'class A:\n    """An A,\n    docstrings do not count."""\n\n    # nor comments\n    x = 1')
    assert whole.lines == 2


def test_at_most_one_todo_in_ten_dictates_its_answer():
    found = dictation.todos()
    dictating = [f"{todo.notebook}: {todo.text} ({todo.share:.0%})" for todo in found if todo.share > dictation.DICTATES]
    assert len(dictating) * 10 <= len(found), "these TODOs name most of their answer's code:\n" + "\n".join(dictating)


def test_the_student_writes_the_pipeline():
    found = dictation.todos()
    lines = sum(todo.lines for todo in found)
    assert lines >= 120, f"the student writes {lines} lines of code; the lesson asks for at least 120"
    sections = {todo.notebook[:2] for todo in found}
    assert {"01", "02", "03", "04"} <= sections, f"sections without code to write: {sorted({'01', '02', '03', '04'} - sections)}"
