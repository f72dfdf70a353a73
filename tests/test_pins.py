"""Two pinned sets, compiled by `make lock` from their direct needs:

- requirements.txt, the student set: what a student's kernel and JupyterLab need, every package pinned, the
  ones they bring too, so that an install next year gets today's set. make lab, environment.yml and Binder
  install exactly it.
- requirements-dev.txt, the developer set on top: tests, the browser driver, repo2docker, DuckDB, the site builder.
"""
import importlib.metadata
import re
import subprocess
import sys
from pathlib import Path

import yaml
from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
PIN = re.compile(r"^([A-Za-z0-9_.-]+)==([A-Za-z0-9_.+!-]+)( ; .+)?$")
DEVELOPER_TOOLS = ["papermill", "playwright", "jupyter-repo2docker", "duckdb", "sphinx", "myst-nb",
                   "sphinx-book-theme", "uv"]


def lines(name):
    text = (ROOT / name).read_text().splitlines()
    return [line.split("  #")[0].strip() for line in text if line.strip() and not line.lstrip().startswith(("#", "-"))]


def pins(name):
    """{(package, marker): version}: a package may have one pin per Python version (the lock is universal)."""
    found = {}
    for line in lines(name):
        match = PIN.match(line)
        assert match, f"{name}: {line!r} is not an exact name==version pin"
        found[(canonicalize_name(match.group(1)), (match.group(3) or "").strip(" ;"))] = match.group(2)
    return found


def applies_here(marker):
    return not marker or Requirement(f"x ; {marker}").marker.evaluate()


def test_every_line_of_both_sets_is_an_exact_pin():
    for name in ("requirements.txt", "requirements-dev.txt"):
        assert len(pins(name)) > 20, name


def test_the_direct_needs_are_in_the_locks_at_their_pins():
    for source, lock in (("requirements.in", "requirements.txt"), ("requirements-dev.in", "requirements-dev.txt")):
        locked = {package: version for (package, _), version in pins(lock).items()}
        for line in lines(source):
            need = Requirement(line)
            assert canonicalize_name(need.name) in locked, f"{need.name} of {source} is not in {lock}"
            assert need.specifier.contains(locked[canonicalize_name(need.name)]), (need, lock)
    spark = pins("requirements.txt")[("pyspark", "")]
    assert spark.startswith("4."), "the workshop is written for Spark 4"


def test_the_student_set_has_no_developer_tools_and_the_developer_set_has_them():
    student = {package for package, _ in pins("requirements.txt")}
    developer = {package for package, _ in pins("requirements-dev.txt")}
    for tool in DEVELOPER_TOOLS:
        assert tool not in student, f"{tool} is a developer tool: it belongs in requirements-dev.in"
        assert tool in developer, f"{tool} is missing from requirements-dev.txt"
    assert {"jupyterlab", "ipykernel", "luigi", "pyspark", "pandas", "pyarrow", "matplotlib", "pytest"} <= student


def test_the_two_sets_agree_on_every_package_they_share():
    student, developer = pins("requirements.txt"), pins("requirements-dev.txt")
    for key, version in developer.items():
        if key in student:
            assert student[key] == version, f"{key[0]}: {student[key]} for students, {version} for developers"


def test_the_student_set_pins_everything_its_packages_bring():
    """Closed under dependencies, on this Python: each pinned package's own requirements are pinned too."""
    student = {package for (package, marker) in pins("requirements.txt") if applies_here(marker)}
    environment = default_environment()
    for package in sorted(student):
        for requirement in importlib.metadata.requires(package) or []:
            needed = Requirement(requirement)
            if needed.marker and not needed.marker.evaluate({**environment, "extra": ""}):
                continue
            assert canonicalize_name(needed.name) in student, f"{package} brings {needed.name}, which is not pinned"


def test_this_environment_has_the_pinned_versions():
    for (package, marker), version in {**pins("requirements.txt"), **pins("requirements-dev.txt")}.items():
        if applies_here(marker):
            assert importlib.metadata.version(package) == version, f"{package}: run `make setup`"


def test_environment_yml_installs_exactly_the_student_set_with_python_and_java():
    environment = yaml.safe_load((ROOT / "environment.yml").read_text())
    assert environment["channels"] == ["conda-forge"]
    dependencies = environment["dependencies"]
    assert "python=3.11" in dependencies and "openjdk=17" in dependencies
    pip_section = next(item["pip"] for item in dependencies if isinstance(item, dict))
    assert pip_section == lines("requirements.txt")
    assert (ROOT / "binder" / "environment.yml").resolve() == (ROOT / "environment.yml").resolve()
    written = subprocess.run([sys.executable, str(ROOT / "tools" / "write_environment.py"), "--check"])
    assert written.returncode == 0, "run `make lock` (or python tools/write_environment.py)"
