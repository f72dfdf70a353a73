"""Notebook 03 · Putting it all together: the whole day from Luigi, the reports, failure and recovery.

A run's result says which tasks its cell asked for (workshop.build keeps them): the checkpoints read their
parameters, so that a task built with the wrong ones is named as the cause, not the job."""
import importlib

from song_plays_luigi.settings import data_dir
from workshop.checks import show_progress
from workshop.checks.section02 import expect_counts, expect_dataset_rows
from workshop.coach import Section, expect
from workshop.luigi_runs import commands_run, face
from workshop.reports import DATASET_COLUMNS, pandas_reports

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
    "One call runs the whole day: luigi works out the downloads DatasetGen needs, then submits the job.",
    "result = workshop.build(...) with one DatasetGen task for the day: song_plays_tasks.DatasetGen(date=day)."])
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


@section.checkpoint(4, "too few rows ends :( with the validation message, and leaves no _SUCCESS",
                    cells=["step4-too-few-rows"], hints=[
    "minrows is a parameter of DatasetGen: a task with another value is another task.",
    "failed = workshop.build(...) with song_plays_tasks.DatasetGen(date=day, minrows=TOO_MANY_ROWS)."])
def step4(failed, log, day, TOO_MANY_ROWS):  # noqa: N803 - the notebook's parameter
    [asked] = asked_for(failed)
    expect(getattr(asked, "minrows", None) == TOO_MANY_ROWS, f"the cell ran {asked!r}: without "
           "minrows=TOO_MANY_ROWS, that is the day's usual run, which passes", hint=[
               "the step asks for more rows than any day has: build the task with that minimum, or it has the "
               "default one", "song_plays_tasks.DatasetGen(date=day, minrows=TOO_MANY_ROWS)"])
    log_text = "\n".join(log)
    expect(face(failed) == ":(", f"the run ended {face(failed)}, not :(",
           hint="validate() must raise when num_rows < minrows, and run() must call it")
    expect("FailedValidationError" in log_text and f"rows < minimum {TOO_MANY_ROWS}" in log_text,
           "the validation message is not in Luigi's log",
           hint="raise FailedValidationError(f'{num_rows} rows < minimum {minrows}')")
    expect(not list(day_output(day).rglob("_SUCCESS")), "a _SUCCESS file exists after the failure",
           hint="validate before writing anything")


@section.checkpoint(5, "after the failure, a plain rerun ends :) with no clean-up", hints=[
    "The failed run wrote nothing, so the day is simply not complete yet.",
    "Run DatasetGen for the day with the default minrows, as at the top of this notebook."])
def step5(recovered, day):
    expect(face(recovered) == ":)", f"the rerun ended {face(recovered)}", hint="read the error above")
    expect(all(success.exists() for success in success_files(day)), "the _SUCCESS files are missing",
           hint="read the error above")


@section.checkpoint(6, "with the data host down, the run ends :( and says nothing is listening", hints=[
    "A host that does not answer is not the same as a day that is not published: the first is an error.",
    "HttpTarget.exists() returns url_exists(url), which raises when nothing listens; it must not answer False."])
def step6(host_down, log):
    expect(face(host_down) == ":(", f"the run ended {face(host_down)}, not :(",
           hint="HttpTarget.exists() must raise when the host cannot be reached, not answer False")
    expect("Nothing is listening at" in "\n".join(log), "the log does not say that nothing is listening",
           hint="read the error above")


@section.checkpoint(7, "with the host back, the same run ends :)", hints=[
    "Nothing needs cleaning up after a failed check: the task wrote nothing.",
    "Run the cell above again: it starts the second server, runs DownloadListeners, and stops the server."])
def step7(host_back):
    expect(face(host_back) == ":)", f"the run ended {face(host_back)}", hint="read the error above")


@section.checkpoint(8, "a file that is not Parquet is refused, and nothing is written", hints=[
    "A host can answer 200 with an error page. The download checks the file's first and last bytes.",
    "download() writes to a hidden partial file and moves it into place only when it is Parquet."])
def step8(broken, log, next_day, song_plays_tasks):
    from pathlib import Path
    broken_target = Path(song_plays_tasks.DownloadSpins(date=next_day).output().path)
    expect(face(broken) == ":(", f"the run ended {face(broken)}, not :(",
           hint="download() must check the file before the temporary file becomes the target")
    expect("did not send a Parquet file" in "\n".join(log), "the log does not say what was wrong",
           hint="read the error above")
    expect(not broken_target.exists(), f"{broken_target} exists",
           hint="never move a file that failed its check into place")
