"""Shared fixtures: generated data on a real local HTTP server, an isolated data folder, one SparkSession.

No test writes into the checkout: what the workshop makes for itself (served data, the helpers' zip, Spark's
console log) goes to a temporary SONG_PLAYS_BUILD_DIR, set here before the workshop is imported so that every
process the tests start inherits it; what CI keeps (screenshots, timings) goes to the `artifacts` folder.
"""
import datetime
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# `make test` runs two pytest-xdist workers, which may run the same luigi command at once. luigi's process lock (a
# pid file named for the command line, in the temporary folder) would make the second exit at once, doing nothing:
# each worker, and every process it starts, gets a temporary folder of its own.
if worker := os.environ.get("PYTEST_XDIST_WORKER"):
    os.environ["TMPDIR"] = tempfile.mkdtemp(prefix=f"song-plays-{worker}-")
    tempfile.tempdir = None  # computed again from TMPDIR
BUILD_DIR = Path(tempfile.mkdtemp(prefix="song-plays-build-"))
os.environ["SONG_PLAYS_BUILD_DIR"] = str(BUILD_DIR)
from song_plays_ops import generate_fake_data  # noqa: E402
from song_plays_ops import workshop_copy  # noqa: E402
from workshop import DataServer  # noqa: E402

REFERENCE_DIR = ROOT.parent / "shared" / "reference" / "original-workshop"
DAY = datetime.date(2019, 2, 8)


# Fixtures that start a JVM or a server process: a test that uses one is slow, whatever its marks say.
SLOW_FIXTURES = {"spark", "data_server", "reference_server", "solution_runs"}


# `make test` runs the tests in two pytest-xdist workers (--dist loadgroup); the tests that share one of these
# session fixtures are marked to run in the same worker, so that its notebooks run, or its JVM starts, once.
# pytest stays below 9.2 (requirements.in): pytest-xdist 3.8.0 on pytest 9.2 ignores the marks (pytest-dev/pytest-xdist#1386).
SHARED_FIXTURES = ("solution_runs", "spark")


# The files whose tests take minutes, longest first: started first, they do not leave one worker idle at the end.
LONG_FIRST = ["test_notebooks.py", "test_jupyterlab_browser.py", "test_exercises.py", "test_benchmark.py",
              "test_site.py", "test_colab_bootstrap.py"]


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist's, which reads the groups to make each worker's test ids
def pytest_collection_modifyitems(items):
    items.sort(key=lambda item: LONG_FIRST.index(item.path.name) if item.path.name in LONG_FIRST else len(LONG_FIRST))
    for item in items:
        if SLOW_FIXTURES & set(item.fixturenames):
            item.add_marker(pytest.mark.slow)
        if shared := [name for name in SHARED_FIXTURES if name in item.fixturenames]:
            item.add_marker(pytest.mark.xdist_group(shared[0]))


@pytest.fixture(scope="session", autouse=True)
def temporary_build_dir():
    yield BUILD_DIR
    shutil.rmtree(BUILD_DIR, ignore_errors=True)


@pytest.fixture(scope="session")
def remote_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("remote")
    return generate_fake_data.generate(out, DAY, DAY, 5000, 100, 2019, log=lambda line: None)


@pytest.fixture(scope="session")
def data_server(remote_dir):
    with DataServer(remote_dir) as server:
        yield server


@pytest.fixture(scope="session")
def reference_server():
    if not (REFERENCE_DIR / "listeners.snappy.parquet").exists():
        pytest.skip(f"the original workshop's files are not at {REFERENCE_DIR}")
    with DataServer(REFERENCE_DIR) as server:
        yield server


def point_tasks_at(monkeypatch, server, data_dir):
    monkeypatch.setenv("SONG_PLAYS_DATA_URL", server.url)
    monkeypatch.setenv("SONG_PLAYS_DATA_DIR", str(data_dir))
    return data_dir


@pytest.fixture
def workshop_env(data_server, tmp_path, monkeypatch):
    """The tasks read generated data from the local server and write under tmp_path."""
    return point_tasks_at(monkeypatch, data_server, tmp_path / "data")


@pytest.fixture
def reference_env(reference_server, tmp_path, monkeypatch):
    return point_tasks_at(monkeypatch, reference_server, tmp_path / "data")


@pytest.fixture(scope="session")
def spark():
    """A local Spark for the whole run; inside notebook 02 it is the notebook's own, left running."""
    from pyspark.sql import SparkSession
    import workshop  # noqa: F401  importing it points PYSPARK_PYTHON at this Python, SPARK_CONF_DIR at spark/conf
    borrowed = SparkSession.getActiveSession()
    session = borrowed or (SparkSession.builder.master("local[2]")
               .config("spark.driver.memory", "1g")
               .config("spark.ui.enabled", "false")
               .getOrCreate())
    yield session
    if not borrowed:
        session.stop()


def luigi_command(*args, env=None):
    """The tutorial's command line and its environment, to run from the workshop folder."""
    command = [str(Path(sys.executable).parent / "luigi"), "--module", "song_plays_tasks", *args, "--local-scheduler"]
    return command, {**os.environ, **(env or {})}


def luigi_cli(*args, env=None, timeout=600):
    """Run the tutorial's command line to the end."""
    command, full_env = luigi_command(*args, env=env)
    return subprocess.run(command, cwd=ROOT, env=full_env, capture_output=True, text=True, timeout=timeout)


def copy_workshop(destination, monkeypatch=None):
    """A fresh copy of the workshop (song_plays_ops.workshop_copy). With monkeypatch, the copy's code comes first
    on PYTHONPATH for everything started meanwhile (use_copy does the same for a copy made earlier)."""
    workshop_copy.copy_workshop(destination)
    if monkeypatch:
        use_copy(monkeypatch, destination)
    return destination


def use_copy(monkeypatch, copy):
    monkeypatch.setenv("PYTHONPATH", workshop_copy.pythonpath(copy))


@pytest.fixture(scope="session")
def artifacts(tmp_path_factory):
    """Where tests leave what a person may want to look at (screenshots, executed notebooks): the folder that
    WORKSHOP_ARTIFACTS names (CI uploads it), else a temporary one. Never the checkout."""
    named = os.environ.get("WORKSHOP_ARTIFACTS")
    folder = Path(named).resolve() if named else tmp_path_factory.mktemp("artifacts")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


PLANTED_SECRET = "planted-secret-3f9a1d"  # in the environment of every notebook run; no output may show it


class NotebookRuns:
    """Each solution notebook run once under papermill, in one fresh copy of the workshop, when first asked for
    (and again, when asked to).

    The notebook tests check the runs; the site test builds its pages from the same first runs, in any order."""

    def __init__(self, copy, out):
        self.copy, self.out, self.done = copy, out, {}

    def __call__(self, name):
        if name not in self.done:
            self.done[name] = self.out / name  # a failed run is not run again
            self.run(name, self.done[name])
        return self.done[name]

    def again(self, name):
        """A second Run All of the notebook, in the same copy, after whatever ran there since its first."""
        executed = self.out / f"again-{name}"
        self.run(name, executed)
        return executed

    def run(self, name, executed):
        import papermill
        with pytest.MonkeyPatch.context() as monkeypatch:
            without_workshop_settings(monkeypatch)
            use_copy(monkeypatch, self.copy)
            monkeypatch.setenv("WORKSHOP_API_TOKEN", PLANTED_SECRET)
            papermill.execute_notebook(str(self.copy / "notebooks" / name), str(executed),
                                       cwd=str(self.copy / "notebooks"), kernel_name="python3", progress_bar=False)


@pytest.fixture(scope="session")
def solution_runs(tmp_path_factory, artifacts):
    out = artifacts / "executed"
    out.mkdir(exist_ok=True)
    return NotebookRuns(copy_workshop(tmp_path_factory.mktemp("workshop")), out)


def without_workshop_settings(monkeypatch):
    """Notebooks set up their own remote and data folder; none of the developer's settings may leak in."""
    for setting in ("SONG_PLAYS_DATA_URL", "SONG_PLAYS_DATA_DIR", "SONG_PLAYS_SPARK_APP", "SONG_PLAYS_WORKSPACE"):
        monkeypatch.delenv(setting, raising=False)
