"""Notebook 00 · Setup: the toolbox works. No code to write here, so no solutions; the hints say how to fix."""
import platform
import sys

from workshop.checks import show_progress
from workshop.coach import Section, expect

section = Section("00_setup")
hint, solution, progress = section.hint, section.solution, show_progress


@section.checkpoint(1, "Python is 3.11, 3.12 or 3.13", hints=[
    "The workshop is tested on Python 3.11, 3.12 and 3.13; the line above says which one this kernel runs.",
    "Make a fresh environment with a tested Python: `rm -rf .venv && make setup PYTHON=python3.12`, or "
    "`conda env create -f environment.yml`, then pick its kernel (Kernel > Change Kernel)."])
def step1():
    expect((3, 11) <= sys.version_info[:2] <= (3, 13), f"this is Python {platform.python_version()}",
           hint="make a fresh environment with Python 3.11, 3.12 or 3.13: `rm -rf .venv && make setup "
                "PYTHON=python3.12`, or `conda env create -f environment.yml`")


@section.checkpoint(2, "Java 17 or 21 is there for Spark", hints=[
    "Spark 4 runs on Java 17 or 21 only. The message above says what was found, and where.",
    "Install Java 17 (Debian/Ubuntu: `sudo apt-get install openjdk-17-jre-headless`; macOS: "
    "`brew install openjdk@17`), or point JAVA_HOME at one you have, then restart the kernel."])
def step2(java_problem):
    expect(java_problem is None, "Spark cannot run on the Java found", hint=java_problem)


@section.checkpoint(3, "pyspark 4 and its own spark-submit answer", hints=[
    "spark-submit is a script inside the pyspark package; it starts Java, so check 2 must pass first.",
    "Run `make setup` again (or `pip install -r requirements.txt` in this environment), then restart the kernel."])
def step3(submit_version):
    import pyspark
    expect(pyspark.__version__.startswith("4."), f"pyspark is {pyspark.__version__}",
           hint="the workshop needs Spark 4: run `make setup` (or `pip install -r requirements.txt`)")
    expect(submit_version.returncode == 0 and pyspark.__version__ in submit_version.stderr,
           f"`spark-submit --version` failed: {submit_version.stderr.strip()[-300:]}",
           hint="fix Java first (check 2), then run `make setup` again")


@section.checkpoint(4, "the luigi command answers", hints=[
    "The `luigi` command is installed next to this kernel's python, by the luigi package.",
    "Run `make setup` (or `pip install -r requirements.txt` in this environment)."])
def step4(luigi_help):
    expect(luigi_help.returncode == 0, f"`luigi --help` failed: {luigi_help.stderr.strip()[-300:]}",
           hint="run `make setup` (or `pip install -r requirements.txt`) in this environment")


@section.checkpoint(5, "the day's spins and the listeners are ready to serve", hints=[
    "The workshop generates its own data into build/remote/, seeded so that everyone has the same files.",
    "Run `make setup`, or `python -m song_plays_ops.generate_fake_data --out build/remote --start 2019-02-08`."])
def step5(published, remote, day):
    for name in ("listeners.snappy.parquet", f"spins-{day}.snappy.parquet"):
        expect(name in published, f"{name} is missing from {remote}",
               hint=f"run `make setup`, or python -m song_plays_ops.generate_fake_data --out build/remote --start {day}")


@section.checkpoint(6, "Spark started, summed 0..999 by parity on workers of this Python, and stopped", hints=[
    "If Spark did not start, its own output is printed above; the first line that says ERROR is the one to read.",
    "Most often it is Java (check 2). If the workers' Python differs, keep "
    "os.environ['PYSPARK_PYTHON'] = sys.executable in the cell above."])
def step6(answer):
    expect(answer.get("sums") == {"True": 249500, "False": 250000}, "Spark did not compute the sums (its output is above)",
           hint="if Spark did not start, fix Java (check 2), then run this section again")
    expect(answer.get("worker_python") == [platform.python_version()],
           f"Spark's Python workers ran Python {answer.get('worker_python')}, this kernel {platform.python_version()}",
           hint="Spark's workers must run the kernel's Python: keep os.environ['PYSPARK_PYTHON'] = sys.executable")
