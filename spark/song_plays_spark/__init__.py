"""Helpers the Spark job imports, kept out of the lesson's way. DatasetGen ships this package to Spark's
driver and executors as a zip with --py-files, as a fat jar would carry a Scala job's libraries.

- schema:  the columns the job needs from its inputs, and the reports' columns (their one source)
- inputs:  read_spins() and read_listeners(): the Parquet files, checked against what the job needs
- reports: write_reports(): each report as one gzip TSV file, then the _SUCCESS files
"""
