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
import sys
import urllib.request
from pathlib import Path

from song_plays_luigi.settings import section, spark_default  # importing it also points SPARK_CONF_DIR at spark/conf
from song_plays_ops.services import Service, answers_tcp, free_port, stop_group, wait_until_ready

PYSPARK_HOME = Path(importlib.util.find_spec("pyspark").origin).parent
DEFAULT_FOLDER = Path(__file__).resolve().parents[2] / "build" / "cluster"
MASTER_CLASS = "org.apache.spark.deploy.master.Master"
WORKER_CLASS = "org.apache.spark.deploy.worker.Worker"


class StandaloneCluster:
    """A master and `workers` workers with `cores` cores and `memory` each; logs and work folders in folder.

    Without workers: luigi.cfg's [standalone-cluster]; without cores and memory: spark-env.sh's SPARK_WORKER_*.
    """

    def __init__(self, workers=None, cores=None, memory=None, folder=DEFAULT_FOLDER):
        self.settings = section("standalone-cluster")
        self.workers = int(workers or self.settings.get("workers", 2))
        self.cores, self.memory = cores, memory
        self.folder = Path(folder)
        self.services = []  # the master, then the workers
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

    def _daemon(self, name, detached, *args):
        # spark-class reads the daemons' heap, options and each worker's size from spark-env.sh (SPARK_CONF_DIR).
        env = {**os.environ, "SPARK_HOME": str(PYSPARK_HOME), "SPARK_LOCAL_IP": "127.0.0.1",
               "SPARK_LOG_DIR": str(self.folder)}
        command = [PYSPARK_HOME / "bin" / "spark-class", *args]
        self.services.append(Service(name, command, log=self.folder / f"{name}.log", env=env,
                                     detached=detached).start())

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

    def start(self, timeout=120, detached=False):
        """Start the master and the workers and wait until every worker is ALIVE. Unless detached (the command
        line's `start`), the daemons end with the Python that started them."""
        self._daemon("master", detached, MASTER_CLASS, "--host", "127.0.0.1", "--port", self.master_port,
                     "--webui-port", self.master_ui_port)
        # A worker that finds no master listening tries again only after 5 to 15 s (Spark's own retry interval):
        # on a busy machine that doubled the start. Started once the master listens, each registers at once.
        wait_until_ready(self.services, lambda: answers_tcp(self.master_port), timeout, "The Spark master")
        size = [*(["--cores", self.cores] if self.cores else []), *(["--memory", self.memory] if self.memory else [])]
        for number in range(1, self.workers + 1):
            self._daemon(f"worker-{number}", detached, WORKER_CLASS, "--host", "127.0.0.1", "--port", free_port(),
                         "--webui-port", free_port(), *size, "--work-dir", self.folder / f"work-{number}",
                         self.master_url)
        wait_until_ready(self.services, lambda: len(self.alive_workers()) >= self.workers, timeout,
                         "The Spark cluster")
        return self

    def stop(self):
        # Workers first: each stops its executors on the way out, and none is left retrying a master that is gone.
        for service in reversed(self.services):
            service.stop()
        self.services = []

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def save(self, path):
        path.write_text(json.dumps({"master_url": self.master_url, "master_ui_url": self.master_ui_url,
                                    "pids": [service.pid for service in self.services]}))


def stop_saved(path):
    """Stop the daemons a `start` from the command line left running."""
    if not path.exists():
        print(f"No cluster is running (nothing recorded in {path}).")
        return
    for pid in json.loads(path.read_text())["pids"]:
        stop_group(pid)
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
    cluster = StandaloneCluster(workers=args.workers, folder=args.folder).start(detached=True)  # outlives this command
    cluster.save(state)
    lines = "".join(f"\n  {key} = {value}" for key, value in cluster.spark_settings().items())
    print(f"Spark master {cluster.master_url} with {cluster.workers} workers; web UI {cluster.master_ui_url}\n"
          f"Use it: put these lines in luigi.cfg\n  [spark]{lines}\n"
          f"Stop it with: make cluster-stop")


if __name__ == "__main__":
    main()
