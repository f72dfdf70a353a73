"""The benchmark still runs: its cut-down apps call the job's own functions, so a change to the job can break it.

Its timings are not checked here (tests never check wall-clock time); only that every run happened and wrote
what it should.
"""
import json
import subprocess
import sys

import pandas as pd
import pytest

from conftest import DAY, ROOT
from song_plays_ops import generate_fake_data
from song_plays_spark.schema import SPINS_SCHEMA
from workshop import read_report
from workshop.reports import reference_spins

pytestmark = pytest.mark.slow

SPINS = 300


def test_benchmark_times_every_run_checks_the_outputs_and_runs_connect_and_the_backfill(tmp_path):
    """One smoke run with every option (each run once): a Connect server and the backfill's days cost less once."""
    result = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "run.py"), "--spins-per-day", str(SPINS),
                             "--work-dir", str(tmp_path), "--connect", "--backfill", "--backfill-days", "1", "--smoke"],
                            capture_output=True, text=True, timeout=1500)
    assert result.returncode == 0, f"benchmarks/run.py failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    [figures] = summary["results"]
    assert figures["spins_per_day"] == SPINS
    assert summary["smoke"] and "not a measurement" in result.stdout  # one of each: figures are for benchmarks/README.md
    assert {name: len(seconds) for name, seconds in figures["seconds"].items()} == {
        "spark": 1, "duckdb": 1, "floor": 1, "read": 1, "dedupe+write": 1, "connect": 1, "connect start": 1}

    # The dedupe+write app wrote the spins the job keeps, as the pandas reference finds them.
    spins = pd.read_parquet(tmp_path / f"remote-{SPINS}" / generate_fake_data.SPINS_FILE.format(day=DAY))
    unique = reference_spins(spins[list(SPINS_SCHEMA)])
    written = read_report(tmp_path / "out" / str(SPINS) / "part" / "dataset")
    assert list(written.columns) == list(SPINS_SCHEMA)
    assert len(written) == len(unique) > 0
    # Every dataset row is one of those spins, joined to its listener.
    assert 0 < figures["dataset_rows"] <= len(unique)

    # Spark Connect, and what bounds its 5k goal: a client's fixed cost, measured beside the job.
    assert "connect_vs_duckdb" in figures and "connect_job_alone_vs_floor" in figures
    assert "of which a client's start" in result.stdout
    assert set(summary["backfill"]["seconds"]) == {"spark-submit", "connect", "duckdb"}
    assert "goal Spark Connect <=" in result.stdout and "goal a month through Spark Connect" in result.stdout
    for mode in ("spark-submit", "connect"):
        assert len(list((tmp_path / f"backfill-{mode}").glob("output/2019/02/*/counts_by_zip_sub/_SUCCESS"))) == 1
