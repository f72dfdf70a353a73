"""Java's compilers for DatasetGen's driver, by the size of the day: both (C1 then C2, Java's default) or the quick
one alone (-XX:TieredStopAtLevel=1), which DatasetGen picks for inputs under SMALL_INPUT_BYTES.

    .venv/bin/python benchmarks/driver_compiler.py                       # 5 thousand to 2 million spins, 4 pairs
    .venv/bin/python benchmarks/driver_compiler.py --sizes 5000 --pairs 2

For each size: the job through DatasetGen's spark-submit command (run.py's inputs), both ways in turn, the order
swapped every pair. Prints the median wall time and the median CPU time (user + system, of spark-submit and
everything it started) of each, and the input's size.
"""
import argparse
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from run import DAY, ROOT, WORK, inputs, job_flags, spark_submit

from song_plays_ops import generate_fake_data
from song_plays_luigi.spark_submit import QUICK_COMPILER, SMALL_INPUT_BYTES, spark_submit_command


def timed(command, env):
    """(wall seconds, CPU seconds) of one run; a failed run stops the benchmark."""
    before, started = resource.getrusage(resource.RUSAGE_CHILDREN), time.monotonic()
    run = subprocess.run(command, env=env, capture_output=True, text=True)
    wall, after = time.monotonic() - started, resource.getrusage(resource.RUSAGE_CHILDREN)
    if run.returncode != 0:
        raise SystemExit(f"the job failed:\n{run.stderr[-3000:]}")
    return wall, after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[5_000, 100_000, 500_000, 1_000_000, 2_000_000])
    parser.add_argument("--pairs", type=int, default=4)
    args = parser.parse_args(argv)
    env = spark_submit_command("app")[1]
    print(f"DatasetGen's driver runs the quick compiler alone below {SMALL_INPUT_BYTES:,} bytes of input")
    for size in args.sizes:
        remote = inputs(WORK, size)
        megabytes = (remote / generate_fake_data.SPINS_FILE.format(day=DAY)).stat().st_size / 1e6
        found = {"C1+C2": [], "C1 only": []}
        for pair in range(args.pairs):
            for way in list(found)[::1 if pair % 2 == 0 else -1]:
                with tempfile.TemporaryDirectory() as out:
                    command = spark_submit(ROOT / "spark" / "dataset_gen.py", *job_flags(remote, Path(out)))
                    at = command.index("--driver-java-options") + 1
                    command[at] = command[at] + (f" {QUICK_COMPILER}" if way == "C1 only" else "")
                    found[way].append(timed(command, env))
        for way, runs in found.items():
            print(f"{size:>10,} spins ({megabytes:5.1f} MB) {way:8} median {statistics.median(w for w, _ in runs):5.1f} s, "
                  f"{statistics.median(c for _, c in runs):5.1f} CPU s  (wall {[round(w, 1) for w, _ in runs]})",
                  flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
