"""The notebooks' first cell on a bare machine, as Colab gives one: no workshop, no packages, no Java.

It runs in a fresh virtual environment outside the checkout, with Java stripped from PATH and JAVA_HOME
unset, against a local clone of this repository as "the repository". It must clone, install the student set,
install Java 17 with apt and set JAVA_HOME, print each command it runs, and carry on: `import workshop` works
and finds Java. Where the workshop is installed, the same cell does nothing and prints nothing.
"""
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from conftest import ROOT


def first_code_cell(name="00_setup.ipynb"):
    return next(cell.source for cell in nbformat.read(ROOT / "notebooks" / name, as_version=4).cells
                if cell.cell_type == "code")


def test_every_notebook_starts_with_the_same_first_cell_both_editions():
    first = first_code_cell()
    assert "bootstrap.prepare" in first and "https://github.com/song-plays-workshop/song-plays-workshop" in first
    for path in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")) + sorted((ROOT / "notebooks/exercises").glob("*.ipynb")):
        assert first_code_cell(path.relative_to(ROOT / "notebooks")) == first, path.name


def test_on_a_prepared_machine_the_first_cell_does_nothing_and_prints_nothing():
    run = subprocess.run([sys.executable, "-c", first_code_cell()], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert run.returncode == 0 and run.stdout == "" and run.stderr == "", run.stdout + run.stderr


def without_java(tmp_path):
    """A PATH with every command of this one except Java's (on Debian, /bin is /usr/bin: it cannot just be dropped)."""
    shadow = tmp_path / "bin"
    shadow.mkdir()
    for folder in os.environ["PATH"].split(os.pathsep):
        if not os.path.isdir(folder):
            continue
        for entry in os.scandir(folder):
            target = shadow / entry.name
            if not entry.name.startswith(("java", "jshell", "keytool", "jar")) and not target.exists():
                target.symlink_to(entry.path)
    return str(shadow)


@pytest.mark.slow
@pytest.mark.skipif(os.geteuid() != 0, reason="installing Java with apt needs root, as on Colab")
def test_on_a_bare_machine_the_first_cell_clones_installs_java_and_carries_on(tmp_path):
    repository = tmp_path / "repository"  # a clone of this checkout's committed state stands in for the forge
    subprocess.run(["git", "clone", "--quiet", "--no-local", str(ROOT), str(repository)], check=True)
    machine = tmp_path / "content"  # Colab's working folder
    machine.mkdir()
    subprocess.run([sys.executable, "-m", "venv", str(tmp_path / "venv")], check=True)
    python = tmp_path / "venv/bin/python"
    env = {key: value for key, value in os.environ.items()
           if key not in ("JAVA_HOME", "PYTHONPATH", "VIRTUAL_ENV") and not key.startswith("SONG_PLAYS_")}
    env.update(PATH=f"{tmp_path / 'venv/bin'}{os.pathsep}{without_java(tmp_path)}",
               SONG_PLAYS_REPOSITORY=str(repository), HOME=str(tmp_path))
    assert subprocess.run(["sh", "-c", "command -v java"], env=env).returncode != 0, "java is still on PATH"

    cell = first_code_cell()
    then = ("\nimport workshop\nfrom song_plays_ops import check_java\n"
            "print('workshop at', workshop.ROOT)\nprint('java:', check_java.check_java())\n")
    run = subprocess.run([str(python), "-c", cell + then], cwd=machine, env=env, capture_output=True, text=True,
                         timeout=900)
    out = run.stdout
    assert run.returncode == 0, out + run.stderr[-3000:]
    clone = machine / "song-plays-workshop"
    expected = [f"$ git clone --depth 1 {repository} song-plays-workshop",
                f"$ {python} -m pip install --quiet -r {clone / 'requirements.txt'}",
                f"$ {python} -m pip install --quiet --no-deps -e {clone}",
                "$ apt-get update -qq",
                "$ apt-get install -y -qq --no-install-recommends --no-upgrade openjdk-17-jre-headless",
                "JAVA_HOME=/usr/lib/jvm/java-17-openjdk-",
                f"The workshop is ready in {clone}.",
                f"workshop at {clone}",
                "java: Java 17 at /usr/lib/jvm/java-17-openjdk-"]
    positions = [out.find(line) for line in expected]
    assert -1 not in positions and positions == sorted(positions), out

    # Run again (a student re-runs the cell): already cloned and installed, so it says nothing.
    again = subprocess.run([str(python), "-c", cell], cwd=machine, env=env, capture_output=True, text=True, timeout=300)
    assert again.returncode == 0 and again.stdout == "", again.stdout + again.stderr
