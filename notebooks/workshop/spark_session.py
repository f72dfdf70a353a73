"""The notebooks' own SparkSessions: set up as the job is (luigi.cfg), quiet, and gone when stopped.

- spark_settings(): for SparkSession.builder.config(map=...): luigi.cfg's [spark-conf], UTC, driver memory
- use_this_python_for_spark_workers(): Spark's Python workers run the kernel's Python
- send_spark_console_to(log): Spark's JVM writes its start-up lines and log there, not in red in the notebook
- stop_spark(spark): spark.stop(), and the JVM too (spark.stop() alone keeps it, about 400 MB, for the kernel's life)
"""
import os
import subprocess
import sys

from song_plays_luigi.settings import build_dir, config, spark_conf

from workshop.data_server import browser_url

SPARK_CONSOLE_LOG = build_dir() / "spark-console.log"


def spark_settings():
    """Settings for SparkSession.builder.config(map=...): the job's, from luigi.cfg, plus what its main() sets,
    and the notebooks' driver memory ([song_plays] notebook_driver_memory).

    Called as a session is built, it also sends that JVM's console to build/spark-console.log: only then, so that
    a kernel that never starts Spark never imports pyspark (about 30 MB).
    """
    send_spark_console_to()
    return {**spark_conf(), "spark.sql.session.timeZone": "UTC",
            "spark.driver.memory": config().get("song_plays", "notebook_driver_memory", "768m")}


def use_this_python_for_spark_workers():
    """Spark's Python workers run this Python, not the first `python3` on PATH, which may be another version
    (PYTHON_VERSION_MISMATCH). A session started from Python reads PYSPARK_PYTHON; spark.pyspark.python counts
    only through spark-submit, where DatasetGen sets it."""
    os.environ["PYSPARK_PYTHON"] = sys.executable


def spark_ui_url(spark):
    return browser_url(spark.sparkContext.uiWebUrl)


def send_spark_console_to(log=SPARK_CONSOLE_LOG):
    """Start every JVM pyspark launches from this kernel with its console output in log.

    Its banner, log4j lines and warnings would otherwise show as red blocks under a cell that worked. Errors
    still reach the notebook: pyspark raises them as Python exceptions.
    """
    from pyspark.core import context

    if hasattr(context.launch_gateway, "launches"):
        return  # already sent
    launch = context.launch_gateway

    def launch_quietly(conf=None, popen_kwargs=None):
        log.parent.mkdir(parents=True, exist_ok=True)
        with open(log, "ab") as console:
            return launch(conf, {**(popen_kwargs or {}), "stdout": console, "stderr": subprocess.STDOUT})

    launch_quietly.launches = launch
    context.launch_gateway = launch_quietly


def stop_spark(spark):
    """spark.stop(), then end the JVM pyspark started for this kernel, so its memory goes back to the machine.

    A later SparkSession in the same kernel starts a new JVM.
    """
    from pyspark import SparkContext
    spark.stop()
    gateway = SparkContext._gateway
    if gateway is None:
        return
    gateway.shutdown()
    gateway.proc.stdin.close()  # the JVM ends when its stdin closes
    gateway.proc.wait(timeout=60)
    SparkContext._gateway = SparkContext._jvm = None
