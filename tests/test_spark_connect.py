"""A long-lived Spark: a real Spark Connect server on 127.0.0.1, and DatasetGen as its thin client, chosen by
configuration alone. The job and its outputs, the _SUCCESS files, the failure tail, the lock and the secret-free
errors are the same as under spark-submit."""
import socket
import subprocess
import sys

import pytest

from conftest import ROOT, luigi_command
from song_plays_ops.connect_server import ConnectServer
from song_plays_ops.services import free_port
from test_pipeline import assert_reports_match_pandas

# One worker runs the module: its module-scoped fixtures (the servers, the runs they compare with) start once.
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("connect")]
PLANTED_SECRET = "planted-secret-7c21e0"


@pytest.fixture(scope="module")
def connect_server(tmp_path_factory):
    with ConnectServer(folder=tmp_path_factory.mktemp("connect")) as server:
        yield server


def test_the_server_is_sized_as_a_driver_not_as_a_daemon(connect_server):
    """luigi.cfg's [spark-connect] size and spark/conf's driver collector, not spark-env.sh's small daemon heap
    (Spark's launcher gives SPARK_DAEMON_* to a Connect server too). spark-class execs java in its process."""
    flags = open(f"/proc/{connect_server.service.pid}/cmdline").read().split("\0")
    assert "-Xmx1g" in flags and "-XX:+UseParallelGC" in flags, flags
    assert "-Xmx64m" not in flags and "-XX:+UseSerialGC" not in flags, flags


def with_remote(tmp_path, url):
    """A luigi.cfg of the user's own, which wins over the workshop's: [spark] remote = url."""
    config = tmp_path / "luigi.cfg"
    config.write_text(f"[spark]\nremote = {url}\n")
    return str(config)


def run_luigi(tmp_path, data_server, *args, remote=None, data=None):
    env = {"SONG_PLAYS_DATA_URL": data_server.url, "SONG_PLAYS_DATA_DIR": str(data or tmp_path / "data"),
           "WORKSHOP_API_TOKEN": PLANTED_SECRET}
    if remote:
        env["LUIGI_CONFIG_PATH"] = with_remote(tmp_path, remote)
    command, full_env = luigi_command("DatasetGen", "--date", "2019-02-08", "--log-level", "INFO", *args, env=env)
    return command, full_env


def test_datasetgen_runs_the_same_job_as_a_client_of_the_server_with_the_same_reports(connect_server, data_server,
                                                                                    tmp_path):
    command, env = run_luigi(tmp_path, data_server, remote=connect_server.url)
    run = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    log = run.stdout + run.stderr
    assert run.returncode == 0 and "This progress looks :)" in log, log[-3000:]
    [ran] = [line.split("Running command: ", 1)[1] for line in log.splitlines() if "Running command: " in line]
    assert ran.startswith(f"{sys.executable} {ROOT / 'spark' / 'dataset_gen.py'} --day 2019-02-08"), ran
    assert "spark-submit" not in ran  # no JVM of its own: the server runs the job
    for report in ("dataset", "counts_by_zip_sub"):
        folder = tmp_path / "data/output/2019/02/08" / report
        assert (folder / "_SUCCESS").exists() and len(list(folder.glob("part-*.csv.gz"))) == 1
    assert_reports_match_pandas(tmp_path / "data")


def test_without_remote_datasetgen_still_uses_spark_submit(data_server, tmp_path):
    import luigi
    import song_plays_tasks
    assert luigi.configuration.get_config().get("spark", "remote", "") == ""
    args = song_plays_tasks.DatasetGen(date=__import__("datetime").date(2019, 2, 8)).program_args()
    assert args[0].endswith("bin/spark-submit"), args


def test_a_failed_job_shows_its_own_error_leaves_no_success_and_no_secret(connect_server, data_server, tmp_path):
    command, env = run_luigi(tmp_path, data_server, "--minrows", "10000000", remote=connect_server.url)
    run = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    log = run.stdout + run.stderr
    assert run.returncode == 30 and "This progress looks :(" in log, log[-3000:]
    assert f"the Spark Connect client of {connect_server.url} failed" in log
    assert "FailedValidationError" in log and "rows < minimum 10000000" in log
    assert PLANTED_SECRET not in log, "the failure printed the environment"
    assert not list((tmp_path / "data").rglob("_SUCCESS"))


def test_two_pipelines_at_once_run_the_job_once_through_the_server(connect_server, data_server, tmp_path):
    command, env = run_luigi(tmp_path, data_server, "--no-lock", remote=connect_server.url)
    both = [subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for _ in range(2)]
    logs = ["".join(process.communicate(timeout=600)) for process in both]
    assert all("This progress looks :)" in log for log in logs), logs[0][-2000:] + logs[1][-2000:]
    assert sum(log.count("Running command: ") for log in logs) == 1, "the job ran more than once"
    assert_reports_match_pandas(tmp_path / "data")


def test_the_server_binds_loopback_and_a_server_that_is_gone_is_a_clear_failure(data_server, tmp_path):
    gone = f"sc://127.0.0.1:{free_port()}"
    command, env = run_luigi(tmp_path, data_server, remote=gone)
    run = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    log = run.stdout + run.stderr
    assert run.returncode == 30 and f"Nothing is listening at {gone}" in log and "make connect" in log, log[-3000:]
    assert not list((tmp_path / "data").rglob("_SUCCESS"))


def test_make_connect_starts_a_server_on_loopback_and_make_connect_stop_ends_it(tmp_path):
    folder = tmp_path / "connect"
    start = subprocess.run([sys.executable, "-m", "song_plays_ops.connect_server", "start", "--folder", str(folder)],
                           capture_output=True, text=True, timeout=300)
    assert start.returncode == 0, start.stdout + start.stderr
    url = next(word for word in start.stdout.split() if word.startswith("sc://127.0.0.1:"))
    port = int(url.rsplit(":", 1)[1].rstrip(";"))
    with socket.create_connection(("127.0.0.1", port), timeout=5):
        pass
    listening = subprocess.run(["ss", "-ltnH", f"sport = :{port}"], capture_output=True, text=True).stdout
    local_addresses = [line.split()[3] for line in listening.splitlines()]
    assert local_addresses and all("127.0.0.1]:" in a or a.startswith("127.0.0.1:") for a in local_addresses), listening
    again = subprocess.run([sys.executable, "-m", "song_plays_ops.connect_server", "start", "--folder", str(folder)],
                           capture_output=True, text=True, timeout=60)
    assert again.returncode != 0 and "already recorded" in again.stderr
    stop = subprocess.run([sys.executable, "-m", "song_plays_ops.connect_server", "stop", "--folder", str(folder)],
                          capture_output=True, text=True, timeout=120)
    assert stop.returncode == 0 and "Stopped" in stop.stdout
    import time
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            time.sleep(0.5)
        except OSError:
            break
    else:
        pytest.fail("the server still listens after make connect-stop")
