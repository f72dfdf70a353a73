"""The notebooks' own SparkSessions: tuned as the job is (spark/conf), quiet, and gone when stopped.

Spark's settings come from spark/conf/spark-defaults.conf, which pyspark reads by itself: importing workshop
(through song_plays_luigi.settings) points SPARK_CONF_DIR there.

- use_this_python_for_spark_workers(): Spark's Python workers run the kernel's Python
- quiet_spark_console(log): Spark's JVM writes its start-up lines and log there, not in red in the notebook
- stop_spark(spark): spark.stop(), and the JVM too (spark.stop() alone keeps it, about 400 MB, for the kernel's life)
"""
import os
import sys

from song_plays_luigi.settings import build_dir

from workshop import private_apis
from workshop.data_server import browser_url

SPARK_CONSOLE_LOG = build_dir() / "spark-console.log"


def use_this_python_for_spark_workers():
    """Spark's Python workers run this Python, not the first `python3` on PATH, which may be another version
    (PYTHON_VERSION_MISMATCH). A session started from Python reads PYSPARK_PYTHON; spark.pyspark.python counts
    only through spark-submit, where DatasetGen sets it."""
    os.environ["PYSPARK_PYTHON"] = sys.executable


def spark_ui_url(spark):
    return browser_url(spark.sparkContext.uiWebUrl)


def quiet_spark_console(log=SPARK_CONSOLE_LOG):
    """Start every JVM pyspark launches from this kernel with its console output in log.

    Its banner, log4j lines and warnings would otherwise show as red blocks under a cell that worked. Errors
    still reach the notebook: pyspark raises them as Python exceptions.
    """
    private_apis.send_jvm_console_to(log)


def stop_spark(spark):
    """spark.stop(), then end the JVM pyspark started for this kernel, so its memory goes back to the machine.

    A later SparkSession in the same kernel starts a new JVM.
    """
    spark.stop()
    private_apis.end_jvm()
