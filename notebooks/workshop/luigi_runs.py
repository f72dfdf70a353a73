"""Luigi inside the kernel (luigi.build), what it logs, the commands it ran as a shell reads them, the notebooks'
terminal commands, and the exercises' workspace."""
import contextlib
import importlib
import io
import logging
import os
import re
import shlex
import subprocess
import sys
import warnings
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace
from unittest import mock

from song_plays_luigi.settings import WORKSHOP_ROOT, build_dir

WORKSPACE = WORKSHOP_ROOT / "workspace"
FACE_LINE = re.compile(r"^This progress looks .*$", re.MULTILINE)


def build(*tasks, **options):
    """Run tasks in this kernel, as `luigi --local-scheduler` does, and print luigi's summary (inside
    expected_failure(), a run that fails prints only its face line, and where the whole error went).

    Returns luigi's LuigiRunResult: its status says :), :| or :(, which the checkpoints read.
    options go to luigi.build: scheduler_host and scheduler_port use a central scheduler instead.
    """
    import luigi
    show_luigi_warnings_only()
    options.setdefault("local_scheduler", "scheduler_host" not in options)
    if expected_failures:
        expected_failures[-1].unlink(missing_ok=True)  # the file names this run's errors only
    result = luigi.build(list(tasks), detailed_summary=True, **options)
    result.tasks = list(tasks)  # what the cell asked for, which a checkpoint reads (e.g. DatasetGen's minrows)
    face_line = FACE_LINE.search(result.summary_text)
    if expected_failures and face(result) == ":(" and face_line:
        print(face_line.group(0))
        if expected_failures[-1].exists():
            print(f"(The whole error, traceback and all: {expected_failures[-1]})")
    else:  # a run that went well, or failed where no failure was expected: luigi's whole summary
        print(result.summary_text)
    return result


expected_failures = []  # the failure file of each expected_failure() block open now, innermost last


@contextmanager
def expected_failure():
    """Luigi runs in this block fail on purpose (a data host that is down, a validation that must fail).

    Each error shows as luigi's first line about it and the error's last line, then luigi's face line, instead
    of a traceback through luigi's own worker code; the whole of it goes to a file that the output names.
    Elsewhere a failure keeps luigi's full output: there it is a bug to find.
    """
    expected_failures.append(build_dir() / "expected-failure.log")
    try:
        yield
    finally:
        expected_failures.pop()


def quiet_build(*tasks):
    """build(), printing nothing: a checkpoint's own run. What build() would have printed is in result.output."""
    with contextlib.redirect_stdout(io.StringIO()) as output:
        result = build(*tasks)
    result.output = output.getvalue()
    return result


def run_watching_its_target(task, run):
    """run() (which runs task), with task.output() kept to one target whose open() is watched: (what run() returned,
    whether the task opened its target for writing). A file written around the target is put in place bit by bit,
    so a run that breaks half way leaves a half-written file that luigi takes for a finished task."""
    target = task.output()
    # luigi keeps one task per parameters: patch.object puts its output() back afterwards
    with mock.patch.object(task, "output", return_value=target), \
            mock.patch.object(target, "open", wraps=target.open) as opened:
        returned = run()
    return returned, any("w" in [*call.args, call.kwargs.get("mode")] for call in opened.call_args_list)


def command_line(*args, env=None, module="song_plays_tasks"):
    """A notebook's terminal command, `luigi --module MODULE ARGS --local-scheduler`, run as a terminal in the
    workshop folder runs it: in a new Python, which reads the module as its cells last wrote it, with this
    kernel's environment (the data host, the exercises' workspace) and env, and with the folder this kernel imports
    the module from (the exercises' workspace/luigi_tasks) first on PYTHONPATH.

    Returns the finished process, with .command (as the notebook shows it) and .summary_text (its log).
    """
    module_folder = Path(importlib.import_module(module).__file__).parent
    path = os.pathsep.join(filter(None, [str(module_folder), os.environ.get("PYTHONPATH")]))
    shown = ["luigi", "--module", module, *map(str, args), "--local-scheduler"]
    run = subprocess.run([sys.executable, "-m", "luigi", *shown[1:]], cwd=WORKSHOP_ROOT,  # the kernel's own luigi
                         env={**os.environ, "PYTHONPATH": path, **(env or {})}, capture_output=True, text=True,
                         timeout=600)
    run.command, run.summary_text = shlex.join(shown), run.stderr
    return run


def summary(run):
    """What a command_line run's log ends with: luigi's execution summary, else the error that stopped it."""
    start = run.summary_text.find("===== Luigi Execution Summary =====")
    return run.summary_text[start:].rstrip() if start >= 0 else last_error(run.summary_text)


def face(result):
    """The face luigi ends its summary with: ':)', ':|' or ':(' (of a build, or of a command_line run), else
    'no summary' (a command that stopped before luigi ran anything)."""
    if hasattr(result, "status"):
        return result.status.value[0]
    found = re.search(r"This progress looks (:\)|:\||:\()", result.summary_text)
    return found.group(1) if found else "no summary"


ERROR_LINE = re.compile(r"^(?:[A-Za-z_][\w.]*(?:Error|Exception|Exit|Failed|Interrupt)|luigi: error)\b.*")


def last_error(text):
    """The last line of text that names an error, as a traceback's last line does, e.g.
    "ValueError: Invalid format specifier '%Y/%m/%d' for object of type 'str'"; else its last line."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    errors = [line for line in lines if ERROR_LINE.match(line)]
    return (errors or lines or ["nothing"])[-1].rstrip(".")


def ran(result):
    """The tasks luigi's summary lists as run, e.g. ['1 DownloadSpins(date=2019-02-08)']: not those already complete."""
    section = re.search(r"ran successfully:\n((?: {4}- .*\n)+)", result.summary_text)
    return [line.strip()[2:] for line in section.group(1).splitlines()] if section else []


@contextmanager
def luigi_config(section, **settings):
    """luigi's configuration with section's keys set to settings inside the block, and as it was after it.

        with workshop.luigi_config("spark", master="spark://127.0.0.1:7077"):
            workshop.build(DatasetGen(date=day))
    """
    import luigi.configuration
    config = luigi.configuration.get_config()
    if not config.has_section(section):
        config.add_section(section)
    before = {key: config.get(section, key, None) for key in settings}
    for key, value in settings.items():
        config.set(section, key, str(value))
    try:
        yield config
    finally:
        for key, value in before.items():
            if value is None:
                config.remove_option(section, key)
            else:
                config.set(section, key, value)


def without_worker(message):
    """luigi's message without the "[pid 123] Worker Worker(salt=..., ...)" it starts with."""
    return re.sub(r"^\[pid \d+\] Worker Worker\(.*?\) ", "", message)


class OneLine(logging.Formatter):
    """A luigi message as one line, and an error's last line instead of its traceback.

    The traceback runs through luigi's own worker code, and the line the student needs is the last one:
    "FileNotFoundError: http://... is not published (HTTP 404)".
    """

    def format(self, record):
        text = without_worker(record.getMessage())
        error = record.exc_info[1] if record.exc_info else None
        if error is not None:
            text += f"\n    {type(error).__name__}: {error}"
        return f"luigi {record.levelname.lower()}: {text}"


# RangeDaily passes luigi's own default (None) through a string parameter; the warning says nothing to a student.
warnings.filterwarnings("ignore", message='Parameter "param_name" with value "None" is not of type string',
                        category=UserWarning)


def show_luigi_warnings_only():
    """Set up luigi's console logging now, at WARNING, as luigi.build(log_level=...) would on its first call,
    and show it on stdout, one line a message: in a notebook, stderr is a red block, which means "wrong".

    Done up front so that luigi_log() can collect INFO lines from the very first build.
    """
    from luigi.setup_logging import InterfaceLogging
    InterfaceLogging.setup(SimpleNamespace(background=None, logdir=None, logging_conf_file=None, log_level="WARNING"))
    logger = logging.getLogger("luigi-interface")
    for handler in list(logger.handlers):
        if type(handler) is logging.StreamHandler:  # luigi's, to stderr
            logger.removeHandler(handler)
            logger.addHandler(ToStdout(handler.level))


def last_line(text):
    return text.rstrip().splitlines()[-1].strip()


class ToStdout(logging.Handler):
    """Writes each message, one line, to whatever sys.stdout is when it is logged (a cell's output).

    Inside expected_failure(), an error is its headline and its last line; the whole goes to the block's file.
    """

    def __init__(self, level):
        super().__init__(level)
        self.setFormatter(OneLine())

    def emit(self, record):
        whole = logging.Formatter().format(record)  # the message, and the traceback luigi logged with it
        if expected_failures and record.levelno >= logging.WARNING and "\n" in whole:
            expected_failures[-1].parent.mkdir(parents=True, exist_ok=True)
            with open(expected_failures[-1], "a", encoding="utf-8") as failures:
                failures.write(whole + "\n\n")
            headline = without_worker(record.getMessage()).splitlines()[0]
            text = f"luigi {record.levelname.lower()}: {headline}\n    {last_line(whole)}"
        else:
            text = self.format(record)
        print(text, file=sys.stdout, flush=True)


@contextmanager
def luigi_log():
    """Collect what luigi logs meanwhile, errors' tracebacks included, even below the level shown."""
    messages = []
    show_luigi_warnings_only()

    class Collector(logging.Handler):
        def emit(self, record):
            text = record.getMessage()
            if record.exc_info:
                text += "\n" + logging.Formatter().formatException(record.exc_info)
            messages.append(text)

    collector = Collector(level=logging.INFO)
    logger = logging.getLogger("luigi-interface")
    level = logger.level
    logger.setLevel(min(level or logging.INFO, logging.INFO))  # luigi's own handlers keep their levels
    logger.addHandler(collector)
    try:
        yield messages
    finally:
        logger.removeHandler(collector)
        logger.setLevel(level)


@contextmanager
def seconds_per_day(task_class):
    """{day: seconds} for every task_class (a task with a date) that luigi runs meanwhile, from luigi's own
    PROCESSING_TIME event: the time its run() took."""
    import luigi
    seconds = {}

    def record(task, processing_time):
        seconds[task.date] = processing_time

    task_class.event_handler(luigi.Event.PROCESSING_TIME)(record)
    try:
        yield seconds
    finally:
        task_class.remove_event_handler(luigi.Event.PROCESSING_TIME, record)


def commands_run(messages):
    """The commands that SparkSubmitTask ran, from luigi's "Running command: ..." lines (shell-quoted by
    WorkshopSparkSubmitTask)."""
    prefix = "Running command: "
    return [m[len(prefix):] for m in messages if m.startswith(prefix)]


def shell_command(command, wrap=False):
    """A command as a student can paste it into a terminal: shlex.join quotes every word a shell would otherwise
    split or expand (a space, a glob such as local[2] or spins/2019/02/*). command: its words, or a command already
    shell-quoted. wrap: each --option starts a line, and so does a word after an option's value (spark-submit's
    app), the lines before it ending with a backslash."""
    words = shlex.split(command) if isinstance(command, str) else [str(word) for word in command]
    lines = [[]]
    for word in words:
        after_value = len(lines[-1]) == 2 and lines[-1][0].startswith("--")
        if wrap and lines[-1] and (word.startswith("--") or after_value):
            lines.append([])
        lines[-1].append(word)
    return " \\\n    ".join(shlex.join(line) for line in lines)


def use_workspace():
    """The exercises' modules and data go to workspace/ (git-ignored), never over the committed solutions.

    Imports look there first; a module you have not written yet comes from the solutions. DatasetGen
    submits your spark/dataset_gen.py once you have written it (SONG_PLAYS_WORKSPACE, see song_plays_luigi).
    """
    for folder in ("spark", "luigi_tasks"):
        (WORKSPACE / folder).mkdir(parents=True, exist_ok=True)
        if str(WORKSPACE / folder) in sys.path:
            sys.path.remove(str(WORKSPACE / folder))
        sys.path.insert(0, str(WORKSPACE / folder))
    os.environ["SONG_PLAYS_WORKSPACE"] = str(WORKSPACE)
    print(f"Your modules are written to {WORKSPACE}, and your data goes to {WORKSPACE / 'data'}")
    return WORKSPACE
