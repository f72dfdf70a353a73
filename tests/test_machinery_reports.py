"""song_plays_spark on its own: the checked inputs and the single-file reports, in a real local Spark."""
import gzip

import pytest
from pyspark.sql import functions as F

from song_plays_spark import inputs, reports
from song_plays_spark.schema import LISTENERS_SCHEMA


def test_a_report_replaces_what_an_earlier_run_left_and_keeps_no_parts(spark, tmp_path):
    folder = tmp_path / "report"
    folder.mkdir()
    (folder / "part-00007.csv.gz").write_bytes(b"left by a crashed run")
    reports.write_single_tsv(spark.range(3).selectExpr("id", "'x' AS text"), str(folder))
    assert sorted(path.name for path in folder.iterdir()) == ["part-00000.csv.gz"]
    assert gzip.decompress((folder / "part-00000.csv.gz").read_bytes()).decode().splitlines()[0] == "id\ttext"


def test_a_file_uri_works_as_well_as_a_path(spark, tmp_path):
    reports.write_reports(spark.range(2).toDF("id"), spark.range(1).toDF("n"),
                          (tmp_path / "a").as_uri(), str(tmp_path / "b"))
    assert (tmp_path / "a/_SUCCESS").exists() and (tmp_path / "b/_SUCCESS").exists()
    assert gzip.decompress((tmp_path / "a/part-00000.csv.gz").read_bytes()) == b"id\n0\n1\n"


def test_a_failure_in_the_second_report_leaves_no_success_in_either_folder(spark, tmp_path):
    dataset_folder, counts_folder = tmp_path / "dataset", tmp_path / "counts"
    reports.write_reports(spark.range(1).toDF("id"), spark.range(1).toDF("n"), str(dataset_folder), str(counts_folder))
    failing = spark.range(1).select(F.coalesce(F.raise_error(F.lit("the disk is full")).cast("int"), F.lit(1)).alias("n"))
    with pytest.raises(Exception, match="the disk is full"):
        reports.write_reports(spark.range(1).toDF("id"), failing, str(dataset_folder), str(counts_folder))
    assert not (dataset_folder / "_SUCCESS").exists() and not (counts_folder / "_SUCCESS").exists()


def test_inputs_keep_only_the_columns_the_job_needs_in_their_order(spark, tmp_path):
    path = tmp_path / "listeners.parquet"
    spark.createDataFrame([(90210, "US", 1, "F", "26-40", "Plus", "extra")],
                          "fake_zipcode INT, country STRING, fake_listener_id INT, gender STRING, age STRING, "
                          "subscription_type STRING, favourite_colour STRING").write.parquet(str(path))
    assert inputs.read_listeners(spark, path).columns == list(LISTENERS_SCHEMA)


def test_an_input_with_a_wrong_type_names_the_column_and_what_was_expected(spark, tmp_path):
    path = tmp_path / "listeners.parquet"
    spark.createDataFrame([("1",)], "fake_listener_id STRING").write.parquet(str(path))
    with pytest.raises(inputs.SchemaMismatchError, match=r"fake_listener_id is string, not an integer \(int8 to int64\); age is missing"):
        inputs.read_listeners(spark, path)


def test_sparks_python_workers_run_this_python_not_the_first_python3_on_path(spark):
    """Where PATH's python3 is another minor version, workers of that Python fail with PYTHON_VERSION_MISMATCH."""
    import sys
    assert spark.sparkContext.parallelize([1], 1).map(lambda _: __import__("sys").executable).first() == sys.executable
