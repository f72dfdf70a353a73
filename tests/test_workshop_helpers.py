"""The notebooks' helpers on their own: %%writefile run again, luigi's output, Spark stopped with its JVM."""
import datetime
import re
import socket
import subprocess
import sys
from pathlib import Path

import luigi
import pytest

import song_plays_tasks as tasks
from song_plays_luigi.spark_submit import SparkJobFailed
from workshop import build, expected_failure, face, writefile
from workshop.solution_blocks import TOP_LEVEL_STUB, stub_line

HEAD = '"""The tasks."""\nimport luigi\n'
FIRST_TRY = '\n\nclass DownloadSpins(luigi.Task):\n    def output(self):\n        return "spins/spins.parquet"\n'
FIXED = FIRST_TRY.replace('"spins/spins.parquet"', 'f"spins/{self.date:%Y/%m/%d}/spins.parquet"')
LISTENERS = '\n\nclass DownloadListeners(luigi.Task):\n    pass\n'
LATER = '\n\nclass DatasetGen(luigi.Task):\n    pass\n'


def write(path, line, cell):
    writefile.writefile(f"{line} {path}", cell)


def test_a_part_run_again_replaces_its_earlier_version_where_it_stands(tmp_path, capsys):
    module = tmp_path / "song_plays_tasks.py"
    write(module, "", HEAD)
    write(module, "-a", FIRST_TRY)
    write(module, "-a", LISTENERS)
    write(module, "-a", FIXED)  # the student fixed the DownloadSpins cell and ran it again
    assert module.read_text() == HEAD + FIXED + LISTENERS
    assert "Replacing DownloadSpins in" in capsys.readouterr().out


def test_a_last_part_with_a_main_block_run_again_keeps_one_main_block(tmp_path):
    module = tmp_path / "dataset_gen.py"
    last_part = '\n\ndef main():\n    print("job")\n\n\nif __name__ == "__main__":\n    main()\n'
    for line, cell in [("", HEAD), ("-a", LISTENERS), ("-a", last_part), ("-a", last_part.replace("job", "the job"))]:
        write(module, line, cell)
    assert module.read_text() == HEAD + LISTENERS + last_part.replace("job", "the job")


def test_a_whole_class_written_where_its_todo_stood_replaces_the_todo(tmp_path):
    """The exercise's stub of a whole class is a comment; once the student writes the class, the module keeps the
    class, not the TODO (the coach would say "not started yet"); the untouched cell run twice keeps one TODO."""
    module = tmp_path / "song_plays_tasks.py"
    todo = "DownloadListeners: the listeners, once a day"
    stub = f"\n\n# TODO: {todo}\n" + TOP_LEVEL_STUB.format(stub=stub_line(todo)) + "\n"  # IPython ends a cell so
    for line, cell in [("", HEAD), ("-a", FIXED), ("-a", stub), ("-a", stub), ("-a", LATER)]:
        write(module, line, cell)
    assert module.read_text() == HEAD + FIXED + stub + LATER
    write(module, "-a", LISTENERS)
    assert module.read_text() == HEAD + FIXED + LISTENERS + LATER
    assert stub_line(todo) not in module.read_text()


def test_the_head_run_again_keeps_the_parts_after_it(tmp_path, capsys):
    module = tmp_path / "song_plays_tasks.py"
    for line, cell in [("", HEAD), ("-a", FIXED), ("-a", LISTENERS), ("", HEAD.replace("tasks", "workshop's tasks"))]:
        write(module, line, cell)
    assert module.read_text() == HEAD.replace("tasks", "workshop's tasks") + FIXED + LISTENERS
    assert capsys.readouterr().out.splitlines()[-1] == f"Writing the head of {module}"


def test_a_whole_module_run_again_says_it_is_written_whole(tmp_path, capsys):
    """A cell that writes a whole module, run again, replaces all of it: not "the head of" it."""
    module = tmp_path / "top_zip_codes.py"
    whole = HEAD + FIXED
    write(module, "", whole)
    write(module, "", whole.replace("spins.parquet", "spins.snappy.parquet"))
    assert module.read_text() == whole.replace("spins.parquet", "spins.snappy.parquet")
    assert capsys.readouterr().out.splitlines() == [f"Writing {module}", f"Writing {module}"]


def test_run_once_in_order_it_writes_what_ipythons_writefile_would(tmp_path):
    module = tmp_path / "m.py"
    for line, cell in [("", HEAD), ("-a", FIXED), ("-a", LISTENERS)]:
        write(module, line, cell)
    assert module.read_text() == HEAD + FIXED + LISTENERS


def test_a_module_that_does_not_parse_is_appended_to_as_ipython_would(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("class Broken(:\n")
    write(module, "-a", LISTENERS)
    assert module.read_text() == "class Broken(:\n" + LISTENERS


def test_a_module_already_imported_is_imported_again_from_what_was_written(tmp_path, monkeypatch, capsys):
    """A student fixes a function and runs its cell again: whatever uses the module next gets the fix."""
    monkeypatch.syspath_prepend(str(tmp_path))
    module = tmp_path / "fresh_job.py"
    write(module, "", "def count(rows):\n    return len(set(rows))\n")
    monkeypatch.setitem(sys.modules, "fresh_job", None)  # the test's own import, taken out again after it
    del sys.modules["fresh_job"]
    import fresh_job
    assert fresh_job.count([1, 1]) == 1
    write(module, "-a", "\n\ndef count(rows):\n    return len(rows)\n")
    assert fresh_job.count([1, 1]) == 2  # the same module object, no importlib.reload by hand
    write(module, "-a", "\n\ndef broken(:\n    pass\n")
    assert "Python cannot import fresh_job as written: SyntaxError" in capsys.readouterr().out


class NotPublishedYet(luigi.Task):
    def output(self):
        return luigi.LocalTarget("/nonexistent/never")

    def run(self):
        raise FileNotFoundError("http://127.0.0.1:9/spins-2019-02-09.snappy.parquet is not published (HTTP 404).")


def test_a_failed_task_shows_one_line_on_stdout_and_nothing_on_stderr(capfd):
    result = build(NotPublishedYet())
    out, err = capfd.readouterr()
    assert result.status.name == "FAILED"
    assert "FileNotFoundError: http://127.0.0.1:9/spins-2019-02-09.snappy.parquet is not published" in out
    assert "Traceback" not in out and err == ""


def host_down_run(monkeypatch, tmp_path, expected):
    """DownloadListeners against a port nothing listens on: luigi's complete() check fails with a traceback."""
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))  # bound, never listening: connections are refused
        monkeypatch.setenv("SONG_PLAYS_DATA_URL", f"http://127.0.0.1:{unused.getsockname()[1]}")
        monkeypatch.setenv("SONG_PLAYS_DATA_DIR", str(tmp_path / "data"))
        monkeypatch.setenv("SONG_PLAYS_BUILD_DIR", str(tmp_path / "build"))
        if not expected:
            return build(tasks.DownloadListeners(date=datetime.date(2019, 2, 9)))
        with expected_failure():
            return build(tasks.DownloadListeners(date=datetime.date(2019, 2, 9)))


def test_an_expected_failure_shows_the_errors_last_line_and_luigis_face_and_files_the_traceback(
        monkeypatch, tmp_path, capfd):
    result = host_down_run(monkeypatch, tmp_path, expected=True)
    out, err = capfd.readouterr()
    lines = out.strip().splitlines()
    assert face(result) == ":(" and err == ""
    assert len(lines) == 4, out
    assert lines[0].startswith("luigi warning: Will not run ExternalFileChecker(")
    assert lines[1].strip().startswith("ConnectionError: Nothing is listening at http://127.0.0.1:")
    assert lines[2] == "This progress looks :( because there were tasks whose scheduling failed"
    assert "Traceback" not in out and 'File "' not in out
    whole = Path(re.fullmatch(r"\(The whole error, traceback and all: (.+)\)", lines[3]).group(1))
    assert whole.is_relative_to(tmp_path / "build")
    assert "Traceback (most recent call last)" in whole.read_text() and lines[1].strip() in whole.read_text()


class JobFailsValidation(luigi.Task):
    def output(self):
        return luigi.LocalTarget("/nonexistent/never")

    def run(self):  # what DatasetGen raises when spark-submit fails: the job's own traceback in the message
        raise SparkJobFailed("spark-submit failed for DatasetGen_2019_02_08 (Program failed with return code=1):\n"
                             "Traceback (most recent call last):\n  File \"spark/dataset_gen.py\", line 65\n"
                             "FailedValidationError: 4359 rows < minimum 10000000")


def test_an_expected_failure_of_the_job_shows_the_jobs_own_last_line(monkeypatch, tmp_path, capfd):
    monkeypatch.setenv("SONG_PLAYS_BUILD_DIR", str(tmp_path))
    with expected_failure():
        result = build(JobFailsValidation())
    lines = capfd.readouterr().out.strip().splitlines()
    assert face(result) == ":("
    assert [line.strip() for line in lines[1:3]] == ["FailedValidationError: 4359 rows < minimum 10000000",
                                                      "This progress looks :( because there were failed tasks"]
    assert len(lines) == 4


def test_a_failure_nobody_expected_keeps_its_traceback_and_luigis_whole_summary(monkeypatch, tmp_path, capfd):
    result = host_down_run(monkeypatch, tmp_path, expected=False)
    out = capfd.readouterr().out
    assert face(result) == ":("
    assert "Traceback (most recent call last)" in out and "ConnectionError: Nothing is listening" in out
    assert "===== Luigi Execution Summary =====" in out
    assert not (tmp_path / "build").exists(), "no file to look in: it is all in the output"


@pytest.mark.slow  # starts a JVM
def test_stop_spark_ends_the_jvm_and_a_later_session_starts_a_new_one(tmp_path):
    """Also: quiet_spark_console() sends pyspark's JSON log of an error to the console log; the error is raised."""
    script = """
import os, sys, workshop
from pathlib import Path
from pyspark.errors import AnalysisException
from pyspark.sql import SparkSession, functions as F
workshop.quiet_spark_console(Path(sys.argv[1]))
workshop.quiet_spark_console(Path(sys.argv[1]))  # a cell run again
spark = SparkSession.builder.master("local[1]").config("spark.ui.enabled", "false").getOrCreate()
try:
    spark.range(3).where(F.col("elapsed_second") > 30).count()
except AnalysisException as error:
    print("raised:", error.getCondition())
jvm = workshop.private_apis.jvm_process()
workshop.stop_spark(spark)
print("jvm ended:", jvm.poll() is not None)
again = SparkSession.builder.master("local[1]").config("spark.ui.enabled", "false").getOrCreate()
print("count:", again.range(3).count())
workshop.stop_spark(again)
"""
    log = tmp_path / "console.log"
    run = subprocess.run([sys.executable, "-c", script, str(log)], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    assert "jvm ended: True" in run.stdout and "count: 3" in run.stdout
    assert "raised: UNRESOLVED_COLUMN.WITH_SUGGESTION" in run.stdout
    assert "Using incubator modules" not in run.stderr, "Java's start-up warning reached stderr"
    assert "QueryContextLogger" not in run.stderr, "pyspark's JSON log of the error reached stderr"
    assert log.read_text().count('"logger": "DataFrameQueryContextLogger"') == 1, "logged once, in the console log"


class Dated(luigi.Task):
    date = luigi.DateParameter()

    def complete(self):
        return False

    def run(self):
        pass


def test_seconds_per_day_records_the_runs_in_its_block_only():
    from workshop import seconds_per_day
    inside, after = datetime.date(2019, 2, 1), datetime.date(2019, 2, 2)
    with seconds_per_day(Dated) as seconds:
        build(Dated(date=inside))
    build(Dated(date=after))  # its handler is gone: luigi's public remove_event_handler
    assert list(seconds) == [inside] and seconds[inside] >= 0


@pytest.mark.parametrize("day", [datetime.date(2019, 2, 8)])
def test_ran_lists_only_the_tasks_that_ran(workshop_env, day):
    from workshop import ran
    first = build(tasks.DownloadSpins(date=day))
    assert f"1 DownloadSpins(date={day})" in ran(first)
    assert ran(build(tasks.DownloadSpins(date=day))) == [], "a complete task does not run again"


def test_luigi_config_sets_settings_for_a_block_and_puts_back_what_was_there():
    from workshop import luigi_config
    config = luigi.configuration.get_config()
    master = config.get("spark", "master")
    assert not config.has_option("spark", "test_only_key")
    with luigi_config("spark", master="spark://127.0.0.1:1", test_only_key="512m"):
        assert config.get("spark", "master") == "spark://127.0.0.1:1"
        assert config.get("spark", "test_only_key") == "512m"
    assert config.get("spark", "master") == master
    assert not config.has_option("spark", "test_only_key")  # a key that was not there is gone again
    with pytest.raises(RuntimeError), luigi_config("spark", master="spark://127.0.0.1:2"):
        raise RuntimeError("the run failed")
    assert config.get("spark", "master") == master  # also after a failure
