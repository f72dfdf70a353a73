"""How far a student got, kept on their own machine in workspace/progress.jsonl: nothing leaves the machine. One line
per checkpoint result (passed, failed, not started) and per hint or solution asked for: {"time": "2026-11-26T10:02:03",
"section": "01_luigi_tasks", "edition": "exercises", "checkpoint": 2, "event": "passed"}, and a failure's "cause"."""
import contextlib
import datetime
import json
import os

from song_plays_luigi.settings import WORKSHOP_ROOT

PROGRESS_FILE = WORKSHOP_ROOT / "workspace" / "progress.jsonl"
RESULTS = ("passed", "failed", "not started")  # the other events: "hint" and "solution" asked for
FIELDS = {"time", "section", "edition", "checkpoint", "event"}


def edition():
    """The exercises write into workspace/ (workshop.use_workspace); the solutions do not."""
    return "exercises" if os.environ.get("SONG_PLAYS_WORKSPACE") else "solutions"


def record(section, checkpoint, event, cause=None):
    PROGRESS_FILE.parent.mkdir(parents=True, exist_ok=True)
    line = {"time": datetime.datetime.now().isoformat(timespec="seconds"), "section": section,
            "edition": edition(), "checkpoint": checkpoint, "event": event} | ({"cause": cause} if cause else {})
    with open(PROGRESS_FILE, "a") as log:  # one appended line, one write: the kernels of open notebooks never clash
        log.write(json.dumps(line) + "\n")


def events():
    """Every event, oldest first. A line broken by hand, or by a kernel killed as it wrote, is left out rather than
    stopping the lesson."""
    found = []
    for line in PROGRESS_FILE.read_text().splitlines() if PROGRESS_FILE.exists() else []:
        with contextlib.suppress(ValueError):
            found.append(json.loads(line))
    return [e for e in found if isinstance(e, dict) and FIELDS <= e.keys()]


def table_text(sections):
    """Per section and edition: checkpoints whose latest result is a pass, out of all; hints; solutions; last activity.
    sections: [(name, title, number of checkpoints)]. A solutions row only once that solution notebook has run."""
    lines, logged = [f"{'section':<38}{'checkpoints':>12}{'hints':>7}{'solutions':>11}  last activity"], events()
    for kind in ("exercises", "solutions"):
        for name, title, total in sections:
            if (done := [e for e in logged if (e["section"], e["edition"]) == (name, kind)]) or kind == "exercises":
                latest = {e["checkpoint"]: e["event"] for e in done if e["event"] in RESULTS}
                passed = list(latest.values()).count("passed")
                used, last = [e["event"] for e in done], max((e["time"] for e in done), default="-")
                lines.append(f"{title + ('' if kind == 'exercises' else ' (solution)'):<38}{passed:>6} of {total:<3}"
                             f"{used.count('hint'):>7}{used.count('solution'):>11}  {last.replace('T', ' ')}")
    return "\n".join(lines)
