"""Notebook 04 · Going further: a month with RangeDaily, the month's report as a task of the student's own, then
a standalone cluster, luigid and Spark Connect (demonstrations)."""
import datetime
import importlib
import logging
from contextlib import contextmanager

import luigi
from luigi.date_interval import Custom, Month
from luigi.task import flatten

from workshop.luigi_runs import face, last_error, quiet_build, ran, run_watching_its_target
from workshop.checks import show_progress
from workshop.coach import Section, expect
from workshop.reports import COUNTS_COLUMNS, read_report, same_rows

section = Section("04_going_further")
hint, solution, progress = section.hint, section.solution, show_progress
FEBRUARY = [datetime.date(2019, 2, n) for n in range(1, 29)]


def report_done(day, data):
    return (data / f"output/{day:%Y/%m/%d}/dataset/_SUCCESS").exists()


def daily_reports(day, data):
    folder = data / f"output/{day:%Y/%m/%d}"
    return read_report(folder / "dataset"), read_report(folder / "counts_by_zip_sub")


@contextmanager
def luigi_errors_only():
    """One warning per unpublished day would bury a checkpoint's own run."""
    logger = logging.getLogger("luigi-interface")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


@section.checkpoint(1, "the month ran every published day and the others wait", cells=["step1-the-month"], hints=[
    "The terminal command above says it all: each --option is a keyword argument of the task in Python "
    "(--days-back is days_back), and each date is a datetime.date.",
    "luigi's range task is RangeDaily (imported above): of= the task class with a date, start= the first day, "
    "stop= the first day NOT included, days_back= how far back from today it may look.",
    "month = RangeDaily(of=DatasetGen, start=datetime.date(2019, 2, 1), stop=datetime.date(2019, 3, 1), "
    "days_back=10000)"])
def step1(month, month_result, published, MONTH):  # noqa: N803 - the notebook's names
    from luigi.tools.range import RangeDaily
    expect(isinstance(month, RangeDaily), f"month is a {type(month).__name__}, not luigi's range task RangeDaily",
           hint="RangeDaily (luigi.tools.range) requires one task per day; it is imported in the cell at the top")
    expect(getattr(month.of, "__name__", None) == "DatasetGen", f"month runs {getattr(month.of, '__name__', month.of)} "
           "for each day, not DatasetGen", hint="of= names the task class, DatasetGen itself, not an instance")
    expect((month.start, month.stop) == (FEBRUARY[0], FEBRUARY[-1] + datetime.timedelta(days=1)),
           f"month covers {month.start} up to {month.stop}, not February 2019",
           hint="stop is the first day NOT included: February's range stops at 2019-03-01")
    reach = (datetime.date.today() - FEBRUARY[0]).days
    expect(month.days_back >= reach, f"month looks back {month.days_back} days from today, and 2019-02-01 is "
           f"{reach} days back: RangeDaily finds no day to run", hint="widen days_back, as --days-back 10000 does")
    data = MONTH / "data"
    waiting = [day for day in FEBRUARY if day not in published]
    expect(face(month_result) == ":|", f"the month ended {face(month_result)}, not :|",
           hint="unpublished days should wait (MISSING_EXT), not fail: DownloadSpins must require ExternalFileChecker")
    expect(all(report_done(day, data) for day in published), "a published day has no report",
           hint="read the summary above: which DatasetGen failed, and why?")
    expect(not any(report_done(day, data) for day in waiting), "a day that is not published has a report",
           hint="is DATA_URL a host that publishes more days than PUBLISHED_DAYS says?")


def expected_counts(days, data):
    """The days' counts added up, read apart from the student's code: what the report must say."""
    import pandas as pd
    counts = pd.concat(read_report(data / f"output/{day:%Y/%m/%d}/counts_by_zip_sub") for day in days)
    total = counts.astype({"spins": int}).groupby(["fake_zipcode", "subscription_type"], as_index=False)["spins"].sum()
    return total.astype(str).reset_index(drop=True)


@section.checkpoint(2, "CountsReport waits for February, and adds the published days up into one report, once", cells=[
    "step2-counts-report"], hints=[
    "A report over many days is a task like DatasetGen: a parameter, requires(), output() and run(). The cell's "
    "text lists what each must do; luigi.DateIntervalParameter is the span's parameter.",
    "requires(): one DatasetGen(date=day) for each day in self.days.dates(). output(): a luigi.LocalTarget under "
    "data_dir() whose name holds str(self.days). run(): read_counts() of each input's 'counts' target, "
    "pd.concat, then groupby the zip code and the subscription type and sum the spins; write to_csv's text "
    "into the file self.output().open('w') gives.",
    "days = luigi.DateIntervalParameter(); requires: [DatasetGen(date=day) for day in self.days.dates()]; output: "
    "luigi.LocalTarget(data_dir() / f'reports/counts_by_zip_sub-{self.days}.tsv'); run: every_day = "
    "pd.concat(read_counts(day['counts']) for day in self.input()); total = every_day.groupby(['fake_zipcode', "
    "'subscription_type'], as_index=False)['spins'].sum(); with self.output().open('w') as f: f.write(total.to_csv("
    "sep='\\t', index=False))"])
def step2(published, MONTH):  # noqa: N803
    module = importlib.import_module("month_report")
    task_class = getattr(module, "CountsReport", None)
    expect(isinstance(task_class, type) and issubclass(task_class, luigi.Task),
           "month_report.py has no task class CountsReport", hint="the class, a luigi.Task, named CountsReport")
    params = dict(task_class.get_params())
    declared = ", ".join(f"{name} ({type(parameter).__name__})" for name, parameter in params.items()) or "none"
    expect(list(params) == ["days"] and isinstance(params["days"], luigi.DateIntervalParameter),
           f"CountsReport's parameters: {declared}",
           hint=["one parameter, days, the span of days: luigi.DateIntervalParameter reads 2019-02 or 2019-W06 from "
                 "a terminal, where a luigi.Parameter would keep the text", "days = luigi.DateIntervalParameter()"])
    name = "days"
    february, so_far = Month(2019, 2), Custom(published[0], published[-1] + datetime.timedelta(days=1))
    required = flatten(task_class(**{name: february}).requires())
    found = sorted(getattr(task, "date", None) or datetime.date.min for task in required)
    kinds = sorted({type(task).__name__ for task in required})
    expect(kinds == ["DatasetGen"] and found == FEBRUARY,
           f"for 2019-02, requires() gives {len(required)} tasks ({', '.join(kinds) or 'none'}), for "
           f"{len(set(found))} different days",
           hint=["one DatasetGen per day of the span: 28 for February, each with its day as date",
                 "[DatasetGen(date=day) for day in self.days.dates()]"])
    outputs = [task_class(**{name: span}).output() for span in (february, so_far)]
    expect(all(isinstance(output, luigi.LocalTarget) for output in outputs),
           f"output() gives {type(outputs[0]).__name__}, not one luigi.LocalTarget",
           hint="one file: a luigi.LocalTarget under data_dir()")
    expect(outputs[0].path != outputs[1].path, f"February's report and the published days' report are the same file, "
           f"{outputs[0].path}", hint=["name the file after the span: once one span's report exists, every other "
                                      "span's would count as complete", "an f-string with {self.days} in the name"])
    expect(str(MONTH / "data") in outputs[1].path, f"the report goes to {outputs[1].path}, outside the data folder",
           hint="under data_dir(), where the days' reports are")
    for output in outputs:  # the checkpoint's own runs, with the code as last written
        if output.exists():
            output.remove()
    report = outputs[1]
    with luigi_errors_only():
        waiting = quiet_build(task_class(**{name: february}))
    expect(face(waiting) == ":|" and not outputs[0].exists(),
           f"February's report ended {face(waiting)}" + (", and its file exists" if outputs[0].exists() else ""),
           hint="February's unpublished days must keep its report waiting (:|): it requires every day of the span")
    task = task_class(**{name: so_far})
    built, through_target = run_watching_its_target(task, lambda: quiet_build(task))
    error = last_error(built.output)
    expect("argument must be str, not bytes" not in error,  # pandas writing into luigi's text file: its own cause
           f"the published days' report ended {face(built)}: {error}: pandas' to_csv cannot write into "
           "the file a luigi target opens (it writes text over bytes), and failing it closes that file, which "
           "luigi then moves into place, empty", hint=[
               "let to_csv() make the text first (without a file it returns it), then write that text through "
               "the target, and delete the empty report the failed run left",
               "with self.output().open('w') as f: f.write(total.to_csv(sep='\\t', index=False))"])
    expect(face(built) == ":)", f"the published days' report ended {face(built)}: {error}", hint=[
        "read the error: the last line of month_report.py that it names is the one to fix",
        "run() reads each day's counts with read_counts(day['counts']) from self.input(), puts them together with "
        "pd.concat, then sums the spins of each zip code and subscription type"])
    expect(report.exists(), f"run() ended without writing {report.path}",
           hint="write through the target: with self.output().open('w') as f: ...")
    expect(through_target, "run() wrote the "
           "report without self.output().open('w'): a run that breaks half way leaves a half-written file there, "
           "which luigi takes for a finished report", hint=[
               "write through the target: what it opens for writing is a temporary file, put in place whole when "
               "it is closed", "with self.output().open('w') as f: f.write(total.to_csv(sep='\\t', index=False))"])
    import pandas as pd
    ours = pd.read_csv(report.path, sep="\t", dtype=str, keep_default_na=False)
    expected = expected_counts(published, MONTH / "data")
    expect(list(ours.columns) == COUNTS_COLUMNS, f"the report's header is {list(ours.columns)}, not {COUNTS_COLUMNS}",
           hint="tab-separated (sep='\\t'), with a header and without pandas' index (index=False)")
    pairs = len(ours[["fake_zipcode", "subscription_type"]].drop_duplicates())
    expect(pairs == len(ours), f"the report has {len(ours)} rows for {pairs} zip code and subscription pairs: the "
           "days' counts are put together, not added up",
           hint=["group by zip code and subscription type, and sum the spins",
                 "every_day.groupby(['fake_zipcode', 'subscription_type'], as_index=False)['spins'].sum()"])
    expect(same_rows(ours, expected), f"the report's {len(ours)} rows differ from the published days' counts added "
           f"up ({len(expected)} rows)", hint="each day's counts once, all of the span's days, summed per pair")
    again = quiet_build(task_class(**{name: so_far}))
    expect(face(again) == ":)" and not ran(again), f"a second run ran {ran(again) or face(again)}",
           hint="a task is complete when its output exists: output() must name the same file each time")


@section.checkpoint(3, "DatasetGen ran on the cluster's two workers, and its reports equal the local run's", hints=[
    "DatasetGen's master comes from luigi's configuration: [spark] master = spark://127.0.0.1:PORT; "
    "cluster.spark_settings() has it.",
    "Each worker offers one core and must offer the memory an executor asks for (luigi.cfg's [spark] "
    "executor_memory, within SPARK_WORKER_MEMORY in spark/conf/spark-env.sh); the master's web page (above) shows the workers and the "
    "application."])
def step3(cluster_result, cluster, applications, published, MONTH):  # noqa: N803
    expect(face(cluster_result) == ":)", f"the cluster run ended {face(cluster_result)}",
           hint="is the cluster up? Each worker must offer at least [spark] executor_memory (luigi.cfg)")
    on_both = bool(applications) and all((cluster.folder / f"work-{n}" / applications[-1]["id"]).is_dir()
                                         for n in (1, 2))
    expect(on_both, "the application did not run executors on both workers",
           hint="the master URL must be the cluster's spark://127.0.0.1:PORT, not local[2]")
    ours = daily_reports(published[0], MONTH / "cluster-data")
    for name, cluster_report, local_report in zip(("dataset", "counts"), ours, daily_reports(published[0], MONTH / "data")):
        expect(same_rows(cluster_report, local_report), f"the cluster's {name} differs from the local run's",
               hint="the same job on the same input must give the same rows wherever it runs")


@section.checkpoint(4, "two Luigi processes sharing luigid ran the Spark job once, and both ended well", hints=[
    "luigid hands each task to one worker; the other waits, then finds it done.",
    "Both commands must name luigid (no --local-scheduler). Exit code 25 means 'not granted run permission', "
    "which is fine here; 30 is a task that failed."])
def step4(both, logs, twice, published):
    spark_runs = len(list((twice / "events").iterdir()))
    ran_it = [log for log in logs if f"running   DatasetGen(date={published[1]}" in log]
    codes = sorted(process.returncode for process in both)
    expect(set(codes) <= {0, 25}, f"exit codes {codes}",
           hint="read the logs above: a failure (30) there is the job's, not the scheduler's")
    expect(spark_runs == 1, f"Spark ran {spark_runs} times", hint="both processes must use luigid: no --local-scheduler")
    expect(len(ran_it) == 1, f"{len(ran_it)} processes ran DatasetGen", hint="luigid hands a task to one worker only")
    expect(report_done(published[1], twice / "data"), "the day has no report", hint="did the job fail?")


@section.checkpoint(5, "a day through Spark Connect gives the same reports as through spark-submit", hints=[
    "DatasetGen reads [spark] remote from luigi's configuration: set, the job runs as a client of that server.",
    "If the Connect run failed, the server's log (build/connect-04/server.log) and the error above say why; "
    "is the server still running (the cell that starts it)?"])
def step5(by_connect, by_spark_submit, connect_seconds, spark_submit_seconds, published, MONTH):  # noqa: N803
    expect(face(by_connect) == ":)", f"the Spark Connect backfill ended {face(by_connect)}",
           hint="read the error above: 'Nothing is listening' means the server is not running")
    expect(face(by_spark_submit) == ":)", f"the spark-submit backfill ended {face(by_spark_submit)}",
           hint="read the error above")
    expect(sorted(connect_seconds) == published and sorted(spark_submit_seconds) == published[:1],
           f"timed days: {sorted(connect_seconds)} through Spark Connect and {sorted(spark_submit_seconds)} through "
           f"spark-submit", hint="both backfills must start from empty folders, so that every day runs")
    day = published[0]  # the day both ran
    for name, ours, theirs in zip(("dataset", "counts"), daily_reports(day, MONTH / "connect-data"),
                                  daily_reports(day, MONTH / "spark-submit-data")):
        expect(same_rows(ours, theirs), f"{day}: Spark Connect's {name} differs from spark-submit's",
               hint="the same job on the same input must give the same rows in either mode")
