"""Data hosts as instructors publish them: a link per file (with a query string and redirects, as the original
workshop's Dropbox links), and signed URLs that refuse HEAD. Real servers on 127.0.0.1."""
import datetime
import re

import pytest
from luigi.execution_summary import LuigiStatusCode

import song_plays_tasks as tasks
from link_hosts import ShareLinkHost, SignedUrlHost
from song_plays_luigi import downloads, settings
from workshop import build, face

DAY, UNPUBLISHED = datetime.date(2019, 2, 8), datetime.date(2019, 2, 9)


@pytest.fixture(scope="module")
def share_links(remote_dir):
    host = ShareLinkHost(remote_dir)
    yield host
    host.close()


@pytest.fixture(scope="module")
def signed_urls(remote_dir):
    host = SignedUrlHost(remote_dir)
    yield host
    host.close()


def use_templates(monkeypatch, tmp_path, spins, listeners):
    monkeypatch.delenv("SONG_PLAYS_DATA_URL", raising=False)
    monkeypatch.setenv("SONG_PLAYS_SPINS_URL", spins)
    monkeypatch.setenv("SONG_PLAYS_LISTENERS_URL", listeners)
    monkeypatch.setenv("SONG_PLAYS_DATA_DIR", str(tmp_path / "data"))
    return tmp_path / "data"


def test_a_template_keeps_its_query_string_and_fills_in_the_day(monkeypatch):
    monkeypatch.setenv("SONG_PLAYS_SPINS_URL", "https://www.dropbox.com/s/abc123/spins-{date:%Y-%m-%d}.snappy.parquet?dl=1")
    assert settings.spins_url(DAY) == "https://www.dropbox.com/s/abc123/spins-2019-02-08.snappy.parquet?dl=1"
    monkeypatch.setenv("SONG_PLAYS_SPINS_URL", "https://host/{date:%Y}/{date:%m}/{date:%d}.parquet?token=a%2Fb")
    assert settings.spins_url(DAY) == "https://host/2019/02/08.parquet?token=a%2Fb"


def test_without_templates_the_files_are_found_under_the_data_url(monkeypatch):
    for variable in ("SONG_PLAYS_SPINS_URL", "SONG_PLAYS_LISTENERS_URL"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("SONG_PLAYS_DATA_URL", "http://127.0.0.1:8123/base/")
    assert settings.spins_url(DAY) == "http://127.0.0.1:8123/base/spins-2019-02-08.snappy.parquet"
    assert settings.listeners_url() == "http://127.0.0.1:8123/base/listeners.snappy.parquet"


@pytest.mark.parametrize("template, complaint", [
    ("https://host/spins.parquet?dl=1", "must contain {date:%Y-%m-%d}"),
    ("https://host/spins-{date:%Y}-{day}.parquet", "can only use the field {date}"),
    ("ftp://host/spins-{date:%Y-%m-%d}.parquet", "must be an http:// or https:// address"),
])
def test_a_template_that_cannot_work_is_refused_before_any_work(monkeypatch, tmp_path, template, complaint):
    data = use_templates(monkeypatch, tmp_path, template, "https://host/listeners.parquet")
    with pytest.raises(ValueError, match=complaint.replace("{", r"\{").replace("(", r"\(")):
        settings.spins_url(DAY)
    assert face(build(tasks.DownloadSpins(date=DAY))) == ":("
    assert not data.exists()


def test_the_original_workshops_dropbox_link_shapes_download_through_redirects(share_links, remote_dir, monkeypatch, tmp_path):
    data = use_templates(monkeypatch, tmp_path, f"{share_links.url}/s/abc123/spins-{{date:%Y-%m-%d}}.snappy.parquet?dl=1",
                         f"{share_links.url}/s/tdef456/listeners.snappy.parquet?dl=1")  # a 302, and a 307
    result = build(tasks.DownloadSpins(date=DAY), tasks.DownloadListeners(date=DAY))
    assert result.status == LuigiStatusCode.SUCCESS
    assert (data / "spins/2019/02/08/spins.snappy.parquet").read_bytes() == \
        (remote_dir / "spins-2019-02-08.snappy.parquet").read_bytes()
    assert (data / "listeners/listeners.snappy.parquet").read_bytes() == (remote_dir / "listeners.snappy.parquet").read_bytes()
    # A day not published yet: the link redirects to a 404, and the day waits.
    assert build(tasks.DownloadSpins(date=UNPUBLISHED)).status == LuigiStatusCode.MISSING_EXT


def test_a_share_link_to_the_preview_page_is_refused_naming_the_link(share_links, monkeypatch, tmp_path):
    data = use_templates(monkeypatch, tmp_path, f"{share_links.url}/s/abc123/spins-{{date:%Y-%m-%d}}.snappy.parquet?dl=0",
                         f"{share_links.url}/s/def456/listeners.snappy.parquet?dl=0")
    url = settings.spins_url(DAY)
    with pytest.raises(ValueError, match=re.escape(f"{url} did not send a Parquet file")):
        downloads.download(url, tasks.DownloadSpins(date=DAY).output())
    assert not data.exists()


def test_signed_urls_that_refuse_head_are_checked_with_get(signed_urls, remote_dir, monkeypatch, tmp_path):
    data = use_templates(monkeypatch, tmp_path, f"{signed_urls.url}/spins-{{date:%Y-%m-%d}}.snappy.parquet?X-Amz-Signature=valid",
                         f"{signed_urls.url}/listeners.snappy.parquet?X-Amz-Signature=valid")
    assert build(tasks.DownloadSpins(date=DAY), tasks.DownloadListeners(date=DAY)).status == LuigiStatusCode.SUCCESS
    assert (data / "spins/2019/02/08/spins.snappy.parquet").read_bytes() == \
        (remote_dir / "spins-2019-02-08.snappy.parquet").read_bytes()
    assert build(tasks.DownloadSpins(date=UNPUBLISHED)).status == LuigiStatusCode.MISSING_EXT  # GET says 404


def test_a_signature_that_is_refused_for_get_too_is_an_error_naming_the_url(signed_urls, monkeypatch, tmp_path):
    url = f"{signed_urls.url}/spins-2019-02-08.snappy.parquet?X-Amz-Signature=expired"
    with pytest.raises(downloads.HostAnswered, match=re.escape(f"{url} answered HTTP 403")):
        downloads.url_exists(url)


@pytest.mark.slow
def test_datasetgen_on_templated_share_links_gives_the_same_reports(share_links, monkeypatch, tmp_path, workshop_env):
    from test_pipeline import assert_reports_match_pandas
    data = use_templates(monkeypatch, tmp_path, f"{share_links.url}/s/abc123/spins-{{date:%Y-%m-%d}}.snappy.parquet?dl=1",
                         f"{share_links.url}/s/def456/listeners.snappy.parquet?dl=1")
    assert build(tasks.DatasetGen(date=DAY)).status == LuigiStatusCode.SUCCESS
    assert_reports_match_pandas(data)
