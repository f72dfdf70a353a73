"""Section 2's PySpark job, function by function: the Scala original's four cases and the edges.

Notebook 02 runs this file as its last checkpoint.
"""
import gzip
import subprocess
import zlib

import pandas as pd
import pytest
from pyspark.testing import assertDataFrameEqual

import dataset_gen
from song_plays_spark.reports import write_single_tsv

SPIN_COLUMNS = "fake_artist_id INT, artist_name STRING, fake_track_id INT, track_title STRING, " \
               "date_time TIMESTAMP, elapsed_seconds INT, play_source STRING, fake_listener_id INT"
LISTENER_COLUMNS = "fake_listener_id INT, age STRING, gender STRING, subscription_type STRING, " \
                   "country STRING, fake_zipcode INT"


def spins(spark, *rows):
    """Spins that differ only where a test says: (listener id, elapsed seconds[, track id])."""
    full = [(1, "Artist", row[2] if len(row) > 2 else 10, "Title", None, row[1], "Station", row[0]) for row in rows]
    return spark.createDataFrame(full, SPIN_COLUMNS)


def listeners(spark, *ids):
    return spark.createDataFrame([(i, "26-40", "F", "Plus", "US", 90210) for i in ids], LISTENER_COLUMNS)


# The Scala original's four cases.

def test_count_spins_by_zip_and_subscription(spark):
    df = spark.createDataFrame([(90210, "Family"), (90210, "Family"), (90210, "Ad-Supported")],
                               "fake_zipcode INT, subscription_type STRING")
    expected = spark.createDataFrame([(90210, "Ad-Supported", 1), (90210, "Family", 2)],
                                     "fake_zipcode INT, subscription_type STRING, spins BIGINT")
    assertDataFrameEqual(dataset_gen.count_spins_by_sub(df), expected, checkRowOrder=True)


def test_filter_drops_2_seconds_and_keeps_128(spark):
    kept = dataset_gen.filter_on_spin_time(spins(spark, (1, 2), (1, 128)))
    assertDataFrameEqual(kept, spins(spark, (1, 128)))


def test_validate_passes_11_of_10():
    dataset_gen.validate(11, 10)


def test_validate_fails_1_of_10_and_keeps_both_numbers():
    with pytest.raises(dataset_gen.FailedValidationError, match=r"^1 rows < minimum 10$"):
        dataset_gen.validate(1, 10)


# Edges.

def test_filter_is_strict_30_dropped_31_kept(spark):
    kept = dataset_gen.filter_on_spin_time(spins(spark, (1, 30), (1, 31)))
    assertDataFrameEqual(kept, spins(spark, (1, 31)))


def test_exact_duplicates_collapse_but_different_spins_stay(spark):
    dataset = dataset_gen.build_dataset(spins(spark, (1, 60), (1, 60), (1, 61)), listeners(spark, 1))
    assert sorted(row.elapsed_seconds for row in dataset.collect()) == [60, 61]


def test_a_spin_whose_listener_is_unknown_is_dropped(spark):
    dataset = dataset_gen.build_dataset(spins(spark, (1, 60), (2, 60)), listeners(spark, 1))
    assert [row.fake_listener_id for row in dataset.collect()] == [1]
    assert dataset.columns == dataset_gen.DATASET_COLUMNS


def test_a_listener_listed_twice_does_not_double_its_spins(spark):
    dataset = dataset_gen.build_dataset(spins(spark, (1, 60)), listeners(spark, 1, 1))
    assert dataset.count() == 1


def gzip_members(data):
    """How many gzip members follow each other in data."""
    members = 0
    while data:
        inflater = zlib.decompressobj(wbits=31)
        inflater.decompress(data)
        data, members = inflater.unused_data, members + 1
    return members


def test_a_report_written_in_parallel_parts_reads_back_as_one_file(spark, tmp_path):
    rows = spark.range(10_000).selectExpr("id", "concat('title ', id) AS title").repartition(4)
    folder = tmp_path / "report"
    write_single_tsv(rows, str(folder))

    assert sorted(path.name for path in folder.iterdir() if not path.name.startswith(".")) == ["part-00000.csv.gz"]
    report = folder / "part-00000.csv.gz"
    assert gzip_members(report.read_bytes()) == 5  # the header, then one member per part
    subprocess.run(["gzip", "--test", str(report)], check=True)
    lines = gzip.decompress(report.read_bytes()).decode().splitlines()
    assert lines[0] == "id\ttitle" and len(lines) == 10_001
    assert sorted(int(line.split("\t")[0]) for line in lines[1:]) == list(range(10_000))
    assert pd.read_csv(report, sep="\t")["id"].sort_values().tolist() == list(range(10_000))
    read_back = spark.read.options(header=True, sep="\t").csv(str(folder))
    assert read_back.columns == ["id", "title"] and read_back.count() == 10_000


def test_validate_passes_at_exactly_the_minimum():
    dataset_gen.validate(10, 10)


@pytest.mark.parametrize("bad", [
    [],
    ["--day", "2019-02-30"],
    ["--minrows", "-1"],
    ["--minrows", "ten"],
])
def test_a_missing_or_malformed_flag_is_a_usage_error(bad, capsys):
    good = {"--day": "2019-02-08", "--minrows": "100", "--listeners_path": "l", "--spins_path": "s",
            "--dataset_out_path": "d", "--analysis_out_path": "a"}
    argv = [item for flag, value in good.items() if flag not in bad for item in (flag, value)] + bad
    if not bad:
        argv = argv[2:]  # drop --day
    with pytest.raises(SystemExit) as exit_info:
        dataset_gen.parse_args(argv)
    assert exit_info.value.code == 2
    assert "usage: dataset_gen.py" in capsys.readouterr().err
