"""Notebook 02 · The Spark job: spark/dataset_gen.py, piece by piece, checked against pandas."""
from pathlib import Path

from workshop.luigi_runs import face
from workshop.checks import show_progress
from workshop.coach import Section, expect
from workshop.reports import COUNTS_COLUMNS, DATASET_COLUMNS, pandas_reports, same_rows

section = Section("02_spark_job")
hint, solution, progress = section.hint, section.solution, show_progress


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
def step2(args, usage_exit_code, day):
    expect(args.day == day and args.minrows == 100, f"parsed day={args.day}, minrows={args.minrows}",
           hint="--day should parse into a date and --minrows into an int")
    expect(usage_exit_code == 2, f"a bad --day exited with {usage_exit_code}",
           hint="let argparse report bad values: give add_argument a type= that raises ValueError")


@section.checkpoint(3, "filter, distinct() and the join give the same rows as pandas",
                    cells=["step3-job-functions:filter_on_spin_time", "step3-build-dataset", "step3-pandas"], hints=[
    "Three steps, in this order: keep the spins longer than 30 seconds, drop exact duplicates, join to the "
    "listeners. Do the same in pandas to check Spark's answer.",
    "Spark: spins.where(F.col('elapsed_seconds') > MIN_SPIN_SECONDS), then .distinct(), then "
    ".join(listeners.distinct(), 'fake_listener_id'), then .select(*DATASET_COLUMNS). pandas: a boolean mask, "
    "drop_duplicates(), merge(..., on='fake_listener_id', how='inner').",
    "build_dataset: unique_spins = filter_on_spin_time(spins).distinct(); return unique_spins.join("
    "listeners.distinct(), 'fake_listener_id').select(*DATASET_COLUMNS)."])
def step3(filtered, unique, dataset, filtered_pd, distinct_pd, joined_pd):
    expect(filtered.count() == len(filtered_pd), f"{filtered.count()} rows after the filter, pandas has {len(filtered_pd)}",
           hint="keep elapsed_seconds > 30: a play of exactly 30 seconds is dropped (> and not >=)")
    expect(unique.count() == len(distinct_pd), f"{unique.count()} rows after distinct(), pandas has {len(distinct_pd)}",
           hint="drop_duplicates() in pandas keeps one of each identical row, as distinct() does")
    expect(dataset.count() == len(joined_pd),
           f"{dataset.count()} rows in build_dataset's result, pandas has {len(joined_pd)}",
           hint="build_dataset must call distinct() on the filtered spins, then join them to the listeners "
                "on fake_listener_id")
    expect(dataset.columns == DATASET_COLUMNS, f"the columns are {dataset.columns}",
           hint="select DATASET_COLUMNS in that order: fake_listener_id first, then the spin's, then the listener's")


@section.checkpoint(4, "the counts by zip and subscription equal pandas', in the same order",
                    cells=["step3-job-functions:count_spins_by_sub"], hints=[
    "A groupBy on two columns, a count named spins, and an order.",
    "df.groupBy('fake_zipcode', 'subscription_type').agg(F.count(F.lit(1)).alias('spins')), "
    "then .orderBy('fake_zipcode', 'subscription_type')."])
def step4(counts_spark, counts_pd):
    expect(list(counts_spark.columns) == COUNTS_COLUMNS, f"the columns are {list(counts_spark.columns)}",
           hint="group by fake_zipcode, subscription_type and name the count column spins")
    expect(counts_spark.astype(str).equals(counts_pd.astype(str)), "the counts differ from pandas'",
           hint="order by fake_zipcode, then subscription_type; count the distinct dataset, not the raw spins")


@section.checkpoint(5, "count() alone caches nothing; persist() does, and the plan reads from memory", hints=[
    "A DataFrame is a recipe: an action computes it again, unless it was persisted and then filled by an action.",
    "The second cell builds the counts with .persist(), then counts them: the first count() fills the cache, "
    "and explain() then shows InMemoryTableScan."])
def step5(recipe, persisted, reads_from_memory):
    expect(not recipe.is_cached and not reads_from_memory(recipe), "the plain DataFrame is cached",
           hint="build it again without persist() or cache()")
    expect(persisted.is_cached, "the persisted DataFrame is not cached", hint="call .persist() on it")
    expect(reads_from_memory(persisted), "the persisted plan does not read from memory",
           hint="run an action (count()) after persist() so the cache is filled")


@section.checkpoint(6, "both reports are single gzip TSV files with the right headers and rows",
                    cells=["step3-job-functions:validate", "step6-job-run"], hints=[
    "run() is the job: read, build the dataset, count, validate, and only then write both reports.",
    "Persist the counts (they are used twice), sum their spins into num_rows, validate(num_rows, args.minrows), "
    "then write_reports(dataset, counts, args.dataset_out_path, args.analysis_out_path), and unpersist.",
    "dataset = build_dataset(read_spins(spark, args.spins_path), read_listeners(spark, args.listeners_path)); "
    "counts = count_spins_by_sub(dataset).persist(); num_rows = counts.agg(F.sum('spins')).first()[0] or 0; "
    "then validate, write_reports, and return num_rows."])
def step6(args, written_dataset, written_counts, spins_path, listeners_path):
    expected_dataset, expected_counts = pandas_reports(spins_path, listeners_path)
    for folder in (args.dataset_out_path, args.analysis_out_path):
        expect((Path(folder) / "_SUCCESS").exists(), f"{folder} has no _SUCCESS",
               hint="write_reports marks both folders at the end; did run() reach it?")
    expect(list(written_dataset.columns) == DATASET_COLUMNS, f"the dataset header is {list(written_dataset.columns)}",
           hint="write with header true and select the columns in DATASET_COLUMNS order")
    expect(list(written_counts.columns) == COUNTS_COLUMNS, f"the counts header is {list(written_counts.columns)}",
           hint="the counts' columns are fake_zipcode, subscription_type, spins")
    expect(same_rows(written_dataset, expected_dataset), "the dataset's rows differ from pandas'",
           hint="check the filter, the join and distinct() (step 3), and the timestampFormat")
    expect(written_counts.equals(expected_counts), "the counts differ from pandas'",
           hint="count the distinct dataset, ordered by zip and subscription")


@section.checkpoint(7, "the job's unit tests pass", hints=[
    "pytest printed each failing test's name and the line that failed, above.",
    "Each test's name says which function it checks: filter_on_spin_time, count_spins_by_sub, validate, "
    "build_dataset or parse_args. Fix that function's cell, run it, then the tests again."])
def step7(tests_exit_code):
    expect(tests_exit_code == 0, f"pytest exited with {tests_exit_code}",
           hint="read the first failure above: its name says which function to fix")
