"""Helpers the workshop notebooks share: the workshop folder, the data server, checkpoints.

The pipeline itself lives in luigi_tasks/ and spark/; nothing here is part of it.
"""
import atexit
import logging
import os
import re
import subprocess
import sys
import urllib.request
from contextlib import contextmanager
from pathlib import Path


def find_root(start=None):
    """The workshop folder, from a kernel started in notebooks/ (JupyterLab) or at the top (papermill)."""
    start = Path(start or Path.cwd()).resolve()
    for folder in [start, *start.parents]:
        if (folder / "luigi_tasks").is_dir() and (folder / "notebooks").is_dir():
            return folder
    raise RuntimeError(f"{start} is not inside the workshop folder: start Jupyter from the workshop's folder.")


ROOT = find_root(Path(__file__).parent)
os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")  # Spark's driver and UI listen on loopback only
REMOTE_DIR = ROOT / "build" / "remote"
for folder in (ROOT / "luigi_tasks", ROOT / "spark"):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))


def ensure_remote_data():
    """Generate the workshop's data the first time, so each notebook runs on its own."""
    if not (REMOTE_DIR / "listeners.snappy.parquet").exists():
        import generate_fake_data
        generate_fake_data.main(["--out", str(REMOTE_DIR)])
    return REMOTE_DIR


class DataServer:
    """Python's own http.server, publishing a folder on 127.0.0.1 as the workshop's remote."""

    def __init__(self, folder, port=0):
        # Port 0 lets the system pick a free port; the server prints the one it got.
        self.process = subprocess.Popen(
            [sys.executable, "-u", "-m", "http.server", str(port), "--bind", "127.0.0.1", "--directory", str(folder)],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        banner = self.process.stdout.readline()
        match = re.search(r"port (\d+)", banner)
        if not match:
            self.stop()
            raise RuntimeError(f"The data server did not start: {banner.strip() or 'no output'}")
        self.url = f"http://127.0.0.1:{match.group(1)}"
        atexit.register(self.stop)
        urllib.request.urlopen(self.url, timeout=30).close()  # answers before anyone asks it for data

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)
        self.process.stdout.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def use_data_url(data_url=""):
    """Point the tasks at data_url, or, when it is empty, at a data server started here.

    Returns the server (stop it at the end), or None when someone else's host is used.
    """
    if data_url:
        os.environ["SONG_PLAYS_DATA_URL"] = data_url
        print(f"Using the data host {data_url}")
        return None
    server = DataServer(ensure_remote_data())
    os.environ["SONG_PLAYS_DATA_URL"] = server.url
    print(f"Serving {REMOTE_DIR.relative_to(ROOT)}/ at {server.url}")
    return server


def browser_url(url):
    """Where a student can open a web page served on this machine: through Jupyter's proxy on Binder or
    JupyterHub (the browser is elsewhere), else directly."""
    prefix = os.environ.get("JUPYTERHUB_SERVICE_PREFIX")
    if prefix and url:
        port, _, path = url.split("://", 1)[-1].split(":", 1)[-1].partition("/")
        return f"{prefix.rstrip('/')}/proxy/{port}/{path}"
    return url


def spark_ui_url(spark):
    return browser_url(spark.sparkContext.uiWebUrl)


def face(result):
    """The face luigi ends its summary with: ':)', ':|' or ':('."""
    return result.status.value[0]


class Checkpoint:
    """A CHECKPOINT cell: every check must hold, and a failure says what to fix.

        with Checkpoint(1, "DownloadSpins ended :)") as check:
            check(face(result) == ":)", f"the run ended {face(result)}", hint="is the data server running?")
    """

    def __init__(self, number, achievement):
        self.number = number
        self.achievement = achievement

    def __call__(self, condition, problem, hint):
        if not condition:
            raise AssertionError(f"CHECKPOINT {self.number}: {problem}. Hint: {hint}")

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, traceback):
        if exc_type is None:
            print(f"CHECKPOINT {self.number} passed: {self.achievement}")
            return False
        if issubclass(exc_type, AssertionError) and str(exc).startswith("CHECKPOINT "):
            return False
        # Anything else means the checkpoint could not even look: an earlier step is missing or unfinished.
        raise AssertionError(f"CHECKPOINT {self.number}: {missing_step(exc)}. Hint: run every cell above this one, "
                             "top to bottom, and finish its TODO; the first cell that printed a problem is "
                             "the one to fix") from None


def missing_step(error):
    """What a NameError, NotImplementedError... raised inside a checkpoint says about the steps before it."""
    if isinstance(error, NameError):
        return f"{error.name or error} is not defined yet, so the cell that sets it has not run (or did not finish)"
    if isinstance(error, NotImplementedError):
        return f"a step is not written yet ({error})"
    return f"an earlier step did not finish ({type(error).__name__}: {error})"


@contextmanager
def step(what):
    """A cell that calls code you write: if that code is not written yet, or fails, say so and carry on,
    so that the CHECKPOINT after it can say what to fix."""
    try:
        yield
    except Exception as error:  # noqa: BLE001 - reported, then the checkpoint explains
        print(f"{what} did not work: {type(error).__name__}: {error}\n"
              "The CHECKPOINT below says what to fix.")


WORKSPACE = ROOT / "workspace"


def use_workspace():
    """The exercises' modules go to workspace/ (git-ignored), never over the committed solutions.

    Imports look there first; a module you have not written yet comes from the solutions."""
    for folder in ("spark", "luigi_tasks"):
        (WORKSPACE / folder).mkdir(parents=True, exist_ok=True)
        if str(WORKSPACE / folder) in sys.path:
            sys.path.remove(str(WORKSPACE / folder))
        sys.path.insert(0, str(WORKSPACE / folder))
    print(f"Your modules are written to {WORKSPACE}")
    return WORKSPACE


def build(*tasks, **options):
    """Run tasks in this kernel, as `luigi --local-scheduler` does, and print luigi's summary.

    Returns luigi's LuigiRunResult: its status says :), :| or :(, which the checkpoints read.
    options go to luigi.build: scheduler_host and scheduler_port use a central scheduler instead.
    """
    import luigi
    show_luigi_warnings_only()
    options.setdefault("local_scheduler", "scheduler_host" not in options)
    result = luigi.build(list(tasks), detailed_summary=True, **options)
    print(result.summary_text)
    return result


def show_luigi_warnings_only():
    """Set up luigi's console logging now, at WARNING, as luigi.build(log_level=...) would on its first call.

    Done up front so that luigi_log() can collect INFO lines from the very first build.
    """
    from types import SimpleNamespace
    from luigi.setup_logging import InterfaceLogging
    InterfaceLogging.setup(SimpleNamespace(background=None, logdir=None, logging_conf_file=None, log_level="WARNING"))


@contextmanager
def luigi_log():
    """Collect what luigi logs meanwhile, errors' tracebacks included, even below the level shown."""
    messages = []
    show_luigi_warnings_only()

    class Collector(logging.Handler):
        def emit(self, record):
            text = record.getMessage()
            if record.exc_info:
                text += "\n" + logging.Formatter().formatException(record.exc_info)
            messages.append(text)

    collector = Collector(level=logging.INFO)
    logger = logging.getLogger("luigi-interface")
    level = logger.level
    logger.setLevel(min(level or logging.INFO, logging.INFO))  # luigi's own handlers keep their levels
    logger.addHandler(collector)
    try:
        yield messages
    finally:
        logger.removeHandler(collector)
        logger.setLevel(level)


def commands_run(messages):
    """The commands that SparkSubmitTask ran, from luigi's "Running command: ..." lines."""
    prefix = "Running command: "
    return [m[len(prefix):] for m in messages if m.startswith(prefix)]


def draw_task_graph(task, ax=None):
    """The tasks behind task, drawn from their requires(): each left of the tasks that need it.

    Green boxes are complete, grey ones are not (yet).
    """
    import matplotlib.pyplot as plt
    from luigi.task import flatten

    depth, edges = {}, set()

    def visit(node, level):
        depth[node] = max(depth.get(node, 0), level)
        for requirement in flatten(node.requires()):
            edges.add((requirement, node))
            visit(requirement, level + 1)

    visit(task, 0)
    last = max(depth.values())
    columns = {}
    for node, level in depth.items():
        columns.setdefault(last - level, []).append(node)
    position = {}
    for x, nodes in columns.items():
        for i, node in enumerate(sorted(nodes, key=str)):
            position[node] = (x, (len(nodes) - 1) / 2 - i)

    tallest = max(len(nodes) for nodes in columns.values())
    if ax is None:
        ax = plt.subplots(figsize=(3.6 * (last + 1), 1.3 * tallest + 0.6))[1]
    boxes = {node: ax.text(x, y, task_label(node), ha="center", va="center", fontsize=9,
                           bbox=dict(boxstyle="round,pad=0.5", ec="0.3",
                                     fc="#c7e9c0" if node.complete() else "#e0e0e0"))
             for node, (x, y) in position.items()}
    for requirement, node in edges:  # from the right edge of a requirement to the left edge of what needs it
        ax.annotate("", xy=(0, 0.5), xycoords=boxes[node], xytext=(1, 0.5), textcoords=boxes[requirement],
                    arrowprops=dict(arrowstyle="-|>", color="0.35", shrinkA=6, shrinkB=6))
    ax.set_xlim(-0.6, last + 0.6)
    ax.set_ylim(-tallest / 2 - 0.2, tallest / 2 + 0.2)
    ax.axis("off")
    return ax


def draw_month(range_task, ax=None):
    """A range task's graph, folded into a calendar: one column per day, one row per kind of task.

    Each day's column is the chain its DatasetGen requires; green is complete, grey is not (yet).
    """
    import matplotlib.pyplot as plt
    from luigi.task import flatten

    days = sorted(flatten(range_task.requires()), key=lambda task: task.date)
    rows = ["ExternalFileChecker (spins)", "DownloadSpins", "DownloadListeners", "DatasetGen"]
    grid = []
    for task in days:
        inputs = task.requires()
        grid.append([inputs["spins"].requires().complete(), inputs["spins"].complete(),
                     inputs["listeners"].complete(), task.complete()])
    if ax is None:
        ax = plt.subplots(figsize=(max(6, 0.38 * len(days) + 3), 2.4))[1]
    for x, column in enumerate(grid):
        for y, done in enumerate(column):
            ax.add_patch(plt.Rectangle((x - 0.42, y - 0.4), 0.84, 0.8, color="#8fd18f" if done else "#d9d9d9"))
        ax.plot([x, x], [-0.4, len(rows) - 0.6], color="0.6", linewidth=0.5, zorder=0)  # each day's chain
    ax.set_xlim(-0.6, len(days) - 0.4)
    ax.set_ylim(-0.6, len(rows) - 0.4)
    ax.set_yticks(range(len(rows)), rows)
    ax.set_xticks(range(len(days)), [f"{task.date:%d}" for task in days], fontsize=8)
    ax.set_xlabel(f"{days[0].date:%B %Y}: each column requires the boxes below it (green: complete)")
    ax.set_title(f"{range_task.task_family}: {sum(column[-1] for column in grid)} of {len(days)} days done")
    return ax


def task_label(task):
    params = task.to_str_params(only_significant=True)
    if "url" in params:
        return f"{task.get_task_family()}\n{params['url'].rsplit('/', 1)[-1]}"
    return task.get_task_family() + "".join(f"\n{name}={value}" for name, value in params.items())


# The reports' headers, as the workshop specifies them.
DATASET_COLUMNS = [
    "fake_listener_id", "fake_artist_id", "artist_name", "fake_track_id", "track_title", "date_time",
    "elapsed_seconds", "play_source", "age", "gender", "subscription_type", "country", "fake_zipcode",
]
COUNTS_COLUMNS = ["fake_zipcode", "subscription_type", "spins"]


def read_report(folder):
    """A report folder's single gzip TSV, as text, exactly as a label would receive it."""
    import pandas as pd
    parts = sorted(Path(folder).glob("part-*.csv.gz"))
    if len(parts) != 1:
        raise AssertionError(f"{folder} should hold exactly one part-*.csv.gz file, found {len(parts)}")
    return pd.read_csv(parts[0], sep="\t", dtype=str, keep_default_na=False, quoting=3)  # 3: no quoting


def pandas_reports(spins_path, listeners_path):
    """The job's logic again, in pandas, formatted as the TSV files are: an independent check of Spark."""
    import pandas as pd
    spins = pd.read_parquet(spins_path)
    listeners = pd.read_parquet(listeners_path)
    stamps = spins["date_time"]
    if stamps.dt.tz is not None:
        stamps = stamps.dt.tz_convert("UTC").dt.tz_localize(None)
    spins = spins.assign(date_time=stamps.dt.strftime("%Y-%m-%d %H:%M:%S"))
    kept = spins[spins["elapsed_seconds"] > 30]
    dataset = kept.merge(listeners, on="fake_listener_id", how="inner").drop_duplicates()
    dataset = dataset[DATASET_COLUMNS]
    for column in ("artist_name", "track_title", "play_source", "age", "gender", "subscription_type", "country"):
        dataset[column] = dataset[column].str.replace(r"[\t\r\n]", " ", regex=True)  # as the TSV writer does
    counts = (dataset.groupby(["fake_zipcode", "subscription_type"]).size().rename("spins").reset_index()
              .sort_values(["fake_zipcode", "subscription_type"]))
    return as_text(dataset), as_text(counts)


def as_text(df):
    """Every cell as the TSV writes it: missing values are empty fields."""
    return df.astype(str).mask(df.isna(), "").reset_index(drop=True)


def same_rows(actual, expected):
    """Equal as multisets of rows, in the same column order (Spark does not keep row order)."""
    if list(actual.columns) != list(expected.columns):
        return False
    by_all = list(expected.columns)
    return actual.sort_values(by_all).reset_index(drop=True).equals(expected.sort_values(by_all).reset_index(drop=True))


def run_pipeline(date):
    """`make pipeline`: the tutorial's DatasetGen command, with the generated data served meanwhile."""
    server = None if os.environ.get("SONG_PLAYS_DATA_URL") else DataServer(ensure_remote_data())
    env = {**os.environ, "PYTHONPATH": "luigi_tasks"}
    if server:
        env["SONG_PLAYS_DATA_URL"] = server.url
    command = [str(Path(sys.executable).parent / "luigi"), "--module", "song_plays_tasks", "DatasetGen",
               "--date", date, "--local-scheduler"]
    try:
        return subprocess.run(command, cwd=ROOT, env=env).returncode
    finally:
        if server:
            server.stop()


def run_month(remote, start="2019-02-01", stop="2019-03-01"):
    """`make month`: RangeDaily over a month that remote publishes, into build/month/data."""
    with DataServer(remote) as server:
        env = {**os.environ, "PYTHONPATH": "luigi_tasks", "SONG_PLAYS_DATA_URL": server.url,
               "SONG_PLAYS_DATA_DIR": str(ROOT / "build" / "month" / "data")}
        command = [str(Path(sys.executable).parent / "luigi"), "--module", "song_plays_tasks", "RangeDaily",
                   "--of", "DatasetGen", "--start", start, "--stop", stop, "--days-back", "10000", "--local-scheduler"]
        return subprocess.run(command, cwd=ROOT, env=env).returncode


if __name__ == "__main__":
    import argparse
    parser = argparse.ArgumentParser(description="Workshop helpers for the command line.")
    parser.add_argument("command", choices=["pipeline", "month"])
    parser.add_argument("--date", default="2019-02-08", help="pipeline: the day")
    parser.add_argument("--remote", default=str(ROOT / "build" / "remote-month"), help="month: the folder to serve")
    args = parser.parse_args()
    sys.exit(run_pipeline(args.date) if args.command == "pipeline" else run_month(args.remote))
