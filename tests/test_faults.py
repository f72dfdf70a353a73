"""Faults and bad input against real processes: a misbehaving host on 127.0.0.1, real spark-submit runs, real kills.

Whatever goes wrong, a target exists only when whole, the failure names its cause, and a rerun succeeds.
"""
import datetime
import signal
import subprocess
import time
from pathlib import Path

import luigi
import pytest

import song_plays_tasks as tasks
from conftest import ROOT, luigi_cli, luigi_command
from misbehaving_server import MisbehavingServer
from workshop import build, face, luigi_log

DAY = datetime.date(2019, 2, 8)


@pytest.fixture(scope="module")
def bad_host(remote_dir):
    server = MisbehavingServer(remote_dir)
    yield server
    server.close()


def files_under(folder):
    return sorted(str(path.relative_to(folder)) for path in Path(folder).rglob("*") if path.is_file())


def download_from(monkeypatch, tmp_path, url):
    monkeypatch.setenv("SONG_PLAYS_DATA_URL", url)
    monkeypatch.setenv("SONG_PLAYS_DATA_DIR", str(tmp_path / "data"))
    with luigi_log() as log:
        result = build(tasks.DownloadSpins(date=DAY))
    return result, "\n".join(log)


def test_an_error_status_fails_naming_the_url_and_the_status(bad_host, monkeypatch, tmp_path):
    result, log = download_from(monkeypatch, tmp_path, bad_host.url("status500"))
    assert face(result) == ":("
    assert f"{bad_host.url('status500')}/spins-2019-02-08.snappy.parquet answered HTTP 500" in log
    assert files_under(tmp_path) == []


def test_nothing_listening_fails_saying_so_and_how_to_start_the_server(bad_host, monkeypatch, tmp_path):
    import socket
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        result, log = download_from(monkeypatch, tmp_path, f"http://127.0.0.1:{unused.getsockname()[1]}")
    assert face(result) == ":("
    assert "Nothing is listening at http://127.0.0.1:" in log and "make serve-data" in log
    assert files_under(tmp_path) == []


def test_a_body_cut_short_leaves_no_target_and_no_temporary_file(bad_host, monkeypatch, tmp_path):
    result, log = download_from(monkeypatch, tmp_path, bad_host.url("truncated"))
    assert face(result) == ":("
    assert "broke off after" in log
    assert files_under(tmp_path) == []


def test_an_html_page_instead_of_parquet_is_refused(bad_host, monkeypatch, tmp_path):
    result, log = download_from(monkeypatch, tmp_path, bad_host.url("html"))
    assert face(result) == ":("
    assert "did not send a Parquet file (it starts with b'<!DO')" in log
    assert files_under(tmp_path) == []


@pytest.mark.parametrize("mode, message", [("stall", "did not answer within 2 s"),
                                           ("stall-body", "stopped sending for 2 s")])
def test_a_stalled_server_fails_after_the_timeout_instead_of_hanging(bad_host, tmp_path, mode, message):
    env = {"SONG_PLAYS_DATA_URL": bad_host.url(mode), "SONG_PLAYS_DATA_DIR": str(tmp_path / "data"),
           "SONG_PLAYS_HTTP_TIMEOUT": "2"}
    run = luigi_cli("DownloadSpins", "--date", "2019-02-08", env=env, timeout=60)  # a hang fails the test
    assert "This progress looks :(" in run.stderr
    assert message in run.stderr
    assert files_under(tmp_path) == []


@pytest.mark.parametrize("url", ["file:///srv/song-plays", "ftp://127.0.0.1/song-plays", "127.0.0.1:8000"])
def test_a_data_url_that_is_not_http_fails_before_any_work(monkeypatch, tmp_path, url):
    result, log = download_from(monkeypatch, tmp_path, url)
    assert face(result) == ":("
    assert "SONG_PLAYS_DATA_URL must be an http:// or https:// address" in log
    assert files_under(tmp_path) == []


@pytest.mark.slow
def test_a_download_killed_midway_leaves_no_target_and_the_rerun_fetches_it_whole(bad_host, remote_dir, tmp_path):
    command, env = luigi_command("DownloadSpins", "--date", "2019-02-08",
                                 env={"SONG_PLAYS_DATA_URL": bad_host.url("slow"), "SONG_PLAYS_DATA_DIR": str(tmp_path)})
    download = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    day_folder = tmp_path / "spins/2019/02/08"
    deadline = time.monotonic() + 120
    while not any(path.stat().st_size > 0 for path in day_folder.glob("*")) and time.monotonic() < deadline:
        assert download.poll() is None, "the download ended before it could be killed"
        time.sleep(0.05)
    download.send_signal(signal.SIGKILL)
    download.wait()
    target = day_folder / "spins.snappy.parquet"
    assert not target.exists()

    rerun = luigi_cli("DownloadSpins", "--date", "2019-02-08",
                      env={"SONG_PLAYS_DATA_URL": bad_host.url("ok"), "SONG_PLAYS_DATA_DIR": str(tmp_path)})
    assert "This progress looks :)" in rerun.stderr
    assert target.read_bytes() == (remote_dir / "spins-2019-02-08.snappy.parquet").read_bytes()


# The data: the job run in a real local Spark on inputs written to break it.

def job_args(tmp_path, spins_table, listeners_table=None, minrows=1):
    import argparse
    import pyarrow.parquet as pq
    from song_plays_ops import generate_fake_data as gen
    spins_path, listeners_path = tmp_path / "spins.parquet", tmp_path / "listeners.parquet"
    pq.write_table(spins_table, spins_path)
    pq.write_table(listeners_table if listeners_table is not None else gen.make_listeners(1, 3), listeners_path)
    return argparse.Namespace(day=DAY, minrows=minrows, spins_path=str(spins_path), listeners_path=str(listeners_path),
                              dataset_out_path=str(tmp_path / "out/dataset"),
                              analysis_out_path=str(tmp_path / "out/counts_by_zip_sub"))


def spins_table(rows):
    """Spins from dicts that give only what a test cares about."""
    import pyarrow as pa
    from song_plays_ops import generate_fake_data as gen
    base = {"fake_artist_id": 1, "artist_name": "Artist", "fake_track_id": 2, "track_title": "Title",
            "date_time": datetime.datetime(2019, 2, 8, 12, tzinfo=datetime.timezone.utc), "elapsed_seconds": 120,
            "play_source": "Station", "fake_listener_id": 1}
    return pa.Table.from_pylist([{**base, **row} for row in rows], schema=gen.SPINS_SCHEMA)


@pytest.mark.parametrize("change, named", [
    (lambda t: t.drop_columns(["elapsed_seconds"]), "elapsed_seconds is missing"),
    (lambda t: t.rename_columns(["title" if c == "track_title" else c for c in t.column_names]), "track_title is missing"),
    (lambda t: t.set_column(5, "elapsed_seconds", t["elapsed_seconds"].cast("string")), "elapsed_seconds is string, not an integer (int8 to int64)"),
])
def test_a_spins_file_with_a_wrong_column_fails_naming_it_and_writes_nothing(spark, tmp_path, change, named):
    import dataset_gen
    from song_plays_spark.inputs import SchemaMismatchError
    args = job_args(tmp_path, change(spins_table([{}])))
    with pytest.raises(SchemaMismatchError) as error:
        dataset_gen.run(spark, args)
    assert named in str(error.value)
    assert "Expected columns: fake_artist_id int, artist_name string" in str(error.value)
    assert not (tmp_path / "out").exists()


def test_an_empty_day_fails_validation_with_both_numbers_and_writes_nothing(spark, tmp_path):
    import dataset_gen
    args = job_args(tmp_path, spins_table([]), minrows=100)
    with pytest.raises(dataset_gen.FailedValidationError, match=r"^0 rows < minimum 100$"):
        dataset_gen.run(spark, args)
    assert not (tmp_path / "out").exists()


def test_tabs_and_line_breaks_become_spaces_while_quotes_and_accents_stay(spark, tmp_path):
    import gzip
    import dataset_gen
    args = job_args(tmp_path, spins_table([
        {"artist_name": "Tab\tBand", "track_title": "Line\nBreak\r\nSong"},
        {"artist_name": 'The "Quoted" Ones', "track_title": "Café Señor Zoë", "fake_track_id": 3},
    ]))
    dataset_gen.run(spark, args)
    [part] = Path(args.dataset_out_path).glob("part-*.csv.gz")
    lines = gzip.open(part, "rt", encoding="utf-8").read().splitlines()
    assert len(lines) == 3 and all(len(line.split("\t")) == 13 for line in lines)
    assert any("\tTab Band\t" in line and "\tLine Break  Song\t" in line for line in lines)
    assert any('\tThe "Quoted" Ones\t' in line and "\tCafé Señor Zoë\t" in line for line in lines)


def test_null_listener_ids_are_dropped_and_null_attributes_are_empty_fields(spark, tmp_path):
    import pyarrow as pa
    from song_plays_ops import generate_fake_data as gen
    import dataset_gen
    listeners = pa.Table.from_pylist([
        {"fake_listener_id": 1, "age": None, "gender": "F", "subscription_type": "Plus", "country": "US", "fake_zipcode": 90210},
    ], schema=gen.LISTENERS_SCHEMA)
    args = job_args(tmp_path, spins_table([{"fake_listener_id": 1}, {"fake_listener_id": None, "fake_track_id": 9}]),
                    listeners)
    assert dataset_gen.run(spark, args) == 1, "the inner join drops a spin whose listener id is null"
    [part] = Path(args.dataset_out_path).glob("part-*.csv.gz")
    import gzip
    header, row = gzip.open(part, "rt").read().splitlines()
    fields = dict(zip(header.split("\t"), row.split("\t")))
    assert fields["age"] == "" and fields["gender"] == "F" and len(fields) == 13


def test_the_row_count_includes_listeners_without_a_zip_code_or_subscription(spark, tmp_path):
    """run() counts rows by summing the counts report, so rows whose group keys are null must be there too."""
    import gzip
    import pyarrow as pa
    from song_plays_ops import generate_fake_data as gen
    import dataset_gen
    listeners = pa.Table.from_pylist([
        {"fake_listener_id": 1, "age": "18-25", "gender": "F", "subscription_type": None, "country": "US", "fake_zipcode": None},
        {"fake_listener_id": 2, "age": "65+", "gender": "M", "subscription_type": "Plus", "country": "US", "fake_zipcode": 90210},
    ], schema=gen.LISTENERS_SCHEMA)
    args = job_args(tmp_path, spins_table([{"fake_listener_id": 1}, {"fake_listener_id": 1, "fake_track_id": 3},
                                            {"fake_listener_id": 2}]), listeners)
    assert dataset_gen.run(spark, args) == 3
    [counts] = Path(args.analysis_out_path).glob("part-*.csv.gz")
    assert gzip.open(counts, "rt").read().splitlines() == ["fake_zipcode\tsubscription_type\tspins", "\t\t2", "90210\tPlus\t1"]


@pytest.mark.parametrize("minrows", [0, 100])
def test_the_job_leaves_nothing_cached_whether_it_passes_or_fails(spark, tmp_path, minrows):
    """Notebook 02 runs the job in its own long-lived session: a run must give back the memory it cached."""
    import dataset_gen
    args = job_args(tmp_path, spins_table([{}]), minrows=minrows)
    try:
        dataset_gen.run(spark, args)
    except dataset_gen.FailedValidationError:
        assert minrows == 100
    assert spark._jsparkSession.sharedState().cacheManager().isEmpty(), "run() left a DataFrame cached"


# The machine and the process.

@pytest.mark.parametrize("arguments, complaint", [
    (["DownloadSpins", "--date", "2019-13-45"], "ValueError: time data '2019-13-45' does not match format '%Y-%m-%d'"),
    (["DownloadListeners", "--date", "2019-02-30"], "ValueError: day is out of range for month"),
    (["DatasetGen", "--date", "2019-02-08", "--minrows", "ten"],
     "ValueError: invalid literal for int() with base 10: 'ten'"),
    (["DatasetGen", "--date", "2019-02-08", "--colour", "red"], "luigi: error: unrecognized arguments: --colour red"),
])
def test_invalid_parameters_are_refused_with_luigis_own_error_before_any_work(tmp_path, arguments, complaint):
    """The tasks declare luigi's own parameters (luigi.DateParameter, luigi.IntParameter), as notebook 01 teaches:
    a value they cannot parse stops the command with luigi's own error, before anything is downloaded."""
    run = luigi_cli(*arguments, env={"SONG_PLAYS_DATA_DIR": str(tmp_path)})
    assert run.returncode != 0
    assert complaint in run.stderr, run.stderr[-2000:]
    assert files_under(tmp_path) == []


@pytest.mark.parametrize("task, parameter, kind", [
    ("DownloadSpins", "date", luigi.DateParameter), ("DownloadListeners", "date", luigi.DateParameter),
    ("DatasetGen", "date", luigi.DateParameter), ("DatasetGen", "minrows", luigi.IntParameter),
])
def test_the_tasks_declare_luigis_own_parameters_and_take_the_forms_luigi_accepts(task, parameter, kind):
    declared = dict(getattr(tasks, task).get_params())[parameter]
    assert type(declared) is kind
    if kind is luigi.DateParameter:
        assert declared.parse("2019-02-08") == datetime.date(2019, 2, 8)
    else:
        assert declared.parse("7") == 7 and declared.parse("0") == 0
        assert tasks.DatasetGen(date=datetime.date(2019, 2, 8)).minrows == 100


@pytest.mark.slow
def test_two_pipelines_for_the_same_day_at_once_run_spark_once_and_leave_whole_reports(data_server, tmp_path):
    """luigi itself refuses a second identical command line; --no-lock lifts that, as a different command
    (a range task, another --minrows, a notebook) would, and the task's own lock has to hold."""
    from test_pipeline import assert_reports_match_pandas
    command, env = luigi_command("DatasetGen", "--date", "2019-02-08", "--log-level", "INFO", "--no-lock",
                                 env={"SONG_PLAYS_DATA_URL": data_server.url, "SONG_PLAYS_DATA_DIR": str(tmp_path)})
    both = [subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for _ in range(2)]
    outputs = [run.communicate(timeout=600) for run in both]
    logs = ["".join(output) for output in outputs]
    assert all("This progress looks :)" in log for log in logs), logs[0][-2000:] + logs[1][-2000:]
    assert sum(log.count("Running command: ") for log in logs) == 1, "spark-submit ran more than once"
    for report in ("dataset", "counts_by_zip_sub"):
        assert len(list((tmp_path / "output/2019/02/08" / report).glob("part-*.csv.gz"))) == 1
    assert_reports_match_pandas(tmp_path)
