"""Write environment.yml from requirements.txt, so that conda users and Binder get exactly the student set.

    python tools/write_environment.py           # make lock runs it
    python tools/write_environment.py --check   # exit 1 when environment.yml does not match requirements.txt

conda brings Python and Java (conda-forge's openjdk sets JAVA_HOME when the environment is activated); pip
brings every package, at requirements.txt's pins, markers included.
"""
import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HEADER = """\
# The conda route, and Binder's environment (binder/environment.yml links here).
#   conda env create -f environment.yml && conda activate song-plays
# Written by tools/write_environment.py from requirements.txt (make lock): the student set, every package
# pinned. conda-forge's openjdk sets JAVA_HOME when the environment is activated.
name: song-plays
channels:
  - conda-forge
dependencies:
  - python=3.11
  - openjdk=17
  - pip
  - pip:
"""


def pins():
    """requirements.txt's requirement lines, without their comments."""
    lines = (ROOT / "requirements.txt").read_text().splitlines()
    return [line.split("  #")[0].strip() for line in lines if line.strip() and not line.startswith("#")]


def environment_text():
    return HEADER + "".join(f'    - "{pin}"\n' for pin in pins())


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args(argv)
    target = ROOT / "environment.yml"
    if args.check:
        return 0 if target.read_text() == environment_text() else 1
    target.write_text(environment_text())
    return 0


if __name__ == "__main__":
    sys.exit(main())
