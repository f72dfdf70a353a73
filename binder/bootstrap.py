"""Set the workshop up on a bare machine, such as a fresh Colab runtime, from a notebook's first cell.

The cell clones the repository into ./song-plays-workshop, then runs this file, whose prepare() does what
`make setup` does, printing each command it runs:
- installs the student set (requirements.txt) and the workshop itself into the kernel's Python;
- when Java 17 or 21 is missing, installs openjdk-17-jre-headless with apt (apt-get update first) and sets
  JAVA_HOME;
- makes the workshop importable in the running kernel, so the notebook carries on without a restart.
"""
import glob
import importlib
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

JAVA_PACKAGE = "openjdk-17-jre-headless"
# Where Debian's JDKs land. A setting only so that a test can install a fake one and never touch the machine's.
JVM_ROOT = os.environ.get("SONG_PLAYS_JVM_ROOT", "/usr/lib/jvm")
CODE_FOLDERS = ("notebooks", "luigi_tasks", "spark", "ops")


def run(command):
    print("$ " + shlex.join(command), flush=True)  # quoted: it can be pasted to run it again
    subprocess.run(command, check=True)


def java_ok(folder):
    sys.path.insert(0, str(folder / "ops"))
    from song_plays_ops import check_java
    try:
        check_java.check_java()
        return True
    except check_java.JavaNotFound:
        return False


def install_java():
    """apt's OpenJDK 17 (as root, else through sudo), then JAVA_HOME pointed at it."""
    sudo = [] if os.geteuid() == 0 else (["sudo"] if shutil.which("sudo") else None)
    if sudo is None:
        raise SystemExit(f"Java 17 is missing, and installing it needs root: run `apt-get install {JAVA_PACKAGE}` "
                         "as root (or install Java 17 another way), then this cell again.")
    run([*sudo, "apt-get", "update", "-qq"])
    # --no-upgrade: a Java that is already there (too old, or off PATH) is never replaced under running programs
    run([*sudo, "apt-get", "install", "-y", "-qq", "--no-install-recommends", "--no-upgrade", JAVA_PACKAGE])
    homes = sorted(glob.glob(f"{JVM_ROOT}/java-17-openjdk-*"))
    if not homes:
        raise SystemExit(f"{JAVA_PACKAGE} installed, but no {JVM_ROOT}/java-17-openjdk-* was found: set JAVA_HOME.")
    os.environ["JAVA_HOME"] = homes[0]
    os.environ["PATH"] = f"{homes[0]}/bin{os.pathsep}{os.environ['PATH']}"
    print(f"JAVA_HOME={homes[0]}", flush=True)


def prepare(folder):
    folder = Path(folder).resolve()
    # --no-compile: pip would turn every module of every package into bytecode now (a sixth of the install here);
    # Python does it on first import instead, for the few modules the workshop uses.
    run([sys.executable, "-m", "pip", "install", "--quiet", "--no-compile", "-r", str(folder / "requirements.txt")])
    run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "-e", str(folder)])
    # The editable install reaches new processes; this kernel started before it, so add the folders here too.
    for name in CODE_FOLDERS:
        if str(folder / name) not in sys.path:
            sys.path.insert(0, str(folder / name))
    importlib.invalidate_caches()
    if not java_ok(folder):
        install_java()
        if not java_ok(folder):
            raise SystemExit("Java 17 is still not found: see the message above.")
    print(f"The workshop is ready in {folder}.", flush=True)


if __name__ == "__main__":
    # The cell runs this file with runpy, in the kernel's own process: prepare() sets that process up.
    prepare(Path(__file__).resolve().parents[1])
