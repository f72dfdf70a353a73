"""Notebook 02 · The Spark job: spark/dataset_gen.py, piece by piece, checked against pandas; the student's own
test of build_dataset, run against right and wrong versions; what Spark shows of the job (jobs, plans, caches).

The checkpoints call the job's functions as its %%writefile cells last wrote them, on the notebook's inputs, and
compare with the workshop's own pandas version of the rules (workshop.reports); where the rows differ, the facts
that tell the causes apart (a comparison, a join, a missing distinct()) say which one it is.
"""
import argparse
import contextlib
import importlib
import io
import json
import operator
import re
import tempfile
import time
import urllib.request
from pathlib import Path
from unittest import mock

from workshop.checks import show_progress
from workshop.coach import Section, expect
from workshop.luigi_runs import face
from workshop.reports import (COUNTS_COLUMNS, DATASET_COLUMNS, MIN_SPIN_SECONDS, as_text, broken_rules,
                              pandas_reports, read_report, reference_spins, same_rows)

section = Section("02_spark_job")
hint, solution, progress = section.hint, section.solution, show_progress

COMPARISONS = {">": operator.gt, ">=": operator.ge, "<": operator.lt, "<=": operator.le, "==": operator.eq,
               "!=": operator.ne}
FILTER_HINTS = {  # the comparison a filter's row count matches: its hints
    ">=": ["a play of exactly 30 seconds is dropped: > and not >=", "F.col('elapsed_seconds') > MIN_SPIN_SECONDS"],
    "<": ["the comparison is reversed: it keeps the short plays, which labels do not pay for",
          "keep the spins longer than 30 seconds: elapsed_seconds > MIN_SPIN_SECONDS"],
}
FILTER_HINTS["<="] = FILTER_HINTS["<"]
DATASET_CAUSES = {  # a rule the rows break: the cause in the lesson's words, and its hints
    "without a listener": ("the join keeps spins whose listener is unknown: a left (or outer) join", [
        "an inner join drops the spins whose listener is unknown: Spark's join() does that by default, pandas' "
        "merge with how='inner'", "unique_spins.join(listeners.distinct(), 'fake_listener_id'), with no how="]),
    f"of {MIN_SPIN_SECONDS} seconds or less": ("the spins are not filtered first", [
        "the rows must come from the filtered spins: build_dataset starts from filter_on_spin_time(spins)",
        "unique_spins = filter_on_spin_time(spins).distinct()"]),
    "copies of another row": ("distinct() is missing: a spin the feed delivered twice is there twice", [
        "distinct() keeps one of each identical row (drop_duplicates() in pandas): build_dataset must call it on "
        "the filtered spins", "unique_spins = filter_on_spin_time(spins).distinct(), then the join"]),
}
NUM_ROWS = ["num_rows must be the dataset's rows: the sum of the counts' spins (counts.count() counts the groups)",
            "num_rows = counts.agg(F.sum('spins')).first()[0] or 0"]
RUN_ERROR = "call it in a cell of your own to read the whole error: its last line in dataset_gen.py is the one to fix"
IN_A_SQL_STRING = ["a name inside a SQL string such as 'elapsed_seconds > MIN_SPIN_SECONDS' is a column: the Python "
                   "constant is not one", "write the condition in Python: F.col('elapsed_seconds') > MIN_SPIN_SECONDS"]


def attempt(call):
    """(what call() returned, None), or (None, the error it raised): the student's code, whose error is a finding.
    A TODO left (NotImplementedError) is raised on, for the coach to say "not started"."""
    try:
        return call(), None
    except NotImplementedError:
        raise
    except (Exception, SystemExit) as error:  # noqa: BLE001 - reported by the check that called it (argparse exits)
        return None, error


def error_line(error):
    """An error as a traceback's last line shows it, cut to its first line (Spark's go on for pages)."""
    lines = str(error).split(" SQLSTATE: ")[0].strip().splitlines()
    return f"{type(error).__name__}: {lines[0][:300] if lines else ''}".rstrip(".")


def lesson_module():
    """dataset_gen as its %%writefile cells last wrote it."""
    return importlib.import_module("dataset_gen")


def called(what, call):
    """What call() gives; an error fails the checkpoint, with the call and the error's first line."""
    value, error = attempt(call)
    expect(error is None, f"{what} raised {error_line(error)}", hint=unresolved_hints(error) or RUN_ERROR)
    return value


def unresolved_hints(error):
    """The hints for a name Spark cannot resolve: a Python name (in capitals, a constant) written inside a SQL
    string, or a column's name misspelt; None for another error."""
    found = re.search(r"name `([^`]+)` cannot be resolved(?:\. Did you mean one of the following\? \[([^]]*)\])?",
                      str(error))
    if not found:
        return None
    name, columns = found.groups()
    if name.isupper():
        return IN_A_SQL_STRING
    return [f"the data has no column `{name}`: check its spelling against the columns Spark lists"
            + (f" ({columns})" if columns else ""), "spins.printSchema() and listeners.printSchema() list "
            "the columns as read; DATASET_COLUMNS those of the dataset"]


def expect_filtered(kept, seconds, what):
    """kept rows are those longer than MIN_SPIN_SECONDS; else the comparisons that keep as many rows."""
    longer = int((seconds > MIN_SPIN_SECONDS).sum())
    alike = [sign for sign, compare in COMPARISONS.items() if compare(seconds, MIN_SPIN_SECONDS).sum() == kept]
    expect(kept == longer, f"{what} keeps {kept} of {len(seconds)} spins, and {longer} are longer than "
           f"{MIN_SPIN_SECONDS} seconds" + (f": it keeps what elapsed_seconds {' or '.join(alike)} "
                                           f"{MIN_SPIN_SECONDS} keeps" if alike else ""),
           hint=FILTER_HINTS.get(alike[0] if alike else None, "keep elapsed_seconds > 30: longer than 30 seconds"))


def expect_dataset_rows(rows, expected, what):
    """rows (pandas) are the expected ones (as many, when expected is a number); else the rules they break, each
    with its cause, and the hints of the first."""
    broken = broken_rules(rows)
    right = len(rows) == expected if isinstance(expected, int) else same_rows(rows, expected)
    count = expected if isinstance(expected, int) else len(expected)
    causes = "".join(f"; {n} of them are {rule}, so {DATASET_CAUSES[rule][0]}" for rule, n in broken.items())
    expect(right and not broken, f"{what} has {len(rows)} rows, pandas' reference {count}{causes}",
           hint=DATASET_CAUSES[next(iter(broken))][1] if broken else
           "filter, distinct(), then an inner join to the listeners on fake_listener_id")


def expect_validate(job):
    """validate() raises FailedValidationError with both numbers for too few rows, and lets enough pass."""
    returned, raised = attempt(lambda: job.validate(9, 10))
    expect(raised is not None, f"validate(9, 10) returned {returned!r} instead of raising: run() would go on and "
           "write the reports of a day that is too small", hint=[
               "run() does not look at what validate() returns: too few rows must stop the job, with an error",
               "if num_rows < minrows: raise FailedValidationError(f'{num_rows} rows < minimum {minrows}')"])
    expect(error_line(raised) == "FailedValidationError: 9 rows < minimum 10", f"validate(9, 10) raised "
           f"{error_line(raised)}", hint="raise FailedValidationError(f'{num_rows} rows < minimum {minrows}'): "
                                         "notebook 03 looks for it, both numbers included, in luigi's log")
    for enough in (11, 10):
        _, raised = attempt(lambda: job.validate(enough, 10))
        expect(raised is None, f"validate({enough}, 10) raised {error_line(raised)}",
               hint="a day with at least minrows rows passes: raise only when num_rows < minrows")


def expect_counts(counts, dataset, expected, what):
    """counts are the expected ones; else whether they count listeners, or are right in another order."""
    expect(list(counts.columns) == COUNTS_COLUMNS, f"{what}'s columns are {list(counts.columns)}",
           hint="group by fake_zipcode, subscription_type and name the count column spins")
    counts = as_text(counts)
    listeners = as_text(dataset.groupby(COUNTS_COLUMNS[:2])["fake_listener_id"].nunique().rename("spins").reset_index())
    expect(not same_rows(counts, listeners) or same_rows(counts, expected),
           f"{what}'s spins are the number of different listeners in each group, not of spins", hint=[
               "countDistinct('fake_listener_id') counts each listener once: the report counts every spin, each row",
               ".agg(F.count(F.lit(1)).alias('spins'))"])
    expect(same_rows(counts, expected), f"{what} gives other counts than pandas' reference", hint=[
        "a groupBy on fake_zipcode and subscription_type, and a count of the rows of each group, named spins",
        "df.groupBy('fake_zipcode', 'subscription_type').agg(F.count(F.lit(1)).alias('spins'))"])
    expect(counts.equals(expected), f"{what} gives the right counts, in another order",
           hint="order by fake_zipcode, then subscription_type: .orderBy('fake_zipcode', 'subscription_type')")


@section.checkpoint(1, "both inputs are on disk", hints=[
    "This notebook reads what notebook 01's tasks download; the cell above runs them if they have not run.",
    "Is the data server running (the cell above starts it)? Did the downloads end :)? Notebook 01 shows each step."])
def step1(inputs, spins_path, listeners_path):
    expect(face(inputs) == ":)", f"the downloads ended {face(inputs)}, not :)",
           hint="work through notebook 01 first; is the data server running?")
    expect(Path(spins_path).exists() and Path(listeners_path).exists(), "an input file is missing",
           hint="run notebook 01, whose tasks download them")


@section.checkpoint(2, "the command line parses good flags and rejects bad ones with exit code 2", hints=[
    "argparse turns each flag's text into a value with the type= you give add_argument.",
    "type=day parses --day with datetime.date.fromisoformat, and a ValueError there becomes a usage error, "
    "exit code 2; type=non_negative_int does the same for --minrows."])
def step2(day, spins_path, listeners_path):
    job = lesson_module()
    args = job.parse_args(["--day", day.isoformat(), "--minrows", "100", "--listeners_path", listeners_path,
                           "--spins_path", spins_path, "--dataset_out_path", "d", "--analysis_out_path", "a"])
    expect(args.day == day and args.minrows == 100, f"parsed day={args.day!r}, minrows={args.minrows!r}",
           hint="--day should parse into a date and --minrows into an int")
    with contextlib.redirect_stderr(io.StringIO()):  # argparse's usage: this failure is the one asked for
        _, usage_error = attempt(lambda: job.parse_args(["--day", "2019-02-30"]))
    usage_exit_code = getattr(usage_error, "code", None)
    expect(usage_exit_code == 2, f"a bad --day exited with {usage_exit_code}",
           hint="let argparse report bad values: give add_argument a type= that raises ValueError")


@section.checkpoint(3, "filter, distinct() and the join give the same rows as pandas' reference",
                    cells=["step3-filter", "step3-build-dataset"], hints=[
    "Three steps, in this order: keep the spins longer than 30 seconds, drop exact duplicates, join to the "
    "listeners; then the report's columns, in order.",
    "filter_on_spin_time: spins.where(a condition on F.col('elapsed_seconds') and MIN_SPIN_SECONDS). "
    "build_dataset: the filtered spins, .distinct(), .join(the distinct listeners, 'fake_listener_id'), "
    ".select(*DATASET_COLUMNS).",
    "return spins.where(F.col('elapsed_seconds') > MIN_SPIN_SECONDS); and in build_dataset: unique_spins = "
    "filter_on_spin_time(spins).distinct(); return unique_spins.join(listeners.distinct(), 'fake_listener_id')"
    ".select(*DATASET_COLUMNS)."])
def step3(spins, listeners, spins_path, listeners_path):
    import pandas as pd
    job = lesson_module()
    spins_pd, listeners_pd = pd.read_parquet(spins_path), pd.read_parquet(listeners_path)
    seconds = spins_pd["elapsed_seconds"]
    joined = len(reference_spins(spins_pd).merge(listeners_pd.drop_duplicates(), on="fake_listener_id"))
    expect_filtered(called("filter_on_spin_time(spins)", lambda: job.filter_on_spin_time(spins).count()), seconds,
                    "filter_on_spin_time(spins)")
    dataset = called("build_dataset(spins, listeners)", lambda: job.build_dataset(spins, listeners).toPandas())
    expect(list(dataset.columns) == DATASET_COLUMNS, f"the columns are {list(dataset.columns)}",
           hint="select DATASET_COLUMNS in that order: fake_listener_id first, then the spin's, then the listener's")
    expect_dataset_rows(dataset, joined, "build_dataset(spins, listeners)")
    # The day's listeners come with each id once (read_listeners): a listener listed twice must be given by hand.
    twice = called("build_dataset(spins, listeners listed twice)",
                   lambda: job.build_dataset(spins, listeners.union(listeners)).count())
    expect(twice == joined, f"with each listener listed twice, build_dataset gives {twice} rows, not {joined}: a "
           "listener listed twice doubles its spins", hint=[
               "take the listeners' distinct rows too, before the join: build_dataset may be given any listeners",
               "unique_spins.join(listeners.distinct(), 'fake_listener_id')"])


@section.checkpoint(4, "the counts by zip and subscription equal pandas', in the same order",
                    cells=["step4-count-spins"], hints=[
    "A groupBy on two columns, a count named spins, and an order.",
    "df.groupBy('fake_zipcode', 'subscription_type').agg(F.count(F.lit(1)).alias('spins')), "
    "then .orderBy('fake_zipcode', 'subscription_type')."])
def step4(spins, listeners, spins_path, listeners_path):
    job = lesson_module()
    dataset, expected = pandas_reports(spins_path, listeners_path)
    counts = called("count_spins_by_sub(dataset)",
                    lambda: job.count_spins_by_sub(job.build_dataset(spins, listeners)).toPandas())
    expect_counts(counts, dataset, expected, "count_spins_by_sub(dataset)")


MY_TEST = "test_my_build_dataset.py"


def right_build_dataset(spins, listeners):
    """build_dataset as the rules say: the version a test must pass against."""
    from pyspark.sql import functions as F
    unique_spins = spins.where(F.col("elapsed_seconds") > MIN_SPIN_SECONDS).distinct()
    return unique_spins.join(listeners.distinct(), "fake_listener_id").select(*DATASET_COLUMNS)


def without_distinct(spins, listeners):
    from pyspark.sql import functions as F
    kept = spins.where(F.col("elapsed_seconds") > MIN_SPIN_SECONDS)
    return kept.join(listeners.distinct(), "fake_listener_id").select(*DATASET_COLUMNS)


def without_filter(spins, listeners):
    return spins.distinct().join(listeners.distinct(), "fake_listener_id").select(*DATASET_COLUMNS)


def with_left_join(spins, listeners):
    from pyspark.sql import functions as F
    unique_spins = spins.where(F.col("elapsed_seconds") > MIN_SPIN_SECONDS).distinct()
    return unique_spins.join(listeners.distinct(), "fake_listener_id", "left").select(*DATASET_COLUMNS)


def columns_reversed(spins, listeners):
    return right_build_dataset(spins, listeners).select(*reversed(DATASET_COLUMNS))


# A wrong build_dataset, what it gets wrong, and the hints for a test that lets it through.
WRONG_BUILDS = [
    (without_distinct, "forgets distinct()", [
        "your test's spins need a spin the feed delivered twice: the same spin(...) twice, and once in the rows you "
        "expect", "spins = spark.createDataFrame([spin(1, 60), spin(1, 60), ...], SPIN_COLUMNS); expected holds "
        "report_row(1, 60) once"]),
    (without_filter, "keeps the spins of 30 seconds or less", [
        "your test's spins need a play of exactly 30 seconds, which the rows you expect leave out",
        "add spin(1, 30) to the spins, and no report_row(1, 30) to the expected rows"]),
    (with_left_join, "keeps the spins whose listener is unknown (a left join)", [
        "your test's spins need a spin by a listener who is not in the listeners DataFrame",
        "add spin(2, 90) to the spins, with only listener(1) in the listeners"]),
    (columns_reversed, "returns the right rows with its columns in another order", [
        "compare the whole DataFrames, not only how many rows: assertDataFrameEqual(actual, expected) checks the "
        "columns, their types and every row", "assertDataFrameEqual(dataset_gen.build_dataset(spins, listeners), "
        "expected), with expected built from report_row(...) rows and DATASET_SCHEMA"]),
]


def run_test_file(path, build_dataset):
    """pytest on the student's test file, in this kernel, with dataset_gen.build_dataset replaced by build_dataset:
    (exit code, {outcome: how many tests}, what the first failure printed)."""
    import sys
    import pytest
    job = lesson_module()
    outcomes, failures = {}, []

    class Outcomes:
        @staticmethod
        def pytest_runtest_logreport(report):
            if report.when == "call" or report.outcome != "passed":
                outcomes[report.outcome] = outcomes.get(report.outcome, 0) + 1
            if report.failed:
                failures.append(report.longreprtext)

    original = job.build_dataset
    job.build_dataset = build_dataset
    sys.modules.pop(Path(path).stem, None)  # imported afresh: a `from dataset_gen import build_dataset` sees this one
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            code = pytest.main(["-q", "-p", "no:cacheprovider", "--assert=plain", "-o", "addopts=", str(path)],
                               plugins=[Outcomes()])
    finally:
        job.build_dataset = original
        sys.modules.pop(Path(path).stem, None)
    return int(code), outcomes, (failures or [""])[0]


@section.checkpoint(5, "your test passes against a right build_dataset and fails against each wrong one",
                    cells=["step5-my-test"], hints=[
    "Four spins tell the rules apart: one counted, the same one again, one of exactly 30 seconds, one by a listener "
    "who is not in the listeners. Expect the counted spins' rows, once each.",
    "spark = SparkSession.builder.getOrCreate(); spins and listeners with spark.createDataFrame(rows, "
    "SPIN_COLUMNS or LISTENER_COLUMNS); expected the same way from report_row(...) rows and DATASET_SCHEMA; then "
    "assertDataFrameEqual(actual, expected).",
    "spins = spark.createDataFrame([spin(1, 60), spin(1, 60), spin(1, 30), spin(1, 31, track_id=8), spin(2, 90)], "
    "SPIN_COLUMNS); listeners = spark.createDataFrame([listener(1)], LISTENER_COLUMNS); expected = "
    "spark.createDataFrame([report_row(1, 60), report_row(1, 31, track_id=8)], DATASET_SCHEMA); "
    "assertDataFrameEqual(dataset_gen.build_dataset(spins, listeners), expected)"])
def step5(spark):
    path = Path(lesson_module().__file__).with_name(MY_TEST)
    expect(path.exists(), f"{path.name} is not next to your job", hint="run the %%writefile cell of step 5")
    code, outcomes, failure = run_test_file(path, right_build_dataset)
    expect(sum(outcomes.values()) > 0, f"pytest found no test in {path.name} (exit code {code})",
           hint="pytest runs the functions whose names start with test_")
    schema = "DIFFERENT_SCHEMA" in failure  # assertDataFrameEqual compares the columns' names and types first
    expect(code == 0 and outcomes.get("passed"), f"your test fails against a right build_dataset "
           f"({outcomes.get('failed', 0)} failed): " + (
               "the DataFrame you expect has other columns (names or types) than the dataset's" if schema else
               "the rows you expect are not the ones the rules keep"), hint=[
               "build the expected DataFrame with DATASET_SCHEMA: without it, Spark names the columns _1, _2, ... "
               "and makes the numbers LongType", "spark.createDataFrame([report_row(...), ...], DATASET_SCHEMA)"]
           if schema else [
               "run the cell above and read pytest's output: assertDataFrameEqual prints the rows that differ",
               "expect one row for each spin longer than 30 seconds by a known listener, once each, built with "
               "report_row(...) and DATASET_SCHEMA"])
    for wrong, what, hints in WRONG_BUILDS:
        code, *_ = run_test_file(path, wrong)
        expect(code != 0, f"your test passes against a build_dataset that {what}: a test that cannot fail for that "
               "mistake does not guard against it", hint=hints)


def jobs_so_far(spark):
    return len(spark.sparkContext.statusTracker().getJobIdsForGroup())


@section.checkpoint(6, "transformations start no Spark job; an action does", hints=[
    "Transformations (where, distinct, join, select) only extend a plan; an action (count, show, write) runs it.",
    "The cell counts the jobs before and after: run it again if it stopped early."])
def step6(spark, spins, listeners):
    job = lesson_module()
    before = jobs_so_far(spark)
    planned = called("build_dataset(spins, listeners)", lambda: job.build_dataset(spins, listeners))
    after_plan = jobs_so_far(spark)
    expect(after_plan == before, f"build_dataset(spins, listeners) started {after_plan - before} Spark jobs before "
           "any action: something in it computes (a count(), a collect(), a toPandas()?)",
           hint="build_dataset should only chain transformations and return the DataFrame; the job's actions are "
                "in run()")
    called("count()", planned.count)
    expect(jobs_so_far(spark) > after_plan, "count() started no Spark job", hint=RUN_ERROR)


def plan_of(df):
    """What df.explain() prints."""
    with contextlib.redirect_stdout(io.StringIO()) as plan:
        df.explain()
    return plan.getvalue()


@section.checkpoint(7, "the plan shows distinct()'s shuffle, and AQE merges the shuffle's partitions",
                    cells=["step7-partitions"], hints=[
    "Without AQE, a shuffle gives spark.sql.shuffle.partitions partitions; with it, AQE merges the small ones. "
    "A DataFrame's partitions are its .rdd's, and spark.conf sets a setting and unsets it back.",
    "getNumPartitions() on spins.rdd, then on spins.distinct().rdd; for the third, spark.conf.set("
    "'spark.sql.adaptive.enabled', 'false') first, and spark.conf.unset(...) in a finally.",
    "partitions_read = spins.rdd.getNumPartitions(); partitions_after_shuffle = "
    "spins.distinct().rdd.getNumPartitions(); spark.conf.set('spark.sql.adaptive.enabled', 'false'); try: "
    "partitions_without_aqe = spins.distinct().rdd.getNumPartitions() finally: "
    "spark.conf.unset('spark.sql.adaptive.enabled')"])
def step7(spark, spins, listeners, partitions_read, partitions_without_aqe, partitions_after_shuffle):
    aqe = spark.conf.get("spark.sql.adaptive.enabled")
    if aqe.lower() != "true":
        spark.conf.unset("spark.sql.adaptive.enabled")  # so that the cell, fixed and run again, starts as it should
    expect(aqe.lower() == "true", f"adaptive execution is still off (spark.sql.adaptive.enabled is {aqe}) after the "
           "partitions cell; this checkpoint has put it back", hint=["the cell turns it off for one count only: put it back in a finally block",
                                    "spark.conf.unset('spark.sql.adaptive.enabled') puts the session's setting back"])
    expect(partitions_read == spins.rdd.getNumPartitions(), f"partitions_read is {partitions_read}, and the spins "
           f"as read have {spins.rdd.getNumPartitions()} partitions", hint="count them on spins.rdd, before any shuffle")
    after = spins.distinct().rdd.getNumPartitions()
    shuffle_partitions = int(spark.conf.get("spark.sql.shuffle.partitions"))
    aqe_was_off = partitions_after_shuffle == shuffle_partitions != after
    expect(partitions_after_shuffle == after, f"partitions_after_shuffle is {partitions_after_shuffle}, and the "
           f"spins after distinct() have {after} partitions" + (
               ": that is the spins as read, before the shuffle" if partitions_after_shuffle == partitions_read
               and after != partitions_read else
               ": that is the shuffle without AQE, which was already off when you counted" if aqe_was_off else ""),
           hint="turn adaptive execution off only for partitions_without_aqe: count the other two before"
           if aqe_was_off else "count them on spins.distinct().rdd: distinct() is what shuffles")
    job = lesson_module()
    plan = plan_of(called("build_dataset(spins, listeners)", lambda: job.build_dataset(spins, listeners)))
    expect("Exchange hashpartitioning" in plan, "the dataset's plan has no shuffle (Exchange hashpartitioning)",
           hint="distinct() needs one: build_dataset must call it on the filtered spins")
    expect(partitions_without_aqe == shuffle_partitions, f"without AQE, the shuffle gave {partitions_without_aqe} "
           f"partitions, and spark.sql.shuffle.partitions is {shuffle_partitions}",
           hint=["adaptive execution must be off for that one count, or it merges the partitions as before",
                 "spark.conf.set('spark.sql.adaptive.enabled', 'false') just before that count"])
    expect(partitions_after_shuffle <= partitions_without_aqe, f"with AQE, the shuffle gave {partitions_after_shuffle} "
           f"partitions, more than the {partitions_without_aqe} without it", hint="run the partitions cell again")


@section.checkpoint(8, "the listeners are broadcast: BroadcastHashJoin, the same rows", cells=["step8-broadcast-join"],
                    hints=[
    "pyspark.sql.functions has a hint that marks a DataFrame as small enough to send whole to every executor.",
    "Join unique_spins to F.broadcast(listeners) on 'fake_listener_id'.",
    "broadcast_joined = unique_spins.join(F.broadcast(listeners), 'fake_listener_id')"])
def step8(spark, spins, listeners, broadcast_joined):
    threshold = "spark.sql.autoBroadcastJoinThreshold"
    spark.conf.set(threshold, "-1")  # what the plan holds without Spark's own choice
    try:
        plan = plan_of(broadcast_joined)
    finally:
        spark.conf.unset(threshold)
    expect("BroadcastHashJoin" in plan, "broadcast_joined's plan joins with "
           + ("a SortMergeJoin: both sides are shuffled" if "SortMergeJoin" in plan else "no BroadcastHashJoin")
           + ", so the listeners are not broadcast", hint=[
               "the join must ask for the broadcast itself: Spark's automatic choice is off in that cell",
               "wrap the listeners in F.broadcast(...) inside the join"])
    job = lesson_module()
    expected = called("the join without a broadcast", lambda: job.filter_on_spin_time(spins).distinct().join(
        listeners, "fake_listener_id").count())
    rows = called("broadcast_joined.count()", broadcast_joined.count)
    expect(rows == expected, f"broadcast_joined has {rows} rows, the same join without the broadcast {expected}",
           hint="a broadcast changes how the join runs, never its rows: join the unique spins on fake_listener_id, "
                "as build_dataset does")


@section.checkpoint(9, "count() alone caches nothing; persist() and an action do, and the plan reads memory",
                    cells=["step9-persist"], hints=[
    "A DataFrame is a recipe: an action computes it again, unless it was persisted and then filled by an action.",
    "Build the counts as the cell above does, mark them with .persist(), then run an action on them: the first "
    "count() fills the cache, and explain() then shows InMemoryTableScan.",
    "persisted = dataset_gen.count_spins_by_sub(dataset).persist(); persisted.count()"])
def step9(spark, recipe, persisted):
    from pyspark import StorageLevel
    # Its own flag, not its plan: once step 9 persisted counts of the same plan, Spark reads recipe from that cache too.
    expect(not recipe.is_cached, "the plain DataFrame is cached", hint="build it again without persist() or cache()")
    expect(persisted.is_cached, "the persisted DataFrame is not cached", hint="call .persist() on it")
    expect("InMemoryTableScan" in plan_of(persisted), "the persisted plan does not read from memory",
           hint="persist() the counts themselves, the DataFrame whose plan you read")
    if persisted.storageLevel != StorageLevel.NONE:  # else step 10's run() released the same plan's cache: no telling
        expect(filled(spark, "fake_zipcode"), "the counts are marked to be kept, but no action filled the cache: the "
               "Spark UI's Storage page lists no counts", hint=["persist() only marks a DataFrame: the first action on "
                                                                "it computes the rows and keeps them",
                                                                "persisted.count() right after persist()"])


def filled(spark, column, seconds=5):
    """Whether the Spark UI's Storage page lists a cached DataFrame with that column, partitions kept: Spark's REST
    API, asked until its listener has seen the action's blocks (it hears of them a moment after the action). True
    when the UI is off (spark.ui.enabled false): there is no telling."""
    context = spark.sparkContext
    if not context.uiWebUrl:
        return True
    url = f"{context.uiWebUrl}/api/v1/applications/{context.applicationId}/storage/rdd"
    for _ in range(seconds * 4):
        with urllib.request.urlopen(url, timeout=10) as answer:
            if any(column in rdd["name"] and rdd["numCachedPartitions"] for rdd in json.load(answer)):
                return True
        time.sleep(0.25)
    return False


@section.checkpoint(10, "both reports are single gzip TSV files with the right rows; a day too small writes none",
                    cells=["step10-job-run"], hints=[
    "run() is the job: read, build the dataset, count, validate, and only then write both reports.",
    "Persist the counts (they are used twice), sum their spins into num_rows, validate(num_rows, args.minrows), "
    "then write_reports(dataset, counts, args.dataset_out_path, args.analysis_out_path), and unpersist.",
    "dataset = build_dataset(read_spins(spark, args.spins_path), read_listeners(spark, args.listeners_path)); "
    "counts = count_spins_by_sub(dataset).persist(); then in a try: num_rows = counts.agg(F.sum('spins'))"
    ".first()[0] or 0, validate, write_reports; in its finally: counts.unpersist(); then return num_rows."])
def step10(spark, args, spins_path, listeners_path):
    job = lesson_module()
    expect_validate(job)
    expected_dataset, expected_counts = pandas_reports(spins_path, listeners_path)
    groups = len(expected_counts)
    (num_rows, raised), kept = persisted_by(spark, lambda: job.run(spark, args))  # the job as its cells last wrote it
    counted_groups = f"{groups} rows < minimum" in str(raised) or num_rows == groups != len(expected_dataset)
    expect(raised is None, f"run(spark, args) raised {error_line(raised)}" + (
        f": {groups} is the number of groups in the counts, not of rows" if counted_groups else ""),
           hint=NUM_ROWS if counted_groups else RUN_ERROR)
    for folder in (args.dataset_out_path, args.analysis_out_path):
        expect((Path(folder) / "_SUCCESS").exists(), f"{folder} has no _SUCCESS",
               hint="write_reports marks both folders at the end; did run() reach it?")
    written_dataset, written_counts = read_report(args.dataset_out_path), read_report(args.analysis_out_path)
    expect(list(written_dataset.columns) == DATASET_COLUMNS, f"the dataset header is {list(written_dataset.columns)}",
           hint="write with header true and select the columns in DATASET_COLUMNS order")
    expect_dataset_rows(written_dataset, expected_dataset, "the dataset report")
    expect_counts(written_counts, expected_dataset, expected_counts, "the counts report")
    expect(num_rows == len(expected_dataset), f"run() returned {num_rows!r}, and the dataset has "
           f"{len(expected_dataset)} rows" + (": that is the number of groups in the counts" if counted_groups else ""),
           hint=NUM_ROWS)
    expect(kept, "run() keeps nothing in memory, so Spark computes the counts twice: for their sum, then to write "
           "them", hint=["what is used twice is worth persisting: the counts", "counts = count_spins_by_sub(dataset)"
                         ".persist(), before their sum"])
    expect_released(kept, "run() returned")
    expect_nothing_written_for_too_small_a_day(spark, job, args, len(expected_dataset))


def persisted_by(spark, call):
    """(what call() returned, or None, and the error it raised, or None) and the DataFrames it persisted or cached:
    Spark's own persist() and cache(), watched while it runs."""
    frame, kept = type(spark.range(1)), []

    def watched(method):
        def keep(self, *args, **kwargs):
            kept.append(self)
            return method(self, *args, **kwargs)
        return keep
    with mock.patch.object(frame, "persist", watched(frame.persist)), \
            mock.patch.object(frame, "cache", watched(frame.cache)):
        return attempt(call), kept


def expect_released(kept, after):
    """Spark's cache no longer holds any of kept (its own state, whichever reference released it)."""
    from pyspark import StorageLevel  # here: `workshop progress` imports every check, and needs no pyspark
    expect(all(frame.storageLevel == StorageLevel.NONE for frame in kept), f"{after}, and what it persisted is still "
           "in Spark's memory", hint=["release the cache at the end of run(), also when validate() raises: a "
                                      "long-lived session (this notebook's, a Connect server) keeps it otherwise",
                                      "try: ... finally: counts.unpersist()"])


def expect_nothing_written_for_too_small_a_day(spark, job, args, rows):
    """run() with a minimum one above the day's rows raises FailedValidationError, writes nothing and releases its
    cache: luigi would take a day with reports for done."""
    with tempfile.TemporaryDirectory() as folder:
        small = argparse.Namespace(**{**vars(args), "minrows": rows + 1, "dataset_out_path": f"{folder}/dataset",
                                      "analysis_out_path": f"{folder}/analysis"})
        (returned, raised), kept = persisted_by(spark, lambda: job.run(spark, small))
        written = sorted(str(path.relative_to(folder)) for path in Path(folder).rglob("*") if path.is_file())
    run = f"run() with minrows {rows + 1}, one more than the day's {rows} rows,"
    expect(type(raised).__name__ == "FailedValidationError", f"{run} " + (
        f"returned {returned!r}" if raised is None else f"raised {error_line(raised)}"), hint=[
            "run() must call validate(num_rows, args.minrows) with the dataset's row count, and let it raise",
            "validate(num_rows, args.minrows) between the sum and write_reports(...)"])
    expect(not written, f"{run} raised FailedValidationError but left {', '.join(written)}: it wrote before it "
           "validated, and luigi would take that day for done", hint=[
               "a day that fails validation must leave nothing: validate() before write_reports()",
               "num_rows, then validate(num_rows, args.minrows), then write_reports(...)"])
    expect_released(kept, f"{run} raised FailedValidationError")


@section.checkpoint(11, "the job's unit tests pass", hints=[
    "pytest printed each failing test's name and the line that failed, above.",
    "Each test's name says which function it checks: filter_on_spin_time, count_spins_by_sub, validate, "
    "build_dataset or parse_args. Fix that function's cell, run it, then the tests again."])
def step11(tests_exit_code):
    expect(tests_exit_code == 0, f"pytest exited with {tests_exit_code}",
           hint="read the first failure above: its name says which function to fix")
