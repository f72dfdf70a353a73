"""The notebooks' own SparkSessions: tuned as the job is (spark/conf), quiet, and gone when stopped.

Spark's settings come from spark/conf/spark-defaults.conf, which pyspark reads by itself: importing workshop
(through song_plays_luigi.settings) points SPARK_CONF_DIR there.

- use_this_python_for_spark_workers(): Spark's Python workers run the kernel's Python
- quiet_spark_console(log): Spark's JVM writes its start-up lines and log there, and pyspark its log of each
  error it raises, not in red in the notebook
- stop_spark(spark): spark.stop(), and the JVM too (spark.stop() alone keeps it, about 400 MB, for the kernel's life)
"""
import logging
import os
import sys

from song_plays_luigi.settings import build_dir

from workshop import private_apis
from workshop.data_server import browser_url

SPARK_CONSOLE_LOG = build_dir() / "spark-console.log"
QUERY_CONTEXT_LOGGERS = ("DataFrameQueryContextLogger", "SQLQueryContextLogger")  # pyspark.errors' names


def use_this_python_for_spark_workers():
    """Spark's Python workers run this Python, not the first `python3` on PATH, which may be another version
    (PYTHON_VERSION_MISMATCH). A session started from Python reads PYSPARK_PYTHON; spark.pyspark.python counts
    only through spark-submit, where DatasetGen sets it."""
    os.environ["PYSPARK_PYTHON"] = sys.executable


def spark_ui_url(spark):
    return browser_url(spark.sparkContext.uiWebUrl)


def quiet_spark_console(log=SPARK_CONSOLE_LOG):
    """Start every JVM pyspark launches from this kernel with its console output in log, and log there too what
    pyspark's query-context loggers write of each SQL error: a JSON line with Java's whole stack trace.

    Both would otherwise show as red blocks under a cell, the second above the error it repeats. Errors still reach
    the notebook: pyspark raises them as Python exceptions.
    """
    from pyspark.logger import PySparkLogger  # imported here: a kernel that never starts Spark never imports pyspark

    private_apis.send_jvm_console_to(log)
    for name in QUERY_CONTEXT_LOGGERS:
        logger = PySparkLogger.getLogger(name)  # pyspark's own, so that it keeps the fields pyspark logs with
        for handler in list(logger.handlers):
            logger.removeHandler(handler)
            handler.close()
        logger.addHandler(logging.FileHandler(log, delay=True))


def stop_spark(spark):
    """spark.stop(), then end the JVM pyspark started for this kernel, so its memory goes back to the machine.

    A later SparkSession in the same kernel starts a new JVM.
    """
    spark.stop()
    private_apis.end_jvm()
