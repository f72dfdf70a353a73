"""Beyond one day on one machine: a range of days, a glob over a month, a real standalone cluster, luigid."""
import datetime
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from conftest import ROOT, luigi_cli
from song_plays_ops.central_scheduler import CentralScheduler
from song_plays_ops.standalone_cluster import StandaloneCluster
from song_plays_ops import generate_fake_data
from workshop import DataServer, read_report, same_rows

# One worker runs the module: its module-scoped fixtures (the servers, the runs they compare with) start once.
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("scale")]

PUBLISHED = [datetime.date(2019, 2, day) for day in (1, 2)]
UNPUBLISHED = datetime.date(2019, 2, 3)


@pytest.fixture(scope="module")
def month_server(tmp_path_factory):
    remote = tmp_path_factory.mktemp("month-remote")
    generate_fake_data.generate(remote, PUBLISHED[0], PUBLISHED[-1], 5000, 100, 2019, log=lambda line: None)
    with DataServer(remote) as server:
        yield server


def settings(server, data_dir, **more):
    return {"SONG_PLAYS_DATA_URL": server.url, "SONG_PLAYS_DATA_DIR": str(data_dir), **more}


@pytest.fixture(scope="module")
def ranged_days(month_server, tmp_path_factory):
    """luigi's RangeDaily over three days, two of them published: the run the other tests compare with."""
    data_dir = tmp_path_factory.mktemp("range") / "data"
    stop = UNPUBLISHED + datetime.timedelta(days=1)  # RangeDaily's stop is exclusive
    # RangeDaily keeps the last --days-back days (default 100) complete, counted from today: reach 2019.
    result = luigi_cli("RangeDaily", "--of", "DatasetGen", "--start", str(PUBLISHED[0]), "--stop", str(stop),
                       "--days-back", "10000",
                       env=settings(month_server, data_dir))
    return data_dir, result


def reports(data_dir, day):
    folder = data_dir / f"output/{day:%Y/%m/%d}"
    return read_report(folder / "dataset"), read_report(folder / "counts_by_zip_sub")


def test_range_runs_every_published_day_and_waits_for_the_one_not_published(ranged_days):
    data_dir, result = ranged_days
    assert result.returncode == 20, result.stderr[-3000:]  # luigi.cfg [retcode] missing_data: a day is not out
    assert "This progress looks :| because there were missing external dependencies" in result.stdout + result.stderr
    for day in PUBLISHED:
        assert (data_dir / f"output/{day:%Y/%m/%d}/dataset/_SUCCESS").exists(), day
    assert not (data_dir / f"output/{UNPUBLISHED:%Y/%m/%d}").exists()
    assert not (data_dir / f"spins/{UNPUBLISHED:%Y/%m/%d}").exists()


def spark_submit(app, *args):
    """DatasetGen's own spark-submit command, for the job with other flags."""
    from song_plays_luigi.spark_submit import spark_submit_command
    command, env = spark_submit_command(app, *args)
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)


def test_a_globbed_spins_path_reports_on_every_day_it_matches(ranged_days, tmp_path):
    data_dir, _ = ranged_days
    result = spark_submit("spark/dataset_gen.py", "--day", "2019-02-01", "--minrows", "100",
                          "--listeners_path", str(data_dir / "listeners/listeners.snappy.parquet"),
                          "--spins_path", str(data_dir / "spins/2019/02/*"),
                          "--dataset_out_path", str(tmp_path / "dataset"),
                          "--analysis_out_path", str(tmp_path / "counts_by_zip_sub"))
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]

    daily = [reports(data_dir, day) for day in PUBLISHED]
    month_dataset, month_counts = read_report(tmp_path / "dataset"), read_report(tmp_path / "counts_by_zip_sub")
    assert same_rows(month_dataset, pd.concat([dataset for dataset, _ in daily], ignore_index=True))
    summed = (pd.concat([counts for _, counts in daily]).astype({"spins": int})
              .groupby(["fake_zipcode", "subscription_type"], as_index=False)["spins"].sum())
    assert month_counts.astype({"spins": int}).equals(summed)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    with StandaloneCluster(workers=2, folder=tmp_path_factory.mktemp("cluster")) as running:
        yield running


def test_datasetgen_on_the_standalone_cluster_equals_the_local_run(ranged_days, month_server, cluster, tmp_path):
    local_dir, _ = ranged_days
    config = tmp_path / "luigi.cfg"
    settings_lines = "".join(f"{key} = {value}\n" for key, value in cluster.spark_settings().items())
    config.write_text(f"[spark]\n{settings_lines}")  # what `make cluster` says to put in luigi.cfg
    day = PUBLISHED[0]
    result = luigi_cli("DatasetGen", "--date", str(day),
                       env=settings(month_server, tmp_path / "data", LUIGI_CONFIG_PATH=str(config)))
    assert result.returncode == 0 and ":)" in result.stdout + result.stderr, result.stderr[-3000:]

    # The master ran it, on both workers.
    [app] = cluster.status()["completedapps"]
    assert app["name"] == f"dataset_gen {day}"
    assert all((cluster.folder / f"work-{n}" / app["id"]).is_dir() for n in (1, 2))
    # Each worker registered at its first try: it started once the master listened (a retry waits 5 to 15 s).
    for n in (1, 2):
        assert "Retrying connection to master" not in (cluster.folder / f"worker-{n}.log").read_text()

    for cluster_report, local_report in zip(reports(tmp_path / "data", day), reports(local_dir, day)):
        assert same_rows(cluster_report, local_report)

    # Sized by luigi.cfg and spark/conf, to fit notebook 04 in Binder's 2 GB: the executors (their command opens
    # their log)...
    executor_logs = [log.read_text() for n in (1, 2) for log in (cluster.folder / f"work-{n}" / app["id"]).glob("*/stderr")]
    assert len(executor_logs) == 2
    for log in executor_logs:
        command = next(line for line in log.splitlines() if line.startswith("Spark Executor Command:"))
        assert '"-Xmx512M"' in command and '"-XX:+UseSerialGC"' in command, command
    # ...the daemons (spark-class execs java in the process it was started as), and the driver.
    for daemon in cluster.services:
        assert "-Xmx64m" in Path(f"/proc/{daemon.pid}/cmdline").read_text().split("\0")
        assert "MALLOC_ARENA_MAX=2" in Path(f"/proc/{daemon.pid}/environ").read_text().split("\0")
    # luigi logs the command shell-quoted: read it back as a shell would.
    [logged] = [line for line in (result.stdout + result.stderr).splitlines() if "Running command: " in line]
    argv = shlex.split(logged.split("Running command: ", 1)[1])
    assert argv[argv.index("--driver-memory") + 1] == "512m", argv
    assert argv[argv.index("--driver-java-options") + 1].startswith("-XX:+UseSerialGC"), argv


def test_two_workers_sharing_luigid_run_the_spark_job_once(month_server, tmp_path):
    spark_conf = tmp_path / "spark-conf"
    events = tmp_path / "spark-events"
    shutil.copytree(ROOT / "spark" / "conf", spark_conf)  # the workshop's Spark settings, and the event log:
    events.mkdir()
    # Spark's event log writes one file per application: an exact count of the jobs that ran.
    with open(spark_conf / "spark-defaults.conf", "a") as defaults:
        defaults.write(f"spark.eventLog.enabled true\nspark.eventLog.dir file://{events}\n")
    env = settings(month_server, tmp_path / "data", SPARK_CONF_DIR=str(spark_conf))
    day = PUBLISHED[1]
    with CentralScheduler(tmp_path / "luigid") as luigid:
        command = [os.path.join(os.path.dirname(sys.executable), "luigi"), "--module", "song_plays_tasks", "DatasetGen", "--date", str(day), "--no-lock",
                   *luigid.command_line_options()]
        full_env = {**os.environ, **env}
        workers = [subprocess.Popen(command, cwd=ROOT, env=full_env, stdout=subprocess.PIPE,
                                    stderr=subprocess.STDOUT, text=True) for _ in range(2)]
        outputs = [worker.communicate(timeout=600)[0] for worker in workers]
        done = luigid.tasks("DONE")

    # Each did what luigid gave it (0), or was refused a task the other ran (not_run, 25): never a failure code.
    codes = sorted(worker.returncode for worker in workers)
    assert set(codes) <= {0, 25}, (codes, outputs)
    assert len(list(events.iterdir())) == 1, outputs
    ran = [output for output in outputs if f"running   DatasetGen(date={day}" in output]
    assert len(ran) == 1, outputs
    assert any(task_id.startswith("DatasetGen") for task_id in done)
    assert (tmp_path / f"data/output/{day:%Y/%m/%d}/dataset/_SUCCESS").exists()
