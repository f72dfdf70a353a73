"""luigi.cfg's Spark settings as a spark-defaults.conf, for every Spark started outside luigi (binder/start).

    python -m song_plays_luigi.spark_defaults > "$SPARK_CONF_DIR/spark-defaults.conf"
"""
from song_plays_luigi.settings import config, spark_conf


def spark_defaults():
    """{Spark property: value}: the master, the driver's memory and JVM options, and [spark-conf].

    Not the class archive: it fits only the JVMs spark-submit starts for an app (DatasetGen's), and a JVM that
    pyspark starts for a notebook would warn that it cannot use it.
    """
    return {"spark.master": config().get("spark", "master", "local[2]"),
            "spark.driver.memory": config().get("spark", "driver_memory", "1g"),
            "spark.driver.extraJavaOptions": config().get("spark", "driver_java_options", ""),
            **spark_conf()}


if __name__ == "__main__":
    print("# Written from the workshop's luigi.cfg by song_plays_luigi.spark_defaults")
    for name, value in spark_defaults().items():
        print(f"{name:<60} {value}")
