"""The notebooks' helpers on their own: %%writefile run again, luigi's output, Spark stopped with its JVM."""
import datetime
import subprocess
import sys

import luigi
import pytest

import song_plays_tasks as tasks
from workshop import build, writefile

HEAD = '"""The tasks."""\nimport luigi\n'
FIRST_TRY = '\n\nclass DownloadSpins(luigi.Task):\n    def output(self):\n        return "spins/spins.parquet"\n'
FIXED = FIRST_TRY.replace('"spins/spins.parquet"', 'f"spins/{self.date:%Y/%m/%d}/spins.parquet"')
LISTENERS = '\n\nclass DownloadListeners(luigi.Task):\n    pass\n'


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


def test_the_head_run_again_keeps_the_parts_after_it(tmp_path):
    module = tmp_path / "song_plays_tasks.py"
    for line, cell in [("", HEAD), ("-a", FIXED), ("-a", LISTENERS), ("", HEAD.replace("tasks", "workshop's tasks"))]:
        write(module, line, cell)
    assert module.read_text() == HEAD.replace("tasks", "workshop's tasks") + FIXED + LISTENERS


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


@pytest.mark.slow  # starts a JVM
def test_stop_spark_ends_the_jvm_and_a_later_session_starts_a_new_one():
    script = """
import os, workshop
from pyspark.sql import SparkSession
workshop.quiet_spark_console()
spark = SparkSession.builder.master("local[1]").config("spark.ui.enabled", "false").getOrCreate()
jvm = workshop.private_apis.jvm_process()
workshop.stop_spark(spark)
print("jvm ended:", jvm.poll() is not None)
again = SparkSession.builder.master("local[1]").config("spark.ui.enabled", "false").getOrCreate()
print("count:", again.range(3).count())
workshop.stop_spark(again)
"""
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    assert "jvm ended: True" in run.stdout and "count: 3" in run.stdout
    assert "Using incubator modules" not in run.stderr, "Java's start-up warning reached stderr"


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
