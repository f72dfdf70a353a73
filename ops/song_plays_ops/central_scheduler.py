"""luigid, Luigi's central scheduler, on 127.0.0.1.

With --local-scheduler each luigi process plans alone, so two of them can run the same task at once.
Workers that share one luigid never do: it hands each task to one worker, and the others wait for it.
Its web page, the visualiser, shows every task it has seen.

    luigid --address 127.0.0.1 --port 8082        # make luigid
    PYTHONPATH=luigi_tasks luigi --module song_plays_tasks DatasetGen --date 2019-02-08 \
        --scheduler-host 127.0.0.1 --scheduler-port 8082

From Python: `with CentralScheduler(folder) as luigid: luigi.build(tasks, **luigid.build_options)`.
"""
import json
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class CentralScheduler:
    """A luigid process; its state file and log go to folder."""

    def __init__(self, folder, port=None):
        self.folder = Path(folder)
        self.port = port or free_port()
        self.process = None

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    @property
    def visualiser_url(self):
        return f"{self.url}/static/visualiser/index.html"

    @property
    def build_options(self):
        """What luigi.build needs to use this scheduler instead of a local one."""
        return {"scheduler_host": "127.0.0.1", "scheduler_port": self.port}

    def command_line_options(self):
        return ["--scheduler-host", "127.0.0.1", "--scheduler-port", str(self.port)]

    def start(self, timeout=60):
        self.folder.mkdir(parents=True, exist_ok=True)
        luigid = Path(sys.executable).parent / "luigid"
        with open(self.folder / "luigid.log", "w") as log:
            self.process = subprocess.Popen(
                [str(luigid), "--address", "127.0.0.1", "--port", str(self.port),
                 "--state-path", str(self.folder / "luigi-state.pickle"), "--logdir", str(self.folder)],
                stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while self.tasks(quiet=True) is None and self.process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.2)
        if self.tasks(quiet=True) is None:
            self.stop()
            raise RuntimeError(f"luigid did not start; see {self.folder / 'luigid.log'}")
        return self

    def tasks(self, status=None, quiet=False):
        """{task id: details} as luigid knows them, optionally only those with a status such as 'DONE'."""
        query = urllib.parse.urlencode({"data": json.dumps({"status": status} if status else {})})
        try:
            with urllib.request.urlopen(f"{self.url}/api/task_list?{query}", timeout=5) as response:
                return json.load(response)["response"]
        except OSError:
            if quiet:
                return None
            raise

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
