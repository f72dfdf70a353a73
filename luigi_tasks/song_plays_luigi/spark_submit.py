"""WorkshopSparkSubmitTask: luigi's SparkSubmitTask, set up for the workshop.

What it adds to luigi.contrib.spark.SparkSubmitTask:
- pyspark's own spark-submit (never a Spark installed elsewhere), with SPARK_HOME set for it;
- settings from luigi.cfg: luigi's own [spark] keys (master, memory, cores), and the class archive; Spark's own
  tuning it reads by itself from spark/conf (SPARK_CONF_DIR, set by song_plays_luigi.settings);
- the job's helper package, spark/song_plays_spark, zipped and shipped with --py-files (a fat jar's stand-in);
- the driver and the executors run this environment's Python, and listen on 127.0.0.1 only;
- one run at a time per day (a file lock), and a second run finds the day done;
- a failure that shows the end of the job's output, never the environment (luigi's own error lists it all);
- luigi's "Running command: ..." line shell-quoted, so that it can be pasted into a terminal;
- with [spark] remote = sc://HOST:PORT, the job runs as a Spark Connect client of that server instead: the same
  file, run by this Python with SPARK_REMOTE set, and no JVM of its own. Outputs, lock and failures are the same.
"""
import fcntl
import importlib.util
import logging
import os
import re
import shlex
import socket
import sys
import urllib.parse
import zipfile
from contextlib import contextmanager
from pathlib import Path

from luigi.contrib.external_program import ExternalProgramRunError
from luigi.contrib.spark import SparkSubmitTask
from luigi.task import flatten

from song_plays_luigi.settings import WORKSHOP_ROOT, build_dir, config, spark_app

PYSPARK_HOME = Path(importlib.util.find_spec("pyspark").origin).parent
SPARK_HELPERS = WORKSHOP_ROOT / "spark" / "song_plays_spark"
QUICK_COMPILER = "-XX:TieredStopAtLevel=1"  # Java's quick compiler (C1) alone
SMALL_INPUT_BYTES = 5_000_000  # about 500,000 spins, where the quick compiler still won (16.1 -> 13.9 s)
SPARK_LOG_LINE = re.compile(r"^\d\d/\d\d/\d\d \d\d:\d\d:\d\d (TRACE|DEBUG|INFO|WARN|ERROR) ")


class SparkJobFailed(RuntimeError):
    """spark-submit failed. Carries the end of its output, and never the environment."""


def class_archive():
    """luigi.cfg's [spark] class_archive, in this Python environment's folder unless the path is absolute."""
    name = config().get("spark", "class_archive", "")
    return Path(sys.prefix, name) if name else None


def helpers_zip(folder=SPARK_HELPERS):
    """spark/song_plays_spark as a zip for --py-files, made again whenever a module in it changes."""
    modules = sorted(folder.glob("*.py"))
    target = build_dir() / f"{folder.name}.zip"
    if target.exists() and all(module.stat().st_mtime <= target.stat().st_mtime for module in modules):
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial-{os.getpid()}")
    with zipfile.ZipFile(partial, "w") as archive:
        for module in modules:
            archive.write(module, f"{folder.name}/{module.name}")
    partial.replace(target)  # two tasks building it at once each rename a whole zip
    return target


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


class QuotedCommand(logging.Filter):
    """luigi logs the command it runs with " ".join(), which a shell splits otherwise: the driver's Java options are one
    argument with a space in it, and local[2] is a glob. This puts the same line shell-quoted (shlex.join)."""

    def __init__(self, argv):
        super().__init__()
        self.argv = argv

    def filter(self, record):
        if record.msg == "Running command: %s" and record.args == (" ".join(self.argv),):
            record.args = (shlex.join(self.argv),)
        return True


@contextmanager
def quoted_command_in_luigis_log(argv):
    logger = logging.getLogger("luigi-interface")  # the logger luigi's ExternalProgramTask.run() logs to
    quoted = QuotedCommand(argv)
    logger.addFilter(quoted)
    try:
        yield
    finally:
        logger.removeFilter(quoted)


@contextmanager
def exclusive_lock(folder):
    """One process at a time per folder, across processes; the lock goes when its holder ends, even killed."""
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


class WorkshopSparkSubmitTask(SparkSubmitTask):
    """A SparkSubmitTask whose settings come from luigi.cfg; subclasses give requires, output and app_options."""

    # luigi's tracking-URL watcher needs the fork start method (macOS and Python 3.14 use spawn).
    stream_for_searching_tracking_url = "none"

    @property
    def app(self):
        return str(spark_app())

    @property
    def spark_submit(self):
        return str(PYSPARK_HOME / "bin" / "spark-submit")

    @property
    def pyspark_python(self):
        return sys.executable

    @property
    def py_files(self):
        return [str(helpers_zip())] + (super().py_files or [])

    @property
    def properties_file(self):
        """spark/conf's spark-defaults.conf, named rather than found through SPARK_CONF_DIR: Spark puts that folder
        on the driver's class path, and Java's class-data sharing refuses a class path with a non-empty folder
        (the class archive would go unused). Everything else in spark/conf is for the cluster's daemons."""
        return super().properties_file or str(Path(os.environ["SPARK_CONF_DIR"], "spark-defaults.conf"))

    @property
    def driver_java_options(self):
        """The class archive, computed here rather than in spark/conf: its path is this Python environment's, and
        only a driver spark-submit starts for an app can use it (a notebook's JVM would warn that it cannot).
        And for small inputs Java's quick compiler only: see small_inputs()."""
        options = super().driver_java_options or ""
        archive = class_archive()
        if archive and archive.exists():  # a Java it was not built by ignores it
            options += f' -XX:SharedArchiveFile="{archive}"'
        if self.small_inputs() and "TieredStopAtLevel" not in options:
            options += f" {QUICK_COMPILER}"
        return options.strip()

    def small_inputs(self):
        """Whether the task's inputs are files here, together under SMALL_INPUT_BYTES. A driver that reads little
        spends more CPU compiling Spark's code for speed (Java's C2 compiler) than the faster code gives back; on 2
        cores the quick compiler alone (C1) makes a day of 5,000 spins 11.1 -> 8.8 s and 19 -> 11 CPU seconds, and
        from about a million spins C2 wins (benchmarks/README.md). Inputs elsewhere (HDFS, S3) or none known (a
        command for another app) keep Java's default."""
        files = [Path(target.path) for target in flatten(self.input()) if hasattr(target, "path")]
        return bool(files) and all(f.is_file() for f in files) and sum(f.stat().st_size for f in files) < SMALL_INPUT_BYTES

    @property
    def remote(self):
        """luigi.cfg's [spark] remote: a Spark Connect server's sc:// address, or '' for spark-submit."""
        return config().get("spark", "remote", "").strip()

    def program_args(self):
        if self.remote:  # a thin client: pyspark reads SPARK_REMOTE and connects instead of starting Spark
            return [sys.executable, self.app, *map(str, self.app_options())]
        return super().program_args()

    def program_environment(self):
        env = {**super().program_environment(), "SPARK_HOME": str(PYSPARK_HOME)}
        env.pop("SPARK_CONF_DIR", None)  # its settings come through --properties-file (properties_file says why)
        env.setdefault("SPARK_LOCAL_IP", "127.0.0.1")  # the driver and its UI listen on loopback only
        if self.remote:
            env["SPARK_REMOTE"] = self.remote
        return env

    def check_remote(self):
        """A client of a server that is not there would retry for minutes: say so at once."""
        parts = urllib.parse.urlsplit(self.remote.replace("sc://", "http://", 1))
        try:
            socket.create_connection((parts.hostname, parts.port or 15002), timeout=10).close()
        except OSError:
            raise SparkJobFailed(f"Nothing is listening at {self.remote}, the Spark Connect server in luigi.cfg's "
                                 "[spark] remote: start it (make connect), or empty `remote` to use "
                                 "spark-submit.") from None

    def run(self):
        if self.remote:
            self.check_remote()
        if not Path(self.app).exists():
            raise FileNotFoundError(f"The Spark app {self.app} does not exist yet: "
                                    "you write it in section 2, notebook 02_spark_job.ipynb.")
        # Two pipelines started for the same outputs take turns, and the second finds them done.
        folders = [os.path.dirname(target.path) for target in flatten(self.output())]
        with exclusive_lock(Path(os.path.commonpath(folders))):
            if self.complete():
                return
            try:
                with quoted_command_in_luigis_log(list(map(str, self.program_args()))):
                    super().run()
            except ExternalProgramRunError as failure:
                # Its message lists the whole environment; keep only what explains the failure.
                how = f"the Spark Connect client of {self.remote}" if self.remote else "spark-submit"
                raise SparkJobFailed(f"{how} failed for {self.task_id} ({failure.message.rstrip(':')}):\n"
                                     f"{spark_failure_tail(failure.out, failure.err)}") from None


def spark_submit_command(app, *app_flags):
    """The command and environment DatasetGen would use, for another app or flags (the benchmark, a glob)."""
    task = WorkshopSparkSubmitTask()
    return task.spark_command() + [str(app), *map(str, app_flags)], task.program_environment()


def connect_client_command(remote, app, *app_flags):
    """The same as a Spark Connect client of the server at remote (sc://HOST:PORT)."""
    env = {**WorkshopSparkSubmitTask().program_environment(), "SPARK_REMOTE": remote}
    return [sys.executable, str(app), *map(str, app_flags)], env
