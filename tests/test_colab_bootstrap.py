"""The notebooks' first cell on a bare machine, as Colab gives one: no workshop, no packages, no Java.

It runs in a fresh virtual environment outside the checkout, with Java stripped from PATH and JAVA_HOME
unset, against a local clone of this repository as "the repository". It must clone, install the student set,
install Java 17 with apt and set JAVA_HOME, print each command it runs, and carry on: `import workshop` works
and finds Java. Where the workshop is installed, the same cell does nothing and prints nothing.

apt is the one part that is not real: the host's own apt-get would change this machine's Java (or fail, as
its sandbox user cannot read a temporary PATH). A recording apt-get comes first on PATH instead, and its
`install` leaves a JDK folder, with a java that answers as 17 does, in a folder of the test's own.
"""
import os
import subprocess
import sys

import nbformat
import pytest

from conftest import ROOT


def first_code_cell(name="00_setup.ipynb"):
    return next(cell.source for cell in nbformat.read(ROOT / "notebooks" / name, as_version=4).cells
                if cell.cell_type == "code")


def test_every_notebook_starts_with_the_same_first_cell_both_editions():
    first = first_code_cell()
    assert "binder/bootstrap.py" in first and "https://github.com/song-plays-workshop/song-plays-workshop" in first
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


# apt-get as the test sees it: each call's arguments, one line each, into $APT_RECORD; `install` leaves a JDK
# folder under $SONG_PLAYS_JVM_ROOT whose java prints what OpenJDK 17's does.
RECORDING_APT_GET = r"""#!/bin/sh
echo "$*" >> "$APT_RECORD"
if [ "$1" = install ]; then
    home="$SONG_PLAYS_JVM_ROOT/java-17-openjdk-amd64"
    mkdir -p "$home/bin"
    cat > "$home/bin/java" <<'JAVA'
#!/bin/sh
echo 'openjdk version "17.0.99" 2099-01-01' >&2
JAVA
    chmod +x "$home/bin/java"
fi
"""
# Not root (a developer's machine): bootstrap goes through sudo; this one only runs the command.
PASSING_SUDO = '#!/bin/sh\nexec "$@"\n'


def fake_commands(tmp_path):
    folder = tmp_path / "fake-bin"
    folder.mkdir()
    for name, text in (("apt-get", RECORDING_APT_GET), ("sudo", PASSING_SUDO)):
        (folder / name).write_text(text)
        (folder / name).chmod(0o755)
    return str(folder)


@pytest.mark.slow
def test_on_a_bare_machine_the_first_cell_clones_installs_java_and_carries_on(tmp_path):
    repository = tmp_path / "repository"  # a clone of this checkout's committed state stands in for the forge
    subprocess.run(["git", "clone", "--quiet", "--no-local", str(ROOT), str(repository)], check=True)
    machine = tmp_path / "content"  # Colab's working folder
    machine.mkdir()
    subprocess.run([sys.executable, "-m", "venv", str(tmp_path / "venv")], check=True)
    python = tmp_path / "venv/bin/python"
    jvm_root, apt_record = tmp_path / "jvm", tmp_path / "apt-get.calls"
    env = {key: value for key, value in os.environ.items()
           if key not in ("JAVA_HOME", "PYTHONPATH", "VIRTUAL_ENV") and not key.startswith("SONG_PLAYS_")}
    env.update(PATH=os.pathsep.join([str(tmp_path / "venv/bin"), fake_commands(tmp_path), without_java(tmp_path)]),
               SONG_PLAYS_REPOSITORY=str(repository), HOME=str(tmp_path),
               SONG_PLAYS_JVM_ROOT=str(jvm_root), APT_RECORD=str(apt_record))
    assert subprocess.run(["sh", "-c", "command -v java"], env=env).returncode != 0, "java is still on PATH"

    cell = first_code_cell()
    then = ("\nimport workshop\nfrom song_plays_ops import check_java\n"
            "print('workshop at', workshop.ROOT)\nprint('java:', check_java.check_java())\n")
    run = subprocess.run([str(python), "-c", cell + then], cwd=machine, env=env, capture_output=True, text=True,
                         timeout=900)
    out = run.stdout
    assert run.returncode == 0, out + run.stderr[-3000:]
    clone = machine / "song-plays-workshop"
    assert "Cloning into 'song-plays-workshop'" in run.stderr  # git's own word that it cloned
    sudo = "" if os.geteuid() == 0 else "sudo "
    java_home = jvm_root / "java-17-openjdk-amd64"
    expected = [f"$ {python} -m pip install --quiet --no-compile -r {clone / 'requirements.txt'}",
                f"$ {python} -m pip install --quiet --no-deps -e {clone}",
                f"$ {sudo}apt-get update -qq",
                f"$ {sudo}apt-get install -y -qq --no-install-recommends --no-upgrade openjdk-17-jre-headless",
                f"JAVA_HOME={java_home}",
                f"The workshop is ready in {clone}.",
                f"workshop at {clone}",
                f"java: Java 17 at {java_home / 'bin/java'}"]
    positions = [out.find(line) for line in expected]
    assert -1 not in positions and positions == sorted(positions), out
    assert apt_record.read_text().splitlines() == [
        "update -qq", "install -y -qq --no-install-recommends --no-upgrade openjdk-17-jre-headless"]

    # Run again (a student re-runs the cell): already cloned and installed, so it says nothing.
    again = subprocess.run([str(python), "-c", cell], cwd=machine, env=env, capture_output=True, text=True, timeout=300)
    assert again.returncode == 0 and again.stdout == "" and again.stderr == "", again.stdout + again.stderr
