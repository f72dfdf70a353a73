"""The workshop's operations, behind the lesson: the data it publishes, the Java check, the class archive, the
long-lived services (a standalone Spark cluster, a Spark Connect server, luigid) that notebook 04 and the
Makefile start, each run as `python -m song_plays_ops.NAME`, and jupyter_save, a Jupyter server extension."""
