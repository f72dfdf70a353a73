"""The song plays job written again in DuckDB, to measure the Spark job against.

It takes the Spark job's six flags and writes the same reports: folder/part-00000.csv.gz (one gzip TSV
file with a header, nothing quoted, missing values empty, tabs and line breaks in texts made spaces)
and folder/_SUCCESS once both are written. Only the command line is shared with spark/dataset_gen.py;
the logic is SQL, so the two check each other.

    python benchmarks/duckdb_dataset_gen.py --day 2019-02-08 --minrows 100 --listeners_path ... \
        --spins_path ... --dataset_out_path ... --analysis_out_path ...
"""
import shutil
import sys
from pathlib import Path

import duckdb

from dataset_gen import parse_args  # the flags only
from song_plays_spark.schema import DATASET_COLUMNS
from workshop.reports import MIN_SPIN_SECONDS  # the one reference's rule

TEXT_COLUMNS = {"artist_name", "track_title", "play_source", "age", "gender", "subscription_type", "country"}
TSV = "HEADER, DELIMITER '\t', QUOTE '', NULLSTR '', COMPRESSION gzip, TIMESTAMPFORMAT '%Y-%m-%d %H:%M:%S'"


def as_written(column):
    return f"translate({column}, chr(9) || chr(13) || chr(10), '   ') AS {column}" if column in TEXT_COLUMNS else column


def write_report(con, query, folder):
    folder = Path(folder)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    con.execute(f"COPY ({query}) TO '{folder / 'part-00000.csv.gz'}' ({TSV})")


def main(argv=None):
    args = parse_args(argv)
    con = duckdb.connect()
    con.execute("SET threads = 2")
    con.execute("SET TimeZone = 'UTC'")
    con.execute(f"""
        CREATE TEMP TABLE dataset AS
        SELECT DISTINCT {', '.join(DATASET_COLUMNS)}
        FROM read_parquet('{args.spins_path}') AS spins
        JOIN read_parquet('{args.listeners_path}') AS listeners USING (fake_listener_id)
        WHERE elapsed_seconds > {MIN_SPIN_SECONDS}""")
    num_rows = con.execute("SELECT count(*) FROM dataset").fetchone()[0]
    if num_rows < args.minrows:
        sys.exit(f"{num_rows} rows < minimum {args.minrows}")
    write_report(con, f"SELECT {', '.join(map(as_written, DATASET_COLUMNS))} FROM dataset", args.dataset_out_path)
    write_report(con, """SELECT fake_zipcode, translate(subscription_type, chr(9) || chr(13) || chr(10), '   ')
                             AS subscription_type, count(*) AS spins
                         FROM dataset GROUP BY ALL
                         ORDER BY fake_zipcode NULLS FIRST, subscription_type NULLS FIRST""", args.analysis_out_path)
    for folder in (args.dataset_out_path, args.analysis_out_path):
        (Path(folder) / "_SUCCESS").touch()
    print(f"{args.day}: wrote {num_rows} rows")


if __name__ == "__main__":
    main()
