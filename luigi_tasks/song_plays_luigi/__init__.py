"""The machinery behind the workshop's Luigi tasks, kept out of the lesson's way.

- settings:     where the data comes from and goes, read when a task needs it; the workshop's luigi.cfg
- downloads:    url_exists() and download(): checked, atomic downloads with errors that say what to do
- spark_submit: WorkshopSparkSubmitTask: pyspark's own spark-submit, configured from luigi.cfg, one run a day
"""
