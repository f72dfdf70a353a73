"""The job's inputs, read and checked: a file that lacks a column, or has it with another type, stops the job
before anything is written, with a message that names the column and lists what was expected."""
from song_plays_spark.schema import LISTENERS_SCHEMA, SPINS_SCHEMA


class SchemaMismatchError(Exception):
    """An input lacks a column the job needs, or has it with another type."""


def check_schema(df, expected, name):
    actual = dict(df.dtypes)
    problems = [f"{column} is missing" if column not in actual else f"{column} is {actual[column]}, not {kind}"
                for column, kind in expected.items() if actual.get(column) != kind]
    if problems:
        wanted = ", ".join(f"{column} {kind}" for column, kind in expected.items())
        raise SchemaMismatchError(f"{name}: {'; '.join(problems)}. Expected columns: {wanted}")


def read_checked(spark, path, expected):
    """The Parquet file(s) at path (a glob too), checked, with only the expected columns, in their order."""
    df = spark.read.parquet(str(path))
    check_schema(df, expected, path)
    return df.select(*expected)


def read_spins(spark, path):
    return read_checked(spark, path, SPINS_SCHEMA)


def read_listeners(spark, path):
    return read_checked(spark, path, LISTENERS_SCHEMA)
