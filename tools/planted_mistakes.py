"""Mistakes students make, each planted in a solution notebook by tests/test_exercises.py, with the checkpoint
that must catch it and words of the cause its message must name. The instructor guide's table of mistakes is
generated from this list (tools/instructor_guide.py), so the two cannot drift apart.

    name: (notebook, the tag that names the cell, [(right, wrong), ...], checkpoint, words its message must show)

After each one fails there, the test runs the right version of the cell and then the checkpoint again, which must
pass: the checkpoints check the code as its cells last wrote it.
"""
WRONG_SOLUTIONS = {
    "date = luigi.Parameter() in DownloadSpinsFirstTry": ("01_luigi_tasks.ipynb", "step1-download-spins-first-try", [
        ("    date = luigi.DateParameter()", "    date = luigi.Parameter()"),
    ], 1, "keeps the date a terminal gives as text"),
    "the notebook's day instead of self.date in run()": ("01_luigi_tasks.ipynb", "step1-download-spins-first-try", [
        ("download(spins_url(self.date), self.output())", "download(spins_url(day), self.output())"),
    ], 1, "fetches the same day whatever the task's date"),
    "HttpTarget.exists() without return": ("01_luigi_tasks.ipynb", "step2-http-target", [
        ("        return url_exists(self.url)", "        url_exists(self.url)"),
    ], 2, "exists() answered None"),
    "date = luigi.Parameter() in DownloadSpins": ("01_luigi_tasks.ipynb", "step2-download-spins", [
        ("    date = luigi.DateParameter()", "    date = luigi.Parameter()"),
    ], 2, "keeps the date a terminal gives as text"),
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
    "the listeners marker without the date": ("01_luigi_tasks.ipynb", "step3-download-listeners", [
        ('f"markers/{self.date:%Y/%m/%d}/listeners_downloaded.SUCCESS"', '"markers/listeners_downloaded.SUCCESS"'),
    ], 3, "without the day in its path"),
    "the marker opened without `with`, never closed": ("01_luigi_tasks.ipynb", "step3-download-listeners", [
        ('        with outputs["marker"].open("w") as f:\n            f.write(f"{url}\\n")',
         '        outputs["marker"].open("w").write(f"{url}\\n")'),
    ], 3, "run() did not write its marker"),
    "the listeners marker written before the download": ("01_luigi_tasks.ipynb", "step3-download-listeners", [
        ('        download(url, outputs["data"])\n', ""),
        ('            f.write(f"{url}\\n")', '            f.write(f"{url}\\n")\n        download(url, outputs["data"])'),
    ], 3, "run() wrote it before the download"),
    "no clean slate: an old listeners marker kept": ("01_luigi_tasks.ipynb", "step3-download-listeners", [
        ('        if outputs["marker"].exists():\n            outputs["marker"].remove()\n', ""),
    ], 3, "which run() did not remove first"),
    "date = luigi.Parameter() in DownloadListeners": ("01_luigi_tasks.ipynb", "step3-download-listeners", [
        ("    date = luigi.DateParameter()", "    date = luigi.Parameter()"),
    ], 3, "keeps the date a terminal gives as text"),
    "DownloadListeners.output() as a list, not a dict": ("01_luigi_tasks.ipynb", "step3-download-listeners", [
        ('        return {\n            "data": ', "        return [\n            "),
        ('            "marker": luigi.LocalTarget(', "            luigi.LocalTarget("),
        ('.SUCCESS"),\n        }', '.SUCCESS"),\n        ]'),
    ], 3, "a dict with 'data' and 'marker' targets"),
    "DownloadListeners waits for the spins file": ("01_luigi_tasks.ipynb", "step3-download-listeners", [
        ("return ExternalFileChecker(listeners_url())", "return ExternalFileChecker(spins_url(self.date))"),
    ], 3, "not the checker of the host's listeners file"),
    "DatasetGen.requires() as a list": ("01_luigi_tasks.ipynb", "step4-dataset-gen", [
        ('return {"listeners": DownloadListeners(self.date), "spins": DownloadSpins(self.date)}',
         "return [DownloadListeners(self.date), DownloadSpins(self.date)]"),
    ], 4, "requires() is a dict with those keys"),
    "app_options() with a report folder's _SUCCESS path": ("01_luigi_tasks.ipynb", "step4-dataset-gen", [
        ('"--dataset_out_path", self.output_dir() / "dataset",',
         '"--dataset_out_path", self.output()["dataset"].path,'),
    ], 4, "app_options() lists the six flags"),
    "app_options() without --minrows": ("01_luigi_tasks.ipynb", "step4-dataset-gen", [
        ('            "--minrows", self.minrows,\n', ""),
    ], 4, "app_options() lists the six flags"),
    "DatasetGen.output() in the downloads' folder": ("01_luigi_tasks.ipynb", "step4-dataset-gen", [
        ('luigi.LocalTarget(self.output_dir() / "dataset/_SUCCESS")', 'luigi.LocalTarget(data_dir() / "dataset/_SUCCESS")'),
    ], 4, "the _SUCCESS files the job writes last"),
    "app_options() without --spins_path": ("01_luigi_tasks.ipynb", "step4-dataset-gen", [
        ('            "--spins_path", inputs["spins"].path,\n', ""),
    ], 4, "app_options() lists the six flags"),
    "minrows = luigi.Parameter(default=100)": ("01_luigi_tasks.ipynb", "step4-dataset-gen", [
        ("    minrows = luigi.IntParameter(default=100)", "    minrows = luigi.Parameter(default=100)"),
    ], 4, "keeps the minrows a terminal gives as text"),
    "waiting (MISSING_EXT) where a failure was expected": ("01_luigi_tasks.ipynb", "step4-run-without-the-job", [
        ("DatasetGen(date=day)", "DatasetGen(date=unpublished_day)"),
    ], 4, "a :| means a download is waiting"),
    ">= 30 in the filter": ("02_spark_job.ipynb", "step3-filter", [
        ("> MIN_SPIN_SECONDS", ">= MIN_SPIN_SECONDS"),
    ], 3, "> and not >="),
    "< 30 in the filter": ("02_spark_job.ipynb", "step3-filter", [
        ("> MIN_SPIN_SECONDS", "< MIN_SPIN_SECONDS"),
    ], 3, "it keeps what elapsed_seconds < 30 keeps"),
    "the filter as a SQL string naming the Python constant": ("02_spark_job.ipynb", "step3-filter", [
        ('spins.where(F.col("elapsed_seconds") > MIN_SPIN_SECONDS)',
         'spins.where("elapsed_seconds > MIN_SPIN_SECONDS")'),
    ], 3, "a name inside a SQL string"),
    "a column's name misspelt in the filter": ("02_spark_job.ipynb", "step3-filter", [
        ('F.col("elapsed_seconds") > MIN_SPIN_SECONDS', 'F.col("elapsed_second") > MIN_SPIN_SECONDS'),
    ], 3, "the data has no column `elapsed_second`"),
    "countDistinct of the listeners for the spins": ("02_spark_job.ipynb", "step4-count-spins", [
        ('F.count(F.lit(1)).alias("spins")', 'F.countDistinct("fake_listener_id").alias("spins")'),
    ], 4, "the number of different listeners in each group"),
    "the counts ordered by subscription first": ("02_spark_job.ipynb", "step4-count-spins", [
        ('.orderBy("fake_zipcode", "subscription_type")', '.orderBy("subscription_type", "fake_zipcode")'),
    ], 4, "in another order"),
    "validate() that returns instead of raising": ("02_spark_job.ipynb", "step10-job-run", [
        ('    if num_rows < minrows:\n        raise FailedValidationError(f"{num_rows} rows < minimum {minrows}")',
         "    return num_rows >= minrows"),
    ], 10, "instead of raising"),
    "distinct() forgotten": ("02_spark_job.ipynb", "step3-build-dataset", [
        ("filter_on_spin_time(spins).distinct()", "filter_on_spin_time(spins)"),
    ], 3, "distinct() is missing"),
    "a left join": ("02_spark_job.ipynb", "step3-build-dataset", [
        ('listeners.distinct(), "fake_listener_id")', 'listeners.distinct(), "fake_listener_id", "left")'),
    ], 3, "a left (or outer) join"),
    "the listeners joined without distinct()": ("02_spark_job.ipynb", "step3-build-dataset", [
        ('listeners.distinct(), "fake_listener_id")', 'listeners, "fake_listener_id")'),
    ], 3, "a listener listed twice doubles its spins"),
    "columns out of order": ("02_spark_job.ipynb", "step3-build-dataset", [
        (".select(*DATASET_COLUMNS)", ".select(*reversed(DATASET_COLUMNS))"),
    ], 3, "select DATASET_COLUMNS in that order"),
    "the reports written before validate()": ("02_spark_job.ipynb", "step10-job-run", [
        ("        validate(num_rows, args.minrows)\n"
         "        write_reports(dataset, counts, args.dataset_out_path, args.analysis_out_path)\n",
         "        write_reports(dataset, counts, args.dataset_out_path, args.analysis_out_path)\n"
         "        validate(num_rows, args.minrows)\n"),
    ], 10, "wrote before it validated"),
    "run() that persists nothing": ("02_spark_job.ipynb", "step10-job-run", [
        ("    counts = count_spins_by_sub(dataset).persist()", "    counts = count_spins_by_sub(dataset)"),
    ], 10, "keeps nothing in memory"),
    "the cache released only when the day passes": ("02_spark_job.ipynb", "step10-job-run", [
        ("        write_reports(dataset, counts, args.dataset_out_path, args.analysis_out_path)\n    finally:\n"
         "        counts.unpersist()",
         "        write_reports(dataset, counts, args.dataset_out_path, args.analysis_out_path)\n"
         "        counts.unpersist()\n    finally:\n        pass"),
    ], 10, "raised FailedValidationError, and what it persisted is still in Spark's memory"),
    "num_rows as counts.count(), the number of groups": ("02_spark_job.ipynb", "step10-job-run", [
        ('num_rows = counts.agg(F.sum("spins")).first()[0] or 0', "num_rows = counts.count()"),
    ], 10, "counts.count() counts the groups"),
    "my test without a spin delivered twice": ("02_spark_job.ipynb", "step5-my-test", [
        ("[spin(1, 60), spin(1, 60), spin(1, 30)", "[spin(1, 60), spin(1, 30)"),
    ], 5, "forgets distinct()"),
    "my test that compares only the number of rows": ("02_spark_job.ipynb", "step5-my-test", [
        ("assertDataFrameEqual(dataset_gen.build_dataset(spins, listeners), expected)",
         "assert dataset_gen.build_dataset(spins, listeners).count() == expected.count()"),
    ], 5, "not only how many rows"),
    "my test's expected rows without DATASET_SCHEMA": ("02_spark_job.ipynb", "step5-my-test", [
        ("[report_row(1, 60), report_row(1, 31, track_id=8)], DATASET_SCHEMA)",
         "[report_row(1, 60), report_row(1, 31, track_id=8)])"),
    ], 5, "other columns (names or types)"),
    "adaptive execution left off after counting partitions": ("02_spark_job.ipynb", "step7-partitions", [
        ('        spark.conf.unset("spark.sql.adaptive.enabled")', "        pass"),
    ], 7, "adaptive execution is still off"),
    "the partitions \"without AQE\" counted with AQE on": ("02_spark_job.ipynb", "step7-partitions", [
        ('    spark.conf.set("spark.sql.adaptive.enabled", "false")', "    pass"),
    ], 7, "without AQE, the shuffle gave"),
    "adaptive execution turned off before the count after the shuffle": ("02_spark_job.ipynb", "step7-partitions", [
        ('    partitions_after_shuffle = spins.distinct().rdd.getNumPartitions()\n'
         '    spark.conf.set("spark.sql.adaptive.enabled", "false")\n',
         '    spark.conf.set("spark.sql.adaptive.enabled", "false")\n'
         '    partitions_after_shuffle = spins.distinct().rdd.getNumPartitions()\n'),
    ], 7, "already off when you counted"),
    "counts persisted but never filled by an action": ("02_spark_job.ipynb", "step9-persist", [
        ("    persisted.count()      # an action: fills the cache", "    pass"),
    ], 9, "no action filled the cache"),
    "counts counted but not persisted": ("02_spark_job.ipynb", "step9-persist", [
        ("    persisted = dataset_gen.count_spins_by_sub(dataset).persist()",
         "    persisted = dataset_gen.count_spins_by_sub(dataset)"),
    ], 9, "is not cached"),
    "the join without the broadcast hint": ("02_spark_job.ipynb", "step8-broadcast-join", [
        ('unique_spins.join(F.broadcast(listeners), "fake_listener_id")', 'unique_spins.join(listeners, "fake_listener_id")'),
    ], 8, "the listeners are not broadcast"),
    "today instead of the notebook's day": ("03_putting_it_all_together.ipynb", "step1-run-the-day", [
        ("DatasetGen(date=day)", "DatasetGen(date=datetime.date.today())"),
    ], 1, "for the notebook's day"),
    "TopZipCodes with date = luigi.Parameter()": ("03_putting_it_all_together.ipynb", "step4-top-zip-codes", [
        ("    date = luigi.DateParameter()", "    date = luigi.Parameter()"),
    ], 4, "keeps the date a terminal gives as text"),
    "TopZipCodes requires DownloadSpins": ("03_putting_it_all_together.ipynb", "step4-top-zip-codes", [
        ("from song_plays_tasks import DatasetGen, data_dir",
         "from song_plays_tasks import DatasetGen, DownloadSpins, data_dir"),
        ("        return DatasetGen(date=self.date)", "        return DownloadSpins(date=self.date)"),
    ], 4, "the counts report is DatasetGen's output"),
    "TopZipCodes.output() without the date": ("03_putting_it_all_together.ipynb", "step4-top-zip-codes", [
        ('f"output/{self.date:%Y/%m/%d}/top_{self.n}_zip_codes.tsv"', 'f"output/top_{self.n}_zip_codes.tsv"'),
    ], 4, "one file for every day"),
    "TopZipCodes reads the dataset report": ("03_putting_it_all_together.ipynb", "step4-top-zip-codes", [
        ('self.input()["counts"]', 'self.input()["dataset"]'),
    ], 5, "the dataset report (one row per spin), not the counts report"),
    "TopZipCodes writes without `with`, never closed": ("03_putting_it_all_together.ipynb", "step4-top-zip-codes", [
        ('        with self.output().open("w") as out:\n'
         '            out.write("fake_zipcode\\tspins\\n")\n'
         '            for zipcode, total in spins.nlargest(self.n).items():\n'
         '                out.write(f"{zipcode}\\t{total}\\n")',
         '        out = self.output().open("w")\n'
         '        out.write("fake_zipcode\\tspins\\n")\n'
         '        for zipcode, total in spins.nlargest(self.n).items():\n'
         '            out.write(f"{zipcode}\\t{total}\\n")'),
    ], 5, "moved into place only when it is closed"),
    "TopZipCodes counts rows instead of adding up spins": ("03_putting_it_all_together.ipynb", "step4-top-zip-codes", [
        ('counts["spins"].astype(int).groupby(counts["fake_zipcode"]).sum()',
         'counts.groupby("fake_zipcode").size()'),
    ], 5, "add up its spins"),
    # The workshop's day has one row per zip code: these three are caught on the checkpoint's own counts report.
    "TopZipCodes keeps 10 whatever n": ("03_putting_it_all_together.ipynb", "step4-top-zip-codes", [
        ("spins.nlargest(self.n)", "spins.nlargest(10)"),
    ], 5, "wrote 4 zip codes, not 3"),
    "TopZipCodes keeps each row's spins instead of adding them up": (
        "03_putting_it_all_together.ipynb", "step4-top-zip-codes", [
            ('counts["spins"].astype(int).groupby(counts["fake_zipcode"]).sum()',
             'counts["spins"].astype(int).set_axis(counts["fake_zipcode"])'),
        ], 5, "zip code 00501 has two rows"),
    "TopZipCodes writes to its target's path, not through the target": (
        "03_putting_it_all_together.ipynb", "step4-top-zip-codes", [
            ('with self.output().open("w") as out:', 'with open(self.output().path, "w") as out:'),
        ], 5, "without self.output().open"),
    "DatasetGen(date=day) without minrows=TOO_MANY_ROWS": ("03_putting_it_all_together.ipynb", "step6-too-few-rows", [
        ("DatasetGen(date=day, minrows=TOO_MANY_ROWS)", "DatasetGen(date=day)"),
    ], 6, "without minrows=TOO_MANY_ROWS"),
    "step 6's run for the next day, which is not published": (
        "03_putting_it_all_together.ipynb", "step6-too-few-rows", [
            ("DatasetGen(date=day, minrows=TOO_MANY_ROWS)",
             "DatasetGen(date=day + datetime.timedelta(days=1), minrows=TOO_MANY_ROWS)"),
        ], 6, "not the notebook's day"),
    "luigi.build instead of workshop.build": ("03_putting_it_all_together.ipynb", "step6-too-few-rows", [
        ("failed = workshop.build(song_plays_tasks.DatasetGen(date=day, minrows=TOO_MANY_ROWS))",
         "failed = luigi.build([song_plays_tasks.DatasetGen(date=day, minrows=TOO_MANY_ROWS)], local_scheduler=True)"),
    ], 6, "not what workshop.build(...) returns"),
    "RangeDaily without days_back, which looks back 100 days from today": ("04_going_further.ipynb", "step1-the-month", [
        (",\n                       days_back=10000)", ")"),
    ], 1, "finds no day to run"),
    "the month's report written around its target": ("04_going_further.ipynb", "step2-counts-report", [
        ('        with self.output().open("w") as f:',
         '        Path(self.output().path).parent.mkdir(parents=True, exist_ok=True)\n'
         '        with open(self.output().path, "w") as f:'),
    ], 2, "without self.output().open('w')"),
    "the month's report made of the published days only": ("04_going_further.ipynb", "step2-counts-report", [
        ("for day in self.days.dates()]", "for day in self.days.dates() if DatasetGen(date=day).complete()]"),
    ], 2, "one DatasetGen per day of the span"),
    "the days' counts put together, not added up": ("04_going_further.ipynb", "step2-counts-report", [
        ('total = every_day.groupby(["fake_zipcode", "subscription_type"], as_index=False)["spins"].sum()',
         "total = every_day"),
    ], 2, "put together, not added up"),
    "one report file whatever the span": ("04_going_further.ipynb", "step2-counts-report", [
        ('f"reports/counts_by_zip_sub-{self.days}.tsv"', '"reports/counts_by_zip_sub.tsv"'),
    ], 2, "are the same file"),
    "pandas' to_csv writing into luigi's file": ("04_going_further.ipynb", "step2-counts-report", [
        ('            f.write(total.to_csv(sep="\\t", index=False))', '            total.to_csv(f, sep="\\t", index=False)'),
    ], 2, "cannot write into the file a luigi target opens"),
    "the span as a luigi.Parameter": ("04_going_further.ipynb", "step2-counts-report", [
        ("    days = luigi.DateIntervalParameter()", "    days = luigi.Parameter()"),
    ], 2, "luigi.DateIntervalParameter"),
}
