"""The generated workshop data: the original schema, fixed value sets, the same bytes for the same seed."""
import datetime

import pyarrow.parquet as pq
import pytest

from song_plays_ops import generate_fake_data as gen

DAY = datetime.date(2019, 2, 8)


def generate(out, **overrides):
    options = dict(start=DAY, end=DAY, spins_per_day=5000, num_listeners=100, seed=2019, log=lambda line: None)
    options.update(overrides)
    return gen.generate(out, options.pop("start"), options.pop("end"), options.pop("spins_per_day"),
                        options.pop("num_listeners"), options.pop("seed"), options.pop("log"))


def test_file_names_and_exact_schemas(tmp_path):
    out = generate(tmp_path)
    assert sorted(p.name for p in out.iterdir()) == ["listeners.snappy.parquet", "spins-2019-02-08.snappy.parquet"]
    assert pq.read_schema(out / "listeners.snappy.parquet").remove_metadata() == gen.LISTENERS_SCHEMA
    assert pq.read_schema(out / "spins-2019-02-08.snappy.parquet").remove_metadata() == gen.SPINS_SCHEMA
    assert pq.ParquetFile(out / "spins-2019-02-08.snappy.parquet").metadata.row_group(0).column(0).compression == "SNAPPY"


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path):
    a, b, c = (generate(tmp_path / name, seed=seed) for name, seed in [("a", 7), ("b", 7), ("c", 8)])
    for name in ("listeners.snappy.parquet", "spins-2019-02-08.snappy.parquet"):
        assert (a / name).read_bytes() == (b / name).read_bytes()
        assert (a / name).read_bytes() != (c / name).read_bytes()


def test_a_day_is_the_same_whether_generated_alone_or_in_a_range(tmp_path):
    alone = generate(tmp_path / "alone", start=datetime.date(2019, 2, 10), end=datetime.date(2019, 2, 10))
    in_range = generate(tmp_path / "range", start=datetime.date(2019, 2, 8), end=datetime.date(2019, 2, 10))
    name = "spins-2019-02-10.snappy.parquet"
    assert (alone / name).read_bytes() == (in_range / name).read_bytes()
    assert len(list(in_range.glob("spins-*"))) == 3


def test_value_sets_and_realistic_shape(tmp_path):
    out = generate(tmp_path)
    listeners = pq.read_table(out / "listeners.snappy.parquet").to_pandas()
    spins = pq.read_table(out / "spins-2019-02-08.snappy.parquet").to_pandas()

    assert listeners["fake_listener_id"].tolist() == list(range(1, 101))
    assert set(listeners["age"]) <= {"18-25", "26-40", "40-55", "65+"}
    assert set(listeners["gender"]) <= {"M", "F", "Unknown"}
    assert set(listeners["subscription_type"]) == {"Ad-supported", "Plus", "Premium", "Family"}
    assert set(listeners["country"]) == {"US"}
    assert listeners["fake_zipcode"].between(10000, 99999).all()

    assert len(spins) == 5000
    assert set(spins["play_source"]) == set(gen.PLAY_SOURCES)
    assert spins["elapsed_seconds"].between(0, 300).all()
    assert 0.07 < (spins["elapsed_seconds"] <= 30).mean() < 0.13
    times = spins["date_time"].dt.tz_convert("UTC")
    assert (times.dt.date == DAY).all() and times.dt.hour.nunique() == 24
    assert 0.015 < spins.duplicated().mean() < 0.025, "about 2% re-delivered events"
    assert (~spins["fake_listener_id"].isin(listeners["fake_listener_id"])).sum() > 0, "some unknown listeners"
    # an artist keeps its id, and a track its title
    assert spins.groupby("fake_artist_id")["artist_name"].nunique().max() == 1
    assert spins.groupby("fake_track_id")["track_title"].nunique().max() == 1
    assert spins["track_title"].str.contains('"').any(), "quotes that the TSV must keep verbatim"


def test_cli_rejects_an_end_before_the_start(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_info:
        gen.main(["--out", str(tmp_path), "--start", "2019-02-08", "--end", "2019-02-01"])
    assert exit_info.value.code == 2
    assert "before --start" in capsys.readouterr().err
