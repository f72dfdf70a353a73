"""song_plays_luigi's spark-submit set-up on its own: luigi.cfg, spark/conf, the helpers' zip, the failure tail, the lock."""
import datetime
import json
import multiprocessing
import os
import subprocess
import sys
import time
import zipfile

import pytest

from conftest import ROOT
from song_plays_luigi import settings, spark_submit


def test_datasetgen_takes_its_settings_from_the_workshops_luigi_cfg():
    import song_plays_tasks
    command = song_plays_tasks.DatasetGen(date=datetime.date(2019, 2, 8)).spark_command()
    pairs = {command[i]: command[i + 1] for i in range(1, len(command) - 1) if command[i].startswith("--")}
    assert command[0] == str(spark_submit.PYSPARK_HOME / "bin" / "spark-submit")
    assert pairs["--master"] == "local[2]" and pairs["--driver-memory"] == "1g" and pairs["--executor-memory"] == "512m"
    assert pairs["--py-files"] == str(spark_submit.helpers_zip())
    confs = [command[i + 1] for i, word in enumerate(command) if word == "--conf"]
    assert confs == [f"spark.pyspark.python={sys.executable}"]  # Spark's own settings: spark/conf, read by Spark
    assert pairs["--driver-java-options"].startswith("-XX:+UseParallelGC")
    # spark/conf's properties by name, and no SPARK_CONF_DIR: Spark would put the folder on the driver's class path,
    # where Java's class-data sharing refuses a non-empty folder and the class archive would go unused.
    assert os.environ["SPARK_CONF_DIR"] == str(ROOT / "spark" / "conf")
    assert pairs["--properties-file"] == str(ROOT / "spark" / "conf" / "spark-defaults.conf")
    env = song_plays_tasks.DatasetGen(date=datetime.date(2019, 2, 8)).program_environment()
    assert "SPARK_CONF_DIR" not in env


@pytest.mark.parametrize("sizes, quick", [
    ([96_506, 2_919], True),            # the workshop's day: 5,000 spins and the listeners
    ([4_963_174, 2_919], True),         # 500,000 spins
    ([8_497_626, 2_919], False),        # a million spins: C2 pays off from about here
    ([], False),                        # no inputs known: a command for another app (the benchmark's)
    (None, False),                      # inputs not downloaded yet
])
def test_a_driver_with_small_inputs_runs_the_quick_compiler_only(tmp_path, sizes, quick):
    import luigi

    inputs = [tmp_path / f"input-{n}" for n in range(2 if sizes is None else len(sizes))]
    for file, size in zip(inputs, sizes or []):
        file.write_bytes(b"\0" * size)

    class Job(spark_submit.WorkshopSparkSubmitTask):
        def input(self):
            return [luigi.LocalTarget(str(file)) for file in inputs]

    options = Job().driver_java_options
    assert (spark_submit.QUICK_COMPILER in options) == quick, options
    assert options.startswith("-XX:+UseParallelGC")
    command, _ = spark_submit.spark_submit_command("app.py")  # the benchmark's: Java's default compilers
    assert "TieredStopAtLevel" not in command[command.index("--driver-java-options") + 1]


def test_a_luigi_cfg_of_ones_own_wins_over_the_workshops(tmp_path):
    own = tmp_path / "luigi.cfg"
    own.write_text("[spark]\nmaster = local[1]\nexecutor_memory = 2g\n")
    show = ("import datetime, song_plays_tasks as t; c = t.DatasetGen(date=datetime.date(2019, 2, 8)).spark_command();"
            "print(c[c.index('--master') + 1], c[c.index('--executor-memory') + 1], c[c.index('--driver-memory') + 1])")
    for env in ({"LUIGI_CONFIG_PATH": str(own)}, {}):
        cwd = tmp_path if not env else ROOT  # luigi also reads luigi.cfg in the folder it runs in
        shown = subprocess.run([sys.executable, "-c", show], cwd=cwd, env={**os.environ, **env},
                               capture_output=True, text=True, timeout=120)
        # Their keys win; the workshop's luigi.cfg still gives the rest (its driver memory).
        assert shown.stdout.split() == ["local[1]", "2g", "1g"], shown.stderr


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


def setting_lines(path):
    return [line for line in path.read_text().splitlines()
            if line.strip() and not line.lstrip().startswith(("#", "["))]


def test_luigi_cfg_holds_what_a_luigi_learner_reads_and_spark_conf_the_jvm_tuning():
    lines = setting_lines(ROOT / "luigi.cfg")
    assert len(lines) <= 40, f"luigi.cfg has {len(lines)} settings; Spark's own belong in spark/conf"
    # The drivers' collector is luigi's [spark] driver_java_options: the notebooks' sessions keep Java's own.
    assert not [line for line in lines if ("-XX:" in line and not line.startswith("driver_java_options"))
                or line.startswith("spark.")]
    defaults = setting_lines(ROOT / "spark" / "conf" / "spark-defaults.conf")
    assert "spark.sql.shuffle.partitions" in [line.split()[0] for line in defaults]
    assert settings.spark_default("spark.executor.defaultJavaOptions").startswith("-XX:+UseSerialGC")
    assert settings.spark_default("spark.no.such.setting") is None


# JVM_PID: the driver's JVM, pyspark's child in a notebook, spark-submit's parent of the app's Python.
SHOW_CONF = """
import json, os
from pyspark.sql import SparkSession
spark = SparkSession.builder.master("local[1]").config("spark.ui.enabled", "false").getOrCreate()
conf = spark.sparkContext.getConf()
with open(f"/proc/{JVM_PID}/cmdline") as cmdline:
    jvm_flags = cmdline.read().split("\\0")
print("CONF", json.dumps({"partitions": spark.conf.get("spark.sql.shuffle.partitions"),
                          "memory": conf.get("spark.driver.memory"), "jvm_flags": jvm_flags}))
spark.stop()
"""


def shown_conf(run):
    assert run.returncode == 0, run.stderr[-3000:]
    [line] = [line for line in run.stdout.splitlines() if line.startswith("CONF ")]
    return json.loads(line[len("CONF "):])


@pytest.mark.slow
def test_a_notebooks_session_and_datasetgens_spark_submit_both_read_spark_conf(tmp_path):
    """Real JVMs, asked for their own settings: spark/conf reaches both without the code passing any of it."""
    env = {key: value for key, value in os.environ.items() if key != "SPARK_CONF_DIR"}
    script = "import workshop\n" + SHOW_CONF.replace("JVM_PID", "workshop.private_apis.jvm_process().pid")
    notebook = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, env=env,
                              capture_output=True, text=True, timeout=300)
    shown = shown_conf(notebook)
    assert shown["partitions"] == "32" and shown["memory"] == "768m", shown
    assert "-XX:+UseParallelGC" not in shown["jvm_flags"] and "-Xmx768m" in shown["jvm_flags"], shown

    app = tmp_path / "show_conf.py"
    app.write_text(SHOW_CONF.replace("JVM_PID", "os.getppid()"))
    command, submit_env = spark_submit.spark_submit_command(app)
    job = shown_conf(subprocess.run(command, env=submit_env, capture_output=True, text=True, timeout=300))
    assert job["partitions"] == "32" and job["memory"] == "1g", job  # luigi.cfg's [spark] driver_memory wins
    assert "-XX:+UseParallelGC" in job["jvm_flags"] and "-Xmx1g" in job["jvm_flags"], job
