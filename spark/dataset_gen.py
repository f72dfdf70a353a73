"""The song plays daily job: spins joined to listeners, and spins per zip code and subscription.

    spark-submit --py-files build/song_plays_spark.zip spark/dataset_gen.py --day 2019-02-08 --minrows 100 \
        --listeners_path data/listeners/listeners.snappy.parquet \
        --spins_path data/spins/2019/02/08/spins.snappy.parquet \
        --dataset_out_path data/output/2019/02/08/dataset \
        --analysis_out_path data/output/2019/02/08/counts_by_zip_sub

Each output folder gets one gzip TSV file with a header, then a _SUCCESS file once both reports are whole.
"""
import argparse
import datetime

from pyspark.sql import SparkSession
from pyspark.sql import functions as F

from song_plays_spark.inputs import read_listeners, read_spins
from song_plays_spark.reports import write_reports
from song_plays_spark.schema import DATASET_COLUMNS

MIN_SPIN_SECONDS = 30


def day(text):
    return datetime.date.fromisoformat(text)


def non_negative_int(text):
    value = int(text)
    if value < 0:
        raise ValueError(text)
    return value


def parse_args(argv=None):
    """The Scala job's six flags, all required. A bad one exits 2 before Spark starts."""
    parser = argparse.ArgumentParser(prog="dataset_gen.py", description="Build one day's song plays reports.")
    parser.add_argument("--day", required=True, type=day, help="the day, YYYY-MM-DD")
    parser.add_argument("--minrows", required=True, type=non_negative_int,
                        help="fail unless the dataset has at least this many rows")
    parser.add_argument("--listeners_path", required=True, help="listeners Parquet file")
    parser.add_argument("--spins_path", required=True, help="spins Parquet file, or a glob such as data/spins/2019/02/*")
    parser.add_argument("--dataset_out_path", required=True, help="folder for the joined dataset")
    parser.add_argument("--analysis_out_path", required=True, help="folder for the counts by zip and subscription")
    return parser.parse_args(argv)


def filter_on_spin_time(spins):
    """Labels only count plays longer than 30 seconds."""
    return spins.where(F.col("elapsed_seconds") > MIN_SPIN_SECONDS)


def build_dataset(spins, listeners):
    """Counted spins with their listener's attributes; a spin delivered twice appears once.

    distinct() runs before the join: the rows are the same as deduplicating after it,
    but the shuffle it needs carries the spins' 8 columns instead of all 13.
    """
    unique_spins = filter_on_spin_time(spins).distinct()
    return unique_spins.join(listeners.distinct(), "fake_listener_id").select(*DATASET_COLUMNS)


def count_spins_by_sub(df):
    return (df.groupBy("fake_zipcode", "subscription_type")
            .agg(F.count(F.lit(1)).alias("spins"))
            .orderBy("fake_zipcode", "subscription_type"))


class FailedValidationError(Exception):
    """The day is too small to report on. Raised before anything is written."""


def validate(num_rows, minrows):
    if num_rows < minrows:
        raise FailedValidationError(f"{num_rows} rows < minimum {minrows}")


def run(spark, args):
    dataset = build_dataset(read_spins(spark, args.spins_path), read_listeners(spark, args.listeners_path))
    # The counts are used twice: their sum is the row count to validate, then they are written.
    counts = count_spins_by_sub(dataset).persist()
    try:
        num_rows = counts.agg(F.sum("spins")).first()[0] or 0
        validate(num_rows, args.minrows)
        write_reports(dataset, counts, args.dataset_out_path, args.analysis_out_path)
    finally:
        counts.unpersist()  # also when validation fails in a long-lived session (notebook 02)
    return num_rows


def main(argv=None):
    args = parse_args(argv)
    # Times are reported in UTC. Tuning comes from spark-submit: luigi.cfg (memory), spark/conf (the rest).
    spark = (SparkSession.builder.appName(f"dataset_gen {args.day}")
             .config("spark.sql.session.timeZone", "UTC").getOrCreate())
    try:
        num_rows = run(spark, args)
        print(f"{args.day}: wrote {num_rows} rows to {args.dataset_out_path} and counts to {args.analysis_out_path}")
    finally:
        spark.stop()


if __name__ == "__main__":
    main()
