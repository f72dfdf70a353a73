"""The workshop's sections, in order: the one list the navigation, the coach's progress table and the
instructor guide read. After adding, renaming or reordering a notebook, edit it and run `make generated`."""

# notebook, title, what the student builds, estimated time
SECTIONS = [
    ("00_setup.ipynb", "00 · Setup", "a checked toolbox: Python, Java, Spark, Luigi and the data", "10 min"),
    ("01_luigi_tasks.ipynb", "01 · Luigi tasks", "`DownloadSpins`, `DownloadListeners` and a first `DatasetGen`", "60 min"),
    ("02_spark_job.ipynb", "02 · The Spark job", "`spark/dataset_gen.py`: filter, join, distinct, validate, write; a test of your own; plans, "
     "shuffles, a broadcast join, the cache and the Spark UI", "90 min"),
    ("03_putting_it_all_together.ipynb", "03 · Putting it all together",
     "the whole day from Luigi; the reports; `TopZipCodes`, a task of your own, from a terminal; failure and "
     "recovery", "45 min"),
    ("04_going_further.ipynb", "04 · Going further",
     "a month with `RangeDaily`, the month's report as a task of your own; a Spark cluster, `luigid`, Spark Connect",
     "55 min"),
]
