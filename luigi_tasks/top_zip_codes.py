"""The day's top zip codes by spins: a task downstream of DatasetGen. From the workshop folder:

    luigi --module top_zip_codes TopZipCodes --date 2019-02-08 --local-scheduler
"""
from pathlib import Path

import luigi
import pandas as pd

from song_plays_tasks import DatasetGen, data_dir


def read_report(folder):
    """A report folder's one part file (gzip, tab-separated, a header line), every column as text."""
    [part] = Path(folder).glob("part-*.csv.gz")
    return pd.read_csv(part, sep="\t", dtype=str, keep_default_na=False)


class TopZipCodes(luigi.Task):
    """The day's n zip codes with the most spins, from DatasetGen's counts report."""
    date = luigi.DateParameter()
    n = luigi.IntParameter(default=10)

    def requires(self):
        return DatasetGen(date=self.date)

    def output(self):
        return luigi.LocalTarget(data_dir() / f"output/{self.date:%Y/%m/%d}/top_{self.n}_zip_codes.tsv")

    def run(self):
        counts = read_report(Path(self.input()["counts"].path).parent)
        spins = counts["spins"].astype(int).groupby(counts["fake_zipcode"]).sum()
        with self.output().open("w") as out:
            out.write("fake_zipcode\tspins\n")
            for zipcode, total in spins.nlargest(self.n).items():
                out.write(f"{zipcode}\t{total}\n")
