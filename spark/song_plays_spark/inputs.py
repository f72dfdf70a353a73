"""The job's inputs, read and checked: the same logical schema in any common physical form, and a clear refusal
of the rest before anything is written.

Accepted, and read into the types the job uses (SPINS_SCHEMA, LISTENERS_SCHEMA):
- integers (ids, seconds, zip codes) of any width, int8 to int64, as pandas (int64), DuckDB and Spark write them;
- date_time as a timestamp with or without a time zone, in ms, us or ns, or as INT96 (the original files):
  a time with a zone is reported in UTC; a time without one is a wall-clock time, reported as written;
- texts as string, large_string or dictionary-encoded, and any Parquet codec (snappy, gzip, zstd, none).
Refused, naming the column, what it is and what was expected: a missing column, a text id, a date_time that is
not a time. A listeners file that gives one id two different sets of attributes is refused too, naming the ids.
"""
from pyspark.errors import AnalysisException
from pyspark.sql import functions as F

from song_plays_spark.schema import LISTENERS_SCHEMA, SPINS_SCHEMA

INTEGERS = {"tinyint", "smallint", "int", "bigint"}
TIMES = {"timestamp", "timestamp_ntz"}
EXPECTED = {"int": "an integer (int8 to int64)", "string": "text",
            "timestamp": "a timestamp (with or without a time zone; ms, us or ns; or INT96)"}


class SchemaMismatchError(Exception):
    """An input lacks a column the job needs, or has it with a type that means something else."""


class ConflictingListenersError(Exception):
    """The listeners file gives one listener id two different sets of attributes."""


NANOS_AS_LONG = "spark.sql.legacy.parquet.nanosAsLong"


def read_parquet(spark, path):
    """spark.read.parquet(path), and whether its timestamps had to be read as nanoseconds since the epoch.

    Spark cannot read nanosecond timestamps (pandas' default) as timestamps. With spark.sql.legacy.parquet.
    nanosAsLong it reads them as integers, which conform() turns back into times. The file is first read with
    the setting off, so that an integer column is never taken for nanoseconds; then it stays on for the session,
    because Spark reads the file again when the job runs.
    """
    before = spark.conf.get(NANOS_AS_LONG, "false")
    spark.conf.set(NANOS_AS_LONG, "false")
    try:
        df = spark.read.parquet(str(path))
        df.dtypes  # the schema now (a Spark Connect client resolves it only when asked)
        return df, False
    except AnalysisException as error:
        if "NANOS" not in str(error):
            raise
    finally:
        spark.conf.set(NANOS_AS_LONG, before)
    spark.conf.set(NANOS_AS_LONG, "true")
    return spark.read.parquet(str(path)), True


def conform(df, expected, name, nanos=False):
    """df's expected columns, in order, in the job's types; every column that cannot mean that is named."""
    actual = dict(df.dtypes)
    columns, problems = [], []
    for column, kind in expected.items():
        found = actual.get(column)
        if found is None:
            problems.append(f"{column} is missing")
        elif found == kind:
            columns.append(F.col(column))
        elif kind == "int" and found in INTEGERS:
            columns.append(F.col(column).cast("int").alias(column))
        elif kind == "timestamp" and found in TIMES:
            # Without a zone, a time is read as written: the session's zone is UTC, and so is the report's.
            columns.append(F.col(column).cast("timestamp").alias(column))
        elif kind == "timestamp" and found == "bigint" and nanos:
            columns.append(F.timestamp_micros(F.floor(F.col(column) / 1000)).alias(column))
        else:
            problems.append(f"{column} is {found}, not {EXPECTED[kind]}")
    if problems:
        wanted = ", ".join(f"{column} {kind}" for column, kind in expected.items())
        raise SchemaMismatchError(f"{name}: {'; '.join(problems)}. Expected columns: {wanted}")
    return df.select(*columns)


def read_checked(spark, path, expected):
    """The Parquet file(s) at path (a glob too), checked, with only the expected columns, in their order."""
    df, nanos = read_parquet(spark, path)
    return conform(df, expected, path, nanos)


def read_spins(spark, path):
    return read_checked(spark, path, SPINS_SCHEMA)


def read_listeners(spark, path, shown=5):
    """The listeners, each id once. An id listed twice with the same attributes is harmless; with different
    ones, every spin of that listener would count twice, so the day fails, naming the ids."""
    listeners = read_checked(spark, path, LISTENERS_SCHEMA).distinct()
    conflicts = (listeners.where(F.col("fake_listener_id").isNotNull()).groupBy("fake_listener_id").count()
                 .where("count > 1").orderBy("fake_listener_id"))
    found = [row.fake_listener_id for row in conflicts.select("fake_listener_id").limit(shown + 1).collect()]
    if found:
        total = conflicts.count() if len(found) > shown else len(found)
        ids = ", ".join(map(str, found[:shown])) + (", ..." if total > shown else "")
        raise ConflictingListenersError(
            f"{path}: {total} listener id{'s are' if total > 1 else ' is'} listed more than once with different "
            f"attributes ({ids}). Each spin would count once per listing; fix the listeners file so that each id "
            "appears once.")
    return listeners
