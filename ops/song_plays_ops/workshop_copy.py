"""A fresh copy of the workshop, so that running its notebooks (tests, the site, the memory benchmark) cannot
touch the checkout.

The installed workshop (`pip install -e .`) is the checkout; whatever runs in the copy must import the copy's
code instead, so `pythonpath(copy)` is what to put first on PYTHONPATH for everything started there (kernels,
luigi, spark-submit).
"""
import os
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# The folders `pip install -e .` puts on the path (pyproject.toml's dev-mode-dirs).
CODE_FOLDERS = ("notebooks", "luigi_tasks", "spark", "ops")
# What a run in the copy also reads: the tests notebook 02 runs with pytest, the build tools, the settings.
ALSO = ("tests", "tools")
FILES = ("pytest.ini", "luigi.cfg", "pyproject.toml")


def copy_workshop(destination):
    """Copy the workshop's code and settings into destination (made if missing); return it."""
    destination = Path(destination)
    for folder in (*CODE_FOLDERS, *ALSO):
        shutil.copytree(ROOT / folder, destination / folder, dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints", "node_modules"))
    for name in FILES:
        shutil.copy(ROOT / name, destination)
    return destination


def pythonpath(copy):
    """The PYTHONPATH that makes processes started in the copy import its code."""
    return os.pathsep.join(str(Path(copy) / folder) for folder in CODE_FOLDERS)
