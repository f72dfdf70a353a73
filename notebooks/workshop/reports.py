"""The reports as a label reads them, and the job's rules again in pandas: the one reference that the
checkpoints, the tests and the benchmark (benchmarks/, DuckDB's SQL included) compare the job against.

It is written apart from the job on purpose: spark/dataset_gen.py is what the student writes, and this checks it.
"""
from pathlib import Path

from song_plays_spark.schema import COUNTS_COLUMNS, DATASET_COLUMNS, LISTENERS_SCHEMA, SPINS_SCHEMA

__all__ = ["COUNTS_COLUMNS", "DATASET_COLUMNS", "MIN_SPIN_SECONDS", "broken_rules", "read_report",
           "pandas_reports", "reference_spins", "same_rows"]

# Labels count plays longer than this many seconds (a play of exactly 30 is dropped).
MIN_SPIN_SECONDS = 30


def read_report(folder):
    """A report folder's single gzip TSV, as text, exactly as a label would receive it."""
    import pandas as pd
    parts = sorted(Path(folder).glob("part-*.csv.gz"))
    if len(parts) != 1:
        raise AssertionError(f"{folder} should hold exactly one part-*.csv.gz file, found {len(parts)}")
    return pd.read_csv(parts[0], sep="\t", dtype=str, keep_default_na=False, quoting=3)  # 3: no quoting


def reference_spins(spins):
    """The spins the job keeps, as a pandas DataFrame: longer than MIN_SPIN_SECONDS, each spin once."""
    return spins[spins["elapsed_seconds"] > MIN_SPIN_SECONDS].drop_duplicates()


def pandas_reports(spins_path, listeners_path):
    """The job's logic again, in pandas, formatted as the TSV files are: an independent check of Spark."""
    import pandas as pd
    spins = pd.read_parquet(spins_path)
    listeners = pd.read_parquet(listeners_path)
    stamps = spins["date_time"]
    if stamps.dt.tz is not None:
        stamps = stamps.dt.tz_convert("UTC").dt.tz_localize(None)
    spins = spins.assign(date_time=stamps.dt.strftime("%Y-%m-%d %H:%M:%S"))
    # distinct() again after the join: a listener listed twice, exactly, would otherwise double its spins.
    dataset = reference_spins(spins).merge(listeners, on="fake_listener_id", how="inner").drop_duplicates()
    dataset = dataset[DATASET_COLUMNS]
    texts = [column for schema in (SPINS_SCHEMA, LISTENERS_SCHEMA) for column, kind in schema.items()
             if kind == "string"]
    for column in texts:
        dataset[column] = dataset[column].str.replace(r"[\t\r\n]", " ", regex=True)  # as the TSV writer does
    counts = (dataset.groupby(["fake_zipcode", "subscription_type"]).size().rename("spins").reset_index()
              .sort_values(["fake_zipcode", "subscription_type"]))
    return as_text(dataset), as_text(counts)


def as_text(df):
    """Every cell as the TSV writes it: missing values are empty fields."""
    return df.astype(str).mask(df.isna(), "").reset_index(drop=True)


def broken_rules(dataset):
    """How many of a dataset's rows break each of the job's rules, e.g. {"without a listener": 27}: only the rules
    broken. dataset: pandas, with DATASET_COLUMNS, as Spark's toPandas() or read_report gives it (text)."""
    import pandas as pd
    listener_columns = [column for column in LISTENERS_SCHEMA if column != "fake_listener_id"]
    missing = dataset[listener_columns].isna() | (dataset[listener_columns].astype(str) == "")
    found = {"without a listener": missing.all(axis=1).sum(),
             f"of {MIN_SPIN_SECONDS} seconds or less":
                 (pd.to_numeric(dataset["elapsed_seconds"]) <= MIN_SPIN_SECONDS).sum(),
             "copies of another row": dataset.astype(str).duplicated().sum()}
    return {rule: int(rows) for rule, rows in found.items() if rows}


def same_rows(actual, expected):
    """Equal as multisets of rows, in the same column order (Spark does not keep row order)."""
    if list(actual.columns) != list(expected.columns):
        return False
    by_all = list(expected.columns)
    return actual.sort_values(by_all).reset_index(drop=True).equals(expected.sort_values(by_all).reset_index(drop=True))
