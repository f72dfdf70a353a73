"""Notebook 01 · Luigi tasks: DownloadSpins, DownloadListeners and a first DatasetGen."""
from pathlib import Path

from song_plays_luigi.settings import data_dir
from workshop.luigi_runs import face, ran
from workshop.checks import show_progress
from workshop.coach import Section, expect

section = Section("01_luigi_tasks")
hint, solution, progress = section.hint, section.solution, show_progress


def spins_file(day):
    return data_dir() / f"spins/{day:%Y/%m/%d}/spins.snappy.parquet"


@section.checkpoint(1, "the published day downloaded (:)), and the unpublished one failed (:()",
                    cells=["step1-download-spins-first-try"], hints=[
    "output() says where the file goes: luigi calls the task complete when that target exists. run() fetches it.",
    "The target is a luigi.LocalTarget under data_dir(), in a folder per day (spins/YYYY/MM/DD/), with "
    "format=luigi.format.Nop because Parquet is bytes. run() passes download() the day's URL and that target.",
    "output(): return luigi.LocalTarget(data_dir() / f\"spins/{self.date:%Y/%m/%d}/spins.snappy.parquet\", "
    "format=luigi.format.Nop). run(): download(spins_url(self.date), self.output())."])
def step1(first_try, first_try_unpublished, day, unpublished_day):
    expect(face(first_try) == ":)", f"the {day} run ended {face(first_try)}, not :)",
           hint="read the error above: a NotImplementedError is a TODO left to write; "
                "'Nothing is listening' means the data server is not running (the cell under 'The remote')")
    expect(spins_file(day).exists(), f"{spins_file(day)} does not exist",
           hint="output() should point at data/spins/YYYY/MM/DD/spins.snappy.parquet")
    expect(face(first_try_unpublished) == ":(",
           f"the {unpublished_day} run ended {face(first_try_unpublished)}, not :(",
           hint="with nothing in requires(), a missing day should make run() fail")


@section.checkpoint(2, "the published day ends :) and the unpublished one :| (waiting, no error)",
                    cells=["step2-http-target", "step2-download-spins"], hints=[
    "A day that is not published yet is something to wait for: DownloadSpins requires() an external task, "
    "and luigi waits while that task's output does not exist.",
    "HttpTarget.exists() asks the host (url_exists(self.url)); ExternalFileChecker.output() is an HttpTarget "
    "for its url; DownloadSpins.requires() is ExternalFileChecker(spins_url(self.date)).",
    "DownloadSpins.output() is DownloadSpinsFirstTry's LocalTarget; its run() is "
    "download(self.input().url, self.output()): self.input() is the checker's HttpTarget."])
def step2(published, unpublished, day, unpublished_day, song_plays_tasks):
    expect(face(published) == ":)", f"the {day} run ended {face(published)}, not :)",
           hint="read the error above; does requires() build the URL with the date as YYYY-MM-DD?")
    written_to = Path(song_plays_tasks.DownloadSpins(date=day).output().path)
    expect(written_to == spins_file(day), f"DownloadSpins writes to {written_to}, not {spins_file(day)}",
           hint="output() should point at data/spins/YYYY/MM/DD/spins.snappy.parquet, one folder per day")
    expect(f"1 DownloadSpins(date={day})" in ran(published), "DownloadSpins did not run for the day",
           hint="its output must not exist before the run: run the cell above again, from its first line")
    expect(spins_file(day).exists(), f"{spins_file(day)} does not exist",
           hint="DownloadSpins.run() must download(self.input().url, self.output()); check the path in output()")
    expect(face(unpublished) == ":|", f"the {unpublished_day} run ended {face(unpublished)}, not :|",
           hint="a :( here means requires() is missing: without ExternalFileChecker, a 404 is a failure")
    unpublished_folder = data_dir() / f"spins/{unpublished_day:%Y/%m/%d}"
    expect(not unpublished_folder.exists(), f"{unpublished_folder} exists, for a day that is not published",
           hint="nothing, not even an empty folder, should be made for a day that is not published")


@section.checkpoint(3, "DownloadListeners ends :) twice, and the second run downloads nothing",
                    cells=["step3-download-listeners"], hints=[
    "Two outputs: the file itself, and a marker that says this day's download happened. Luigi runs a task "
    "when any output is missing.",
    "requires() is ExternalFileChecker(listeners_url()); output() is a dict {'data': ..., 'marker': ...} of "
    "LocalTargets: listeners/listeners.snappy.parquet (format=luigi.format.Nop) and "
    "markers/YYYY/MM/DD/listeners_downloaded.SUCCESS under data_dir().",
    "run(): outputs, url = self.output(), self.input().url; remove outputs['marker'] if it exists; "
    "download(url, outputs['data']); then write the url into outputs['marker'].open('w')."])
def step3(first_listeners, second_listeners, day):
    listeners_file = data_dir() / "listeners/listeners.snappy.parquet"
    marker_file = data_dir() / f"markers/{day:%Y/%m/%d}/listeners_downloaded.SUCCESS"
    expect(face(first_listeners) == ":)", f"the first run ended {face(first_listeners)}",
           hint="read the error above; does requires() point at listeners_url()?")
    expect(listeners_file.exists() and marker_file.exists(), f"an output is missing: {listeners_file} or {marker_file}",
           hint="output() should return a dict with 'data' and 'marker' targets at those paths")
    expect(face(second_listeners) == ":)", f"the second run ended {face(second_listeners)}",
           hint="the second run should find the task complete")
    expect(not ran(second_listeners), f"the second run ran {ran(second_listeners)} again",
           hint="a complete task never runs: do both outputs' paths stay the same between runs?")


@section.checkpoint(4, "DatasetGen fails (:() after both downloads completed, with the job's six flags",
                    cells=["step4-dataset-gen"], hints=[
    "DatasetGen needs both downloads, names the two _SUCCESS files as its outputs, and gives spark-submit "
    "six flags in app_options(). The run fails only because the job is not written yet.",
    "requires() returns {'listeners': DownloadListeners(self.date), 'spins': DownloadSpins(self.date)}; "
    "output() is a dict of LocalTargets: output_dir() / 'dataset/_SUCCESS' and "
    "output_dir() / 'counts_by_zip_sub/_SUCCESS'.",
    "app_options(): inputs = self.input(); return ['--day', self.date.isoformat(), '--minrows', self.minrows, "
    "'--listeners_path', inputs['listeners']['data'].path, '--spins_path', inputs['spins'].path, "
    "'--dataset_out_path', self.output_dir() / 'dataset', '--analysis_out_path', "
    "self.output_dir() / 'counts_by_zip_sub']."])
def step4(sketch, day, song_plays_tasks):
    day_output = data_dir() / f"output/{day:%Y/%m/%d}"
    expected = {"--day": day.isoformat(), "--minrows": "100",
                "--listeners_path": str(data_dir() / "listeners/listeners.snappy.parquet"),
                "--spins_path": str(spins_file(day)), "--dataset_out_path": str(day_output / "dataset"),
                "--analysis_out_path": str(day_output / "counts_by_zip_sub")}
    expect(face(sketch) == ":(", f"the run ended {face(sketch)}, not :(",
           hint="a :| means a download is waiting: is the day published and the server running?")
    expect(song_plays_tasks.DownloadSpins(date=day).complete(), "DownloadSpins is not complete",
           hint="requires() should return {'listeners': DownloadListeners(...), 'spins': DownloadSpins(...)}")
    expect(song_plays_tasks.DownloadListeners(date=day).complete(), "DownloadListeners is not complete",
           hint="requires() should return {'listeners': DownloadListeners(...), 'spins': DownloadSpins(...)}")
    task = song_plays_tasks.DatasetGen(date=day)
    expect(not task.complete(), "DatasetGen looks complete",
           hint="its outputs are the two _SUCCESS files; remove data/output/ for this day and run again")
    options = dict(zip(*[iter(map(str, task.app_options()))] * 2))
    expect(options == expected, f"app_options() gives {options}",
           hint="app_options() lists the six flags, each followed by its value: the day, minrows, the two "
                "downloaded files (self.input()) and the two report folders (output_dir()/dataset, "
                ".../counts_by_zip_sub)")
