"""Section 1's tasks against a real local http.server: 200, 404, and the idempotent listeners download."""
import datetime
import socket

import pytest
from luigi.execution_summary import LuigiStatusCode

import song_plays_tasks as tasks
from conftest import REFERENCE_DIR, luigi_cli
from workshop import build

DAY = datetime.date(2019, 2, 8)
UNPUBLISHED = datetime.date(2019, 2, 9)


def test_download_spins_fetches_a_published_day_into_its_date_folder(workshop_env, remote_dir):
    result = build(tasks.DownloadSpins(date=DAY))
    assert result.status == LuigiStatusCode.SUCCESS
    target = workshop_env / "spins/2019/02/08/spins.snappy.parquet"
    assert target.read_bytes() == (remote_dir / "spins-2019-02-08.snappy.parquet").read_bytes()
    assert [p.name for p in target.parent.iterdir()] == ["spins.snappy.parquet"], "no temporary file left"


def test_an_unpublished_day_waits_instead_of_failing(workshop_env):
    result = build(tasks.DownloadSpins(date=UNPUBLISHED))
    assert result.status == LuigiStatusCode.MISSING_EXT
    assert not (workshop_env / "spins/2019/02/09").exists()


def test_listeners_download_once_per_day_and_the_second_run_does_nothing(workshop_env, remote_dir):
    first = build(tasks.DownloadListeners(date=DAY))
    data = workshop_env / "listeners/listeners.snappy.parquet"
    marker = workshop_env / "markers/2019/02/08/listeners_downloaded.SUCCESS"
    assert first.status == LuigiStatusCode.SUCCESS
    assert data.read_bytes() == (remote_dir / "listeners.snappy.parquet").read_bytes()
    assert marker.exists()
    stamps = data.stat().st_mtime_ns, marker.stat().st_mtime_ns

    second = build(tasks.DownloadListeners(date=DAY))
    assert second.status == LuigiStatusCode.SUCCESS
    assert (data.stat().st_mtime_ns, marker.stat().st_mtime_ns) == stamps, "the second run downloaded again"


def test_a_missing_output_makes_listeners_start_again_from_a_clean_slate(workshop_env):
    build(tasks.DownloadListeners(date=DAY))
    data = workshop_env / "listeners/listeners.snappy.parquet"
    data.unlink()
    result = build(tasks.DownloadListeners(date=DAY))
    assert result.status == LuigiStatusCode.SUCCESS and data.exists()


def test_nothing_listening_is_an_error_that_names_the_url_and_the_fix():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # bound, never listening: connections are refused
        url = f"http://127.0.0.1:{port}/listeners.snappy.parquet"
        with pytest.raises(ConnectionError, match="make serve-data") as error:
            tasks.HttpTarget(url).exists()
    assert url in str(error.value)


@pytest.mark.parametrize("url", ["file:///etc", "ftp://127.0.0.1/data", "not a url"])
def test_a_data_url_that_is_not_http_is_refused_before_any_work(monkeypatch, url):
    monkeypatch.setenv("SONG_PLAYS_DATA_URL", url)
    with pytest.raises(ValueError, match="SONG_PLAYS_DATA_URL"):
        tasks.DownloadSpins(date=DAY).requires()


def test_the_tutorials_commands_from_the_workshop_folder(data_server, tmp_path):
    env = {"SONG_PLAYS_DATA_URL": data_server.url, "SONG_PLAYS_DATA_DIR": str(tmp_path)}
    published = luigi_cli("DownloadSpins", "--date", "2019-02-08", env=env)
    assert "This progress looks :)" in published.stderr, published.stderr[-2000:]
    assert (tmp_path / "spins/2019/02/08/spins.snappy.parquet").exists()

    unpublished = luigi_cli("DownloadSpins", "--date", "2019-02-09", env=env)
    assert "This progress looks :|" in unpublished.stderr, unpublished.stderr[-2000:]

    for _ in range(2):
        listeners = luigi_cli("DownloadListeners", "--date", "2019-02-08", env=env)
        assert "This progress looks :)" in listeners.stderr, listeners.stderr[-2000:]
    assert "1 complete ones were encountered:\n    - 1 DownloadListeners(date=2019-02-08)" in listeners.stderr


def test_the_same_tasks_fetch_the_original_workshops_files(reference_env):
    result = build(tasks.DownloadSpins(date=DAY), tasks.DownloadListeners(date=DAY))
    assert result.status == LuigiStatusCode.SUCCESS
    assert (reference_env / "spins/2019/02/08/spins.snappy.parquet").read_bytes() == \
        (REFERENCE_DIR / "spins-2019-02-08.snappy.parquet").read_bytes()
    assert (reference_env / "listeners/listeners.snappy.parquet").read_bytes() == \
        (REFERENCE_DIR / "listeners.snappy.parquet").read_bytes()


def test_the_next_day_replaces_the_re_published_listeners_file(workshop_env):
    first = build(tasks.DownloadListeners(date=DAY))
    next_day = build(tasks.DownloadListeners(date=DAY + datetime.timedelta(days=1)))
    assert first.status == next_day.status == LuigiStatusCode.SUCCESS
    assert (workshop_env / "markers/2019/02/09/listeners_downloaded.SUCCESS").exists()
    assert [p.name for p in (workshop_env / "listeners").iterdir()] == ["listeners.snappy.parquet"]
