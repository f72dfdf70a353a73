"""My test of build_dataset: a few hand-made spins, each with a fate I know.

    pytest spark/test_my_build_dataset.py      # from a terminal; in notebook 02 it uses the notebook's Spark
"""
import datetime

from pyspark.sql import SparkSession
from pyspark.testing import assertDataFrameEqual

import dataset_gen

SPIN_COLUMNS = ("fake_artist_id INT, artist_name STRING, fake_track_id INT, track_title STRING, "
                "date_time TIMESTAMP, elapsed_seconds INT, play_source STRING, fake_listener_id INT")
LISTENER_COLUMNS = ("fake_listener_id INT, age STRING, gender STRING, subscription_type STRING, country STRING, "
                    "fake_zipcode INT")
DATASET_SCHEMA = ("fake_listener_id INT, fake_artist_id INT, artist_name STRING, fake_track_id INT, "
                  "track_title STRING, date_time TIMESTAMP, elapsed_seconds INT, play_source STRING, "
                  "age STRING, gender STRING, subscription_type STRING, country STRING, fake_zipcode INT")
NOON = datetime.datetime(2019, 2, 8, 12, 0)


def spin(listener_id, seconds, track_id=7):
    """A spin's row, in SPIN_COLUMNS order: a test's spins differ only in these three."""
    return (1, "Artist", track_id, "Title", NOON, seconds, "Radio", listener_id)


def listener(listener_id):
    """A listener's row, in LISTENER_COLUMNS order."""
    return (listener_id, "26-40", "F", "Family", "US", 90210)


def report_row(listener_id, seconds, track_id=7):
    """The dataset's row for spin(listener_id, seconds, track_id) by listener(listener_id), in DATASET_SCHEMA order."""
    artist_id, artist, track, title, when, seconds, source, _ = spin(listener_id, seconds, track_id)
    return (listener_id, artist_id, artist, track, title, when, seconds, source, *listener(listener_id)[1:])


def test_build_dataset_keeps_each_counted_spin_of_a_known_listener_once():
    spark = SparkSession.builder.getOrCreate()  # the notebook's running session; a new one from a terminal
    spins = spark.createDataFrame([spin(1, 60), spin(1, 60), spin(1, 30), spin(1, 31, track_id=8), spin(2, 90)],
                                  SPIN_COLUMNS)
    listeners = spark.createDataFrame([listener(1)], LISTENER_COLUMNS)
    expected = spark.createDataFrame([report_row(1, 60), report_row(1, 31, track_id=8)], DATASET_SCHEMA)
    assertDataFrameEqual(dataset_gen.build_dataset(spins, listeners), expected)
