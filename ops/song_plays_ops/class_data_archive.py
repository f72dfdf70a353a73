"""Archive the Java classes Spark loads for the workshop's job, so that every spark-submit starts sooner.

Each Spark driver spends seconds loading and checking the same thousands of classes. Java's class-data
sharing maps them ready-made from an archive instead: about 2.5 s less per start on a 2-core machine
(benchmarks/README.md). `make setup` runs the job once on the workshop's data with
-XX:ArchiveClassesAtExit, which writes the archive; DatasetGen then hands it to every driver with
-XX:SharedArchiveFile. An archive fits only the Java and the pyspark that made it. Any other Java ignores it
and starts as usual, and `make setup` makes it again when the pins change. To go without, delete it.

    python -m song_plays_ops.class_data_archive        # (re)build .venv/spark-classes.jsa; make setup runs it
"""
import datetime
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from song_plays_ops.generate_fake_data import LISTENERS_FILE, SPINS_FILE
from song_plays_luigi.spark_submit import PYSPARK_HOME, class_archive, helpers_zip

ROOT = Path(__file__).resolve().parents[2]
# Where luigi.cfg's [spark] class_archive says DatasetGen finds it.
ARCHIVE = class_archive()
REMOTE = ROOT / "build" / "remote"
DAY = datetime.date(2019, 2, 8)


def training_run(archive_out, out):
    """The job on the workshop's day, with DatasetGen's driver settings, dumping the classes it loaded.

    The rest of its settings (the log level, the tuning) it reads from spark/conf's spark-defaults.conf, named
    as DatasetGen's driver names it (not through SPARK_CONF_DIR, a folder Java's class-data sharing refuses).
    """
    return [str(PYSPARK_HOME / "bin" / "spark-submit"), "--master", "local[2]", "--driver-memory", "1g",
            "--properties-file", str(Path(os.environ["SPARK_CONF_DIR"], "spark-defaults.conf")),
            "--driver-java-options", f'-XX:+UseParallelGC -XX:ArchiveClassesAtExit="{archive_out}"',
            "--conf", f"spark.pyspark.python={sys.executable}", "--py-files", str(helpers_zip()),
            str(ROOT / "spark" / "dataset_gen.py"), "--day", str(DAY), "--minrows", "0",
            "--listeners_path", str(REMOTE / LISTENERS_FILE),
            "--spins_path", str(REMOTE / SPINS_FILE.format(day=DAY)),
            "--dataset_out_path", str(out / "dataset"), "--analysis_out_path", str(out / "counts_by_zip_sub")]


def build(archive=ARCHIVE):
    """Write the archive beside, then rename it into place: a failed build never leaves half an archive."""
    if archive is None:
        raise SystemExit("luigi.cfg's [spark] class_archive is empty: Spark goes without the archive.")
    if not (REMOTE / LISTENERS_FILE).exists():
        raise SystemExit(f"No workshop data in {REMOTE}: run `make setup` (it generates the data first).")
    if not os.access(archive.parent, os.W_OK):  # say so now, not after a minute of Spark
        raise SystemExit(f"Cannot write the archive into {archive.parent} (missing, or not writable). Spark still "
                         "works, only a few seconds slower to start.")
    partial = archive.with_name(f".{archive.name}.partial-{os.getpid()}")
    env = {key: value for key, value in os.environ.items() if key != "SPARK_CONF_DIR"}
    env.update(SPARK_HOME=str(PYSPARK_HOME), SPARK_LOCAL_IP="127.0.0.1")
    with tempfile.TemporaryDirectory() as out:
        result = subprocess.run(training_run(partial, Path(out)), env=env, capture_output=True, text=True)
    if result.returncode != 0 or not partial.exists():
        partial.unlink(missing_ok=True)
        # The dump lists every class it skips; the end of stderr says what went wrong.
        tail = "\n".join(result.stderr.splitlines()[-15:])
        raise SystemExit(f"Could not archive Spark's classes (spark-submit exited {result.returncode}). Spark still "
                         f"works, only a few seconds slower to start. The end of its output:\n{tail}")
    partial.replace(archive)
    print(f"Spark's classes archived in {archive} ({archive.stat().st_size / 2**20:.0f} MB)")


if __name__ == "__main__":
    build()
