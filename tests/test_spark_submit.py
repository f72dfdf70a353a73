"""Section 2's PySpark job run by spark-submit, compared with pandas on generated and original data."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REFERENCE_DIR, ROOT
from song_plays_tasks import PYSPARK_HOME
from workshop import pandas_reports, read_report, same_rows


def spark_submit(spins_path, listeners_path, out, minrows=100):
    command = [str(PYSPARK_HOME / "bin" / "spark-submit"), "--master", "local[2]", "--driver-memory", "1g",
               "--conf", f"spark.pyspark.python={sys.executable}", "--conf", "spark.ui.enabled=false", "--conf", "spark.log.level=WARN",
               str(ROOT / "spark" / "dataset_gen.py"), "--day", "2019-02-08", "--minrows", str(minrows),
               "--listeners_path", str(listeners_path), "--spins_path", str(spins_path),
               "--dataset_out_path", str(out / "dataset"), "--analysis_out_path", str(out / "counts_by_zip_sub")]
    env = {**os.environ, "SPARK_HOME": str(PYSPARK_HOME), "SPARK_LOCAL_IP": "127.0.0.1"}
    return subprocess.run(command, capture_output=True, text=True, timeout=600, env=env)


def test_spark_submit_matches_pandas_on_generated_data(remote_dir, tmp_path):
    spins_path, listeners_path = remote_dir / "spins-2019-02-08.snappy.parquet", remote_dir / "listeners.snappy.parquet"
    run = spark_submit(spins_path, listeners_path, tmp_path)
    assert run.returncode == 0, run.stderr[-3000:]
    expected_dataset, expected_counts = pandas_reports(spins_path, listeners_path)
    for name, expected in [("dataset", expected_dataset), ("counts_by_zip_sub", expected_counts)]:
        folder = tmp_path / name
        assert (folder / "_SUCCESS").exists()
        actual = read_report(folder)
        assert same_rows(actual, expected), f"{name} differs from the pandas computation"
    assert read_report(tmp_path / "counts_by_zip_sub").equals(expected_counts), "counts are ordered by zip, subscription"


def test_spark_submit_on_the_original_workshops_files(tmp_path):
    if not (REFERENCE_DIR / "listeners.snappy.parquet").exists():
        pytest.skip(f"the original workshop's files are not at {REFERENCE_DIR}")
    run = spark_submit(REFERENCE_DIR / "spins-2019-02-08.snappy.parquet", REFERENCE_DIR / "listeners.snappy.parquet",
                       tmp_path)
    assert run.returncode == 0, run.stderr[-3000:]
    assert len(read_report(tmp_path / "dataset")) == 4648
    counts = read_report(tmp_path / "counts_by_zip_sub")
    assert len(counts) == 100 and counts["spins"].astype(int).sum() == 4648
    assert counts.head(3).values.tolist() == [["10138", "Premium", "48"], ["11489", "Family", "44"],
                                              ["12138", "Premium", "41"]]


def test_too_few_rows_fails_with_both_numbers_and_writes_nothing(remote_dir, tmp_path):
    spins_path, listeners_path = remote_dir / "spins-2019-02-08.snappy.parquet", remote_dir / "listeners.snappy.parquet"
    run = spark_submit(spins_path, listeners_path, tmp_path, minrows=10_000_000)
    assert run.returncode != 0
    rows = len(pandas_reports(spins_path, listeners_path)[0])
    output = run.stdout + run.stderr  # PySpark prints the app's traceback on spark-submit's stdout
    assert f"FailedValidationError: {rows} rows < minimum 10000000" in output
    assert not list(Path(tmp_path).rglob("_SUCCESS"))
