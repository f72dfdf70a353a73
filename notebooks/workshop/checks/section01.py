"""Notebook 01 · Luigi tasks: DownloadSpins, DownloadListeners and a first DatasetGen.

Each checkpoint checks the tasks as their cells last defined them: it reads what they declare (their parameters'
kinds, their outputs), then runs them again itself, from a clean slate. A module's task runs once with the
notebook's own terminal command (`luigi --module song_plays_tasks ... --local-scheduler`), in a new Python, so that
what a terminal would refuse is refused here; its other runs, and DownloadSpinsFirstTry's, run in this kernel.
"""
import importlib
import shutil
from pathlib import Path

import luigi
from luigi.task import flatten

from song_plays_luigi.settings import WORKSHOP_ROOT, data_dir, listeners_url, spins_url
from workshop.checks import show_progress
from workshop.coach import Section, expect
from workshop.luigi_runs import command_line, face, last_error, quiet_build, ran

section = Section("01_luigi_tasks")
hint, solution, progress = section.hint, section.solution, show_progress

NOT_WRITTEN_YET = WORKSHOP_ROOT / "build" / "not-written-yet" / "dataset_gen.py"  # step 4's job, as its cell sets it
DECLARE = {  # a parameter of the wrong kind: what a terminal's text then stays, and the hints
    luigi.DateParameter: ("which f\"{self.date:%Y/%m/%d}\" cannot format", [
        "a day must be a luigi.DateParameter: it turns the text a terminal gives (--date YYYY-MM-DD) into a "
        "datetime.date", "declare date = luigi.DateParameter()"]),
    luigi.IntParameter: ("which is not a number", [
        "a number must be a luigi.IntParameter: it turns the text a terminal gives (--minrows N) into an int",
        "declare minrows = luigi.IntParameter(default=100)"]),
}
SERVER_DOWN = ["'Nothing is listening' means the data server is not running: run the cell under 'The remote' again",
               "workshop.use_data_url(DATA_URL) starts it; an instructor's DATA_URL must be a host that answers"]


def spins_file(day):
    return data_dir() / f"spins/{day:%Y/%m/%d}/spins.snappy.parquet"


def lesson_module():
    """song_plays_tasks as its %%writefile cells last wrote it."""
    return importlib.import_module("song_plays_tasks")


def expect_declared(task_class, run=None, **kinds):
    """Each parameter is declared with its kind of luigi parameter: date=luigi.DateParameter. run: the terminal
    command that ran the task, whose error, if it failed, the message shows too."""
    declared = dict(task_class.get_params())
    failed = f" (`{run.command}` fails: {last_error(run.summary_text)})" if run and face(run) != ":)" else ""
    for name, kind in kinds.items():
        expect(name in declared, f"{task_class.__name__} has no parameter {name}{failed}",
               hint=f"declare {name} = luigi.{kind.__name__}() in the class, as the cell gives it")
        stays, hints = DECLARE[kind]
        expect(isinstance(declared[name], kind), f"{task_class.__name__} declares {name} = "
               f"luigi.{type(declared[name]).__name__}(): it keeps the {name} a terminal gives as text, {stays}; it "
               f"must be a luigi.{kind.__name__}{failed}", hint=hints)


def expect_face(run, wanted, what, hint):
    """run (a quiet_build or a command_line) ended with the face wanted; else how it ended, and its error."""
    error = last_error(run.summary_text if hasattr(run, "command") else run.output)
    expect(face(run) == wanted, f"{what} ended {face(run)}, not {wanted}" + (f": {error}" if face(run) != ":)" else ""),
           hint=SERVER_DOWN if "Nothing is listening" in error else hint)


@section.checkpoint(1, "the published day downloaded (:)), and the unpublished one failed (:()",
                    cells=["step1-download-spins-first-try"], hints=[
    "output() says where the file goes: luigi calls the task complete when that target exists. run() fetches it "
    "from the host into that target, for the task's own day.",
    "The target is a luigi.LocalTarget under data_dir(), in a folder per day (spins/YYYY/MM/DD/, the day from "
    "self.date), with format=luigi.format.Nop because Parquet is bytes. run() passes download() the day's URL, "
    "spins_url(self.date), and that target, self.output().",
    "output(): return luigi.LocalTarget(data_dir() / f\"spins/{self.date:%Y/%m/%d}/spins.snappy.parquet\", "
    "format=luigi.format.Nop). run(): download(spins_url(self.date), self.output())."])
def step1(DownloadSpinsFirstTry, day, unpublished_day):  # noqa: N803 - the notebook's class
    expect_declared(DownloadSpinsFirstTry, date=luigi.DateParameter)
    written_to = Path(DownloadSpinsFirstTry(date=day).output().path)
    expect(written_to == spins_file(day), f"output() is {written_to}, not {spins_file(day)}",
           hint="output() should point at data/spins/YYYY/MM/DD/spins.snappy.parquet")
    for each in (day, unpublished_day):  # both days again, from a clean slate, with the class as last defined
        shutil.rmtree(spins_file(each).parent, ignore_errors=True)
    published = quiet_build(DownloadSpinsFirstTry(date=day))
    unpublished = quiet_build(DownloadSpinsFirstTry(date=unpublished_day))
    expect_face(published, ":)", f"DownloadSpinsFirstTry(date={day})",
                hint="a NotImplementedError is a TODO left to write; for another error, run the cells above again")
    expect(spins_file(day).exists(), f"DownloadSpinsFirstTry(date={day}) ended :) and run() wrote nothing",
           hint="run() must download(spins_url(self.date), self.output())")
    expect(not spins_file(unpublished_day).exists(),
           f"DownloadSpinsFirstTry(date={unpublished_day}) downloaded a file, for a day that is not published: run() "
           "fetches the same day whatever the task's date", hint=[
               "run() must build the URL from the task's own date, self.date, not the notebook's day",
               "download(spins_url(self.date), self.output())"])
    expect_face(unpublished, ":(", f"DownloadSpinsFirstTry(date={unpublished_day})",
                hint="with nothing in requires(), a missing day should make run() fail")


def why_not_waiting(tasks, day):
    """Why a day that is not published did not wait (:|), from what the module declares: (the cause, its hints)."""
    if not flatten(tasks.DownloadSpins(date=day).requires()):
        return "DownloadSpins.requires() is empty, so nothing told luigi to wait for the file", [
            "nothing tells luigi to wait for the file: DownloadSpins.requires() is missing, so run() tries to "
            "download a day that is not published", "requires() returns ExternalFileChecker(spins_url(self.date))"]
    if tasks.HttpTarget(spins_url(day)).exists():
        return "HttpTarget.exists() says that the host publishes it", [
            "HttpTarget.exists() says the host has a file it does not publish",
            "exists() returns url_exists(self.url), which asks the host"]
    return "a day that is not published must wait, not fail", "read the error: it names what to fix"


@section.checkpoint(2, "the published day ends :), from a terminal too, and the unpublished one :| (waiting, no "
                       "error)", cells=["step2-http-target", "step2-download-spins"], hints=[
    "A day that is not published yet is something to wait for: DownloadSpins requires() an external task, "
    "and luigi waits while that task's output does not exist. HttpTarget is that output: it exists when the "
    "host publishes its url.",
    "class HttpTarget(luigi.Target) keeps its url (__init__(self, url)) and its exists() asks the host "
    "(url_exists(self.url)); class ExternalFileChecker(luigi.ExternalTask) has url = luigi.Parameter() and an "
    "output() that is an HttpTarget for it; DownloadSpins is DownloadSpinsFirstTry with a requires() that is "
    "ExternalFileChecker(spins_url(self.date)).",
    "DownloadSpins.output() is DownloadSpinsFirstTry's LocalTarget; its run() is "
    "download(self.input().url, self.output()): self.input() is the checker's HttpTarget."])
def step2(day, unpublished_day):
    tasks = lesson_module()
    written_to = Path(tasks.DownloadSpins(date=day).output().path)
    expect(written_to == spins_file(day), f"DownloadSpins writes to {written_to}, not {spins_file(day)}",
           hint="output() should point at data/spins/YYYY/MM/DD/spins.snappy.parquet, one folder per day")
    for each in (day, unpublished_day):  # the notebook's terminal command, then the other day here, from a clean slate
        shutil.rmtree(spins_file(each).parent, ignore_errors=True)
    published = command_line("DownloadSpins", "--date", day)
    expect_declared(tasks.DownloadSpins, published, date=luigi.DateParameter)
    if face(published) == ":|":  # waiting for a file the host publishes: what does the module's checker answer?
        answer = tasks.HttpTarget(spins_url(day)).exists()
        expect(False, f"`{published.command}` waits for {spins_url(day)}, which the host publishes: "
               f"HttpTarget(that url).exists() answered {answer!r}", hint=[
                   "HttpTarget.exists() must return whether the host has the file: what url_exists(self.url) says",
                   "def exists(self): return url_exists(self.url)"] if answer is not True else [
                   "ExternalFileChecker.output() must be the HttpTarget of the checker's own url",
                   "def output(self): return HttpTarget(self.url)"])
    expect_face(published, ":)", f"`{published.command}`", hint="read the error: it names what to fix")
    expect(f"1 DownloadSpins(date={day})" in ran(published), f"`{published.command}` did not run DownloadSpins",
           hint="its output must not exist before the run: is output() the day's file?")
    expect(spins_file(day).exists(), f"`{published.command}` ended :), and run() did not write {spins_file(day)}",
           hint="DownloadSpins.run() must download(self.input().url, self.output()); check the path in output()")
    unpublished = quiet_build(tasks.DownloadSpins(date=unpublished_day))
    if face(unpublished) == ":(":
        cause, hints = why_not_waiting(tasks, unpublished_day)
        expect(False, f"DownloadSpins(date={unpublished_day}) ended :(, not :|: {last_error(unpublished.output)}; "
               f"{cause}", hint=hints)
    expect_face(unpublished, ":|", f"DownloadSpins(date={unpublished_day})", hint="read the error: it says what to fix")
    expect(not spins_file(unpublished_day).parent.exists(),
           f"{spins_file(unpublished_day).parent} exists, for a day that is not published",
           hint="nothing, not even an empty folder, should be made for a day that is not published")


@section.checkpoint(3, "DownloadListeners ends :) from a terminal, and a second run downloads nothing",
                    cells=["step3-download-listeners"], hints=[
    "Start from DownloadSpins: a luigi.Task with the same kind of parameter, waiting for the host's file the same "
    "way. What differs: two outputs, the file and a marker of the day, and a run() that starts from a clean slate.",
    "class DownloadListeners(luigi.Task) with date = luigi.DateParameter(); requires() is "
    "ExternalFileChecker(listeners_url()); output() is a dict {'data': ..., 'marker': ...} of LocalTargets under "
    "data_dir(): listeners/listeners.snappy.parquet (format=luigi.format.Nop) and "
    "markers/YYYY/MM/DD/listeners_downloaded.SUCCESS (the day from self.date).",
    "run(): outputs, url = self.output(), self.input().url; if outputs['marker'].exists(): "
    "outputs['marker'].remove(); download(url, outputs['data']); with outputs['marker'].open('w') as f: "
    "f.write(f\"{url}\\n\")."])
def step3(day):
    tasks = lesson_module()
    expect(hasattr(tasks, "DownloadListeners"), "song_plays_tasks has no DownloadListeners: its cell has not "
           "written a class of that name into the module", hint=[
               "write the class in step 3's cell, named DownloadListeners, and run the cell: %%writefile -a adds "
               "it to the module", "class DownloadListeners(luigi.Task): with date = luigi.DateParameter() and "
               "requires(), output() and run()"])
    expected = {"data": data_dir() / "listeners/listeners.snappy.parquet",
                "marker": data_dir() / f"markers/{day:%Y/%m/%d}/listeners_downloaded.SUCCESS"}
    expect("date" in dict(tasks.DownloadListeners.get_params()), "DownloadListeners has no parameter date",
           hint="declare date = luigi.DateParameter() in the class, as DownloadSpins does")
    task = tasks.DownloadListeners(date=day)
    needs = flatten(task.requires())
    expect(len(needs) == 1 and getattr(needs[0], "url", None) == listeners_url(),
           f"requires() gives {task.requires()!r}, not the checker of the host's listeners file, {listeners_url()}",
           hint=["DownloadListeners waits for the host's file as DownloadSpins waits for the day's: the external "
                 "task of its address, which listeners_url() gives", "return ExternalFileChecker(listeners_url())"])
    outputs = task.output()
    named = {name: Path(target.path) for name, target in outputs.items()} if isinstance(outputs, dict) else outputs
    expect(isinstance(outputs, dict) and set(outputs) == {"data", "marker"}, f"output() gives {outputs!r}",
           hint=["output() should return a dict with 'data' and 'marker' targets: run() reaches each by its name",
                 "return {'data': luigi.LocalTarget(...), 'marker': luigi.LocalTarget(...)}"])
    expect(named["data"] == expected["data"], f"output()'s data is {named['data']}, not {expected['data']}",
           hint="the file goes to data_dir() / 'listeners/listeners.snappy.parquet', with format=luigi.format.Nop")
    expect(named["marker"] == expected["marker"], f"output()'s marker is {named['marker']}, not {expected['marker']}"
           + ("" if f"{day:%Y/%m/%d}" in str(named["marker"]) else ": without the day in its path, one marker would "
              "stand for every day"), hint=[
               "the marker says that this day's download happened: its path needs the day, markers/YYYY/MM/DD/",
               "data_dir() / f\"markers/{self.date:%Y/%m/%d}/listeners_downloaded.SUCCESS\""])
    for path in expected.values():  # the notebook's terminal command from a clean slate, then a second run here
        path.unlink(missing_ok=True)
    first = command_line("DownloadListeners", "--date", day)
    expect_declared(tasks.DownloadListeners, first, date=luigi.DateParameter)
    expect_face(first, ":)", f"`{first.command}`",
                hint="read the error; does requires() point at listeners_url(), and run() use self.input().url?")
    missing = [name for name, path in expected.items() if not path.exists()]
    expect(not missing, f"`{first.command}` ended :), and run() did not write its {' and '.join(missing)} "
           f"({', '.join(str(expected[name]) for name in missing)})",
           hint=["run() did not write the marker: a target's open('w') writes a temporary file, which becomes the "
                 "target when it is closed", "with outputs['marker'].open('w') as f: f.write(f\"{url}\\n\")"]
           if missing == ["marker"] else "run() must download(url, outputs['data']), then write the marker")
    second = quiet_build(tasks.DownloadListeners(date=day))
    expect_face(second, ":)", "the second run", hint="the second run should find the task complete")
    expect(not ran(second), f"the second run ran {ran(second)} again",
           hint="a complete task never runs: do both outputs' paths stay the same between runs?")
    expect_clean_slate(tasks, day, expected)


def expect_clean_slate(tasks, day, expected):
    """A run that breaks halfway leaves no marker: with an old marker there, the download is made to fail for
    real (a file stands where the listeners' folder goes), then the marker must be gone; the next run recovers."""
    shutil.rmtree(expected["data"].parent)
    expected["data"].parent.write_text("")  # download() cannot make the file's folder: it fails, as a broken run
    expected["marker"].write_text("left from an earlier run\n")
    try:
        broken = quiet_build(tasks.DownloadListeners(date=day))
    finally:
        expected["data"].parent.unlink()
    kept = expected["marker"].read_text() if expected["marker"].exists() else None
    expect(face(broken) == ":(", f"with its download failing, DownloadListeners ended {face(broken)}",
           hint="let download() raise: a run that did not fetch the file must fail")
    expect(kept is None, "after a run whose download failed, the day's marker was there: " + (
        "the old one, which run() did not remove first" if kept == "left from an earlier run\n" else
        "run() wrote it before the download") + ", so it vouches for a file this run did not fetch", hint=[
        "start from a clean slate: remove an old marker first, fetch the file, and write the new marker last",
        "if outputs['marker'].exists(): outputs['marker'].remove(); then download(url, outputs['data']); "
        "then the with block that writes the marker"])
    expect_face(quiet_build(tasks.DownloadListeners(date=day)), ":)", "the run after the broken one",
                hint="once the download works again, the next run should fetch the file and write the marker")


@section.checkpoint(4, "DatasetGen needs both downloads, names both _SUCCESS files, gives the job's six flags, "
                       "and fails (:() from a terminal only because the job is not written yet",
                    cells=["step4-dataset-gen"], hints=[
    "DatasetGen needs both downloads, names the two _SUCCESS files as its outputs, and gives spark-submit "
    "six flags in app_options(), each followed by its value. The run fails only because the job is not written "
    "yet.",
    "class DatasetGen(WorkshopSparkSubmitTask): with date = luigi.DateParameter() and "
    "minrows = luigi.IntParameter(default=100); a method output_dir() returning "
    "data_dir() / f'output/{self.date:%Y/%m/%d}' serves output() and app_options(). requires() returns "
    "{'listeners': DownloadListeners(self.date), 'spins': DownloadSpins(self.date)}; "
    "output() is a dict of LocalTargets: output_dir() / 'dataset/_SUCCESS' and "
    "output_dir() / 'counts_by_zip_sub/_SUCCESS'.",
    "app_options(): inputs = self.input(); return ['--day', self.date.isoformat(), '--minrows', self.minrows, "
    "'--listeners_path', inputs['listeners']['data'].path, '--spins_path', inputs['spins'].path, "
    "'--dataset_out_path', self.output_dir() / 'dataset', '--analysis_out_path', "
    "self.output_dir() / 'counts_by_zip_sub']."])
def step4(sketch, day):
    tasks = lesson_module()
    task = tasks.DatasetGen(date=day)
    needs = {"listeners": tasks.DownloadListeners(date=day), "spins": tasks.DownloadSpins(date=day)}
    expect(task.requires() == needs, f"requires() gives {task.requires()!r}, not the dict {needs!r} that "
           "app_options() reads", hint=[
        "app_options() reads self.input()['listeners'] and self.input()['spins']: requires() is a dict with those keys",
        "return {'listeners': DownloadListeners(self.date), 'spins': DownloadSpins(self.date)}"])
    day_output = data_dir() / f"output/{day:%Y/%m/%d}"
    outputs = sorted(Path(target.path) for target in flatten(task.output()))
    expect(outputs == [day_output / "counts_by_zip_sub/_SUCCESS", day_output / "dataset/_SUCCESS"],
           f"output() names {[str(path) for path in outputs]}",
           hint=["its outputs are the _SUCCESS files the job writes last, one in each report folder of the day, "
                 "which output_dir() gives", "output_dir() / 'dataset/_SUCCESS' and "
                 "output_dir() / 'counts_by_zip_sub/_SUCCESS', each a luigi.LocalTarget"])
    expected = {"--day": day.isoformat(), "--minrows": "100",
                "--listeners_path": str(data_dir() / "listeners/listeners.snappy.parquet"),
                "--spins_path": str(spins_file(day)), "--dataset_out_path": str(day_output / "dataset"),
                "--analysis_out_path": str(day_output / "counts_by_zip_sub")}
    options = dict(zip(*[iter(map(str, task.app_options()))] * 2))
    expect(options == expected, f"app_options() gives {options}",
           hint="app_options() lists the six flags, each followed by its value: the day, minrows, the two "
                "downloaded files (self.input()) and the two report folders (output_dir()/dataset, "
                ".../counts_by_zip_sub)")
    shutil.rmtree(day_output, ignore_errors=True)  # reports a terminal's run left would make the task complete
    run = command_line("DatasetGen", "--date", day, env={"SONG_PLAYS_SPARK_APP": str(NOT_WRITTEN_YET)})
    as_expected = "does not exist yet" in last_error(run.summary_text)  # the job's file: the one failure expected
    expect_declared(tasks.DatasetGen, None if as_expected else run, date=luigi.DateParameter,
                    minrows=luigi.IntParameter)
    expect(as_expected, f"`{run.command}` ended {face(run)}: {last_error(run.summary_text)}",
           hint="it should fail only because the job is not written yet: read the error, it names the line to fix")
    [asked] = getattr(sketch, "tasks", [None])
    expect(getattr(asked, "task_id", None) == task.task_id, f"the cell above ran {asked!r}, not {task!r}",
           hint="a :| means a download is waiting: run DatasetGen for day, the day the remote has published")
