"""No server outlives the Python that started it: luigid, a Spark Connect server (a real JVM, exec'd by
spark-submit's shell scripts) and the workshop's data server end when the process that started them is killed
without a chance to clean up, as pytest is when a CI timeout kills it."""
import contextlib
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from song_plays_ops.services import answers_tcp

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the parent-death signal is Linux's")]

# Starts one service the way a fixture does, says where it is, then waits to be killed.
STARTER = textwrap.dedent("""
    import json, sys, time
    kind, folder = sys.argv[1:]
    if kind == "luigid":
        from song_plays_ops.central_scheduler import CentralScheduler
        service = CentralScheduler(folder).start()
        pid, port = service.service.pid, service.port
    elif kind == "connect":
        from song_plays_ops.connect_server import ConnectServer
        service = ConnectServer(folder=folder).start()
        pid, port = service.service.pid, service.port
    else:
        from workshop import DataServer
        service = DataServer(folder)
        pid, port = service.process.pid, int(service.url.rsplit(":", 1)[1])
    print(json.dumps({"pid": pid, "port": port}), flush=True)
    time.sleep(600)
""")


def state(stat):
    """The state letter and the process group in a /proc stat file, or None when it has gone."""
    try:
        text = stat.read_text()
    except OSError:  # it ended while we looked
        return None
    fields = text[text.rindex(")") + 2:].split()
    return fields[0], int(fields[2])


def processes_in_group(pgid):
    """{pid: command name} of the live processes in process group pgid, and of process pgid itself (the data
    server is no group leader: it stays in its starter's group, so that a terminal's Ctrl-C reaches it).

    A JVM's main thread can end before its other threads do (System.exit in a shutdown): the process then shows
    as a zombie while it still listens. It has gone only when every thread has.
    """
    found = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        if (state(stat) or ("Z", None))[1] != pgid and stat.parent.name != str(pgid):
            continue
        threads = [state(task) for task in stat.parent.glob("task/*/stat")]
        if any(thread and thread[0] not in "ZX" for thread in threads):
            found[int(stat.parent.name)] = (stat.parent / "comm").read_text().strip()
    return found


@pytest.mark.parametrize("kind, program", [("luigid", "luigid"), ("connect", "java"), ("data", "python")])
def test_a_service_ends_when_the_python_that_started_it_is_killed(kind, program, tmp_path):
    line = ""
    (tmp_path / kind).mkdir()
    starter = subprocess.Popen([sys.executable, "-c", STARTER, kind, str(tmp_path / kind)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = starter.stdout.readline()
        assert line, starter.communicate(timeout=30)[1][-3000:]
        service = json.loads(line)
        group = processes_in_group(service["pid"])
        # The leader is the program itself: the scripts in front of the JVM exec'd into it.
        assert program in group.get(service["pid"], ""), group
        assert answers_tcp(service["port"])

        starter.send_signal(signal.SIGKILL)  # no finally, no atexit, no __exit__
        starter.wait(timeout=30)

        deadline = time.monotonic() + 60
        while processes_in_group(service["pid"]) and time.monotonic() < deadline:
            time.sleep(0.5)
        assert processes_in_group(service["pid"]) == {}, f"{kind} outlived the Python that started it"
        assert not answers_tcp(service["port"])
    finally:
        if starter.poll() is None:
            starter.kill()
        for pid in processes_in_group(json.loads(line)["pid"]) if line else ():  # whatever failed, leave nothing
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
