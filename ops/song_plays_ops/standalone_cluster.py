"""A real Spark standalone cluster on this machine: one master and its workers, all on 127.0.0.1.

They are the installed pyspark's own daemons, started with its spark-class, on free ports.

    python -m song_plays_ops.standalone_cluster start   # prints the master URL and its web UI, then returns
    python -m song_plays_ops.standalone_cluster stop

How many workers, and DatasetGen's driver there, come from luigi.cfg's [standalone-cluster]; what each worker
offers and the daemons' own memory, from Spark's spark/conf/spark-env.sh, which spark-class reads. Point the
workshop at it with luigi configuration alone (`cluster.spark_settings()`, or the lines `start` prints, in luigi.cfg):

    [spark]
    master = spark://127.0.0.1:PORT
    driver_memory = 512m          # on a cluster the driver only plans: [standalone-cluster]'s driver_memory
    driver_java_options = ...     # and takes the executors' small-JVM options

From Python: `with StandaloneCluster() as cluster: ... cluster.master_url`.
"""
import argparse
import importlib.util
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from song_plays_luigi.settings import section, spark_default  # importing it also points SPARK_CONF_DIR at spark/conf

PYSPARK_HOME = Path(importlib.util.find_spec("pyspark").origin).parent
DEFAULT_FOLDER = Path(__file__).resolve().parents[2] / "build" / "cluster"
MASTER_CLASS = "org.apache.spark.deploy.master.Master"
WORKER_CLASS = "org.apache.spark.deploy.worker.Worker"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class StandaloneCluster:
    """A master and `workers` workers with `cores` cores and `memory` each; logs and work folders in folder.

    Without workers: luigi.cfg's [standalone-cluster]; without cores and memory: spark-env.sh's SPARK_WORKER_*.
    """

    def __init__(self, workers=None, cores=None, memory=None, folder=DEFAULT_FOLDER):
        self.settings = section("standalone-cluster")
        self.workers = int(workers or self.settings.get("workers", 2))
        self.cores, self.memory = cores, memory
        self.folder = Path(folder)
        self.processes = []
        self.master_port, self.master_ui_port = free_port(), free_port()

    @property
    def master_url(self):
        return f"spark://127.0.0.1:{self.master_port}"

    @property
    def master_ui_url(self):
        return f"http://127.0.0.1:{self.master_ui_port}/"

    def spark_settings(self):
        """luigi's [spark] settings that run DatasetGen on this cluster: its master, and a driver that only plans.

        That driver takes the executors' small-JVM options (spark-defaults.conf) in place of the parallel collector
        of the driver that does the work under local[2].
        """
        settings = {"master": self.master_url}
        if "driver_memory" in self.settings:
            settings["driver_memory"] = self.settings["driver_memory"]
        options = spark_default("spark.executor.defaultJavaOptions")
        if options:
            settings["driver_java_options"] = options
        return settings

    def _daemon(self, name, *args):
        # spark-class reads the daemons' heap, options and each worker's size from spark-env.sh (SPARK_CONF_DIR).
        env = {**os.environ, "SPARK_HOME": str(PYSPARK_HOME), "SPARK_LOCAL_IP": "127.0.0.1",
               "SPARK_LOG_DIR": str(self.folder)}
        log = open(self.folder / f"{name}.log", "w")
        # A session of its own: stopping the cluster stops the daemons' children (executors) too.
        process = subprocess.Popen([str(PYSPARK_HOME / "bin" / "spark-class"), *args], env=env,
                                   stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        log.close()
        self.processes.append(process)

    def status(self):
        """The master's own account of itself (its web UI's JSON), or None while it is not up."""
        try:
            with urllib.request.urlopen(f"{self.master_ui_url}json/", timeout=2) as response:
                return json.load(response)
        except (OSError, ValueError):  # not listening yet, or a page cut short while it starts
            return None

    def alive_workers(self):
        status = self.status() or {}
        return [worker for worker in status.get("workers", []) if worker.get("state") == "ALIVE"]

    def start(self, timeout=120):
        self.folder.mkdir(parents=True, exist_ok=True)
        self._daemon("master", MASTER_CLASS, "--host", "127.0.0.1", "--port", str(self.master_port),
                     "--webui-port", str(self.master_ui_port))
        size = [*(["--cores", str(self.cores)] if self.cores else []), *(["--memory", self.memory] if self.memory else [])]
        for number in range(1, self.workers + 1):
            self._daemon(f"worker-{number}", WORKER_CLASS, "--host", "127.0.0.1", "--port", str(free_port()),
                         "--webui-port", str(free_port()), *size,
                         "--work-dir", str(self.folder / f"work-{number}"), self.master_url)
        deadline = time.monotonic() + timeout
        while len(self.alive_workers()) < self.workers:
            ended = [process.args[1] for process in self.processes if process.poll() is not None]
            if ended or time.monotonic() > deadline:
                self.stop()
                problem = f"{', '.join(ended)} ended" if ended else f"not up within {timeout} s"
                raise RuntimeError(f"The Spark cluster did not start ({problem}). Its logs are in {self.folder}.")
            time.sleep(0.5)
        return self

    def stop(self):
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        self.processes = []

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def save(self, path):
        path.write_text(json.dumps({"master_url": self.master_url, "master_ui_url": self.master_ui_url,
                                    "pids": [process.pid for process in self.processes]}))


def stop_saved(path):
    """Stop the daemons a `start` from the command line left running."""
    if not path.exists():
        print(f"No cluster is running (nothing recorded in {path}).")
        return
    for pid in json.loads(path.read_text())["pids"]:
        try:
            os.killpg(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    path.unlink()
    print("Stopped the Spark cluster.")


def main(argv=None):
    parser = argparse.ArgumentParser(description="Start or stop a Spark standalone cluster on 127.0.0.1.")
    parser.add_argument("action", choices=["start", "stop"])
    parser.add_argument("--workers", type=int, help="how many workers (default: luigi.cfg's [standalone-cluster])")
    parser.add_argument("--folder", type=Path, default=DEFAULT_FOLDER, help="logs, work folders and state")
    args = parser.parse_args(argv)
    state = args.folder / "cluster.json"
    if args.action == "stop":
        return stop_saved(state)
    if state.exists():
        sys.exit(f"A cluster is already recorded in {state}; stop it first (make cluster-stop).")
    cluster = StandaloneCluster(workers=args.workers, folder=args.folder).start()
    cluster.save(state)
    lines = "".join(f"\n  {key} = {value}" for key, value in cluster.spark_settings().items())
    print(f"Spark master {cluster.master_url} with {cluster.workers} workers; web UI {cluster.master_ui_url}\n"
          f"Use it: put these lines in luigi.cfg\n  [spark]{lines}\n"
          f"Stop it with: make cluster-stop")


if __name__ == "__main__":
    main()
