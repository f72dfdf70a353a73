"""Peak memory of the workshop's notebooks: the kernel plus every process it starts (Spark's JVMs included).

Binder caps a whole session at 2 GB, so this is the figure that must stay under it.

    .venv/bin/python benchmarks/notebook_memory.py            # notebooks 01-03, in order, as a student runs them
    .venv/bin/python benchmarks/notebook_memory.py 02_spark_job.ipynb

Each notebook runs under papermill in a fresh copy of the workshop. Every 0.1 s the script adds up the
memory of the kernel's whole process tree: RSS (counts shared pages once per process, so it
overstates) and PSS (shares them out, closer to what a container's limit sees). It prints the peaks,
and what it would be if a student left every finished notebook's kernel running (its memory at the end
of the notebook stays taken), then one JSON line.

With --lab-session it measures what a Binder user's container holds instead: one JupyterLab server on
127.0.0.1, in which Debian's Chromium (through Playwright) opens each notebook in turn and runs all its cells,
leaving every kernel running, as a student who never shuts a kernel down would. Every 0.25 s it adds up the PSS
of the server's whole process tree (JupyterLab, every kernel, Spark's JVMs, data servers); the browser is the
student's own, outside the container, and is not counted.

    .venv/bin/python benchmarks/notebook_memory.py --lab-session     # notebooks 00-03 in one JupyterLab
"""
import ctypes
import json
import os
import platform
import secrets
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

from song_plays_ops import workshop_copy
from song_plays_ops.services import free_port

DEFAULT_NOTEBOOKS = ["01_luigi_tasks.ipynb", "02_spark_job.ipynb", "03_putting_it_all_together.ipynb"]
LAB_SESSION_NOTEBOOKS = ["00_setup.ipynb", *DEFAULT_NOTEBOOKS]
BINDER_CAP_MB = 2048
LAB_SESSION_GOAL_MB = 1700  # Binder's cap less 15% headroom
CHROMIUM = Path("/usr/bin/chromium")


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


def descendants(root, parents=None):
    parents, tree, found = parents or parent_of(), {root}, True
    while found:
        found = {pid for pid, parent in parents.items() if parent in tree and pid not in tree}
        tree |= found
    return tree


KCMP = {"x86_64": 312, "aarch64": 272}.get(platform.machine())  # kcmp(2)'s system call number
KCMP_VM = 1
LIBC = ctypes.CDLL(None, use_errno=True)


def same_memory(pid, other):
    """Whether two processes share one address space, as a vfork child does with its parent until it execs."""
    return KCMP is not None and LIBC.syscall(KCMP, pid, other, KCMP_VM, 0, 0) == 0


def tree_memory_kb(root):
    """{pid: (RSS, PSS) kB} of root's descendants, each memory counted once.

    A JVM starts a program (spark-submit its Python, a worker its executor) through vfork: until the child
    execs, it shares its parent's memory, and /proc reports the parent's whole figures for both. Such a child
    is left out.
    """
    parents = parent_of()
    tree = descendants(root, parents) - {root}
    return {pid: memory_kb(pid) for pid in tree if not same_memory(pid, parents[pid])}


def memory_kb(pid):
    """(RSS, PSS) of one process in kB, or zeros once it has gone."""
    try:
        rollup = Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()
    except OSError:
        return 0, 0
    values = {line.split(":")[0]: int(line.split()[1]) for line in rollup[1:] if line.split()[1].isdigit()}
    return values.get("Rss", 0), values.get("Pss", 0)


JAVA_ROLES = {"deploy.master.Master": "Spark master", "deploy.worker.Worker": "Spark worker",
              "CoarseGrainedExecutorBackend": "Spark executor", "SparkConnectServer": "Spark Connect server",
              "deploy.SparkSubmit": "Spark driver (spark-submit)"}


def role(pid):
    """What a process is, in a few words: which Spark JVM, or which Python."""
    try:
        words = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace").split("\0")
    except OSError:
        return "gone"
    if Path(words[0]).name == "java":
        return next((name for key, name in JAVA_ROLES.items() if any(key in word for word in words)), "other JVM")
    if any("ipykernel" in word for word in words):
        return "kernel"
    return Path(words[0]).name + (f" {Path(words[1]).name}" if len(words) > 1 and words[1] else "")


def breakdown(pss_kb):
    """{role: PSS MB, with how many processes} from {pid: PSS kB}."""
    sizes, counts = {}, {}
    for pid, kb in pss_kb.items():
        name = role(pid)
        sizes[name] = sizes.get(name, 0) + kb / 1024
        counts[name] = counts.get(name, 0) + 1
    return {(f"{name} x{counts[name]}" if counts[name] > 1 else name): round(mb)
            for name, mb in sorted(sizes.items(), key=lambda item: -item[1]) if mb >= 1}


def run_and_sample(notebook, workshop, executed):
    command = [sys.executable, "-m", "papermill", str(workshop / "notebooks" / notebook), str(executed),
               "--cwd", str(workshop / "notebooks"), "-k", "python3", "--no-progress-bar"]
    env = {key: value for key, value in os.environ.items() if not key.startswith("SONG_PLAYS_")}
    # The copy's code, not the checkout that `pip install -e .` installed.
    env["PYTHONPATH"] = workshop_copy.pythonpath(workshop)
    papermill = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    peak_rss = peak_pss = last_pss = 0
    at_peak = {}
    started = time.monotonic()
    while papermill.poll() is None:
        sizes = tree_memory_kb(papermill.pid)  # the kernel and all it starts
        rss, pss = map(sum, zip(*sizes.values())) if sizes else (0, 0)
        if pss > peak_pss:
            at_peak = breakdown({pid: kb for pid, (_, kb) in sizes.items()})  # what the peak is made of
        peak_rss, peak_pss = max(peak_rss, rss), max(peak_pss, pss)
        last_pss = pss or last_pss  # the kernel's memory as the notebook ends, before it shuts down
        time.sleep(0.1)
    if papermill.returncode != 0:
        raise SystemExit(f"{notebook} failed under papermill:\n{papermill.stderr.read()[-3000:]}")
    return {"notebook": notebook, "seconds": round(time.monotonic() - started, 1),
            "peak_rss_mb": round(peak_rss / 1024), "peak_pss_mb": round(peak_pss / 1024),
            "end_pss_mb": round(last_pss / 1024), "peak_pss_by_process_mb": at_peak}


def copy_workshop(scratch):
    return workshop_copy.copy_workshop(Path(scratch) / "workshop")


def tree_pss_mb(root_pid):
    return (memory_kb(root_pid)[1] + sum(pss for _, pss in tree_memory_kb(root_pid).values())) / 1024


def start_lab(workshop, home):
    port = free_port()
    token = secrets.token_hex(16)
    env = {key: value for key, value in os.environ.items() if not key.startswith("SONG_PLAYS_")}
    env.update(HOME=str(home), PYTHONPATH=workshop_copy.pythonpath(workshop))
    settings = home / ".jupyter/lab/user-settings/@jupyterlab/notebook-extension/tracker.jupyterlab-settings"
    settings.parent.mkdir(parents=True)
    settings.write_text('{"windowingMode": "none"}')  # render every cell, so that prompts can be read
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "jupyter"), "lab", "--no-browser", "--ServerApp.ip=127.0.0.1",
         f"--ServerApp.port={port}", "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}",
         f"--ServerApp.root_dir={workshop}", *(["--allow-root"] if os.geteuid() == 0 else [])],
        cwd=workshop, env=env, stdout=subprocess.DEVNULL, stderr=open(home / "jupyter.log", "w"))
    url = f"http://127.0.0.1:{port}"
    for _ in range(240):
        try:
            urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=5).close()
            return server, url, token
        except OSError:
            time.sleep(0.5)
    server.terminate()
    raise SystemExit(f"JupyterLab did not start: {(home / 'jupyter.log').read_text()[-2000:]}")


def run_all_cells(page, url, token, notebook):
    page.goto(f"{url}/lab/tree/notebooks/{notebook}?token={token}")
    page.locator(".jp-Notebook .jp-Cell").first.wait_for(timeout=120_000)
    page.wait_for_function("document.querySelector('#jp-main-statusbar')?.innerText.includes('Idle')",
                           timeout=120_000)
    page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
    page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()
    idle = 0
    deadline = time.monotonic() + 900
    while idle < 3 and time.monotonic() < deadline:
        time.sleep(1)
        busy = page.locator(".jp-InputPrompt", has_text="[*]").count()
        idle = idle + 1 if not busy and "Idle" in page.locator("#jp-main-statusbar").inner_text() else 0
    errors = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']").count()
    return page.get_by_text("passed:", exact=False).count(), errors


def lab_session(notebooks):
    """Open each notebook in one JupyterLab, run it, leave its kernel running; sample the server's tree."""
    from playwright.sync_api import sync_playwright
    if not CHROMIUM.exists():
        raise SystemExit("Debian's chromium is needed: apt-get install chromium")
    with tempfile.TemporaryDirectory() as scratch:
        workshop = copy_workshop(scratch)
        server, url, token = start_lab(workshop, Path(scratch))
        samples, phase, stop = [], ["JupyterLab alone"], threading.Event()

        def sample():
            while not stop.is_set():
                samples.append((phase[0], tree_pss_mb(server.pid)))
                time.sleep(0.25)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        results = []
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=str(CHROMIUM),
                                                     args=["--no-sandbox", "--disable-gpu", "--no-first-run"])
                time.sleep(2)
                for notebook in notebooks:
                    phase[0] = notebook
                    page = browser.new_page(viewport={"width": 1400, "height": 1000})  # a tab per notebook
                    started = time.monotonic()
                    passed, red = run_all_cells(page, url, token, notebook)
                    time.sleep(2)  # what stays once the notebook is done
                    after = tree_pss_mb(server.pid)
                    peak = max(mb for name, mb in samples if name == notebook)
                    results.append({"notebook": notebook, "seconds": round(time.monotonic() - started, 1),
                                    "checkpoints_passed": passed, "red_outputs": red,
                                    "session_peak_pss_mb": round(peak), "session_pss_after_mb": round(after)})
                    print(f"{notebook:<36} {results[-1]['seconds']:>6} s  {passed} checkpoints passed, {red} red"
                          f"  session peak PSS {peak:>6.0f} MB, after {after:>6.0f} MB (kernels left running)",
                          flush=True)
                browser.close()
        finally:
            stop.set()
            sampler.join()
            server.terminate()
            server.wait(timeout=60)
    peak = max(mb for _, mb in samples)
    verdict = "met" if peak <= LAB_SESSION_GOAL_MB else "NOT met"
    print(f"whole session peak: PSS {peak:.0f} MB ({peak / BINDER_CAP_MB:.0%} of Binder's {BINDER_CAP_MB} MB); "
          f"goal <= {LAB_SESSION_GOAL_MB} MB: {verdict}")
    print(json.dumps({"lab_session": results, "session_peak_pss_mb": round(peak), "goal_mb": LAB_SESSION_GOAL_MB,
                      "binder_cap_mb": BINDER_CAP_MB}))


def main(notebooks):
    with tempfile.TemporaryDirectory() as scratch:
        workshop = copy_workshop(scratch)
        results = []
        for notebook in notebooks:
            result = run_and_sample(notebook, workshop, Path(scratch) / notebook)
            results.append(result)
            print(f"{notebook:<36} {result['seconds']:>6} s   peak RSS {result['peak_rss_mb']:>5} MB"
                  f"   peak PSS {result['peak_pss_mb']:>5} MB", flush=True)
            print("    at the peak: " + ", ".join(f"{name} {mb} MB" for name, mb in
                                                result["peak_pss_by_process_mb"].items()), flush=True)
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
    arguments = sys.argv[1:]
    if arguments[:1] == ["--lab-session"]:
        lab_session(arguments[1:] or LAB_SESSION_NOTEBOOKS)
    else:
        main(arguments or DEFAULT_NOTEBOOKS)
