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
import sys
import urllib.parse
import urllib.request
from pathlib import Path

from song_plays_ops.services import Service, free_port, wait_until_ready


class CentralScheduler:
    """A luigid process; its state file and log go to folder."""

    def __init__(self, folder, port=None):
        self.folder = Path(folder)
        self.port = port or free_port()
        self.service = None

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
        luigid = Path(sys.executable).parent / "luigid"
        self.service = Service("luigid", [luigid, "--address", "127.0.0.1", "--port", self.port,
                                          "--state-path", self.folder / "luigi-state.pickle", "--logdir", self.folder],
                               log=self.folder / "luigid.log").start()
        wait_until_ready([self.service], lambda: self.tasks(quiet=True) is not None, timeout, "luigid")
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
        if self.service:
            self.service.stop()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
