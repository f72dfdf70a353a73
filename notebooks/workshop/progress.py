"""How far a student got, kept on their own machine: workspace/progress.json. Nothing leaves the machine.
Each checkpoint result (passed, failed, not started) and each hint and solution asked for is one event: {"time":
"2026-11-26T10:02:03", "section": "01_luigi_tasks", "edition": "exercises", "checkpoint": 2, "event": "passed"};
a failure, and a hint given for it, also name its "cause" (the cause's first hint)."""
import datetime
import fcntl
import json
import os
import tempfile

from song_plays_luigi.settings import WORKSHOP_ROOT

PROGRESS_FILE = WORKSHOP_ROOT / "workspace" / "progress.json"
RESULTS = ("passed", "failed", "not started")  # the other events: "hint" and "solution" asked for


def edition():
    """The exercises write into workspace/ (workshop.use_workspace); the solutions do not."""
    return "exercises" if os.environ.get("SONG_PLAYS_WORKSPACE") else "solutions"


def read_events():
    try:
        return json.loads(PROGRESS_FILE.read_text())["events"]
    except (OSError, ValueError, KeyError, TypeError):  # none yet, or broken by hand: start again, not stop the lesson
        return []


def record(section, checkpoint, event, cause=None):
    PROGRESS_FILE.parent.mkdir(parents=True, exist_ok=True)
    with open(PROGRESS_FILE.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one writer at a time: every open notebook has a kernel of its own
        events = read_events() + [{"time": datetime.datetime.now().isoformat(timespec="seconds"), "section": section,
                                   "edition": edition(), "checkpoint": checkpoint, "event": event}
                                  | ({"cause": cause} if cause else {})]
        # Written whole, then renamed into place: a kernel killed halfway never leaves half a file.
        with tempfile.NamedTemporaryFile("w", dir=PROGRESS_FILE.parent, prefix=".progress-", delete=False) as temporary:
            json.dump({"events": events}, temporary, indent=1)
        os.replace(temporary.name, PROGRESS_FILE)


def mine(section, kind=None):
    """A section's events in one edition (this one unless kind is given), oldest first."""
    return [e for e in read_events() if e["section"] == section and e["edition"] == (kind or edition())]


def count(section, checkpoint, event):
    return sum((e["checkpoint"], e["event"]) == (checkpoint, event) for e in mine(section))


def table_text(sections):
    """Per section and edition: checkpoints whose latest result is a pass, out of all; hints; solutions; last activity.
    sections: [(name, title, number of checkpoints)]. A solutions row only once that solution notebook has run."""
    lines = [f"{'section':<38}{'checkpoints':>12}{'hints':>7}{'solutions':>11}  last activity"]
    for kind in ("exercises", "solutions"):
        for name, title, total in sections:
            if (done := mine(name, kind)) or kind == "exercises":
                latest = {e["checkpoint"]: e["event"] for e in done if e["event"] in RESULTS}
                passed = list(latest.values()).count("passed")
                used, last = [e["event"] for e in done], max((e["time"] for e in done), default="-")
                lines.append(f"{title + ('' if kind == 'exercises' else ' (solution)'):<38}{passed:>6} of {total:<3}"
                             f"{used.count('hint'):>7}{used.count('solution'):>11}  {last.replace('T', ' ')}")
    return "\n".join(lines)
