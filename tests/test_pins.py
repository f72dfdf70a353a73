"""requirements.txt is the one place for pins; environment.yml (and Binder's link to it) must agree."""
import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
PIN = re.compile(r"^([A-Za-z0-9_.-]+)==([A-Za-z0-9_.+-]+)$")


def requirement_lines():
    lines = (ROOT / "requirements.txt").read_text().splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def test_every_requirement_is_pinned_exactly():
    for line in requirement_lines():
        assert PIN.match(line), f"requirements.txt: {line!r} is not an exact name==version pin"
    names = {PIN.match(line).group(1).lower() for line in requirement_lines()}
    for needed in ("jupyterlab", "papermill", "luigi", "pyspark", "pandas", "pyarrow", "ipykernel", "pytest"):
        assert needed in names, f"{needed} is not pinned in requirements.txt"
    spark_version = next(PIN.match(l).group(2) for l in requirement_lines() if l.lower().startswith("pyspark=="))
    assert spark_version.startswith("4."), "the workshop is written for Spark 4"


def test_environment_yml_pins_the_same_packages_python_and_java():
    environment = yaml.safe_load((ROOT / "environment.yml").read_text())
    assert environment["channels"] == ["conda-forge"]
    dependencies = environment["dependencies"]
    assert "python=3.11" in dependencies
    assert "openjdk=17" in dependencies
    pip_section = next(item["pip"] for item in dependencies if isinstance(item, dict))
    assert sorted(pip_section) == sorted(requirement_lines())

