"""The workshop from the command line:

    python -m workshop pipeline --date 2019-02-08   # make pipeline: the tutorial's luigi command, data served
    python -m workshop month                        # make month: RangeDaily over a month
    python -m workshop progress                     # make progress: checkpoints passed, hints and solutions used
    python -m workshop preflight                    # make preflight: everything a room of students needs answers

`pip install -e .` also installs it as the command `workshop` (pyproject.toml), which works from any folder:
`workshop progress` in JupyterLab's terminal, which opens in notebooks/exercises.
"""
import argparse
import os
import subprocess
import sys
from pathlib import Path

from workshop.data_server import DataServer, ensure_remote_data
from song_plays_luigi.settings import WORKSHOP_ROOT


def luigi_command(*args):
    return [str(Path(sys.executable).parent / "luigi"), "--module", "song_plays_tasks", *args, "--local-scheduler"]


def run_pipeline(date):
    """`make pipeline`: the tutorial's DatasetGen command, with the generated data served meanwhile."""
    server = None if os.environ.get("SONG_PLAYS_DATA_URL") else DataServer(ensure_remote_data())
    env = {**os.environ, **({"SONG_PLAYS_DATA_URL": server.url} if server else {})}
    try:
        return subprocess.run(luigi_command("DatasetGen", "--date", date), cwd=WORKSHOP_ROOT, env=env).returncode
    finally:
        if server:
            server.stop()


def run_month(remote, start="2019-02-01", stop="2019-03-01"):
    """`make month`: RangeDaily over a month that remote publishes, into build/month/data."""
    with DataServer(remote) as server:
        env = {**os.environ, "SONG_PLAYS_DATA_URL": server.url,
               "SONG_PLAYS_DATA_DIR": str(WORKSHOP_ROOT / "build" / "month" / "data")}
        command = luigi_command("RangeDaily", "--of", "DatasetGen", "--start", start, "--stop", stop,
                                "--days-back", "10000")
        return subprocess.run(command, cwd=WORKSHOP_ROOT, env=env).returncode


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m workshop", description="Workshop helpers for the command line.")
    parser.add_argument("command", choices=["pipeline", "month", "progress", "preflight"])
    parser.add_argument("--date", default="2019-02-08", help="pipeline: the day")
    parser.add_argument("--remote", default=str(WORKSHOP_ROOT / "build" / "remote-month"),
                        help="month: the folder to serve")
    args = parser.parse_args(argv)
    if args.command == "progress":
        from workshop.checks import show_progress
        show_progress()
        return 0
    if args.command == "preflight":
        return run_preflight()
    return run_pipeline(args.date) if args.command == "pipeline" else run_month(args.remote)


def run_preflight():
    """`make preflight`: against SONG_PLAYS_DATA_URL when set, else the generated data, served meanwhile."""
    from workshop.preflight import checks, report
    server = None if os.environ.get("SONG_PLAYS_DATA_URL") else DataServer(ensure_remote_data())
    if server:
        os.environ["SONG_PLAYS_DATA_URL"] = server.url
    try:
        results = checks()
    finally:
        if server:
            server.stop()
            del os.environ["SONG_PLAYS_DATA_URL"]
    print(report(results))
    return 0 if all(passed for passed, *_ in results) else 1


if __name__ == "__main__":
    sys.exit(main())
