"""The workshop's remote: Python's own http.server, publishing a folder of generated data on 127.0.0.1."""
import atexit
import os
import re
import subprocess
import sys
import urllib.request

from song_plays_luigi.settings import WORKSHOP_ROOT, build_dir
from song_plays_ops.services import ending_with_this_process

REMOTE_DIR = build_dir() / "remote"


def ensure_remote_data():
    """Generate the workshop's data the first time, so each notebook runs on its own."""
    if not (REMOTE_DIR / "listeners.snappy.parquet").exists():
        from song_plays_ops import generate_fake_data
        generate_fake_data.main(["--out", str(REMOTE_DIR)])
    return REMOTE_DIR


class DataServer:
    """Python's own http.server, publishing a folder on 127.0.0.1 as the workshop's remote."""

    def __init__(self, folder, port=0):
        # Port 0 lets the system pick a free port; the server prints the one it got. It ends with this process,
        # even one killed without a chance to stop it (a test run cut short by a timeout).
        self.process = subprocess.Popen(
            [sys.executable, "-u", "-m", "http.server", str(port), "--bind", "127.0.0.1", "--directory", str(folder)],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, preexec_fn=ending_with_this_process())
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
    shown = REMOTE_DIR.relative_to(WORKSHOP_ROOT) if REMOTE_DIR.is_relative_to(WORKSHOP_ROOT) else REMOTE_DIR
    print(f"Serving {shown}/ at {server.url}")
    return server


def browser_url(url):
    """Where a student can open a web page served on this machine: through Jupyter's proxy on Binder or
    JupyterHub (the browser is elsewhere), else directly."""
    prefix = os.environ.get("JUPYTERHUB_SERVICE_PREFIX")
    if prefix and url:
        port, _, path = url.split("://", 1)[-1].split(":", 1)[-1].partition("/")
        return f"{prefix.rstrip('/')}/proxy/{port}/{path}"
    return url
