"""Every command the workshop prints for a person to run pastes into a shell as it is: shell-quoted (shlex.join).

Each one is checked twice: `bash -n` parses it, and the words bash makes of it (with failglob, so that a glob
left unquoted fails instead of passing unnoticed) and those shlex.split makes of it are exactly the argv the
workshop runs. The notebooks' printed commands are checked again in their executed runs (tests/test_notebooks.py).
"""
import datetime
import json
import re
import runpy
import shlex
import subprocess
import sys
from pathlib import Path

import luigi
import nbformat
import pytest

import song_plays_tasks as tasks
from conftest import ROOT
from song_plays_luigi.spark_submit import WorkshopSparkSubmitTask
from workshop import build, commands_run, luigi_config, luigi_log, shell_command

DAY = datetime.date(2019, 2, 8)
# Two Java options: one argument with a space (the class archive's option may follow them).
JAVA_OPTIONS = "-XX:+UseParallelGC -Xss4m"


def bash_words(printed):
    """The words bash runs for printed, pasted at its prompt (a line ending in a backslash continues it)."""
    syntax = subprocess.run(["bash", "-n", "-c", printed], capture_output=True, text=True, timeout=30)
    assert syntax.returncode == 0, f"bash cannot parse {printed!r}: {syntax.stderr}"
    words = subprocess.run(["bash", "-c", 'shopt -s failglob; eval "set -- $1" && printf "%s\\0" "$@"', "_", printed],
                           capture_output=True, text=True, timeout=30)
    assert words.returncode == 0, f"bash refuses {printed!r}: {words.stderr}"
    return words.stdout.split("\0")[:-1]


def assert_pastes(printed, argv):
    # A backslash-newline is a line continuation, which bash drops and shlex.split would keep as a word.
    assert shlex.split(printed.replace("\\\n", "")) == argv, printed
    assert bash_words(printed) == argv, printed


@pytest.fixture
def awkward_settings(tmp_path, monkeypatch):
    """Settings whose words a plain " ".join breaks: a space in a path and in the Java options, a glob as master."""
    monkeypatch.setenv("SONG_PLAYS_DATA_DIR", str(tmp_path / "my data"))
    with luigi_config("spark", master="local[2]", driver_java_options=JAVA_OPTIONS):
        yield


def test_datasetgens_command_printed_on_one_line_or_wrapped_is_its_argv(awkward_settings):
    argv = [str(word) for word in tasks.DatasetGen(date=DAY).program_args()]
    assert "local[2]" in argv and any(word.startswith(JAVA_OPTIONS) for word in argv)
    assert any(" " in word for word in argv if "my data" in word)
    for printed in (shell_command(argv), shell_command(argv, wrap=True)):
        assert_pastes(printed, argv)
    wrapped = shell_command(argv, wrap=True).split(" \\\n    ")
    assert len(wrapped) == sum(word.startswith("--") for word in argv[1:]) + 2  # the command; each option; the app
    assert wrapped[0].endswith("spark-submit") and [line for line in wrapped if line.endswith("dataset_gen.py")] == [
        str(tasks.DatasetGen(date=DAY).app)]  # the app on a line of its own, not after the last option's value


class RecordedJob(WorkshopSparkSubmitTask):
    """DatasetGen's spark-submit command, with a stand-in for spark-submit that writes down the argv it gets."""
    recorder = luigi.Parameter()
    spins_glob = luigi.Parameter()

    @property
    def spark_submit(self):
        return self.recorder

    def output(self):
        return luigi.LocalTarget(Path(self.recorder).parent / "out" / "_SUCCESS")

    def app_options(self):
        return ["--day", DAY.isoformat(), "--spins_path", self.spins_glob]


def test_the_command_luigi_logs_for_datasetgen_is_the_argv_spark_submit_got(awkward_settings, tmp_path):
    received = tmp_path / "argv.json"
    recorder = tmp_path / "spark submit"  # a space in the program's own path too
    recorder.write_text(f"#!{sys.executable}\nimport json, sys\njson.dump(sys.argv, open({str(received)!r}, 'w'))\n")
    recorder.chmod(0o755)
    with luigi_log() as log:
        result = build(RecordedJob(recorder=str(recorder), spins_glob=str(tmp_path / "spins/2019/02/*")))
    assert result.status.name == "SUCCESS", "\n".join(log)
    argv = json.loads(received.read_text())
    [logged] = commands_run(log)  # what notebook 03 prints, wrapped
    assert "local[2]" in argv and any(word.startswith(JAVA_OPTIONS) for word in argv)
    for printed in (logged, shell_command(logged, wrap=True)):
        assert_pastes(printed, argv)


def test_the_colab_set_up_prints_each_command_it_runs_quoted(capsys):
    bootstrap = runpy.run_path(str(ROOT / "binder" / "bootstrap.py"))  # not __main__: prepares nothing
    argv = [sys.executable, "-c", "import sys; assert sys.argv[1:] == ['a b', '*']", "a b", "*"]
    bootstrap["run"](argv)
    printed = capsys.readouterr().out
    assert printed.startswith("$ ")
    assert_pastes(printed[2:].rstrip("\n"), argv)


PRINTED_JOINED_WITH_SPACES = re.compile(r"""print\(.*["'] ["']\.join\(""")


def test_no_command_is_printed_joined_with_spaces():
    """A command printed for a person goes through shell_command (or shlex.join), never " ".join."""
    code = {str(path.relative_to(ROOT)): path.read_text() for folder in ("notebooks/workshop", "luigi_tasks", "ops",
                                                                          "spark", "binder")
            for path in (ROOT / folder).rglob("*.py")}
    for path in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        for number, cell in enumerate(nbformat.read(path, as_version=4).cells):
            if cell.cell_type == "code":
                code[f"{path.name}, cell {number}"] = cell.source
    joined = [where for where, source in code.items() if PRINTED_JOINED_WITH_SPACES.search(source)]
    assert joined == [], f'" ".join in {joined}: print a command with workshop.shell_command or shlex.join'
