"""Luigi tasks for the song plays workshop.

Download one day's spins and the listeners dimension from the remote, then
submit the PySpark job that joins them into the day's two reports.

    PYTHONPATH=luigi_tasks luigi --module song_plays_tasks DatasetGen --date 2019-02-08 --local-scheduler

Every published day of a month, with luigi's own range task (days not yet published wait;
--days-back widens its window, which ends today, back to 2019):

    PYTHONPATH=luigi_tasks luigi --module song_plays_tasks RangeDaily --of DatasetGen \
        --start 2019-02-01 --stop 2019-03-01 --days-back 10000 --local-scheduler

Settings, read from the environment when a task needs them:
    SONG_PLAYS_DATA_URL   where the files are published (default http://127.0.0.1:8000)
    SONG_PLAYS_HTTP_TIMEOUT  seconds to wait on a silent server before giving up (default 30)
    SONG_PLAYS_DATA_DIR   where downloads and reports go (default: data/ in the workshop folder)
    SONG_PLAYS_SPARK_APP  the PySpark job to submit (default: spark/dataset_gen.py in the workshop folder)
"""
import fcntl
import http.client
import importlib.util
import os
import re
import shutil
import sys
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import luigi
from luigi.contrib.external_program import ExternalProgramRunError
from luigi.contrib.spark import SparkSubmitTask

WORKSHOP_ROOT = Path(__file__).resolve().parent.parent
PYSPARK_HOME = Path(importlib.util.find_spec("pyspark").origin).parent
# Spark's classes, archived by `make setup` (spark/class_data_archive.py) so that each driver starts sooner.
SPARK_CLASS_ARCHIVE = Path(sys.prefix) / "spark-classes.jsa"
DEFAULT_DATA_URL = "http://127.0.0.1:8000"


def data_url():
    """The remote's base URL, checked before any work starts."""
    url = os.environ.get("SONG_PLAYS_DATA_URL", DEFAULT_DATA_URL).rstrip("/")
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"SONG_PLAYS_DATA_URL must be an http:// or https:// address, not {url!r}.")
    return url


def data_dir():
    return Path(os.environ.get("SONG_PLAYS_DATA_DIR", WORKSHOP_ROOT / "data"))


def http_timeout():
    text = os.environ.get("SONG_PLAYS_HTTP_TIMEOUT", "30")
    try:
        seconds = float(text)
    except ValueError:
        seconds = 0
    if not 0 < seconds <= 600:
        raise ValueError(f"SONG_PLAYS_HTTP_TIMEOUT must be a number of seconds between 0 and 600, not {text!r}.")
    return seconds


def spark_app():
    return Path(os.environ.get("SONG_PLAYS_SPARK_APP", WORKSHOP_ROOT / "spark" / "dataset_gen.py"))


class CheckedParameter:
    """A bad value typed on the command line stops luigi with one line, as argparse does, not a traceback."""

    def parse(self, text):
        try:
            return self.normalize(super().parse(text))
        except ValueError as error:
            raise SystemExit(f"luigi: error: {text!r} is not a valid {self.description}: {error}") from None


class DayParameter(CheckedParameter, luigi.DateParameter):
    def __init__(self, **kwargs):
        super().__init__(description="day (YYYY-MM-DD)", **kwargs)


class RowCountParameter(CheckedParameter, luigi.IntParameter):
    def __init__(self, **kwargs):
        super().__init__(description="row count (0 or more)", **kwargs)

    def normalize(self, value):
        if int(value) < 0:
            raise ValueError("a row count cannot be negative")
        return int(value)


def open_url(url, method="GET"):
    """Open url with a timeout. 404 raises FileNotFoundError; every other failure names the URL."""
    try:
        return urllib.request.urlopen(urllib.request.Request(url, method=method), timeout=http_timeout())
    except urllib.error.HTTPError as error:
        error.close()
        if error.code == 404:
            raise FileNotFoundError(f"{url} is not published (HTTP 404).") from None
        raise OSError(f"{url} answered HTTP {error.code} {error.reason}.") from None
    except (urllib.error.URLError, TimeoutError) as error:
        reason = getattr(error, "reason", error)
        if isinstance(reason, TimeoutError):
            raise TimeoutError(f"{url} did not answer within {http_timeout():g} s. Try again later, "
                               "or give a slow host more time with SONG_PLAYS_HTTP_TIMEOUT.") from None
        problem = "Nothing is listening at" if isinstance(reason, ConnectionRefusedError) else f"Cannot reach ({reason})"
        raise ConnectionError(f"{problem} {url}. Start the workshop's data server with `make serve-data`, "
                              "or point SONG_PLAYS_DATA_URL at your data host.") from None


def check_parquet(path, url):
    """A Parquet file starts and ends with PAR1; an HTML error page does not."""
    size = os.path.getsize(path)
    with open(path, "rb") as f:
        head = f.read(4)
        f.seek(max(size - 8, 0))
        tail = f.read(8)
    footer_length = int.from_bytes(tail[:4], "little") if len(tail) == 8 else size
    if head != b"PAR1" or tail[4:] != b"PAR1" or footer_length > size - 12:
        raise ValueError(f"{url} did not send a Parquet file (it starts with {head!r}). "
                         "Check that SONG_PLAYS_DATA_URL points at the folder that holds the workshop's files.")


def download(url, target):
    """Stream url into a LocalTarget. The target appears only once the whole file has arrived."""
    final_path = Path(target.path)
    final_path.parent.mkdir(parents=True, exist_ok=True)
    # Hidden (a leading dot), so a reader that globs the folder, such as Spark, never picks it up.
    partial_path = final_path.with_name(f".{final_path.name}.partial-{os.getpid()}")
    try:
        with open_url(url) as response, open(partial_path, "wb") as partial:
            try:
                shutil.copyfileobj(response, partial)
            except TimeoutError:
                raise TimeoutError(f"{url} stopped sending for {http_timeout():g} s. Run the task again.") from None
            except (OSError, http.client.HTTPException) as error:
                raise OSError(f"Downloading {url} broke off ({error!r}). Run the task again.") from None
            promised, received = response.headers.get("Content-Length"), partial.tell()
        # urllib does not notice a connection closed early, so compare with what the server promised.
        if promised is not None and int(promised) != received:
            raise OSError(f"Downloading {url} broke off after {received} of {promised} bytes. Run the task again.")
        check_parquet(partial_path, url)
        # Atomic, and unlike luigi's temporary_path() it may replace a file that is re-published in place.
        os.replace(partial_path, final_path)
    finally:
        partial_path.unlink(missing_ok=True)  # never leave half a file behind


class HttpTarget(luigi.Target):
    """A file on the remote. It exists when the server answers for it."""

    def __init__(self, url):
        self.url = url

    def exists(self):
        try:
            with open_url(self.url, method="HEAD"):
                return True
        except FileNotFoundError:
            return False


class ExternalFileChecker(luigi.ExternalTask):
    """Something published by someone else. Luigi waits for it instead of failing."""
    url = luigi.Parameter()

    def output(self):
        return HttpTarget(self.url)


class DownloadSpins(luigi.Task):
    """One day's spins, into a folder per day: data/spins/YYYY/MM/DD/."""
    date = DayParameter()

    def requires(self):
        return ExternalFileChecker(f"{data_url()}/spins-{self.date:%Y-%m-%d}.snappy.parquet")

    def output(self):
        return luigi.LocalTarget(data_dir() / f"spins/{self.date:%Y/%m/%d}/spins.snappy.parquet",
                                 format=luigi.format.Nop)

    def run(self):
        download(self.input().url, self.output())


class DownloadListeners(luigi.Task):
    """The listeners dimension, re-published in place, plus a marker that this day fetched it."""
    date = DayParameter()

    def requires(self):
        return ExternalFileChecker(f"{data_url()}/listeners.snappy.parquet")

    def output(self):
        return {
            "data": luigi.LocalTarget(data_dir() / "listeners/listeners.snappy.parquet", format=luigi.format.Nop),
            "marker": luigi.LocalTarget(data_dir() / f"markers/{self.date:%Y/%m/%d}/listeners_downloaded.SUCCESS"),
        }

    def run(self):
        # Luigi runs a task when any output is missing, so start from a clean slate:
        # a marker left from a broken run must not vouch for this one.
        outputs, url = self.output(), self.input().url
        if outputs["marker"].exists():
            outputs["marker"].remove()
        download(url, outputs["data"])
        with outputs["marker"].open("w") as f:
            f.write(f"{url}\n")


class SparkJobFailed(RuntimeError):
    """spark-submit failed. Carries the end of its output, and never the environment."""


@contextmanager
def exclusive_lock(folder):
    """One process at a time per folder, across processes; the lock goes when its holder ends, even killed."""
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


SPARK_LOG_LINE = re.compile(r"^\d\d/\d\d/\d\d \d\d:\d\d:\d\d (TRACE|DEBUG|INFO|WARN|ERROR) ")


def spark_failure_tail(stdout, stderr, max_lines=15):
    """The app's Python traceback, else the end of spark-submit's own messages.

    PySpark sends the app's Python output, traceback included, to spark-submit's stdout;
    Spark's log lines go to stderr and are left out.
    """
    lines = [line for line in f"{stderr or ''}\n{stdout or ''}".splitlines()
             if line.strip() and not SPARK_LOG_LINE.match(line)]
    starts = [i for i, line in enumerate(lines) if line.startswith("Traceback (most recent call last)")]
    if starts:
        lines = lines[starts[-1]:]
    return "\n".join(lines[-max_lines:])


class DatasetGen(SparkSubmitTask):
    """Submit the PySpark job that writes the day's dataset and counts by zip and subscription."""
    date = DayParameter()
    minrows = RowCountParameter(default=100)

    # Sized for a laptop or Binder; the master comes from luigi config [spark] master.
    driver_memory = "1g"
    executor_memory = "2g"
    driver_cores = "1"
    executor_cores = "1"
    num_executors = "1"
    deploy_mode = "client"
    # luigi's URL watcher needs the fork start method (macOS and Python 3.14 use spawn).
    stream_for_searching_tracking_url = "none"

    @property
    def master(self):
        return luigi.configuration.get_config().get("spark", "master", "local[2]")

    @property
    def spark_submit(self):
        return str(PYSPARK_HOME / "bin" / "spark-submit")  # pyspark's own, never a system Spark

    @property
    def pyspark_python(self):
        return sys.executable  # the driver and the executors run this environment's Python

    @property
    def name(self):
        return f"DatasetGen-{self.date}"

    @property
    def app(self):
        return str(spark_app())

    @property
    def conf(self):
        return {"spark.log.level": "WARN", "spark.ui.showConsoleProgress": "false"}

    @property
    def driver_java_options(self):
        # The parallel collector suits a batch job. The class archive saves seconds at each start;
        # a Java it was not built by ignores it.
        options = [super().driver_java_options or "", "-XX:+UseParallelGC"]
        if SPARK_CLASS_ARCHIVE.exists():
            options.append(f'-XX:SharedArchiveFile="{SPARK_CLASS_ARCHIVE}"')
        return " ".join(options).strip()

    def program_environment(self):
        env = {**super().program_environment(), "SPARK_HOME": str(PYSPARK_HOME)}
        env.setdefault("SPARK_LOCAL_IP", "127.0.0.1")  # the driver and its UI listen on loopback only
        return env

    def requires(self):
        return {"listeners": DownloadListeners(self.date), "spins": DownloadSpins(self.date)}

    def output_dir(self):
        return data_dir() / f"output/{self.date:%Y/%m/%d}"

    def output(self):
        return {
            "dataset": luigi.LocalTarget(self.output_dir() / "dataset/_SUCCESS"),
            "counts": luigi.LocalTarget(self.output_dir() / "counts_by_zip_sub/_SUCCESS"),
        }

    def app_options(self):
        inputs = self.input()
        return [
            "--day", self.date.isoformat(),
            "--minrows", self.minrows,
            "--listeners_path", inputs["listeners"]["data"].path,
            "--spins_path", inputs["spins"].path,
            "--dataset_out_path", self.output_dir() / "dataset",
            "--analysis_out_path", self.output_dir() / "counts_by_zip_sub",
        ]

    def run(self):
        if not Path(self.app).exists():
            raise FileNotFoundError(f"The Spark app {self.app} does not exist yet: "
                                    "you write it in section 2 (notebooks/02_spark_job.ipynb).")
        # Two pipelines started for the same day take turns, and the second finds the day done.
        with exclusive_lock(self.output_dir()):
            if self.complete():
                return
            try:
                super().run()
            except ExternalProgramRunError as failure:
                # Its message lists the whole environment; keep only what explains the failure.
                raise SparkJobFailed(f"spark-submit failed for {self.name} ({failure.message.rstrip(':')}):\n"
                                     f"{spark_failure_tail(failure.out, failure.err)}") from None
