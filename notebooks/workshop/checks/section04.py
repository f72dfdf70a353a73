"""Notebook 04 · Going further: a month, a glob, a standalone cluster, luigid. No code to write here."""
import datetime

from workshop.luigi_runs import face
from workshop.checks import show_progress
from workshop.coach import Section, expect
from workshop.reports import read_report, same_rows

section = Section("04_going_further")
hint, solution, progress = section.hint, section.solution, show_progress


def report_done(day, data):
    return (data / f"output/{day:%Y/%m/%d}/dataset/_SUCCESS").exists()


def daily_reports(day, data):
    folder = data / f"output/{day:%Y/%m/%d}"
    return read_report(folder / "dataset"), read_report(folder / "counts_by_zip_sub")


@section.checkpoint(1, "the month ran every published day and the others wait", hints=[
    "RangeDaily asks for one DatasetGen per day; a day whose spins are not published waits (:|), it does not fail.",
    "A :( means a day failed: the summary above names it, and its error says why. A report for an unpublished "
    "day means the host publishes more days than PUBLISHED_DAYS says."])
def step1(month_result, published, MONTH):  # noqa: N803 - the notebook's names
    waiting = [datetime.date(2019, 2, n) for n in range(1, 29) if datetime.date(2019, 2, n) not in published]
    data = MONTH / "data"
    expect(face(month_result) == ":|", f"the month ended {face(month_result)}, not :|",
           hint="unpublished days should wait (MISSING_EXT), not fail: DownloadSpins must require ExternalFileChecker")
    expect(all(report_done(day, data) for day in published), "a published day has no report",
           hint="read the summary above: which DatasetGen failed, and why?")
    expect(not any(report_done(day, data) for day in waiting), "a day that is not published has a report",
           hint="is DATA_URL a host that publishes more days than PUBLISHED_DAYS says?")


@section.checkpoint(2, "one globbed run equals the days' reports put together", hints=[
    "Spark reads a glob as one dataset: data/spins/2019/02/* is every downloaded day of February.",
    "If spark-submit failed, its output is printed above. The glob must reach Spark as it is, not expanded by a shell."])
def step2(glob_run, month_dataset, days_dataset, month_counts, days_counts):
    expect(glob_run.returncode == 0, f"spark-submit exited with {glob_run.returncode}",
           hint="read the traceback above; is the glob quoted, so that Spark and not a shell expands it?")
    expect(same_rows(month_dataset, days_dataset), "the month's dataset is not the days' datasets together",
           hint="each day is deduplicated on its own; a spin never repeats across days, so both must agree")
    expect(month_counts.equals(days_counts), "the month's counts are not the sum of the days' counts",
           hint="count the month's dataset by fake_zipcode and subscription_type, ordered by both")


@section.checkpoint(3, "DatasetGen ran on the cluster's two workers, and its reports equal the local run's", hints=[
    "DatasetGen's master comes from luigi's configuration: [spark] master = spark://127.0.0.1:PORT; "
    "cluster.spark_settings() has it.",
    "Each worker offers one core and must offer the memory an executor asks for ([spark] executor_memory, "
    "512m, within SPARK_WORKER_MEMORY in spark/conf/spark-env.sh); the master's web page (above) shows the workers and the "
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


@section.checkpoint(5, "the same days through Spark Connect give the same reports as through spark-submit", hints=[
    "DatasetGen reads [spark] remote from luigi's configuration: set, the job runs as a client of that server.",
    "If the Connect run failed, the server's log (build/connect-04/server.log) and the error above say why; "
    "is the server still running (the cell that starts it)?"])
def step5(by_connect, by_spark_submit, connect_seconds, spark_submit_seconds, published, MONTH):  # noqa: N803
    expect(face(by_connect) == ":)", f"the Spark Connect backfill ended {face(by_connect)}",
           hint="read the error above: 'Nothing is listening' means the server is not running")
    expect(face(by_spark_submit) == ":)", f"the spark-submit backfill ended {face(by_spark_submit)}",
           hint="read the error above")
    expect(sorted(connect_seconds) == sorted(spark_submit_seconds) == published,
           f"timed days: {sorted(connect_seconds)} and {sorted(spark_submit_seconds)}",
           hint="both backfills must start from empty folders, so that every day runs")
    for day in published:
        for name, ours, theirs in zip(("dataset", "counts"), daily_reports(day, MONTH / "connect-data"),
                                      daily_reports(day, MONTH / "spark-submit-data")):
            expect(same_rows(ours, theirs), f"{day}: Spark Connect's {name} differs from spark-submit's",
                   hint="the same job on the same input must give the same rows in either mode")
