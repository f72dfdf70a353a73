"""How far a student got, kept on their own machine: workspace/progress.json. Nothing leaves the machine.

Every checkpoint result (passed, failed, not started) and every hint and solution asked for is one event:

    {"time": "2026-11-26T10:02:03", "section": "01_luigi_tasks", "edition": "exercises",
     "checkpoint": 2, "event": "passed"}

`make progress` (python -m workshop progress) and the last cell of each notebook print the table.
"""
import datetime
import fcntl
import json
import os
import tempfile
from contextlib import contextmanager

from song_plays_luigi.settings import WORKSHOP_ROOT

EVENTS = ("passed", "failed", "not started", "hint", "solution")


def progress_file():
    return WORKSHOP_ROOT / "workspace" / "progress.json"


def edition():
    """The exercises write into workspace/ (workshop.use_workspace); the solutions do not."""
    return "exercises" if os.environ.get("SONG_PLAYS_WORKSPACE") else "solutions"


@contextmanager
def locked():
    """One writer at a time: every open notebook has a kernel of its own."""
    path = progress_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield path


def read_events(path=None):
    path = path or progress_file()
    try:
        return json.loads(path.read_text())["events"]
    except FileNotFoundError:
        return []
    except (ValueError, KeyError, TypeError):  # a file broken by hand: start again rather than stop the lesson
        return []


def record(section, checkpoint, event):
    if event not in EVENTS:
        raise ValueError(f"{event!r} is not one of {EVENTS}")
    with locked() as path:
        events = read_events(path)
        events.append({"time": datetime.datetime.now().isoformat(timespec="seconds"), "section": section,
                       "edition": edition(), "checkpoint": checkpoint, "event": event})
        # Written whole, then renamed into place: a kernel killed halfway never leaves half a file.
        with tempfile.NamedTemporaryFile("w", dir=path.parent, prefix=".progress-", delete=False) as temporary:
            json.dump({"events": events}, temporary, indent=1)
        os.replace(temporary.name, path)


def count(section, checkpoint, event, events=None):
    """How many times event happened to one checkpoint, in this edition."""
    return sum(1 for e in (read_events() if events is None else events)
               if (e["section"], e["edition"], e["checkpoint"], e["event"]) == (section, edition(), checkpoint, event))


def rows(sections, events=None):
    """One row per section and edition: checkpoints whose latest result is a pass, out of all; hints; solutions.

    sections: [(name, title, number of checkpoints)]. The exercises' rows are always there; the solutions'
    only once a solution notebook has run.
    """
    events = read_events() if events is None else events
    table = []
    for kind in ("exercises", "solutions"):
        for name, title, total in sections:
            mine = [e for e in events if e["section"] == name and e["edition"] == kind]
            if kind == "solutions" and not mine:
                continue
            latest = {}
            for e in mine:
                if e["event"] in ("passed", "failed", "not started"):
                    latest[e["checkpoint"]] = e["event"]
            table.append({"section": title + ("" if kind == "exercises" else " (solution)"),
                          "passed": sum(1 for result in latest.values() if result == "passed"), "total": total,
                          "hints": sum(1 for e in mine if e["event"] == "hint"),
                          "solutions": sum(1 for e in mine if e["event"] == "solution"),
                          "last": max((e["time"] for e in mine), default="")})
    return table


def table_text(sections, events=None):
    lines = [f"{'section':<38}{'checkpoints':>12}{'hints':>7}{'solutions':>11}  last activity"]
    for row in rows(sections, events):
        lines.append(f"{row['section']:<38}{row['passed']:>6} of {row['total']:<3}{row['hints']:>7}"
                     f"{row['solutions']:>11}  {row['last'].replace('T', ' ') or '-'}")
    return "\n".join(lines)
