"""Long-lived local services (luigid, a Spark Connect server, a standalone cluster's daemons): one way to start
them on 127.0.0.1, wait until they answer, and stop them.

Each service runs in a process group of its own, so that stopping it also stops what it started (a Spark worker's
executors, spark-class's launcher). Started for a Python caller (a fixture, a notebook, a benchmark) it also ends
with that caller: a test run killed by a timeout leaves no server behind. Started for the command line
(`make cluster`, `make connect`), it is detached and outlives the command that started it.
"""
import ctypes
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
# SIGTERM, not SIGKILL: a JVM runs its shutdown hooks on SIGTERM, and a Spark worker's hook stops its executors,
# which would otherwise be orphans of the orphan.
DEATH_SIGNAL = signal.SIGTERM


def free_port():
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def answers_tcp(port, host="127.0.0.1"):
    """True when something accepts connections on host:port."""
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def ending_with_this_process():
    """A preexec_fn for Popen: the child gets DEATH_SIGNAL when this process ends, however it ends.

    None where that is not Linux (elsewhere only stop() ends a service), and off the main thread: Linux signals
    when the *thread* that started the child ends, which for another thread is not the end of the process.
    The setting survives exec, so it reaches the JVM that bin/spark-submit and spark-class exec into.
    libc is looked up here, before the fork, so the child only makes one system call.
    """
    if not sys.platform.startswith("linux") or threading.current_thread() is not threading.main_thread():
        return None
    parent_pid = os.getpid()
    prctl = ctypes.CDLL(None, use_errno=True).prctl

    def preexec():
        prctl(PR_SET_PDEATHSIG, DEATH_SIGNAL)
        if os.getppid() != parent_pid:  # the parent died before the setting took: nobody will signal us
            os._exit(1)
    return preexec


class Service:
    """One process started as a service: command, its output into log, in a process group of its own.

    With detached=False (the default) it ends when the Python that started it ends, however that ends, when
    started from the main thread (fixtures and notebook cells are); see ending_with_this_process.
    """

    def __init__(self, name, command, log, env=None, cwd=None, detached=False):
        self.name, self.command, self.log = name, [str(part) for part in command], Path(log)
        self.env, self.cwd, self.detached = env, cwd, detached
        self.process = None

    @property
    def pid(self):
        return self.process.pid if self.process else None

    def start(self):
        self.log.parent.mkdir(parents=True, exist_ok=True)
        preexec = None if self.detached else ending_with_this_process()
        with open(self.log, "w") as log:
            self.process = subprocess.Popen(self.command, env=self.env, cwd=self.cwd, stdout=log,
                                            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                            start_new_session=True, preexec_fn=preexec)
        return self

    def running(self):
        return self.process is not None and self.process.poll() is None

    def log_tail(self, chars=1500):
        try:
            return self.log.read_text(errors="replace")[-chars:]
        except OSError:
            return ""

    def stop(self, timeout=30):
        if self.running():
            stop_group(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                stop_group(self.process.pid, signal.SIGKILL)
                self.process.wait()
            # What the leader started and left (an executor a worker did not stop) is in its group too.
            stop_group(self.process.pid, signal.SIGKILL)
        self.process = None


def stop_group(pgid, sig=signal.SIGTERM):
    """Signal a service's process group; one that has already ended is no error."""
    try:
        os.killpg(pgid, sig)
    except ProcessLookupError:
        pass


def wait_until_ready(services, ready, timeout, what):
    """Wait until ready() is true. When a service ends first, or time runs out, stop them all and raise with the
    end of the log of the one that ended (or of the first)."""
    deadline = time.monotonic() + timeout
    while not ready():
        ended = [service for service in services if not service.running()]
        if ended or time.monotonic() > deadline:
            culprit = (ended or services)[0]
            tail = culprit.log_tail()
            for service in services:
                service.stop()
            problem = f"{', '.join(service.name for service in ended)} ended" if ended else f"not up within {timeout} s"
            raise RuntimeError(f"{what} did not start ({problem}). The end of {culprit.log}:\n{tail}")
        time.sleep(0.3)
