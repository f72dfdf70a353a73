"""The Spark job against an independent DuckDB version of it, on the same input and the same 2 cores.

    .venv/bin/python benchmarks/run.py                          # 5 thousand, 2 million and 10 million spins
    .venv/bin/python benchmarks/run.py --spins-per-day 2000000 --pairs 5
    .venv/bin/python benchmarks/run.py --connect              # also the job as a client of a Spark Connect server
    .venv/bin/python benchmarks/run.py --backfill             # a month, 28 days x 5,000 spins, three ways
    .venv/bin/python benchmarks/run.py --spins-per-day 300 --smoke   # every run once: does it all work? (the tests)

For each size it generates the input once (in --work-dir, build/bench/ by default), then runs Spark and
DuckDB in turn, A B A B ..., and after each pair three cut-down Spark apps that show how low the job could go:
  - floor: starts and stops Spark;
  - read: also reads the spins and counts them;
  - dedupe+write: filters the spins, removes duplicates and writes them with the job's own writer, without
    the join or the counts. The real job does all of this and more, so it cannot be faster.
With --connect, one Spark Connect server (ops/song_plays_ops/connect_server.py, sized by luigi.cfg's [spark-connect]) runs
for the whole benchmark, and each round adds "connect": the same job as its client, DatasetGen's remote mode;
a first, unmeasured client run per size warms the server up. The server's memory is not in the client's peak.
With --backfill, a month of 28 published days (5,000 spins each) goes through luigi's RangeDaily under
spark-submit and under Spark Connect, and DuckDB does the same days one by one.
Every Spark run uses DatasetGen's own spark-submit command (local[2], driver 1g, its JVM
options and the class archive that `make setup` builds), with Java's default compilers at every size: the quick
compiler alone that DatasetGen gives a small day's driver is measured by driver_compiler.py. Every run is timed from the launch to the exit. Its
peak memory is the largest sum of RSS over the whole process tree (the JVM, its Python, the workers),
sampled every 0.25 s from /proc, or the launched process's own peak, as the kernel kept it, if that is
larger (a run shorter than a sample). It checks that both jobs wrote equal reports, that Spark's
multi-member gzip passes `gzip -t` and reads whole in pandas, then prints medians and ratios, and ends
with one JSON line.
"""
import argparse
import csv
import datetime
import gzip
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
from notebook_memory import descendants  # noqa: E402
from song_plays_ops import generate_fake_data  # noqa: E402
from song_plays_luigi.spark_submit import connect_client_command, spark_submit_command  # noqa: E402

DAY = datetime.date(2019, 2, 8)
# The pandas reference holds a whole day in memory: it checks the reports up to this size; above it, Spark and
# DuckDB (two other implementations) check each other.
REFERENCE_UP_TO = 2_000_000
SIZES = [5_000, 2_000_000, 10_000_000]
WORK = ROOT / "build" / "bench"  # inputs (kept between runs), outputs and the cut-down apps
NO_OP_APP = "from pyspark.sql import SparkSession\nSparkSession.builder.getOrCreate().stop()\n"
# A Spark Connect client's fixed cost: Python, the client's imports, a session, one query, stop. What a client
# process pays before any of the job's work (the query: a session's first round trip to a running server).
CONNECT_START_APP = "from pyspark.sql import SparkSession\ns = SparkSession.builder.getOrCreate()\ns.range(1).count()\ns.stop()\n"
# The job's own main() (its session settings, flags and stop) with run() cut down to a part of its work.
PART_OF_JOB_APP = """import sys
import dataset_gen as job
from song_plays_spark.inputs import read_spins
from song_plays_spark.reports import write_single_tsv


def read(spark, args):
    return spark.read.parquet(args.spins_path).count()


def dedupe_and_write(spark, args):
    write_single_tsv(job.filter_on_spin_time(read_spins(spark, args.spins_path)).distinct(), args.dataset_out_path)


job.run = {"read": read, "dedupe+write": dedupe_and_write}[sys.argv.pop(1)]
job.main()
"""
GOAL_VS_DUCKDB, GOAL_VS_FLOOR = 1.5, 1.3
# Spark Connect's goals: a warm 5k day within half an empty spark-submit; 2M and 10M within 1.5x and 1.2x DuckDB;
# the month's backfill within a quarter of the per-day spark-submit backfill.
CONNECT_GOALS = {"vs_floor_5k": 0.5, "vs_duckdb_2m": 1.5, "vs_duckdb_10m": 1.2, "backfill_vs_spark_submit": 0.25}


def inputs(work, spins_per_day):
    remote = work / f"remote-{spins_per_day}"
    if not (remote / generate_fake_data.SPINS_FILE.format(day=DAY)).exists():
        generate_fake_data.generate(remote, DAY, DAY, spins_per_day, 100, 2019)
    return remote


def job_flags(remote, out):
    return ["--day", str(DAY), "--minrows", "0",
            "--listeners_path", str(remote / generate_fake_data.LISTENERS_FILE),
            "--spins_path", str(remote / generate_fake_data.SPINS_FILE.format(day=DAY)),
            "--dataset_out_path", str(out / "dataset"), "--analysis_out_path", str(out / "counts_by_zip_sub")]


def spark_submit(app, *flags):
    """DatasetGen's own spark-submit command (luigi.cfg: master, memory, Spark settings, JVM options, class archive)."""
    return spark_submit_command(app, *flags)[0]


def rss_kb(pid):
    """VmRSS from /proc/PID/status: a counter, cheap to read (smaps would walk the JVM's page tables)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass  # it ended meanwhile
    return 0


# A small process between the benchmark and each run. It times the run and writes the run's own peak RSS, which
# the kernel keeps (KB): read from the benchmark itself, a child's peak would start at the benchmark's own size.
RUN_AND_REPORT = """import os, subprocess, sys, time
started = time.monotonic()
run = subprocess.Popen(sys.argv[2:])
_, status, usage = os.wait4(run.pid, 0)
open(sys.argv[1], "w").write(f"{time.monotonic() - started} {usage.ru_maxrss}")
sys.exit(os.waitstatus_to_exitcode(status))
"""


def measure(command, remote=None):
    """(wall seconds, peak RSS of the process tree in MB); a failed run stops the benchmark."""
    env = spark_submit_command("app")[1]  # SPARK_HOME, and the driver on loopback
    if remote:
        env = {**env, "SPARK_REMOTE": remote}
    with tempfile.TemporaryDirectory() as scratch:
        log, report = Path(scratch) / "output.log", Path(scratch) / "report"
        with open(log, "w") as output:  # a file, not a pipe: a chatty run never blocks on it
            wrapper = subprocess.Popen([sys.executable, "-c", RUN_AND_REPORT, str(report), *command], cwd=ROOT, env=env,
                                       stdout=output, stderr=subprocess.STDOUT)
            peak = 0
            while wrapper.poll() is None:
                peak = max(peak, sum(rss_kb(pid) for pid in descendants(wrapper.pid) - {wrapper.pid}))
                time.sleep(0.25)
        if wrapper.returncode != 0:
            raise SystemExit(f"{' '.join(command[:2])} ... failed ({wrapper.returncode}):\n{log.read_text()[-3000:]}")
        seconds, own_peak = report.read_text().split()
    # The tree's sum, or the launched process's own peak when a run ends before the first sample.
    return float(seconds), max(peak, int(own_peak)) / 1024


def report_lines(folder):
    [part] = Path(folder).glob("part-*.csv.gz")
    with gzip.open(part, "rt", encoding="utf-8", newline="\n") as f:
        return f.read().split("\n")


def check_outputs(spark_out, duckdb_out, remote=None):
    """Equal reports (the dataset's row order is Spark's own, so compare it sorted); a whole, readable gzip; and,
    given the day's folder, the reports the pandas reference makes of it (workshop.reports)."""
    lines = {}
    for report in ("dataset", "counts_by_zip_sub"):
        ours, theirs = report_lines(spark_out / report), report_lines(duckdb_out / report)
        if report == "dataset":
            ours, theirs = ours[:1] + sorted(ours[1:]), theirs[:1] + sorted(theirs[1:])
        if ours != theirs:
            raise SystemExit(f"Spark's and DuckDB's {report} differ ({len(ours)} and {len(theirs)} lines)")
        lines[report] = len(ours) - 2  # less the header and the empty string after the last line break
    [part] = (spark_out / "dataset").glob("part-*.csv.gz")
    subprocess.run(["gzip", "--test", str(part)], check=True)
    rows = len(pd.read_csv(part, sep="\t", usecols=["fake_listener_id"], dtype=str, quoting=csv.QUOTE_NONE))
    if rows != lines["dataset"]:
        raise SystemExit(f"pandas read {rows} rows from {part}, the file has {lines['dataset']}")
    if remote is not None:
        from workshop.reports import pandas_reports, read_report, same_rows
        expected = pandas_reports(remote / generate_fake_data.SPINS_FILE.format(day=DAY),
                                  remote / generate_fake_data.LISTENERS_FILE)
        for report, reference in zip(("dataset", "counts_by_zip_sub"), expected):
            if not same_rows(read_report(spark_out / report), reference):
                raise SystemExit(f"Spark's {report} differs from the pandas reference's")
    return rows


def bench(work, spins_per_day, pairs, connect=None):
    remote = inputs(work, spins_per_day)
    out = work / "out" / str(spins_per_day)
    no_op, part_of_job = work / "no_op_app.py", work / "part_of_job_app.py"
    no_op.write_text(NO_OP_APP)
    part_of_job.write_text(PART_OF_JOB_APP)
    commands = {
        "spark": spark_submit(ROOT / "spark" / "dataset_gen.py", *job_flags(remote, out / "spark")),
        "duckdb": [sys.executable, str(ROOT / "benchmarks" / "duckdb_dataset_gen.py"), *job_flags(remote, out / "duckdb")],
        "floor": spark_submit(no_op),
        "read": spark_submit(part_of_job, "read", *job_flags(remote, out / "part")),
        "dedupe+write": spark_submit(part_of_job, "dedupe+write", *job_flags(remote, out / "part")),
    }
    if connect:
        commands["connect"] = connect_client_command(connect, ROOT / "spark" / "dataset_gen.py",
                                                     *job_flags(remote, out / "connect"))[0]
        connect_start = work / "connect_start_app.py"
        connect_start.write_text(CONNECT_START_APP)
        commands["connect start"] = connect_client_command(connect, connect_start)[0]
        measure(commands["connect"], connect)  # warm the server up: the first query of a size is not measured
    runs = {name: [] for name in commands}
    for round_number in range(1, pairs + 1):
        for name, command in commands.items():
            runs[name].append(measure(command, connect if name.startswith("connect") else None))
            print(f"  {spins_per_day:>10,} spins  round {round_number}  {name:<12} {runs[name][-1][0]:7.1f} s"
                  f"  {runs[name][-1][1]:7.0f} MB", flush=True)
    rows = check_outputs(out / "spark", out / "duckdb",
                         remote if spins_per_day <= REFERENCE_UP_TO else None)
    if connect:
        check_outputs(out / "connect", out / "duckdb")
    median = {name: statistics.median(seconds for seconds, _ in results) for name, results in runs.items()}
    extra = {}
    if connect:
        extra = {"connect_vs_duckdb": round(median["connect"] / median["duckdb"], 2),
                 "connect_vs_floor": round(median["connect"] / median["floor"], 2),
                 "connect_vs_spark_submit": round(median["connect"] / median["spark"], 2),
                 # What bounds it: the client's fixed cost, and the job's own work once a client is connected.
                 "connect_start_vs_floor": round(median["connect start"] / median["floor"], 2),
                 "connect_job_alone_vs_floor": round((median["connect"] - median["connect start"]) / median["floor"], 2)}
    return {**extra,
        "spins_per_day": spins_per_day, "dataset_rows": rows, "pairs": pairs,
        "seconds": {name: [round(seconds, 2) for seconds, _ in results] for name, results in runs.items()},
        "median_s": {name: round(value, 2) for name, value in median.items()},
        "peak_rss_mb": {name: round(statistics.median(mb for _, mb in results)) for name, results in runs.items()},
        "spins_per_s": {name: round(spins_per_day / median[name]) for name in ("spark", "duckdb")},
        "spark_vs_duckdb": round(median["spark"] / median["duckdb"], 2),
        "spark_vs_floor": round(median["spark"] / median["floor"], 2),
        # The least any version of the job could score against each goal.
        "read_vs_floor": round(median["read"] / median["floor"], 2),
        "dedupe_write_vs_floor": round(median["dedupe+write"] / median["floor"], 2),
        "dedupe_write_vs_duckdb": round(median["dedupe+write"] / median["duckdb"], 2),
    }


def print_table(results):
    print(f"\n{'spins':>11} {'rows':>10} | {'Spark s':>8} {'DuckDB s':>8} {'floor s':>8} {'read s':>7}"
          f" {'dedupe+write s':>14} | {'Spark/DuckDB':>12} {'Spark/floor':>11} | {'Spark MB':>8} {'DuckDB MB':>9}"
          f" {'floor MB':>8} | {'Spark spins/s':>13} {'DuckDB spins/s':>14}")
    for r in results:
        m, mb, rate = r["median_s"], r["peak_rss_mb"], r["spins_per_s"]
        print(f"{r['spins_per_day']:>11,} {r['dataset_rows']:>10,} | {m['spark']:>8.1f} {m['duckdb']:>8.1f}"
              f" {m['floor']:>8.1f} {m['read']:>7.1f} {m['dedupe+write']:>14.1f} | {r['spark_vs_duckdb']:>11.2f}x"
              f" {r['spark_vs_floor']:>10.2f}x | {mb['spark']:>8} {mb['duckdb']:>9} {mb['floor']:>8} |"
              f" {rate['spark']:>13,} {rate['duckdb']:>14,}")
    for r in results:
        if r["spins_per_day"] >= 2_000_000:
            verdict = "met" if r["spark_vs_duckdb"] <= GOAL_VS_DUCKDB else "NOT met"
            print(f"goal Spark <= {GOAL_VS_DUCKDB}x DuckDB at {r['spins_per_day']:,}: {verdict} ({r['spark_vs_duckdb']}x);"
                  f" dedupe+write alone: {r['dedupe_write_vs_duckdb']}x")
        elif r["spins_per_day"] <= 5_000:
            verdict = "met" if r["spark_vs_floor"] <= GOAL_VS_FLOOR else "NOT met"
            print(f"goal Spark <= {GOAL_VS_FLOOR}x the floor at {r['spins_per_day']:,}: {verdict} ({r['spark_vs_floor']}x);"
                  f" read alone: {r['read_vs_floor']}x, dedupe+write alone: {r['dedupe_write_vs_floor']}x")


def print_connect_goals(results):
    for r in results:
        if "connect_vs_floor" not in r:
            continue
        size = r["spins_per_day"]
        if size <= 5_000:
            goal, value, against = CONNECT_GOALS["vs_floor_5k"], r["connect_vs_floor"], "an empty spark-submit"
        else:
            goal = CONNECT_GOALS["vs_duckdb_2m"] if size < 10_000_000 else CONNECT_GOALS["vs_duckdb_10m"]
            value, against = r["connect_vs_duckdb"], "DuckDB"
        print(f"goal Spark Connect <= {goal}x {against} at {size:,}: {'met' if value <= goal else 'NOT met'} "
              f"({value}x; {r['median_s']['connect']} s against spark-submit's {r['median_s']['spark']} s)")
        if size <= 5_000:
            print(f"  of which a client's start (import, connect, one query, stop): {r['median_s']['connect start']} s "
                  f"= {r['connect_start_vs_floor']}x the floor; the job's own work: {r['connect_job_alone_vs_floor']}x")


def backfill(work, connect, days=28, spins_per_day=5_000):
    """A month through RangeDaily: spark-submit per day, then Spark Connect; DuckDB day by day. Whole-run seconds."""
    from workshop.data_server import DataServer
    start = datetime.date(2019, 2, 1)
    end = start + datetime.timedelta(days=days - 1)
    remote = work / f"remote-month-{spins_per_day}"
    if not (remote / generate_fake_data.SPINS_FILE.format(day=end)).exists():
        generate_fake_data.generate(remote, start, end, spins_per_day, 100, 2019, log=lambda line: None)
    luigi = [str(Path(sys.executable).parent / "luigi"), "--module", "song_plays_tasks", "RangeDaily", "--of",
             "DatasetGen", "--start", str(start), "--stop", str(end + datetime.timedelta(days=1)),
             "--days-back", "10000", "--local-scheduler", "--workers", "1"]
    figures = {}
    with DataServer(remote) as server:
        for mode in ("spark-submit", "connect"):
            data = work / f"backfill-{mode}"
            subprocess.run(["rm", "-rf", str(data)], check=True)
            config = work / f"backfill-{mode}.cfg"
            config.write_text(f"[spark]\nremote = {connect if mode == 'connect' else ''}\n")
            env = {**os.environ, "SONG_PLAYS_DATA_URL": server.url, "SONG_PLAYS_DATA_DIR": str(data),
                   "LUIGI_CONFIG_PATH": str(config)}
            # Both modes download the same files from the same local server: milliseconds a day.
            started = time.monotonic()
            run = subprocess.run(luigi, cwd=ROOT, env=env, capture_output=True, text=True)
            figures[mode] = round(time.monotonic() - started, 1)
            done = len(list(data.glob("output/2019/02/*/dataset/_SUCCESS")))
            if run.returncode != 0 or done != days:
                raise SystemExit(f"the {mode} backfill wrote {done} of {days} days:\n{run.stderr[-3000:]}")
            print(f"  backfill of {days} days, {mode:<12} {figures[mode]:7.1f} s", flush=True)
        started = time.monotonic()
        for n in range(days):
            day = start + datetime.timedelta(days=n)
            out = work / "backfill-duckdb" / str(day)
            flags = ["--day", str(day), "--minrows", "0", "--listeners_path", str(remote / generate_fake_data.LISTENERS_FILE),
                     "--spins_path", str(remote / generate_fake_data.SPINS_FILE.format(day=day)),
                     "--dataset_out_path", str(out / "dataset"), "--analysis_out_path", str(out / "counts_by_zip_sub")]
            subprocess.run([sys.executable, str(ROOT / "benchmarks" / "duckdb_dataset_gen.py"), *flags], check=True,
                           capture_output=True)
        figures["duckdb"] = round(time.monotonic() - started, 1)
        print(f"  backfill of {days} days, {'duckdb':<12} {figures['duckdb']:7.1f} s", flush=True)
    ratio = round(figures["connect"] / figures["spark-submit"], 2)
    goal = CONNECT_GOALS["backfill_vs_spark_submit"]
    print(f"goal a month through Spark Connect <= {goal}x the per-day spark-submit backfill: "
          f"{'met' if ratio <= goal else 'NOT met'} ({figures['connect']} s against {figures['spark-submit']} s, "
          f"{ratio}x; DuckDB day by day {figures['duckdb']} s)")
    return {"days": days, "spins_per_day": spins_per_day, "seconds": figures, "connect_vs_spark_submit": ratio,
            "connect_vs_duckdb": round(figures["connect"] / figures["duckdb"], 2)}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--spins-per-day", type=int, action="append", help="a size (repeat for several)")
    parser.add_argument("--pairs", type=int, default=3, help="Spark/DuckDB pairs per size (at least 3)")
    parser.add_argument("--work-dir", type=lambda text: Path(text).resolve(), default=WORK,
                        help=f"inputs, kept for the next run, and outputs (default: {WORK.relative_to(ROOT)})")
    parser.add_argument("--connect", action="store_true", help="also run the job as a Spark Connect client")
    parser.add_argument("--backfill", action="store_true", help="a month through RangeDaily, both modes and DuckDB")
    parser.add_argument("--backfill-days", type=int, default=28, help="days in the backfill (28: February)")
    parser.add_argument("--smoke", action="store_true",
                        help="each run once, to prove they all work (the tests): its figures are not a measurement")
    args = parser.parse_args(argv)
    if args.smoke:
        args.pairs = 1
    elif args.pairs < 3:
        parser.error("--pairs must be at least 3: a median of fewer runs says little on a shared machine")
    print(f"{platform.node()}: {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"{datetime.datetime.now():%Y-%m-%d %H:%M}", flush=True)
    server = None
    if args.connect or args.backfill:
        from song_plays_ops.connect_server import ConnectServer
        server = ConnectServer(folder=args.work_dir / "connect").start()
    try:
        results = [bench(args.work_dir, size, args.pairs, server.url if args.connect else None)
                   for size in args.spins_per_day or SIZES]
        month = backfill(args.work_dir, server.url, days=args.backfill_days) if args.backfill else None
    finally:
        if server:
            server.stop()
    print_table(results)
    print_connect_goals(results)
    if args.smoke:
        print("A smoke run: every run once. Its figures are not a measurement; quote a run with --pairs 3 or more.")
    print(json.dumps({"machine": {"cores": os.cpu_count(), "python": platform.python_version()}, "smoke": args.smoke,
                      "results": results, **({"backfill": month} if month else {})}))


if __name__ == "__main__":
    main()
