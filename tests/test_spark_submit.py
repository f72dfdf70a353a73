"""Section 2's PySpark job run by spark-submit, compared with pandas on generated and original data."""
import subprocess
from pathlib import Path

import pytest

from conftest import REFERENCE_DIR, ROOT
from song_plays_luigi.spark_submit import spark_submit_command
from workshop import pandas_reports, read_report, same_rows

pytestmark = pytest.mark.slow


def spark_submit(spins_path, listeners_path, out, minrows=100):
    """The job, submitted with DatasetGen's own command (luigi.cfg's settings, the helpers' zip)."""
    command, env = spark_submit_command(
        ROOT / "spark" / "dataset_gen.py", "--day", "2019-02-08", "--minrows", minrows,
        "--listeners_path", listeners_path, "--spins_path", spins_path,
        "--dataset_out_path", out / "dataset", "--analysis_out_path", out / "counts_by_zip_sub")
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
