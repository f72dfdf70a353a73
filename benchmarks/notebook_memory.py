"""Peak memory of the workshop's notebooks: the kernel plus every process it starts (Spark's JVMs included).

Binder caps a whole session at 2 GB, so this is the figure that must stay under it.

    .venv/bin/python benchmarks/notebook_memory.py            # notebooks 01-03, in order, as a student runs them
    .venv/bin/python benchmarks/notebook_memory.py 02_spark_job.ipynb

Each notebook runs under papermill in a fresh copy of the workshop. Every 0.1 s the script adds up the
memory of the kernel's whole process tree: RSS (counts shared pages once per process, so it
overstates) and PSS (shares them out, closer to what a container's limit sees). It prints the peaks,
and what it would be if a student left every finished notebook's kernel running (its memory at the end
of the notebook stays taken), then one JSON line.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_NOTEBOOKS = ["01_luigi_tasks.ipynb", "02_spark_job.ipynb", "03_putting_it_all_together.ipynb"]
BINDER_CAP_MB = 2048


def parent_of():
    """{pid: parent pid} for every process now."""
    parents = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                stat = Path(entry.path, "stat").read_text()
                parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                pass  # the process ended meanwhile
    return parents


def descendants(root):
    parents, tree, found = parent_of(), {root}, True
    while found:
        found = {pid for pid, parent in parents.items() if parent in tree and pid not in tree}
        tree |= found
    return tree


def memory_kb(pid):
    """(RSS, PSS) of one process in kB, or zeros once it has gone."""
    try:
        rollup = Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()
    except OSError:
        return 0, 0
    values = {line.split(":")[0]: int(line.split()[1]) for line in rollup[1:] if line.split()[1].isdigit()}
    return values.get("Rss", 0), values.get("Pss", 0)


CODE_FOLDERS = ("notebooks", "luigi_tasks", "spark")


def run_and_sample(notebook, workshop, executed):
    command = [sys.executable, "-m", "papermill", str(workshop / "notebooks" / notebook), str(executed),
               "--cwd", str(workshop / "notebooks"), "-k", "python3", "--no-progress-bar"]
    env = {key: value for key, value in os.environ.items() if not key.startswith("SONG_PLAYS_")}
    # The copy's code, not the checkout that `pip install -e .` installed.
    env["PYTHONPATH"] = os.pathsep.join(str(workshop / folder) for folder in CODE_FOLDERS)
    papermill = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    peak_rss = peak_pss = last_pss = 0
    started = time.monotonic()
    while papermill.poll() is None:
        tree = descendants(papermill.pid) - {papermill.pid}  # the kernel and all it starts
        rss, pss = map(sum, zip(*(memory_kb(pid) for pid in tree))) if tree else (0, 0)
        peak_rss, peak_pss = max(peak_rss, rss), max(peak_pss, pss)
        last_pss = pss or last_pss  # the kernel's memory as the notebook ends, before it shuts down
        time.sleep(0.1)
    if papermill.returncode != 0:
        raise SystemExit(f"{notebook} failed under papermill:\n{papermill.stderr.read()[-3000:]}")
    return {"notebook": notebook, "seconds": round(time.monotonic() - started, 1),
            "peak_rss_mb": round(peak_rss / 1024), "peak_pss_mb": round(peak_pss / 1024),
            "end_pss_mb": round(last_pss / 1024)}


def main(notebooks):
    with tempfile.TemporaryDirectory() as scratch:
        workshop = Path(scratch) / "workshop"
        for folder in (*CODE_FOLDERS, "tests"):
            shutil.copytree(ROOT / folder, workshop / folder, ignore=shutil.ignore_patterns("__pycache__"))
        for name in ("pytest.ini", "luigi.cfg", "pyproject.toml"):
            shutil.copy(ROOT / name, workshop)
        results = []
        for notebook in notebooks:
            result = run_and_sample(notebook, workshop, Path(scratch) / notebook)
            results.append(result)
            print(f"{notebook:<36} {result['seconds']:>6} s   peak RSS {result['peak_rss_mb']:>5} MB"
                  f"   peak PSS {result['peak_pss_mb']:>5} MB", flush=True)
    worst = max(result["peak_pss_mb"] for result in results)
    worst_rss = max(result["peak_rss_mb"] for result in results)
    kept_open = max(sum(r["end_pss_mb"] for r in results[:i]) + results[i]["peak_pss_mb"] for i in range(len(results)))
    print(f"highest peak: PSS {worst} MB ({worst / BINDER_CAP_MB:.0%} of Binder's {BINDER_CAP_MB} MB), "
          f"RSS {worst_rss} MB ({worst_rss / BINDER_CAP_MB:.0%})")
    print(f"with every finished notebook's kernel left running: PSS {kept_open} MB "
          f"({kept_open / BINDER_CAP_MB:.0%} of the cap)")
    print(json.dumps({"notebooks": results, "highest_peak_pss_mb": worst, "highest_peak_rss_mb": worst_rss,
                      "kernels_kept_open_pss_mb": kept_open, "binder_cap_mb": BINDER_CAP_MB}))


if __name__ == "__main__":
    main(sys.argv[1:] or DEFAULT_NOTEBOOKS)
