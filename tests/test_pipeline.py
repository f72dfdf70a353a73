"""Section 3: Luigi submits the PySpark job with spark-submit. Outputs compared with pandas, on generated data and
on the original workshop's files; the failure path; reruns; and no leaked environment."""
import datetime
import os
import shlex
import signal
import subprocess
import sys
import time

from luigi.execution_summary import LuigiStatusCode
import pytest

from song_plays_ops import generate_fake_data
import song_plays_tasks as tasks
from conftest import ROOT, luigi_cli, luigi_command
from workshop import DataServer, build, commands_run, luigi_log, pandas_reports, read_report, same_rows

pytestmark = pytest.mark.slow

DAY = datetime.date(2019, 2, 8)
REPORTS = ("dataset", "counts_by_zip_sub")


def success_files(data_dir):
    return sorted((data_dir / "output").rglob("_SUCCESS"))


def assert_reports_match_pandas(data_dir):
    expected = pandas_reports(data_dir / "spins/2019/02/08/spins.snappy.parquet",
                              data_dir / "listeners/listeners.snappy.parquet")
    written = {}
    for name, expected_report in zip(REPORTS, expected):
        folder = data_dir / "output/2019/02/08" / name
        assert (folder / "_SUCCESS").exists()
        written[name] = read_report(folder)
        assert same_rows(written[name], expected_report), f"{name} differs from the pandas computation"
    assert written["counts_by_zip_sub"].equals(expected[1]), "the counts are ordered by zip code, then subscription"
    return expected


def test_pipeline_submits_the_job_once_and_a_complete_day_submits_nothing(workshop_env):
    """In the notebooks' own way (workshop.build); the failure path, and the recovery without clean-up, are run from
    the command line in test_exit_codes_tell_done_not_yet_and_failed_apart_and_a_failure_shows_no_environment."""
    with luigi_log() as log:
        done = build(tasks.DatasetGen(date=DAY))
    assert done.status == LuigiStatusCode.SUCCESS
    [command] = commands_run(log)  # shell-quoted: tests/test_pasted_commands.py
    assert shlex.split(command) == [str(word) for word in tasks.DatasetGen(date=DAY).program_args()]
    assert "pyspark/bin/spark-submit --master 'local[2]' --deploy-mode client" in command
    assert "/spark/dataset_gen.py --day 2019-02-08 --minrows 100 --listeners_path" in command
    assert_reports_match_pandas(workshop_env)

    with luigi_log() as log:
        again = build(tasks.DatasetGen(date=DAY))
    assert again.status == LuigiStatusCode.SUCCESS
    assert commands_run(log) == [], "a complete day must not start spark-submit again"


def test_master_comes_from_luigi_config(workshop_env):
    import luigi.configuration
    config = luigi.configuration.get_config()
    assert tasks.DatasetGen(date=DAY).spark_command()[1:3] == ["--master", "local[2]"], "luigi.cfg's master"
    config.set("spark", "master", "local[1]")
    try:
        assert tasks.DatasetGen(date=DAY).spark_command()[1:3] == ["--master", "local[1]"]
    finally:
        config.set("spark", "master", "local[2]")


def test_the_whole_pipeline_on_the_original_workshops_files(reference_env):
    result = build(tasks.DatasetGen(date=DAY))
    assert result.status == LuigiStatusCode.SUCCESS
    dataset, counts = assert_reports_match_pandas(reference_env)
    assert len(dataset) == 4648
    assert len(counts) == 100 and counts["spins"].astype(int).sum() == 4648
    assert counts.head(3).values.tolist() == [["10138", "Premium", "48"], ["11489", "Family", "44"],
                                              ["12138", "Premium", "41"]]


def test_a_run_killed_while_writing_leaves_nothing_complete_and_the_rerun_succeeds(tmp_path):
    """Kill spark-submit (and everything it started) as soon as Spark starts writing, then run again."""
    remote = generate_fake_data.generate(tmp_path / "remote", DAY, DAY, 300_000, 100, 7, log=lambda line: None)
    data_dir = tmp_path / "data"
    with DataServer(remote) as server:
        command, env = luigi_command("DatasetGen", "--date", "2019-02-08",
                                     env={"SONG_PLAYS_DATA_URL": server.url, "SONG_PLAYS_DATA_DIR": str(data_dir)})
        run = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True)
        dataset_folder = data_dir / "output/2019/02/08/dataset"
        deadline = time.monotonic() + 300
        while not dataset_folder.exists() and run.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        os.killpg(run.pid, signal.SIGKILL)
        run.wait()
        assert dataset_folder.exists(), "the run ended before Spark started writing; nothing was interrupted"
        assert success_files(data_dir) == []

        rerun = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert "This progress looks :)" in rerun.stderr, rerun.stderr[-3000:]
    assert len(success_files(data_dir)) == 2
    assert_reports_match_pandas(data_dir)


def test_exit_codes_tell_done_not_yet_and_failed_apart_and_a_failure_shows_no_environment(data_server, tmp_path,
                                                                                          monkeypatch):
    """luigi.cfg's [retcode]: a cron job or a CI step reads how the run ended from the exit code alone. A failure
    shows its error and never the environment, and leaves no report; then `make pipeline` (the same command, with its
    own data server) finishes the day in the same folder, with no clean-up, and passes the exit code on."""
    import luigi.configuration
    config = luigi.configuration.get_config()
    missing, failed = config.getint("retcode", "missing_data"), config.getint("retcode", "task_failed")
    assert 0 < missing < failed
    secret = "planted-secret-5b7e0c"
    env = {"SONG_PLAYS_DATA_URL": data_server.url, "SONG_PLAYS_DATA_DIR": str(tmp_path), "WORKSHOP_API_TOKEN": secret}
    not_yet = luigi_cli("DatasetGen", "--date", "2019-02-09", env=env)
    assert "This progress looks :|" in not_yet.stderr and not_yet.returncode == missing
    too_few = luigi_cli("DatasetGen", "--date", "2019-02-08", "--minrows", "10000000", env=env)
    output = too_few.stdout + too_few.stderr
    assert "This progress looks :(" in too_few.stderr and too_few.returncode == failed
    rows = len(pandas_reports(tmp_path / "spins/2019/02/08/spins.snappy.parquet",
                              tmp_path / "listeners/listeners.snappy.parquet")[0])
    assert f"FailedValidationError: {rows} rows < minimum 10000000" in output  # both numbers
    assert secret not in output and "ENVIRONMENT:" not in output
    assert success_files(tmp_path) == []  # and the downloads stay (pandas read them above): the rerun reuses them

    monkeypatch.delenv("SONG_PLAYS_DATA_URL", raising=False)
    del env["SONG_PLAYS_DATA_URL"]

    def make_pipeline(day):
        return subprocess.run([sys.executable, "-m", "workshop", "pipeline", "--date", day], cwd=ROOT,
                              env={**os.environ, **env}, capture_output=True, text=True, timeout=600)

    done = make_pipeline("2019-02-08")
    assert "This progress looks :)" in done.stderr and done.returncode == 0, done.stderr[-3000:]
    assert secret not in done.stdout + done.stderr
    assert_reports_match_pandas(tmp_path)
    assert make_pipeline("2019-02-09").returncode == missing  # `make pipeline DATE=2019-02-09`: not out yet
