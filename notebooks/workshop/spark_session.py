"""The notebooks' own SparkSessions, set up as the job is: luigi.cfg's [spark-conf], UTC, this Python."""
import sys

from song_plays_luigi.settings import spark_conf

from workshop.data_server import browser_url


def spark_settings():
    """Settings for SparkSession.builder.config(map=...): the job's, from luigi.cfg, plus what its main() sets.

    Spark's Python workers run the kernel's own Python, whatever `python3` on PATH is.
    """
    return {**spark_conf(), "spark.sql.session.timeZone": "UTC", "spark.pyspark.python": sys.executable}


def spark_ui_url(spark):
    return browser_url(spark.sparkContext.uiWebUrl)
