"""A Spark Connect server on this machine: one long-lived Spark that jobs use as thin clients.

It is the installed pyspark's own (its spark-connect jar and SparkConnectServer class, as
sbin/start-connect-server.sh starts it), on 127.0.0.1 and a free port, sized by luigi.cfg's [spark-connect] and
tuned as every Spark of the workshop is, by spark/conf.

    python -m song_plays_ops.connect_server start   # prints its sc:// address, then returns
    python -m song_plays_ops.connect_server stop

Point DatasetGen at it with luigi configuration alone (luigi.cfg):

    [spark]
    remote = sc://127.0.0.1:PORT

The job then runs as a Spark Connect client: a Python process with no JVM of its own. Its reports are
written by the server and joined into one file by the client, so both must see the same storage: on one
machine, the same folders; with a remote server, a shared file system, HDFS or an object store.

From Python: `with ConnectServer() as server: ... server.url`.
"""
import argparse
import json
import os
import sys
from pathlib import Path

from song_plays_luigi.settings import section  # importing it also points SPARK_CONF_DIR at spark/conf
from song_plays_ops.services import Service, answers_tcp, free_port, stop_group, wait_until_ready
from song_plays_ops.standalone_cluster import PYSPARK_HOME  # the same pyspark as the cluster's

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_FOLDER = ROOT / "build" / "connect"
SERVER_CLASS = "org.apache.spark.sql.connect.service.SparkConnectServer"


class ConnectServer:
    """A Spark Connect server; its log and state in folder."""

    def __init__(self, folder=DEFAULT_FOLDER, port=None):
        self.folder = Path(folder)
        self.port = port or free_port()
        self.service = None

    @property
    def url(self):
        return f"sc://127.0.0.1:{self.port}"

    def command(self):
        sizes = section("spark-connect")  # the rest of its settings it reads from spark/conf itself
        settings = {"spark.connect.grpc.binding.address": "127.0.0.1", "spark.connect.grpc.binding.port": str(self.port),
                    "spark.ui.enabled": "false", "spark.pyspark.python": sys.executable}
        command = [str(PYSPARK_HOME / "bin" / "spark-submit"), "--master", sizes.get("master", "local[2]"),
                   "--driver-memory", sizes.get("driver_memory", "1g"), "--class", SERVER_CLASS,
                   "--name", "Spark Connect server (song plays workshop)"]
        if sizes.get("driver_java_options"):
            command += ["--driver-java-options", sizes["driver_java_options"]]
        for key, value in settings.items():
            command += ["--conf", f"{key}={value}"]
        return command + ["spark-internal"]

    def ready(self):
        return answers_tcp(self.port)

    def start(self, timeout=180, detached=False):
        """Start the server and wait until it accepts connections. Unless detached (the command line's `start`),
        it ends with the Python that started it."""
        env = {**os.environ, "SPARK_HOME": str(PYSPARK_HOME), "SPARK_LOCAL_IP": "127.0.0.1",
               "PYSPARK_PYTHON": sys.executable}
        self.service = Service("the Spark Connect server", self.command(), log=self.folder / "server.log", env=env,
                               cwd=ROOT, detached=detached).start()
        wait_until_ready([self.service], self.ready, timeout, "The Spark Connect server")
        return self

    def stop(self):
        if self.service:
            self.service.stop()
        self.service = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def save(self, path):
        path.write_text(json.dumps({"url": self.url, "pid": self.service.pid}))


def stop_saved(path):
    if not path.exists():
        print(f"No Spark Connect server is running (nothing recorded in {path}).")
        return
    stop_group(json.loads(path.read_text())["pid"])
    path.unlink()
    print("Stopped the Spark Connect server.")


def main(argv=None):
    parser = argparse.ArgumentParser(description="Start or stop a Spark Connect server on 127.0.0.1.")
    parser.add_argument("action", choices=["start", "stop"])
    parser.add_argument("--folder", type=Path, default=DEFAULT_FOLDER, help="its log and state")
    args = parser.parse_args(argv)
    state = args.folder / "server.json"
    if args.action == "stop":
        return stop_saved(state)
    if state.exists():
        sys.exit(f"A Spark Connect server is already recorded in {state}; stop it first (make connect-stop).")
    server = ConnectServer(folder=args.folder).start(detached=True)  # it outlives this command
    server.save(state)
    print(f"Spark Connect server at {server.url}; log {server.folder / 'server.log'}\n"
          f"Use it: put these lines in luigi.cfg\n  [spark]\n  remote = {server.url}\n"
          f"Stop it with: make connect-stop")


if __name__ == "__main__":
    main()
