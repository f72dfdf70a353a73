"""Luigi tasks for the song plays workshop.

Download one day's spins and the listeners dimension from the remote, then submit the PySpark job that
joins them into the day's two reports. From the workshop folder:

    luigi --module song_plays_tasks DatasetGen --date 2019-02-08 --local-scheduler

Every published day of a month, with luigi's own range task (--days-back widens its window back to 2019):

    luigi --module song_plays_tasks RangeDaily --of DatasetGen \
        --start 2019-02-01 --stop 2019-03-01 --days-back 10000 --local-scheduler

The machinery (settings, checked downloads, the spark-submit set-up) is in song_plays_luigi/.
"""
import luigi

from song_plays_luigi.downloads import download, url_exists
from song_plays_luigi.settings import data_dir, listeners_url, spins_url
from song_plays_luigi.spark_submit import WorkshopSparkSubmitTask


class HttpTarget(luigi.Target):
    """A file on the remote. It exists when the server has it."""

    def __init__(self, url):
        self.url = url

    def exists(self):
        return url_exists(self.url)


class ExternalFileChecker(luigi.ExternalTask):
    """Something published by someone else. Luigi waits for it instead of failing."""
    url = luigi.Parameter()

    def output(self):
        return HttpTarget(self.url)


class DownloadSpins(luigi.Task):
    """One day's spins, into a folder per day: data/spins/YYYY/MM/DD/."""
    date = luigi.DateParameter()

    def requires(self):
        return ExternalFileChecker(spins_url(self.date))

    def output(self):
        return luigi.LocalTarget(data_dir() / f"spins/{self.date:%Y/%m/%d}/spins.snappy.parquet",
                                 format=luigi.format.Nop)

    def run(self):
        download(self.input().url, self.output())


class DownloadListeners(luigi.Task):
    """The listeners dimension, re-published in place, plus a marker that this day fetched it."""
    date = luigi.DateParameter()

    def requires(self):
        return ExternalFileChecker(listeners_url())

    def output(self):
        return {
            "data": luigi.LocalTarget(data_dir() / "listeners/listeners.snappy.parquet", format=luigi.format.Nop),
            "marker": luigi.LocalTarget(data_dir() / f"markers/{self.date:%Y/%m/%d}/listeners_downloaded.SUCCESS"),
        }

    def run(self):
        # Luigi runs a task when any output is missing, so start from a clean slate:
        # a marker left from a broken run must not vouch for this one.
        outputs, url = self.output(), self.input().url
        if outputs["marker"].exists():
            outputs["marker"].remove()
        download(url, outputs["data"])
        with outputs["marker"].open("w") as f:
            f.write(f"{url}\n")


class DatasetGen(WorkshopSparkSubmitTask):
    """Submit the PySpark job that writes the day's dataset and its counts by zip and subscription.

    Master and memory come from luigi.cfg's [spark], Spark's tuning from spark/conf; the app is
    spark/dataset_gen.py.
    """
    date = luigi.DateParameter()
    minrows = luigi.IntParameter(default=100)

    def requires(self):
        return {"listeners": DownloadListeners(self.date), "spins": DownloadSpins(self.date)}

    def output_dir(self):
        return data_dir() / f"output/{self.date:%Y/%m/%d}"

    def output(self):
        return {
            "dataset": luigi.LocalTarget(self.output_dir() / "dataset/_SUCCESS"),
            "counts": luigi.LocalTarget(self.output_dir() / "counts_by_zip_sub/_SUCCESS"),
        }

    def app_options(self):
        inputs = self.input()
        return [
            "--day", self.date.isoformat(),
            "--minrows", self.minrows,
            "--listeners_path", inputs["listeners"]["data"].path,
            "--spins_path", inputs["spins"].path,
            "--dataset_out_path", self.output_dir() / "dataset",
            "--analysis_out_path", self.output_dir() / "counts_by_zip_sub",
        ]
