"""The workshop's operations, behind the lesson: the data it publishes, the Java check, the class archive, and
the long-lived services (a standalone Spark cluster, a Spark Connect server, luigid) that notebook 04 and the
Makefile start. Each module runs as `python -m song_plays_ops.NAME`."""
