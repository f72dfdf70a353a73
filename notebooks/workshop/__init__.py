"""The notebooks' helpers: `import workshop` is a notebook's whole set-up.

- checks:        each notebook's CHECKPOINTs: `from workshop.checks import section01 as check`, then
                 check.step1(), check.hint(1), check.solution(1), check.progress() (workshop.coach, progress)
- checkpoints:   step: cells that carry on past a TODO, and tell the CHECKPOINT after them where they stopped
- data_server:   the workshop's remote, Python's http.server on 127.0.0.1
- luigi_runs:    luigi.build in the kernel and what its result says (face, ran), failures shown short where they
                 are the point (expected_failure), luigi's log and settings, commands to paste (shell_command), the
                 exercises' workspace
- spark_session: a SparkSession set up as the job's (luigi.cfg), quiet, and stopped with its JVM
- writefile:     %%writefile that a student can run again without leaving two versions of a class
- pictures:      the task graph and a month's calendar
- reports:       reading the reports, and the same logic in pandas to check them against

Imported in a notebook, it makes notebooks/ the working folder, as JupyterLab does, so that
`%%writefile ../luigi_tasks/...` lands in the workshop whichever folder the kernel started in (papermill
starts it where it is called).
The pipeline itself lives in luigi_tasks/ and spark/; nothing here is part of it.
"""
import os
from pathlib import Path

try:
    import song_plays_luigi.settings  # noqa: F401 (also loads the workshop's luigi.cfg)
except ImportError:
    raise ImportError("The workshop's modules are not installed in this Python: run `make setup`, or "
                      "`pip install -e .` in the workshop folder.") from None

ROOT = Path(__file__).resolve().parents[2]
if song_plays_luigi.settings.WORKSHOP_ROOT != ROOT:
    raise ImportError(f"This Python has the workshop in {song_plays_luigi.settings.WORKSHOP_ROOT} installed, not "
                      f"this one ({ROOT}): run `pip install -e .` here, or open the notebooks from there.")
os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")  # Spark's driver and UI listen on loopback only

from workshop import spark_session, writefile  # noqa: E402
from workshop.checkpoints import step  # noqa: E402
from workshop.data_server import REMOTE_DIR, DataServer, browser_url, ensure_remote_data, use_data_url  # noqa: E402
from workshop.luigi_runs import (build, commands_run, expected_failure, face, luigi_config, luigi_log, ran,  # noqa: E402
                                 seconds_per_day, shell_command, use_workspace)
from workshop.pictures import draw_month, draw_task_graph  # noqa: E402
from workshop.reports import COUNTS_COLUMNS, DATASET_COLUMNS, pandas_reports, read_report, same_rows  # noqa: E402
from workshop.spark_session import quiet_spark_console, spark_ui_url, stop_spark  # noqa: E402


def in_a_notebook():
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    return get_ipython() is not None


spark_session.use_this_python_for_spark_workers()

if in_a_notebook():
    from IPython import get_ipython
    os.chdir(ROOT / "notebooks")
    writefile.register(get_ipython())  # %%writefile -a run again replaces its part instead of adding a copy
