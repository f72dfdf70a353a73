# Sourced by every spark-class (spark-submit, pyspark's JVM, the standalone daemons); what it sets is exported.
# The workshop's standalone cluster (ops/song_plays_ops/standalone_cluster.py, make cluster, notebook 04 Step 3)
# is sized here so that notebook 04, cluster and job included, stays within Binder's 2 GB (benchmarks/README.md,
# "Notebook 04 within 1.7 GB").

# What each worker offers: one core, and memory for one executor of luigi.cfg's [spark] executor_memory (512m).
SPARK_WORKER_CORES=1
SPARK_WORKER_MEMORY=1g

# spark-class's first argument is the class it starts. Only the master and the workers get these: Spark's launcher
# would also give SPARK_DAEMON_* to a Connect server, over its --driver-memory, and it is sized as a driver.
case "${1:-}" in
  org.apache.spark.deploy.master.Master | org.apache.spark.deploy.worker.Worker)
    # They only keep accounts: a small heap (32 MB: the master does not start), the serial collector and the
    # quick compiler (C1) keep each near 135 MB instead of 205.
    SPARK_DAEMON_MEMORY=64m
    SPARK_DAEMON_JAVA_OPTS="-XX:+UseSerialGC -XX:TieredStopAtLevel=1"
    # glibc gives each busy thread a malloc arena of its own; two in all keep the daemons' native memory and
    # their executors' (which inherit it) small: 1,621 -> 1,604 MB. Drivers keep glibc's default.
    MALLOC_ARENA_MAX=2
    ;;
esac
