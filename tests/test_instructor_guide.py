"""The instructor guide is generated from the workshop (so it cannot drift), and the pre-flight check for a room
says what is ready and what is not, against real hosts on 127.0.0.1."""
import datetime
import json

import pytest

from song_plays_ops import generate_fake_data
import instructor_guide
from workshop.sections import SECTIONS
from conftest import DAY, ROOT
from planted_mistakes import WRONG_SOLUTIONS
from workshop import DataServer, preflight


def test_the_committed_guide_is_what_make_guide_writes():
    assert instructor_guide.main(["--check"]) == 0, "run `make generated` and commit INSTRUCTOR_GUIDE.md"


def test_the_guide_names_every_planted_mistake_and_the_checkpoint_that_catches_it():
    guide = (ROOT / "INSTRUCTOR_GUIDE.md").read_text()
    for mistake, (_, _, _, checkpoint, hint) in WRONG_SOLUTIONS.items():
        shown = hint.replace("|", "\\|")
        assert f"| {mistake} |" in guide and f"| CHECKPOINT {checkpoint} | “{shown}” |" in guide, mistake


def test_the_guide_times_every_section_from_measurements():
    guide = (ROOT / "INSTRUCTOR_GUIDE.md").read_text()
    timings = json.loads(instructor_guide.TIMINGS.read_text())
    for notebook, title, _, planned in SECTIONS:
        [row] = [line for line in guide.splitlines() if line.startswith(f"| {title} | {planned} |")]
        assert row.count(" s |") >= 1, row  # at least one measured run
        assert notebook in timings
    for exercised in ("01_luigi_tasks.ipynb", "02_spark_job.ipynb", "03_putting_it_all_together.ipynb"):
        assert timings[exercised]["browser"] > 0, "the browser test's Run All of the typed-in exercise"


def test_the_readme_links_the_guide():
    assert "(INSTRUCTOR_GUIDE.md)" in (ROOT / "README.md").read_text()


def outcome(results):
    return {what.split(":")[0]: passed for passed, what, _ in results}


def test_preflight_passes_against_the_workshops_data(data_server, monkeypatch):
    monkeypatch.setenv("SONG_PLAYS_DATA_URL", data_server.url)
    results = preflight.checks()
    assert all(passed for passed, *_ in results), preflight.report(results)
    assert preflight.report(results).endswith("Ready for the room.")


def test_preflight_names_a_host_that_is_down_and_what_to_do(monkeypatch):
    monkeypatch.setenv("SONG_PLAYS_DATA_URL", "http://127.0.0.1:9")
    results = preflight.checks()
    text = preflight.report(results)
    assert [passed for passed, *_ in results][:3] == [False, False, False], text
    assert "Nothing is listening at http://127.0.0.1:9/listeners.snappy.parquet" in text
    assert text.endswith("3 of 6 checks failed: fix them first.")


@pytest.mark.slow  # starts a data server
def test_preflight_refuses_a_host_that_already_publishes_the_day_students_wait_for(tmp_path, monkeypatch):
    remote = generate_fake_data.generate(tmp_path / "remote", DAY, DAY + datetime.timedelta(days=1), 200, 20, 2019,
                                         log=lambda line: None)
    with DataServer(remote) as server:
        monkeypatch.setenv("SONG_PLAYS_DATA_URL", server.url)
        results = preflight.checks()
    failed = [what for passed, what, _ in results if not passed]
    assert failed == ["the data host does not publish 2019-02-09 yet (notebook 01 waits for it)"], failed
    assert "remove spins-2019-02-09.snappy.parquet from the host" in preflight.report(results)


@pytest.mark.slow
def test_make_preflight_exits_0_when_ready(data_server):
    import subprocess
    import os
    import sys
    run = subprocess.run([sys.executable, "-m", "workshop", "preflight"], cwd=ROOT, capture_output=True, text=True,
                         env={**os.environ, "SONG_PLAYS_DATA_URL": data_server.url}, timeout=120)
    assert run.returncode == 0 and "Ready for the room." in run.stdout, run.stdout + run.stderr
