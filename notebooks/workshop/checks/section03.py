"""Notebook 03 · Putting it all together: the whole day from Luigi, the reports, a task of the student's own
(TopZipCodes, run from a terminal), failure and recovery.

A run's result says which tasks its cell asked for (workshop.build keeps them): the checkpoints read their
parameters, so that a task built with the wrong ones is named as the cause, not the job. TopZipCodes is checked as
its cell last wrote it: what it declares, then two runs of the notebook's terminal command, from a clean slate,
then its run() on a counts report of the checkpoint's own."""
import importlib
import os
import tempfile
from pathlib import Path
from unittest import mock

import luigi
from luigi.task import flatten

from song_plays_luigi.settings import data_dir
from workshop.checks import show_progress
from workshop.checks.section02 import expect_counts, expect_dataset_rows
from workshop.coach import Section, expect
from workshop.luigi_runs import command_line, commands_run, face, last_error, ran, run_watching_its_target
from workshop.reports import COUNTS_COLUMNS, DATASET_COLUMNS, pandas_reports, read_report

section = Section("03_putting_it_all_together")
hint, solution, progress = section.hint, section.solution, show_progress


def day_output(day):
    return data_dir() / f"output/{day:%Y/%m/%d}"


def success_files(day):
    return [day_output(day) / "dataset/_SUCCESS", day_output(day) / "counts_by_zip_sub/_SUCCESS"]


def asked_for(result):
    """The tasks the cell's workshop.build(...) was given; the checkpoint fails when result is something else."""
    expect(hasattr(result, "tasks"), f"the run's result is {result!r}, not what workshop.build(...) returns",
           hint="workshop.build(task) runs it as luigi.build does, prints luigi's summary and returns its result")
    return result.tasks


def dataset_gen(**parameters):
    return importlib.import_module("song_plays_tasks").DatasetGen(**parameters)


@section.checkpoint(1, "DatasetGen ends :) with both _SUCCESS files, after one spark-submit",
                    cells=["step1-run-the-day"], hints=[
    "One call runs the whole day: ask for the last task, and luigi works out the downloads it needs first.",
    "workshop.build(task) runs a task as the luigi command does and returns the run's result; the last task is "
    "song_plays_tasks.DatasetGen, for the notebook's day.",
    "result = workshop.build(song_plays_tasks.DatasetGen(date=day))"])
def step1(result, commands, day):
    asked = asked_for(result)
    other_days = [task.date for task in asked if getattr(task, "date", day) != day]
    expect([task.task_id for task in asked] == [dataset_gen(date=day).task_id],
           f"the cell ran {', '.join(map(repr, asked))}, not {dataset_gen(date=day)!r}"
           + (f": {other_days[0]} is not the notebook's day" if other_days else ""), hint=[
               "run DatasetGen for the notebook's day, day: the day the remote has published",
               "result = workshop.build(song_plays_tasks.DatasetGen(date=day))"])
    expect(face(result) == ":)", f"the run ended {face(result)}, not :)",
           hint="read the error above: the lines after 'spark-submit failed' come from your job")
    for success in success_files(day):
        expect(success.exists(), f"{success} is missing",
               hint="DatasetGen.output() and the job's output flags must name the same folders")
    expect(len(commands) == 1 and "spark-submit --master" in commands[0],
           f"Luigi ran {len(commands)} spark-submit commands",
           hint="the reports existed already; rerun the cell above the run")
    expect("--minrows 100" in commands[0] and "spark/dataset_gen.py --day" in commands[0],
           "the command does not submit spark/dataset_gen.py with the default --minrows 100",
           hint="check DatasetGen.app and app_options()")


@section.checkpoint(2, "the reports have the exact headers, and the same rows and counts as pandas", hints=[
    "The reports are what the job wrote; pandas computes the same from the downloaded Parquet files.",
    "A difference in rows points at the job's filter (> 30), distinct() or the join (notebook 02, step 3); "
    "in the counts, at count_spins_by_sub."])
def step2(dataset, counts, day):
    expected_dataset, expected_counts = pandas_reports(
        data_dir() / f"spins/{day:%Y/%m/%d}/spins.snappy.parquet", data_dir() / "listeners/listeners.snappy.parquet")
    expect(list(dataset.columns) == DATASET_COLUMNS, f"the dataset header is {list(dataset.columns)}",
           hint="select the columns in DATASET_COLUMNS order before writing")
    expect_dataset_rows(dataset, expected_dataset, "the dataset report")
    expect_counts(counts, expected_dataset, expected_counts, "the counts report")
    expect(counts["spins"].astype(int).sum() == len(dataset), "the counts do not add up to the dataset's rows",
           hint="count_spins_by_sub must count the dataset the job wrote")


@section.checkpoint(3, "rerunning a finished day ends :) without starting spark-submit", hints=[
    "Luigi's memory is the files on disk: a task whose outputs exist is complete and never runs.",
    "If spark-submit ran again, DatasetGen.output() does not name the _SUCCESS files the job writes."])
def step3(rerun, log):
    expect(face(rerun) == ":)", f"the rerun ended {face(rerun)}", hint="read the summary above")
    expect(commands_run(log) == [], "spark-submit ran again",
           hint="DatasetGen.output() must name the _SUCCESS files the job writes")


OWN_TASK_HINTS = [
    "TopZipCodes is a luigi.Task with two parameters, the day and how many zip codes (n); requires() names the task "
    "whose reports it reads; output() is the one file whose existence means that day, and that n, are done.",
    "The day is a luigi.DateParameter, n a luigi.IntParameter with a default of 10. requires() is DatasetGen for "
    "self.date. output() is a luigi.LocalTarget under data_dir(), in output/YYYY/MM/DD/, named with self.n.",
    "requires(): return DatasetGen(date=self.date). output(): return luigi.LocalTarget(data_dir() / "
    "f\"output/{self.date:%Y/%m/%d}/top_{self.n}_zip_codes.tsv\")."]
RUN_HINTS = [
    "run() reads the counts report (self.input()[\"counts\"] is its _SUCCESS target; read_report() reads the folder "
    "that file is in), totals the spins of each zip code, and writes the n largest through the target.",
    "In pandas: counts[\"spins\"].astype(int), grouped by counts[\"fake_zipcode\"], summed; then nlargest(self.n). "
    "Write inside `with self.output().open(\"w\") as out:` the header line, then one zip code, a tab and its spins "
    "a line.",
    "counts = read_report(Path(self.input()[\"counts\"].path).parent); spins = counts[\"spins\"].astype(int)"
    ".groupby(counts[\"fake_zipcode\"]).sum(); with self.output().open(\"w\") as out: out.write(\"fake_zipcode\\tspins"
    "\\n\"), then for zipcode, total in spins.nlargest(self.n).items(): out.write(f\"{zipcode}\\t{total}\\n\")."]


def top_file(day, n=10):
    return day_output(day) / f"top_{n}_zip_codes.tsv"


def called(what, method):
    """What method() returns; its error, if it raises, is the checkpoint's problem (a stub says "not started")."""
    try:
        return method()
    except Exception as error:  # noqa: BLE001 - the student's code: say what it raised
        expect(False, f"{what} raised {type(error).__name__}: {error}", hint="read the error: it names what to fix")


def declared_task(day):
    """TopZipCodes as its cell last wrote it, once its parameters, requires() and output() are right."""
    module = importlib.import_module("top_zip_codes")
    task_class = getattr(module, "TopZipCodes", None)
    expect(isinstance(task_class, type) and issubclass(task_class, luigi.Task),
           f"{module.__file__} has no task TopZipCodes yet", hint=["write the class TopZipCodes, a luigi.Task, in the "
                                                                   "cell above, and run the cell", OWN_TASK_HINTS[-1]])
    declared = dict(task_class.get_params())
    for name, kind, stays in (("date", luigi.DateParameter, "which f\"{self.date:%Y/%m/%d}\" cannot format"),
                              ("n", luigi.IntParameter, "which is not a number")):
        expect(name in declared, f"TopZipCodes has no parameter {name}",
               hint=f"declare {name} in the class, as a luigi parameter of the right kind")
        expect(isinstance(declared[name], kind), f"TopZipCodes declares {name} = luigi.{type(declared[name]).__name__}"
               f"(): it keeps the {name} a terminal gives as text, {stays}; it must be a luigi.{kind.__name__}",
               hint=[f"a terminal gives every value as text: luigi.{kind.__name__} turns it into what run() needs",
                     f"declare {name} = luigi.{kind.__name__}()" + ("" if name == "date" else " with default=10")])
    task = called("TopZipCodes(date=day)", lambda: task_class(date=day))
    expect(task.n == 10, f"TopZipCodes(date=day) keeps n = {task.n!r}, not 10", hint="n's default is 10")
    required = flatten(called("TopZipCodes(date=day).requires()", task.requires))
    names = ", ".join(map(repr, required)) or "nothing"
    expect([getattr(each, "task_family", None) for each in required] == ["DatasetGen"],
           f"TopZipCodes(date={day}).requires() gives {names}: the counts report is DatasetGen's output", hint=[
               "requires() names the task whose output run() reads: the day's reports come from DatasetGen",
               "return DatasetGen(date=self.date)"])
    expect(required[0].date == day, f"TopZipCodes(date={day}).requires() gives {required[0]!r}, for another day",
           hint="the day's reports: DatasetGen for the task's own date, self.date")
    target = called("TopZipCodes(date=day).output()", task.output)
    expect(isinstance(target, luigi.LocalTarget), f"TopZipCodes.output() is {target!r}, not one LocalTarget",
           hint="output() returns one luigi.LocalTarget: the file run() writes")
    path = Path(target.path)
    next_day = day.fromordinal(day.toordinal() + 1)
    expect(path != Path(task_class(date=next_day).output().path), f"TopZipCodes writes {path} whatever its day: "
           "one file for every day, so once one day is done, every day looks done",
           hint=["a day's file must have the day in its path, as the reports' folder has: one file per day",
                 OWN_TASK_HINTS[-1]])
    expect(path != Path(task_class(date=day, n=5).output().path), f"TopZipCodes writes {path} whatever its n: with "
           "n=5 after n=10, luigi finds the 10-line file and runs nothing", hint=[
               "every parameter that changes the file must be in its name: n too", OWN_TASK_HINTS[-1]])
    expect(path == top_file(day), f"TopZipCodes(date={day}) writes {path}, not {top_file(day)}",
           hint=["the file goes in the day's output folder, next to its reports, named top_10_zip_codes.tsv for 10",
                 OWN_TASK_HINTS[-1]])
    return task_class


@section.checkpoint(4, "TopZipCodes declares its day and n, requires the day's DatasetGen, and writes one file per "
                       "day and n", cells=["step4-top-zip-codes"],
                    hints=OWN_TASK_HINTS)
def step4(day):
    declared_task(day)


def expected_top(day, n=10):
    """{zip code: spins} of the day's counts report, computed here, and the n largest totals, most first."""
    counts = read_report(day_output(day) / "counts_by_zip_sub")
    totals = counts["spins"].astype(int).groupby(counts["fake_zipcode"]).sum()
    return totals.to_dict(), sorted(totals, reverse=True)[:n]


# A counts report of the checkpoint's own. The workshop's day has one subscription type per zip code, so it cannot
# tell adding up a zip code's rows from keeping one; totals of two and three digits tell numbers from text.
OWN_COUNTS = [("00501", "Free", "60"), ("00501", "Premium", "50"), ("10001", "Family", "95"),
              ("20002", "Premium", "100"), ("30003", "Free", "9")]
TOP_OF_OWN = ["00501\t110", "20002\t100", "10001\t95"]


def run_on_own_counts(task_class, day):
    """TopZipCodes(n=3).run() on OWN_COUNTS, in a data folder of its own: the lines it wrote, and whether it wrote
    them through its target's open("w")."""
    import pandas as pd
    task = task_class(date=day, n=3)
    with tempfile.TemporaryDirectory() as folder, mock.patch.dict(os.environ, SONG_PLAYS_DATA_DIR=folder):
        report = data_dir() / f"output/{day:%Y/%m/%d}/counts_by_zip_sub"  # the task's input, under the new folder
        report.mkdir(parents=True)
        pd.DataFrame(OWN_COUNTS, columns=COUNTS_COLUMNS).to_csv(report / "part-00000.csv.gz", sep="\t", index=False)
        (report / "_SUCCESS").touch()
        _, through_target = run_watching_its_target(task, lambda: called("TopZipCodes(date=day, n=3).run()", task.run))
        path = Path(task.output().path)
        return (path.read_text().splitlines() if path.exists() else []), through_target


@section.checkpoint(5, "from a terminal, TopZipCodes writes the day's top 10 zip codes; run again, it runs nothing",
                    hints=RUN_HINTS)
def step5(first_run, second_run, day):
    del first_run, second_run  # their cells ran: the checkpoint runs the same command itself, from a clean slate
    task_class = declared_task(day)
    top_file(day).unlink(missing_ok=True)
    run = command_line("TopZipCodes", "--date", day, module="top_zip_codes")
    error = last_error(run.summary_text)
    expect(not ("KeyError" in error and "spins" in error), f"`{run.command}` failed: {error}: run() read a report "
           "with no spins column, the dataset report (one row per spin), not the counts report", hint=[
               "self.input() is DatasetGen's output: the counts report is the one under \"counts\"", RUN_HINTS[-1]])
    expect(face(run) == ":)", f"`{run.command}` ended {face(run)}: {error}",
           hint="read the error: it names what to fix")
    expect(any(line.startswith("1 TopZipCodes(") for line in ran(run)), f"`{run.command}` did not run TopZipCodes",
           hint="its file must not exist before the run: is output() the day's file?")
    expect(top_file(day).exists(), f"`{run.command}` ended :), and {top_file(day)} does not exist: the target's "
           "file is moved into place only when it is closed", hint=[
               "open the target for writing in a with block: closing it is what puts the file in place",
               "with self.output().open(\"w\") as out: ... and write inside the block"])
    lines = top_file(day).read_text().splitlines()
    expect(lines[:1] == ["fake_zipcode\tspins"], f"the file's first line is {lines[:1]}, not the header "
           "fake_zipcode<TAB>spins", hint="write the header line first: the column names, a tab between them")
    rows = [line.split("\t") for line in lines[1:]]
    totals, largest = expected_top(day)
    expect(all(len(row) == 2 for row in rows), "a line of the file is not a zip code, a tab and its spins",
           hint="write f\"{zipcode}\\t{total}\\n\" for each zip code")
    expect(len(rows) == 10, f"the file has {len(rows)} zip codes, not 10",
           hint="keep the n largest totals: nlargest(self.n)")
    for zipcode, spins in rows:
        expect(zipcode in totals, f"{zipcode!r} is not a zip code of the counts report",
               hint="the first column is the zip code, as the report writes it (text: it may start with 0)")
        expect(spins == str(totals[zipcode]), f"the file gives {zipcode} {spins} spins; the counts report adds up to "
               f"{totals[zipcode]}", hint=["a zip code has a row for each subscription type: add up its spins",
                                           RUN_HINTS[1]])
    expect(len({zipcode for zipcode, _ in rows}) == 10, "a zip code is in the file twice",
           hint="total the spins of each zip code once, then keep the largest")
    expect([int(spins) for _, spins in rows] == largest, f"the file's spins are {[int(s) for _, s in rows]}, not the "
           f"10 largest, most first: {largest}", hint="keep the largest totals, most first: nlargest(self.n)")
    lines, through_target = run_on_own_counts(task_class, day)
    expect(through_target, "run() wrote its file without self.output().open(\"w\"): a run that breaks half way "
           "leaves a half-written file there, which luigi takes for a finished task", hint=[
               "write through the target: what it opens for writing is a temporary file, put in place whole when "
               "it is closed", "with self.output().open(\"w\") as out: ... and write inside the block"])
    expect(len(lines[1:]) == 3, f"TopZipCodes(n=3) wrote {len(lines[1:])} zip codes, not 3",
           hint="keep the task's own n of them, self.n: a terminal's --n 5 sets it")
    expect(lines[1:] == TOP_OF_OWN, "on a counts report where zip code 00501 has two rows (Free 60, Premium 50), "
           f"TopZipCodes(n=3) wrote {', '.join(lines[1:]).expandtabs(1)}, not 00501 110, 20002 100, 10001 95", hint=[
               "a zip code has a row for each subscription type: add up its spins, as numbers, then keep the largest",
               RUN_HINTS[1]])
    again = command_line("TopZipCodes", "--date", day, module="top_zip_codes")
    expect(face(again) == ":)" and ran(again) == [] and "complete ones were encountered" in again.summary_text,
           f"`{again.command}` again ran {ran(again) or 'and ended ' + face(again)}: the file from the first run "
           "should make the task complete", hint="output() must name the same file each time, the one run() writes")


@section.checkpoint(6, "too few rows ends :( with the validation message, and leaves no _SUCCESS",
                    cells=["step6-too-few-rows"], hints=[
    "minrows is a parameter of DatasetGen: a task with another value is another task.",
    "Run DatasetGen as in step 1, for the same day, with minrows set to TOO_MANY_ROWS; keep the result in failed.",
    "failed = workshop.build(song_plays_tasks.DatasetGen(date=day, minrows=TOO_MANY_ROWS))"])
def step6(failed, log, day, TOO_MANY_ROWS):  # noqa: N803 - the notebook's parameter
    [asked] = asked_for(failed)
    # The text of the number is the same task for the job: its command line carries --minrows as text anyway.
    expect(str(getattr(asked, "minrows", None)) == str(TOO_MANY_ROWS), f"the cell ran {asked!r}: without "
           "minrows=TOO_MANY_ROWS, that is the day's usual run, which passes", hint=[
               "the step asks for more rows than any day has: build the task with that minimum, or it has the "
               "default one", "song_plays_tasks.DatasetGen(date=day, minrows=TOO_MANY_ROWS)"])
    expect(asked.date == day, f"the cell ran {asked!r}, not the notebook's day {day}: the failure to see is that "
           "day's", hint="the same day as step 1's run: date=day")
    log_text = "\n".join(log)
    expect(face(failed) == ":(", f"the run ended {face(failed)}, not :(",
           hint="validate() must raise when num_rows < minrows, and run() must call it")
    expect("FailedValidationError" in log_text and f"rows < minimum {TOO_MANY_ROWS}" in log_text,
           "the validation message is not in Luigi's log",
           hint="raise FailedValidationError(f'{num_rows} rows < minimum {minrows}')")
    expect(not list(day_output(day).rglob("_SUCCESS")), "a _SUCCESS file exists after the failure",
           hint="validate before writing anything")


@section.checkpoint(7, "after the failure, a plain rerun ends :) with no clean-up", hints=[
    "The failed run wrote nothing, so the day is simply not complete yet.",
    "Run DatasetGen for the day with the default minrows, as at the top of this notebook."])
def step7(failed, recovered, day):
    expect(face(failed) == ":(", f"step 6's run ended {face(failed)}, not :(: there was no failure to recover from",
           hint="make step 6 fail first: its checkpoint says what it still needs")
    expect(face(recovered) == ":)", f"the rerun ended {face(recovered)}", hint="read the error above")
    expect(all(success.exists() for success in success_files(day)), "the _SUCCESS files are missing",
           hint="read the error above")


@section.checkpoint(8, "with the data host down, the run ends :( and says nothing is listening; with it back, :)",
                    hints=[
    "A host that does not answer is not the same as a day that is not published: the first is an error.",
    "HttpTarget.exists() returns url_exists(url), which raises when nothing listens; it must not answer False.",
    "Nothing needs cleaning up after a failed check: the task wrote nothing. Run both cells above again: the first "
    "stops the second server before the run, the second starts it again."])
def step8(host_down, down_log, host_back):
    expect(face(host_down) == ":(", f"with the host down, the run ended {face(host_down)}, not :(",
           hint="HttpTarget.exists() must raise when the host cannot be reached, not answer False")
    expect("Nothing is listening at" in "\n".join(down_log), "the log does not say that nothing is listening",
           hint="read the error above")
    expect(face(host_back) == ":)", f"with the host back, the run ended {face(host_back)}",
           hint="read the error above")


@section.checkpoint(9, "a file that is not Parquet is refused, and nothing is written", hints=[
    "A host can answer 200 with an error page. The download checks the file's first and last bytes.",
    "download() writes to a hidden partial file and moves it into place only when it is Parquet."])
def step9(broken, log, next_day, song_plays_tasks):
    broken_target = Path(song_plays_tasks.DownloadSpins(date=next_day).output().path)
    expect(face(broken) == ":(", f"the run ended {face(broken)}, not :(",
           hint="download() must check the file before the temporary file becomes the target")
    expect("did not send a Parquet file" in "\n".join(log), "the log does not say what was wrong",
           hint="read the error above")
    expect(not broken_target.exists(), f"{broken_target} exists",
           hint="never move a file that failed its check into place")
