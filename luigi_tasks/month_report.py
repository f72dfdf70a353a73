"""A report over a span of days (a month, a week): the days' counts by zip code and subscription type, added up.
From the workshop folder:

    luigi --module month_report CountsReport --days 2019-02 --local-scheduler
"""
from pathlib import Path

import luigi
import pandas as pd

from song_plays_luigi.settings import data_dir
from song_plays_tasks import DatasetGen


def read_counts(target):
    """A day's counts by zip code and subscription type, from the _SUCCESS target DatasetGen writes beside them."""
    [report] = Path(target.path).parent.glob("part-*.csv.gz")
    return pd.read_csv(report, sep="\t", dtype={"fake_zipcode": str, "subscription_type": str})


class CountsReport(luigi.Task):
    """The spins by zip code and subscription type over a span of days: the sum of the days' own counts."""
    days = luigi.DateIntervalParameter()

    def requires(self):
        return [DatasetGen(date=day) for day in self.days.dates()]

    def output(self):
        return luigi.LocalTarget(data_dir() / f"reports/counts_by_zip_sub-{self.days}.tsv")

    def run(self):
        every_day = pd.concat(read_counts(day["counts"]) for day in self.input())
        total = every_day.groupby(["fake_zipcode", "subscription_type"], as_index=False)["spins"].sum()
        with self.output().open("w") as f:
            f.write(total.to_csv(sep="\t", index=False))
