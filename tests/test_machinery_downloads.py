"""song_plays_luigi's downloads and settings on their own, against a real http.server on 127.0.0.1."""
import socket

import luigi
import pytest

from song_plays_luigi import downloads, settings


def url(server, name):
    return f"{server.url}/{name}"


def test_url_exists_is_true_for_a_published_file_and_false_for_a_404(data_server):
    assert downloads.url_exists(url(data_server, "listeners.snappy.parquet"))
    assert not downloads.url_exists(url(data_server, "spins-2019-02-09.snappy.parquet"))


def test_url_exists_raises_naming_the_url_when_nothing_listens():
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        address = f"http://127.0.0.1:{unused.getsockname()[1]}/listeners.snappy.parquet"
        with pytest.raises(ConnectionError, match="Nothing is listening at " + address):
            downloads.url_exists(address)


def test_download_puts_the_whole_file_in_place_and_leaves_nothing_else(data_server, remote_dir, tmp_path):
    target = luigi.LocalTarget(tmp_path / "a/b/listeners.snappy.parquet", format=luigi.format.Nop)
    downloads.download(url(data_server, "listeners.snappy.parquet"), target)
    assert (tmp_path / "a/b/listeners.snappy.parquet").read_bytes() == \
        (remote_dir / "listeners.snappy.parquet").read_bytes()
    assert [path.name for path in (tmp_path / "a/b").iterdir()] == ["listeners.snappy.parquet"]


def test_download_replaces_a_file_published_again_in_place(data_server, remote_dir, tmp_path):
    target_path = tmp_path / "listeners.snappy.parquet"
    target_path.write_bytes(b"yesterday's")
    downloads.download(url(data_server, "listeners.snappy.parquet"),
                       luigi.LocalTarget(target_path, format=luigi.format.Nop))
    assert target_path.read_bytes() == (remote_dir / "listeners.snappy.parquet").read_bytes()


def test_a_404_leaves_neither_a_file_nor_the_folders_made_for_it(data_server, tmp_path):
    (tmp_path / "spins").mkdir()
    target = luigi.LocalTarget(tmp_path / "spins/2019/02/09/spins.snappy.parquet", format=luigi.format.Nop)
    with pytest.raises(FileNotFoundError, match="is not published"):
        downloads.download(url(data_server, "spins-2019-02-09.snappy.parquet"), target)
    assert list(tmp_path.rglob("*")) == [tmp_path / "spins"], "only the folder that was there before stays"


def test_a_file_that_is_not_parquet_is_refused_before_it_takes_its_name(tmp_path):
    not_parquet = tmp_path / "page.html"
    not_parquet.write_text("<html>maintenance</html>")
    with pytest.raises(ValueError, match=r"did not send a Parquet file \(it starts with b'<htm'\)"):
        downloads.check_parquet(not_parquet, "http://host/spins.parquet")
    truncated = tmp_path / "cut.parquet"
    truncated.write_bytes(b"PAR1" + b"\0" * 20 + (10_000).to_bytes(4, "little") + b"PAR1")
    with pytest.raises(ValueError):
        downloads.check_parquet(truncated, "http://host/spins.parquet")  # its footer cannot fit


@pytest.mark.parametrize("value", ["0", "-1", "601", "soon"])
def test_a_timeout_out_of_range_is_refused_naming_the_setting(monkeypatch, value):
    monkeypatch.setenv("SONG_PLAYS_HTTP_TIMEOUT", value)
    with pytest.raises(ValueError, match="SONG_PLAYS_HTTP_TIMEOUT"):
        settings.http_timeout()


def test_the_workspace_moves_the_data_and_its_job_once_written(monkeypatch, tmp_path):
    monkeypatch.delenv("SONG_PLAYS_DATA_DIR", raising=False)
    monkeypatch.delenv("SONG_PLAYS_SPARK_APP", raising=False)
    monkeypatch.delenv("SONG_PLAYS_WORKSPACE", raising=False)
    assert settings.data_dir() == settings.WORKSHOP_ROOT / "data"
    monkeypatch.setenv("SONG_PLAYS_WORKSPACE", str(tmp_path))
    assert settings.data_dir() == tmp_path / "data"
    assert settings.spark_app() == settings.WORKSHOP_ROOT / "spark/dataset_gen.py", "not written yet: the solution"
    (tmp_path / "spark").mkdir()
    (tmp_path / "spark/dataset_gen.py").write_text("")
    assert settings.spark_app() == tmp_path / "spark/dataset_gen.py"
