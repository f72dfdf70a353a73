"""The song plays daily job: spins joined to listeners, and spins per zip code and subscription.

    spark-submit spark/dataset_gen.py --day 2019-02-08 --minrows 100 \
        --listeners_path data/listeners/listeners.snappy.parquet \
        --spins_path data/spins/2019/02/08/spins.snappy.parquet \
        --dataset_out_path data/output/2019/02/08/dataset \
        --analysis_out_path data/output/2019/02/08/counts_by_zip_sub

Each output folder gets one gzip TSV file with a header, then a _SUCCESS
file once both reports are whole.
"""
import argparse
import datetime
import gzip

from pyspark.sql import SparkSession
from pyspark.sql import functions as F

MIN_SPIN_SECONDS = 30
DATASET_COLUMNS = [
    "fake_listener_id", "fake_artist_id", "artist_name", "fake_track_id", "track_title", "date_time",
    "elapsed_seconds", "play_source", "age", "gender", "subscription_type", "country", "fake_zipcode",
]
COUNTS_COLUMNS = ["fake_zipcode", "subscription_type", "spins"]
# What the job needs from its inputs (Spark's type names); other columns are ignored.
SPINS_SCHEMA = {"fake_artist_id": "int", "artist_name": "string", "fake_track_id": "int", "track_title": "string",
                "date_time": "timestamp", "elapsed_seconds": "int", "play_source": "string", "fake_listener_id": "int"}
LISTENERS_SCHEMA = {"fake_listener_id": "int", "age": "string", "gender": "string", "subscription_type": "string",
                    "country": "string", "fake_zipcode": "int"}


class FailedValidationError(Exception):
    """The day is too small to report on. Raised before anything is written."""


class SchemaMismatchError(Exception):
    """An input lacks a column the job needs, or has it with another type."""


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


def count_spins_by_sub(df):
    return (df.groupBy("fake_zipcode", "subscription_type")
            .agg(F.count(F.lit(1)).alias("spins"))
            .orderBy("fake_zipcode", "subscription_type"))


def validate(num_rows, minrows):
    if num_rows < minrows:
        raise FailedValidationError(f"{num_rows} rows < minimum {minrows}")


def check_schema(df, expected, name):
    actual = dict(df.dtypes)
    problems = [f"{column} is missing" if column not in actual else f"{column} is {actual[column]}, not {kind}"
                for column, kind in expected.items() if actual.get(column) != kind]
    if problems:
        wanted = ", ".join(f"{column} {kind}" for column, kind in expected.items())
        raise SchemaMismatchError(f"{name}: {'; '.join(problems)}. Expected columns: {wanted}")


def build_dataset(spins, listeners):
    """Counted spins with their listener's attributes; re-delivered events appear once.

    distinct() runs before the join: the rows are the same as deduplicating after it,
    but the shuffle it needs carries the spins' 8 columns instead of all 13.
    """
    unique_spins = filter_on_spin_time(spins).select(*SPINS_SCHEMA).distinct()
    unique_listeners = listeners.select(*LISTENERS_SCHEMA).distinct()
    return unique_spins.join(unique_listeners, "fake_listener_id").select(*DATASET_COLUMNS)


# Tab-separated and gzip-compressed. Quoting is off (an empty quote character),
# so a title such as Song for "Ana" is written as it is, and a missing value is
# an empty field. The header is added once, by write_single_tsv.
TSV_OPTIONS = {
    "header": "false",
    "sep": "\t",
    "compression": "gzip",
    "quote": "",
    "escapeQuotes": "false",
    "nullValue": "",
    "emptyValue": "",
    "timestampFormat": "yyyy-MM-dd HH:mm:ss",
}


def hadoop_path(spark, path):
    """The Hadoop file system and path, so the job works on a local disk and on HDFS or S3 alike."""
    jpath = spark._jvm.org.apache.hadoop.fs.Path(str(path))
    return jpath.getFileSystem(spark._jsc.hadoopConfiguration()), jpath


def join_gzip_members(spark, header, part_files, target):
    """Write header, then each part file's bytes, into target (atomically, through a rename).

    A gzip file may hold several compressed members in a row; gzip, pandas and Spark read
    them back as one stream. So the parts are joined as they are, with no second compression.
    """
    fs, target_path = hadoop_path(spark, target)
    _, partial_path = hadoop_path(spark, f"{target}._partial")
    out = fs.create(partial_path, True)
    try:
        out.write(bytearray(gzip.compress(header.encode(), mtime=0)))
        for part in part_files:
            source = fs.open(part)
            try:
                spark._jvm.org.apache.hadoop.io.IOUtils.copyBytes(source, out, 1 << 20, False)
            finally:
                source.close()
    finally:
        out.close()
    fs.rename(partial_path, target_path)


def tsv_safe_text(column):
    """The text with each tab and line break made a space; with quoting off they would split a field or a row.

    translate() decodes every text and looks up each character. Most texts have no break to replace,
    and contains() only compares bytes, so only the texts that have one are translated.
    """
    text = F.col(column)
    has_break = text.contains("\t") | text.contains("\r") | text.contains("\n")
    return F.when(has_break, F.translate(column, "\t\r\n", "   ")).otherwise(text).alias(column)


def write_single_tsv(spark, df, folder):
    """One gzip TSV file with a header, in folder/part-00000.csv.gz.

    Every task gzips its own part in parallel (one task gzipping everything was the job's
    slowest step), then the parts become one file. Without quoting, a tab or line break
    inside a text would split a field or a row, so each becomes a space.
    """
    safe = df.select(*[tsv_safe_text(column) if kind == "string" else column for column, kind in df.dtypes])
    fs, folder_path = hadoop_path(spark, folder)
    fs.delete(folder_path, True)  # a report from an earlier run must not linger beside the new one
    parts_folder = f"{folder}/_parts"  # Spark and pandas readers skip names starting with _
    safe.write.options(**TSV_OPTIONS).csv(parts_folder)
    _, parts_path = hadoop_path(spark, parts_folder)
    part_files = sorted((status.getPath() for status in fs.listStatus(parts_path)
                         if status.getPath().getName().startswith("part-")), key=lambda path: path.getName())
    join_gzip_members(spark, "\t".join(df.columns) + "\n", part_files, f"{folder}/part-00000.csv.gz")
    fs.delete(parts_path, True)


def set_success_marker(spark, folder, present):
    fs, marker = hadoop_path(spark, f"{folder}/_SUCCESS")
    if present:
        fs.create(marker, True).close()
    else:
        fs.delete(marker, False)


def write_reports(spark, dataset, counts, dataset_out_path, analysis_out_path):
    """Write both reports; only then mark each folder _SUCCESS, so a crash never looks finished."""
    folders = [dataset_out_path, analysis_out_path]
    spark._jsc.hadoopConfiguration().set("mapreduce.fileoutputcommitter.marksuccessfuljobs", "false")
    for folder in folders:
        set_success_marker(spark, folder, present=False)
    write_single_tsv(spark, dataset, dataset_out_path)
    write_single_tsv(spark, counts, analysis_out_path)
    for folder in folders:
        set_success_marker(spark, folder, present=True)


def run(spark, args):
    spins = spark.read.parquet(args.spins_path)
    listeners = spark.read.parquet(args.listeners_path)
    check_schema(spins, SPINS_SCHEMA, args.spins_path)
    check_schema(listeners, LISTENERS_SCHEMA, args.listeners_path)
    dataset = build_dataset(spins, listeners)
    # The counts are few rows and used twice (their sum is the dataset's row count, then they are
    # written), so persist them. The dataset is computed again for its own write: caching millions
    # of rows measured slower than computing them twice (benchmarks/README.md).
    counts = count_spins_by_sub(dataset).persist()
    try:
        num_rows = counts.agg(F.sum("spins")).first()[0] or 0
        validate(num_rows, args.minrows)
        write_reports(spark, dataset, counts, args.dataset_out_path, args.analysis_out_path)
    finally:
        counts.unpersist()  # also when validation fails in a long-lived session (notebook 02)
    return num_rows


def main(argv=None):
    args = parse_args(argv)
    spark = (SparkSession.builder
             .appName(f"dataset_gen {args.day}")
             # Adaptive execution merges the 32 shuffle partitions into about 16 MB each: one task
             # for a small day, and hash tables that fit a 1 GB driver at 10 million spins.
             .config("spark.sql.shuffle.partitions", "32")
             .config("spark.sql.adaptive.advisoryPartitionSizeInBytes", "16m")
             # ...also inside the persisted counts, whose query would otherwise run all 32.
             .config("spark.sql.optimizer.canChangeCachedPlanOutputPartitioning", "true")
             # Re-delivered spins are about 2% of a day: a pre-shuffle distinct would shrink
             # almost nothing, so go straight to the shuffle. The setting covers every aggregation,
             # the counts' grouping too, and the whole job still measured faster with it (benchmarks/README.md).
             .config("spark.sql.execution.bypassPartialAggregation", "true")
             .config("spark.sql.session.timeZone", "UTC")
             .getOrCreate())
    try:
        num_rows = run(spark, args)
        print(f"{args.day}: wrote {num_rows} rows to {args.dataset_out_path} and counts to {args.analysis_out_path}")
    finally:
        spark.stop()


if __name__ == "__main__":
    main()
