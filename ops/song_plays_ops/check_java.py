"""Check for a Java that Spark 4 can run on (17 or 21), and say how to get one.

Without it, PySpark fails with "Java gateway process exited" and a Py4J
stack trace that tells a student nothing. Run `python -m song_plays_ops.check_java`.
"""
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

SUPPORTED_MAJORS = (17, 21)

HOW_TO_INSTALL = (
    "Install Java 17, then run `make setup` again:\n"
    "  Debian/Ubuntu: sudo apt-get install openjdk-17-jre-headless\n"
    "  macOS (Homebrew): brew install openjdk@17\n"
    "  conda: conda env create -f environment.yml (it brings openjdk=17 and sets JAVA_HOME)\n"
    "If Java is installed but not found, set JAVA_HOME to its folder."
)


class JavaNotFound(RuntimeError):
    """No usable Java; the message says how to install one."""


def find_java():
    """The java that Spark will use: JAVA_HOME's first, else the one on PATH."""
    java_home = os.environ.get("JAVA_HOME")
    if java_home:
        candidate = Path(java_home) / "bin" / "java"
        if not candidate.exists():
            raise JavaNotFound(f"JAVA_HOME is set to {java_home}, but {candidate} does not exist.\n{HOW_TO_INSTALL}")
        return candidate
    on_path = shutil.which("java")
    return Path(on_path) if on_path else None


def java_major_version(java):
    """17 for 'openjdk version "17.0.15"', 8 for the old '1.8.0_392' style."""
    banner = subprocess.run([str(java), "-version"], capture_output=True, text=True, timeout=60).stderr
    match = re.search(r'version "(\d+)(?:\.(\d+))?', banner)
    if not match:
        raise JavaNotFound(f"Could not read the version of {java}:\n{banner.strip()}\n{HOW_TO_INSTALL}")
    major, minor = int(match.group(1)), int(match.group(2) or 0)
    return minor if major == 1 else major


def check_java():
    """Return a one-line description of the Java found, or raise JavaNotFound."""
    java = find_java()
    if java is None:
        raise JavaNotFound(f"No Java found: JAVA_HOME is not set and `java` is not on PATH.\n{HOW_TO_INSTALL}")
    major = java_major_version(java)
    if major not in SUPPORTED_MAJORS:
        raise JavaNotFound(f"{java} is Java {major}; Spark 4 needs Java 17 or 21.\n{HOW_TO_INSTALL}")
    return f"Java {major} at {java}"


if __name__ == "__main__":
    try:
        print(check_java())
    except JavaNotFound as problem:
        print(problem, file=sys.stderr)
        sys.exit(1)
