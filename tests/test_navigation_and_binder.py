"""The navigation is in step with the notebooks on disk, and the Binder configuration is sound."""
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import nbformat
import pytest

import navigation
from workshop import jupyter_setup
from workshop.sections import SECTIONS
from conftest import ROOT

START = ROOT / "binder" / "start"


def test_navigation_and_the_readme_table_are_up_to_date():
    assert navigation.main(["--check"]) == 0, "run `make generated` and commit the result"


@pytest.mark.parametrize("edition", ["notebooks", "notebooks/exercises"])
def test_every_notebook_links_only_to_files_that_exist(edition):
    for name, *_rest in SECTIONS:
        cells = nbformat.read(ROOT / edition / name, as_version=4).cells
        assert all("navigation" in cell.metadata.get("tags", []) for cell in (cells[0], cells[-1])), name
        for cell in cells:
            for link in re.findall(r"\]\(([^)#]+)\)", cell.source if cell.cell_type == "markdown" else ""):
                if not link.startswith("https://"):
                    assert (ROOT / edition / link).resolve().exists(), f"{edition}/{name} links to a missing {link}"


def test_binder_environment_is_the_root_environment_file():
    link = ROOT / "binder" / "environment.yml"
    assert link.is_symlink(), "repo2docker ignores the root environment.yml once binder/ exists"
    assert link.resolve() == (ROOT / "environment.yml").resolve()


def test_binder_start_is_an_executable_script_that_ends_by_running_its_arguments():
    assert os.access(START, os.X_OK)
    lines = [line for line in START.read_text().splitlines() if line.strip()]
    assert lines[0].startswith("#!/bin/bash") and lines[-1] == 'exec "$@"'


@pytest.mark.slow  # starts a JVM
def test_binder_start_sizes_spark_for_binder_and_spark_reads_it(tmp_path):
    env = {**os.environ, "HOME": str(tmp_path), "JUPYTERHUB_SERVICE_PREFIX": "/user/student/",
           "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"}
    env.pop("SPARK_CONF_DIR", None)
    show_conf = ("from pyspark.sql import SparkSession; s = SparkSession.builder.getOrCreate(); "
                 "c = s.sparkContext.getConf(); "
                 "print(c.get('spark.master'), c.get('spark.driver.memory'), c.get('spark.ui.proxyBase')); s.stop()")
    started = subprocess.run([str(START), sys.executable, "-c", show_conf], env=env, cwd=tmp_path,
                             capture_output=True, text=True, timeout=300)
    assert started.returncode == 0, started.stderr[-3000:]
    assert started.stdout.split() == ["local[2]", "768m", "/user/student/proxy/4040"]
    conf = (tmp_path / ".song-plays-spark-conf" / "spark-defaults.conf").read_text()
    # The workshop's spark/conf, the one place DatasetGen and the benchmark read too, with Binder's line after it.
    workshop_conf = (ROOT / "spark" / "conf" / "spark-defaults.conf").read_text()
    assert conf == workshop_conf + "spark.ui.proxyBase /user/student/proxy/4040\n"
    assert (tmp_path / ".song-plays-spark-conf" / "spark-env.sh").read_text() == \
        (ROOT / "spark" / "conf" / "spark-env.sh").read_text()
    assert (Path(os.environ["SONG_PLAYS_BUILD_DIR"]) / "remote" / "listeners.snappy.parquet").exists()


@pytest.mark.skipif(shutil.which("jupyter-repo2docker", path=str(Path(sys.executable).parent)) is None,
                    reason="jupyter-repo2docker is not installed")
@pytest.mark.slow  # runs repo2docker
def test_repo2docker_reads_the_binder_folder():
    plan = subprocess.run([str(Path(sys.executable).parent / "jupyter-repo2docker"), "--no-build", "--debug", str(ROOT)],
                          capture_output=True, text=True, timeout=300)
    output = plan.stdout + plan.stderr
    assert "python=3.11" in output
    assert '--file "binder/environment.yml"' in output
    assert 'R2D_ENTRYPOINT="${REPO_DIR}/binder/start"' in output
    assert "RUN ./binder/postBuild" in output


def post_build_with_a_python_that(tmp_path, script):
    fake_bin = tmp_path / "bin"
    fake_bin.mkdir()
    (fake_bin / "python").write_text(f"#!/bin/sh\n{script}\n")
    (fake_bin / "python").chmod(0o755)
    return subprocess.run([str(ROOT / "binder" / "postBuild")], capture_output=True, text=True, timeout=60,
                          env={"PATH": f"{fake_bin}:/usr/bin:/bin", "HOME": str(tmp_path)})


def test_binder_post_build_never_fails_the_image_build_for_the_class_archive(tmp_path):
    """Without Java (here: a python on which everything works but the class archive), postBuild goes on and says
    Spark only starts slower."""
    built = post_build_with_a_python_that(tmp_path, 'case "$*" in *class_data_archive*) exit 1;; esac; exit 0')
    assert built.returncode == 0, built.stderr
    assert "Spark will start a few seconds slower" in built.stdout


def test_binder_post_build_fails_when_the_workshop_cannot_be_installed(tmp_path):
    built = post_build_with_a_python_that(tmp_path, "exit 1")
    assert built.returncode != 0


def test_the_launcher_offers_one_kernel_the_workshops_and_no_news():
    """make setup leaves one kernel, python3 (what the notebooks and papermill ask for), named for the workshop."""
    import json
    listed = subprocess.run([str(Path(sys.executable).parent / "jupyter"), "kernelspec", "list", "--json"],
                            capture_output=True, text=True, timeout=60)
    kernels = json.loads(listed.stdout)["kernelspecs"]
    assert list(kernels) == ["python3"], kernels
    assert kernels["python3"]["spec"]["display_name"] == jupyter_setup.DISPLAY_NAME == "Python 3 (song plays workshop)"
    assert kernels["python3"]["spec"]["argv"][0] == sys.executable
    overrides = Path(sys.prefix) / "share/jupyter/lab/settings/overrides.json"
    assert json.loads(overrides.read_text())["@jupyterlab/apputils-extension:notification"]["fetchNews"] == "false"


def test_every_committed_notebook_names_the_kernel_that_jupyter_setup_installs(tmp_path):
    """JupyterLab rewrites a notebook's kernelspec from the kernel it runs, and saves it: a committed notebook that
    says anything else changes as soon as it is opened."""
    import papermill.iorw
    folder = jupyter_setup.install_kernel(prefix=str(tmp_path))
    spec = json.loads((folder / "kernel.json").read_text())
    installed = {"display_name": spec["display_name"], "language": spec["language"], "name": folder.name}
    assert jupyter_setup.notebook_kernelspec() == installed
    notebooks = sorted(ROOT.glob("notebooks/[0-9][0-9]_*.ipynb")) + sorted(ROOT.glob("notebooks/exercises/*.ipynb"))
    assert len(notebooks) == 2 * len(SECTIONS)
    for path in notebooks:
        text = path.read_text(encoding="utf-8")
        notebook = nbformat.reads(text, as_version=4)
        assert notebook.metadata.kernelspec == installed, f"{path.name}: `make generated` writes the kernelspec"
        assert nbformat.writes(notebook).rstrip("\n") == text.rstrip("\n"), f"{path.name}: nbformat rewrites it"
        assert papermill.iorw.load_notebook_node(str(path)).metadata.kernelspec == installed


def test_a_notebook_jupyterlab_saves_just_after_opening_it_is_the_committed_file(tmp_path):
    """On opening, JupyterLab also fills language_info in from the kernel, Python's patch version included; the
    server extension that jupyter_setup enables saves it as committed. Through jupyter_server's own contents
    manager and extension loader, without a browser (tests/test_jupyterlab_browser.py opens one for real)."""
    from ipykernel.ipkernel import IPythonKernel
    from jupyter_server.extension.config import ExtensionConfigManager
    from jupyter_server.extension.manager import ExtensionPackage
    from jupyter_server.services.contents.filemanager import FileContentsManager

    jupyter_setup.enable_save_extension(prefix=str(tmp_path / "env"))
    enabled = ExtensionConfigManager(read_config_path=[str(tmp_path / "env" / "etc" / "jupyter")])
    assert enabled.get_jpserver_extensions() == {"song_plays_ops.jupyter_save": True}
    [point] = ExtensionPackage(name="song_plays_ops.jupyter_save", enabled=True).extension_points.values()
    contents = FileContentsManager(root_dir=str(tmp_path))
    point.load(SimpleNamespace(contents_manager=contents))  # what the server does with each enabled extension
    for path in (ROOT / "notebooks/exercises/00_setup.ipynb", ROOT / "notebooks/03_putting_it_all_together.ipynb"):
        opened = json.loads(path.read_text(encoding="utf-8"))
        opened["metadata"]["language_info"] = dict(IPythonKernel.language_info)  # as JupyterLab sends it back
        contents.save({"type": "notebook", "format": "json", "content": opened}, path.name)
        assert (tmp_path / path.name).read_text(encoding="utf-8") == path.read_text(encoding="utf-8"), path.name
