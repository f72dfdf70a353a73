"""The same day in every common physical form gives the same reports; what cannot mean the same is refused.

The forms are written by the tools instructors use: pandas with its defaults, pyarrow, DuckDB and Spark. Each is
the generator's day, so each must give exactly the generator's reports.
"""
import argparse
import datetime
import gzip
import shutil

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from luigi.execution_summary import LuigiStatusCode

import dataset_gen
from song_plays_ops import generate_fake_data as gen
from song_plays_spark.inputs import ConflictingListenersError, SchemaMismatchError
from workshop import DataServer, build

DAY = datetime.date(2019, 2, 8)
SPINS, LISTENERS = gen.SPINS_FILE.format(day=DAY), gen.LISTENERS_FILE


def retyped(table, **types):
    schema = table.schema
    for name, kind in types.items():
        schema = schema.set(schema.get_field_index(name), pa.field(name, kind))
    # Unsafe only so that ms may drop the microseconds (the reports show whole seconds); no integer overflows.
    assert all(pc.max(table[name]).as_py() < 2 ** (kind.bit_width - 1) for name, kind in types.items()
               if pa.types.is_integer(kind)), "a value does not fit that width"
    return table.cast(schema, safe=False)


def naive(table):
    """date_time as the wall-clock time in UTC, with no zone: what pandas and pyarrow write by default."""
    return retyped(table, date_time=pa.timestamp("us"))


def texts(table, kind):
    return retyped(table, **{field.name: kind for field in table.schema if field.type == pa.string()})


def dictionary_texts(table):
    for index, field in enumerate(table.schema):
        if field.type == pa.string():
            table = table.set_column(index, field.name, pc.dictionary_encode(table[field.name]))
    return table


def with_pandas(spins, listeners, folder, keep_zone):
    """pandas' defaults: int64 ids (from Python ints), nanosecond timestamps, object strings, snappy."""
    import pandas as pd
    spins_df = pd.DataFrame(spins.to_pylist())
    if not keep_zone:
        spins_df["date_time"] = spins_df["date_time"].dt.tz_convert("UTC").dt.tz_localize(None)
    assert str(spins_df["fake_listener_id"].dtype) == "int64" and "ns" in str(spins_df["date_time"].dtype)
    spins_df.to_parquet(folder / SPINS)
    pd.DataFrame(listeners.to_pylist()).to_parquet(folder / LISTENERS)


def with_duckdb(spins, listeners, folder, time_type):
    import duckdb
    connection = duckdb.connect()
    connection.execute("SET TimeZone = 'UTC'")
    connection.register("spins_in", spins)
    connection.register("listeners_in", listeners)
    connection.execute(f"""COPY (SELECT fake_artist_id::BIGINT AS fake_artist_id, artist_name, fake_track_id::BIGINT
        AS fake_track_id, track_title, date_time::{time_type} AS date_time, elapsed_seconds::BIGINT AS elapsed_seconds,
        play_source, fake_listener_id::BIGINT AS fake_listener_id FROM spins_in) TO '{folder / SPINS}' (FORMAT parquet)""")
    connection.execute(f"COPY (SELECT fake_listener_id::BIGINT AS fake_listener_id, age, gender, subscription_type, "
                       f"country, fake_zipcode::BIGINT AS fake_zipcode FROM listeners_in) TO '{folder / LISTENERS}' (FORMAT parquet)")
    connection.close()


def with_pyarrow(spins, listeners, folder, **options):
    pq.write_table(spins, folder / SPINS, **options)
    pq.write_table(listeners, folder / LISTENERS, **options)


def with_spark(spark, spins_path, listeners_path, folder, ntz):
    from pyspark.sql import functions as F
    for source, name in ((spins_path, SPINS), (listeners_path, LISTENERS)):
        df = spark.read.parquet(str(source))
        if ntz and "date_time" in df.columns:
            df = df.withColumn("date_time", F.col("date_time").cast("timestamp_ntz"))
        df.coalesce(1).write.parquet(str(folder / "spark-out"))
        [part] = (folder / "spark-out").glob("part-*.parquet")
        part.rename(folder / name)
        shutil.rmtree(folder / "spark-out")


FORMS = {
    "pandas defaults: int64 ids, naive ns timestamps": lambda s, l, f: with_pandas(s, l, f, keep_zone=False),
    "pandas: ns timestamps with a zone": lambda s, l, f: with_pandas(s, l, f, keep_zone=True),
    "pyarrow defaults: naive us timestamps": lambda s, l, f: with_pyarrow(naive(s), l, f),
    "pyarrow: int8 listener ids, int16 seconds": lambda s, l, f: with_pyarrow(
        retyped(s, elapsed_seconds=pa.int16(), fake_listener_id=pa.int8()), retyped(l, fake_listener_id=pa.int8()), f),
    "pyarrow: int64 everywhere": lambda s, l, f: with_pyarrow(
        retyped(s, fake_artist_id=pa.int64(), fake_track_id=pa.int64(), elapsed_seconds=pa.int64(), fake_listener_id=pa.int64()),
        retyped(l, fake_listener_id=pa.int64(), fake_zipcode=pa.int64()), f),
    "pyarrow: ms timestamps with a zone": lambda s, l, f: with_pyarrow(retyped(s, date_time=pa.timestamp("ms", tz="UTC")), l, f),
    "pyarrow: naive ms timestamps": lambda s, l, f: with_pyarrow(retyped(s, date_time=pa.timestamp("ms")), l, f),
    "pyarrow: ns timestamps with a zone": lambda s, l, f: with_pyarrow(retyped(s, date_time=pa.timestamp("ns", tz="UTC")), l, f),
    "pyarrow: INT96 timestamps (the original files)": lambda s, l, f: with_pyarrow(s, l, f, use_deprecated_int96_timestamps=True),
    "pyarrow: large_string texts": lambda s, l, f: with_pyarrow(texts(s, pa.large_string()), texts(l, pa.large_string()), f),
    "pyarrow: dictionary-encoded texts": lambda s, l, f: with_pyarrow(dictionary_texts(s), dictionary_texts(l), f),
    "pyarrow: gzip": lambda s, l, f: with_pyarrow(s, l, f, compression="gzip"),
    "pyarrow: zstd": lambda s, l, f: with_pyarrow(s, l, f, compression="zstd"),
    "pyarrow: no compression": lambda s, l, f: with_pyarrow(s, l, f, compression="none"),
    "DuckDB COPY: BIGINT ids, naive TIMESTAMP": lambda s, l, f: with_duckdb(s, l, f, "TIMESTAMP"),
    "DuckDB COPY: TIMESTAMPTZ": lambda s, l, f: with_duckdb(s, l, f, "TIMESTAMPTZ"),
}
SPARK_FORMS = {"Spark: timestamp": False, "Spark: timestamp_ntz": True}


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """The generator's day: its files, as pyarrow tables too."""
    remote = gen.generate(tmp_path_factory.mktemp("reference"), DAY, DAY, 600, 40, 2019, log=lambda line: None)
    return remote, pq.read_table(remote / SPINS), pq.read_table(remote / LISTENERS)


def job_args(folder, out, minrows=1):
    return argparse.Namespace(day=DAY, minrows=minrows, spins_path=str(folder / SPINS),
                              listeners_path=str(folder / LISTENERS),
                              dataset_out_path=str(out / "dataset"), analysis_out_path=str(out / "counts_by_zip_sub"))


def report_text(out):
    """The reports as a label reads them: the dataset's rows sorted (Spark keeps no row order), the counts as is."""
    dataset = gzip.decompress((out / "dataset/part-00000.csv.gz").read_bytes()).decode().splitlines()
    counts = gzip.decompress((out / "counts_by_zip_sub/part-00000.csv.gz").read_bytes()).decode()
    return [dataset[0], *sorted(dataset[1:])], counts


@pytest.fixture(scope="module")
def reference_reports(reference, spark, tmp_path_factory):
    out = tmp_path_factory.mktemp("reference-out")
    dataset_gen.run(spark, job_args(reference[0], out))
    return report_text(out)


def write_form(form, reference, folder, spark=None):
    remote, spins, listeners = reference
    folder.mkdir(parents=True, exist_ok=True)
    if form in SPARK_FORMS:
        with_spark(spark, remote / SPINS, remote / LISTENERS, folder, ntz=SPARK_FORMS[form])
    else:
        FORMS[form](spins, listeners, folder)
    return folder


@pytest.mark.parametrize("form", [*FORMS, *SPARK_FORMS])
def test_every_form_gives_the_reference_reports(form, reference, reference_reports, spark, tmp_path):
    folder = write_form(form, reference, tmp_path / "in", spark)
    dataset_gen.run(spark, job_args(folder, tmp_path / "out"))
    assert report_text(tmp_path / "out") == reference_reports


@pytest.mark.slow
def test_a_form_served_over_http_gives_the_reference_reports_through_datasetgen(
        reference, reference_reports, spark, tmp_path, monkeypatch):
    """The whole pipeline, for the form instructors most often make (pandas' defaults): luigi.build runs the
    downloads and DatasetGen's spark-submit. The download copies bytes and does not depend on the form, so the
    other forms are proven through the job's functions above."""
    form = "pandas defaults: int64 ids, naive ns timestamps"
    import song_plays_tasks as tasks
    folder = write_form(form, reference, tmp_path / "remote", spark)
    with DataServer(folder) as server:
        monkeypatch.setenv("SONG_PLAYS_DATA_URL", server.url)
        monkeypatch.setenv("SONG_PLAYS_DATA_DIR", str(tmp_path / "data"))
        for variable in ("SONG_PLAYS_SPINS_URL", "SONG_PLAYS_LISTENERS_URL"):
            monkeypatch.delenv(variable, raising=False)
        result = build(tasks.DatasetGen(date=DAY))
    assert result.status == LuigiStatusCode.SUCCESS
    assert report_text(tmp_path / "data/output/2019/02/08") == reference_reports


@pytest.mark.parametrize("change, complaint", [
    (lambda s: retyped(s, fake_listener_id=pa.string()), "fake_listener_id is string, not an integer (int8 to int64)"),
    (lambda s: retyped(s, date_time=pa.string()), "date_time is string, not a timestamp"),
    (lambda s: s.set_column(4, "date_time", pc.cast(pc.cast(s["date_time"], pa.timestamp("us")), pa.date32())),
     "date_time is date, not a timestamp"),
    (lambda s: s.set_column(4, "date_time", pa.array([1.5] * len(s))), "date_time is double, not a timestamp"),
    (lambda s: s.drop_columns(["play_source"]), "play_source is missing"),
])
def test_a_form_that_means_something_else_is_refused_naming_the_column_and_nothing_is_written(
        change, complaint, reference, spark, tmp_path):
    remote, spins, listeners = reference
    (tmp_path / "in").mkdir()
    with_pyarrow(change(spins), listeners, tmp_path / "in")
    with pytest.raises(SchemaMismatchError) as error:
        dataset_gen.run(spark, job_args(tmp_path / "in", tmp_path / "out"))
    assert complaint in str(error.value) and "Expected columns:" in str(error.value)
    assert not (tmp_path / "out").exists()


def test_a_listener_listed_twice_with_other_attributes_fails_the_day_naming_it(reference, spark, tmp_path):
    remote, spins, listeners = reference
    rows = listeners.to_pylist()
    changed = [{**rows[2], "subscription_type": "Family" if rows[2]["subscription_type"] != "Family" else "Plus"},
               {**rows[7], "fake_zipcode": rows[7]["fake_zipcode"] + 1}]
    (tmp_path / "in").mkdir()
    with_pyarrow(spins, pa.Table.from_pylist(rows + changed + rows[:5], schema=listeners.schema), tmp_path / "in")
    with pytest.raises(ConflictingListenersError) as error:
        dataset_gen.run(spark, job_args(tmp_path / "in", tmp_path / "out"))
    ids = sorted([rows[2]["fake_listener_id"], rows[7]["fake_listener_id"]])
    assert f"2 listener ids are listed more than once with different attributes ({ids[0]}, {ids[1]})" in str(error.value)
    assert not (tmp_path / "out").exists()


def test_a_listener_listed_twice_exactly_is_harmless(reference, reference_reports, spark, tmp_path):
    remote, spins, listeners = reference
    (tmp_path / "in").mkdir()
    with_pyarrow(spins, pa.concat_tables([listeners, listeners.slice(0, 10)]), tmp_path / "in")
    dataset_gen.run(spark, job_args(tmp_path / "in", tmp_path / "out"))
    assert report_text(tmp_path / "out") == reference_reports
