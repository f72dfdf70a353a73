"""How far a student got, kept on their own machine: workspace/progress.json. Nothing leaves the machine.
Each checkpoint result (passed, failed, not started) and each hint and solution asked for is one event: {"time":
"2026-11-26T10:02:03", "section": "01_luigi_tasks", "edition": "exercises", "checkpoint": 2, "event": "passed"}."""
import datetime
import fcntl
import json
import os
import tempfile

from song_plays_luigi.settings import WORKSHOP_ROOT

RESULTS = ("passed", "failed", "not started")
EVENTS = (*RESULTS, "hint", "solution")


def progress_file():
    return WORKSHOP_ROOT / "workspace" / "progress.json"


def edition():
    """The exercises write into workspace/ (workshop.use_workspace); the solutions do not."""
    return "exercises" if os.environ.get("SONG_PLAYS_WORKSPACE") else "solutions"


def read_events(path=None):
    try:
        return json.loads((path or progress_file()).read_text())["events"]
    except (OSError, ValueError, KeyError, TypeError):  # none yet, or broken by hand: start again, not stop the lesson
        return []


def record(section, checkpoint, event):
    if event not in EVENTS:
        raise ValueError(f"{event!r} is not one of {EVENTS}")
    path = progress_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one writer at a time: every open notebook has a kernel of its own
        events = read_events(path) + [{"time": datetime.datetime.now().isoformat(timespec="seconds"), "section":
                                       section, "edition": edition(), "checkpoint": checkpoint, "event": event}]
        # Written whole, then renamed into place: a kernel killed halfway never leaves half a file.
        with tempfile.NamedTemporaryFile("w", dir=path.parent, prefix=".progress-", delete=False) as temporary:
            json.dump({"events": events}, temporary, indent=1)
        os.replace(temporary.name, path)


def mine(section, events=None, kind=None):
    """A section's events in one edition (this one unless kind is given), oldest first."""
    return [e for e in (read_events() if events is None else events)
            if e["section"] == section and e["edition"] == (kind or edition())]


def count(section, checkpoint, event):
    return sum((e["checkpoint"], e["event"]) == (checkpoint, event) for e in mine(section))


def table_text(sections, events=None):
    """Per section and edition: checkpoints whose latest result is a pass, out of all; hints; solutions; last activity.
    sections: [(name, title, number of checkpoints)]. A solutions row only once that solution notebook has run."""
    lines = [f"{'section':<38}{'checkpoints':>12}{'hints':>7}{'solutions':>11}  last activity"]
    for kind in ("exercises", "solutions"):
        for name, title, total in sections:
            if (done := mine(name, events, kind)) or kind == "exercises":
                latest = {e["checkpoint"]: e["event"] for e in done if e["event"] in RESULTS}
                used, last = [e["event"] for e in done], max((e["time"] for e in done), default="-")
                lines.append(f"{title + ('' if kind == 'exercises' else ' (solution)'):<38}"
                             f"{list(latest.values()).count('passed'):>6} of {total:<3}{used.count('hint'):>7}"
                             f"{used.count('solution'):>11}  {last.replace('T', ' ')}")
    return "\n".join(lines)
