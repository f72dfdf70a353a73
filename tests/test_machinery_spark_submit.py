"""song_plays_luigi's spark-submit set-up on its own: luigi.cfg, the helpers' zip, the failure tail, the lock."""
import datetime
import multiprocessing
import os
import subprocess
import sys
import time
import zipfile

import luigi.configuration
import pytest

from conftest import ROOT
from song_plays_luigi import settings, spark_submit
from song_plays_luigi.spark_defaults import spark_defaults


def test_datasetgen_takes_its_settings_from_the_workshops_luigi_cfg():
    import song_plays_tasks
    command = song_plays_tasks.DatasetGen(date=datetime.date(2019, 2, 8)).spark_command()
    pairs = {command[i]: command[i + 1] for i in range(1, len(command) - 1) if command[i].startswith("--")}
    assert command[0] == str(spark_submit.PYSPARK_HOME / "bin" / "spark-submit")
    assert pairs["--master"] == "local[2]" and pairs["--driver-memory"] == "1g" and pairs["--executor-memory"] == "512m"
    assert pairs["--py-files"] == str(spark_submit.helpers_zip())
    confs = [command[i + 1] for i, word in enumerate(command) if word == "--conf"]
    for name, value in settings.spark_conf().items():
        assert f"{name}={value}" in confs
    assert f"spark.pyspark.python={sys.executable}" in confs
    assert pairs["--driver-java-options"].startswith("-XX:+UseParallelGC")


def test_a_luigi_cfg_of_ones_own_wins_over_the_workshops(tmp_path):
    own = tmp_path / "luigi.cfg"
    own.write_text("[spark]\nmaster = local[1]\n[spark-conf]\nspark.sql.shuffle.partitions = 8\n")
    show = ("import datetime, song_plays_tasks as t; c = t.DatasetGen(date=datetime.date(2019, 2, 8)).spark_command();"
            "print(c[c.index('--master') + 1], [w for w in c if w.startswith('spark.sql.shuffle')])")
    for env in ({"LUIGI_CONFIG_PATH": str(own)}, {}):
        cwd = tmp_path if not env else ROOT  # luigi also reads luigi.cfg in the folder it runs in
        shown = subprocess.run([sys.executable, "-c", show], cwd=cwd, env={**os.environ, **env},
                               capture_output=True, text=True, timeout=120)
        assert shown.stdout.split(" ", 1) == ["local[1]", "['spark.sql.shuffle.partitions=8']\n"], shown.stderr


def test_the_helpers_zip_holds_the_package_and_follows_its_changes(tmp_path, monkeypatch):
    package = tmp_path / "song_plays_spark"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "reports.py").write_text("VERSION = 1\n")
    monkeypatch.setenv("SONG_PLAYS_BUILD_DIR", str(tmp_path / "build"))
    first = spark_submit.helpers_zip(package)
    assert sorted(zipfile.ZipFile(first).namelist()) == ["song_plays_spark/__init__.py", "song_plays_spark/reports.py"]
    time.sleep(0.01)
    (package / "reports.py").write_text("VERSION = 2\n")
    os.utime(package / "reports.py", (time.time() + 5, time.time() + 5))
    again = spark_submit.helpers_zip(package)
    assert zipfile.ZipFile(again).read("song_plays_spark/reports.py") == b"VERSION = 2\n"
    assert [path.name for path in (tmp_path / "build").iterdir()] == ["song_plays_spark.zip"]


@pytest.mark.slow
def test_the_helpers_reach_the_executors_from_the_zip(tmp_path):
    """--py-files puts the zip first on the executors' path: a cluster's machines need nothing installed."""
    app = tmp_path / "where.py"
    app.write_text("from pyspark.sql import SparkSession\n"
                   "spark = SparkSession.builder.getOrCreate()\n"
                   "def where(_):\n    import song_plays_spark.reports as r\n    return r.__file__\n"
                   "print('FROM', spark.sparkContext.parallelize([1], 1).map(where).first())\nspark.stop()\n")
    command, env = spark_submit.spark_submit_command(app)
    run = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    [line] = [line for line in run.stdout.splitlines() if line.startswith("FROM ")]
    assert "song_plays_spark.zip/song_plays_spark/reports.py" in line, line


def test_the_failure_tail_keeps_the_apps_traceback_and_drops_sparks_log_lines():
    stdout = "Traceback (most recent call last):\n  File \"job.py\", line 3\nValueError: 1 rows < minimum 10\n"
    stderr = "26/11/26 10:00:00 INFO SparkContext: Running Spark\n26/11/26 10:00:01 WARN Utils: something\n"
    assert spark_submit.spark_failure_tail(stdout, stderr) == stdout.strip()
    assert spark_submit.spark_failure_tail("", "Error: no such option --colour\n") == "Error: no such option --colour"


def hold_lock(folder, seconds, started):
    with spark_submit.exclusive_lock(folder):
        started.set()
        time.sleep(seconds)
        (folder / "done").write_text("the first process finished its work under the lock")


def test_the_lock_makes_a_second_process_wait_for_the_first(tmp_path):
    started = multiprocessing.get_context("fork").Event()
    holder = multiprocessing.get_context("fork").Process(target=hold_lock, args=(tmp_path, 1.5, started))
    holder.start()
    assert started.wait(30)
    with spark_submit.exclusive_lock(tmp_path):
        assert (tmp_path / "done").exists(), "got the lock while another process held it"
    holder.join()


def test_spark_defaults_for_binder_are_luigi_cfgs_settings():
    defaults = spark_defaults()
    config = luigi.configuration.get_config()
    assert defaults["spark.master"] == config.get("spark", "master")
    assert defaults["spark.driver.memory"] == config.get("spark", "driver_memory")
    assert settings.spark_conf().items() <= defaults.items()
