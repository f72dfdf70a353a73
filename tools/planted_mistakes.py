"""Mistakes students make, each planted in a solution notebook by tests/test_exercises.py, with the checkpoint
that must catch it and words of the cause its message must name. The instructor guide's table of mistakes is
generated from this list (tools/instructor_guide.py), so the two cannot drift apart.

    name: (notebook, the tag that names the cell, [(right, wrong), ...], checkpoint, words its message must show)
"""
WRONG_SOLUTIONS = {
    "output path without the date": ("01_luigi_tasks.ipynb", "step2-download-spins", [
        ('f"spins/{self.date:%Y/%m/%d}/spins.snappy.parquet"', '"spins/spins.snappy.parquet"'),
    ], 2, "one folder per day"),
    "requires() missing": ("01_luigi_tasks.ipynb", "step2-download-spins", [
        ("return ExternalFileChecker(spins_url(self.date))", "return []"),
        ("download(self.input().url, self.output())", "download(spins_url(self.date), self.output())"),
    ], 2, "requires() is missing"),
    "DownloadSpins.run() that downloads nothing": ("01_luigi_tasks.ipynb", "step2-download-spins", [
        ("        download(self.input().url, self.output())", "        pass"),
    ], 2, "run() must download"),
    "app_options() with a report folder's _SUCCESS path": ("01_luigi_tasks.ipynb", "step4-dataset-gen", [
        ('"--dataset_out_path", self.output_dir() / "dataset",', '"--dataset_out_path", self.output()["dataset"].path,'),
    ], 4, "app_options() lists the six flags"),
    "app_options() without --minrows": ("01_luigi_tasks.ipynb", "step4-dataset-gen", [
        ('            "--minrows", self.minrows,\n', ""),
    ], 4, "app_options() lists the six flags"),
    "waiting (MISSING_EXT) where a failure was expected": ("01_luigi_tasks.ipynb", "step4-run-without-the-job", [
        ("DatasetGen(date=day)", "DatasetGen(date=unpublished_day)"),
    ], 4, "a :| means a download is waiting"),
    ">= 30 in the filter": ("02_spark_job.ipynb", "step3-job-functions", [
        ("> MIN_SPIN_SECONDS", ">= MIN_SPIN_SECONDS"),
    ], 3, "> and not >="),
    "distinct() forgotten": ("02_spark_job.ipynb", "step3-build-dataset", [
        ("filter_on_spin_time(spins).distinct()", "filter_on_spin_time(spins)"),
    ], 3, "must call distinct()"),
    "columns out of order": ("02_spark_job.ipynb", "step3-build-dataset", [
        (".select(*DATASET_COLUMNS)", ".select(*reversed(DATASET_COLUMNS))"),
    ], 3, "select DATASET_COLUMNS in that order"),
}


