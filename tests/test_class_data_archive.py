"""The class archive that `make setup` builds: Spark's driver really loads from it, and a bad one is harmless."""
import datetime
import subprocess

import pytest

from song_plays_ops import class_data_archive
import song_plays_tasks
from song_plays_luigi import spark_submit

pytestmark = pytest.mark.slow

NO_OP_APP = "from pyspark.sql import SparkSession\nSparkSession.builder.getOrCreate().stop()\n"


def start_no_op_spark(tmp_path, *extra_java_options):
    """DatasetGen's own spark-submit command, for an app that only starts and stops Spark."""
    task = song_plays_tasks.DatasetGen(date=datetime.date(2019, 2, 8))
    command = task.spark_command()
    at = command.index("--driver-java-options") + 1
    command[at] = " ".join([command[at], *extra_java_options])
    app = tmp_path / "no_op.py"
    app.write_text(NO_OP_APP)
    return subprocess.run(command + [str(app)], env=task.program_environment(), capture_output=True, text=True,
                          timeout=300)


def test_the_builder_and_the_task_module_agree_on_where_the_archive_is():
    assert class_data_archive.ARCHIVE == spark_submit.class_archive()


def test_the_driver_loads_spark_classes_from_the_archive(tmp_path):
    if not class_data_archive.ARCHIVE.exists():
        pytest.fail(f"{class_data_archive.ARCHIVE} is missing: `make setup` builds it (make test runs setup first)")
    log = tmp_path / "class-load.log"
    result = start_no_op_spark(tmp_path, f"-Xlog:class+load=info:file={log}")
    assert result.returncode == 0, result.stderr[-2000:]
    spark_lines = [line for line in log.read_text().splitlines() if " org.apache.spark." in line]
    from_archive = [line for line in spark_lines if "source: shared objects file (top)" in line]
    # Some classes are made at run time (lambdas, generated code) and can never come from an archive.
    assert len(from_archive) > len(spark_lines) / 2, f"only {len(from_archive)} of {len(spark_lines)} from the archive"


def test_an_archive_that_does_not_fit_is_ignored(tmp_path):
    import luigi.configuration
    stale = tmp_path / "stale.jsa"
    stale.write_bytes(b"made by another Java\n" * 100)
    config = luigi.configuration.get_config()
    before = config.get("spark", "class_archive")
    config.set("spark", "class_archive", str(stale))  # an absolute path, as luigi.cfg may give one
    try:
        result = start_no_op_spark(tmp_path)
    finally:
        config.set("spark", "class_archive", before)
    assert str(stale) in " ".join(map(str, result.args)), "the stale archive was not handed to the driver"
    assert result.returncode == 0, result.stderr[-2000:]
    assert "cds" not in (result.stdout + result.stderr).lower(), "the JVM complained about the archive"


def test_a_build_that_cannot_write_its_archive_says_so_before_any_work_and_leaves_nothing(tmp_path):
    target = tmp_path / "no-such-folder" / "spark-classes.jsa"
    with pytest.raises(SystemExit, match=f"Cannot write the archive into {target.parent}.*Spark still works"):
        class_data_archive.build(target)
    assert not target.parent.exists()
