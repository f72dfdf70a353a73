"""Where the data comes from and where it goes, read each time a task needs it.

From luigi.cfg's [song_plays] section, or the environment, which wins:
    SONG_PLAYS_DATA_URL       data_url: a host that publishes the files side by side (http://127.0.0.1:8000)
    SONG_PLAYS_SPINS_URL      spins_url: one day's spins, a template: https://host/s/abc/spins-{date:%Y-%m-%d}.parquet?dl=1
    SONG_PLAYS_LISTENERS_URL  listeners_url: the listeners file's own address
    SONG_PLAYS_HTTP_TIMEOUT   http_timeout: seconds a silent host may keep a download waiting (30)
From the environment only:
    SONG_PLAYS_DATA_DIR       where downloads and reports go (default: data/ in the workshop folder)
    SONG_PLAYS_SPARK_APP      the PySpark job DatasetGen submits (default: spark/dataset_gen.py)
    SONG_PLAYS_WORKSPACE      the exercises' folder (workspace/): its data/, and its job once written
    SONG_PLAYS_BUILD_DIR      what the workshop makes for itself: the served data, the helpers' zip, Spark's
                              console log (default: build/ in the workshop folder; the tests use a temporary one)

Importing this module also loads the workshop's luigi.cfg, under any luigi.cfg of your own, and points
SPARK_CONF_DIR at spark/conf (unless it is set), where every Spark the workshop starts finds Spark's own settings.
"""
import os
import urllib.parse
from pathlib import Path

import luigi.configuration

WORKSHOP_ROOT = Path(__file__).resolve().parents[2]
WORKSHOP_CONFIG = WORKSHOP_ROOT / "luigi.cfg"
SPARK_CONF = WORKSHOP_ROOT / "spark" / "conf"
DEFAULT_DATA_URL = "http://127.0.0.1:8000"


def load_workshop_config():
    """Read luigi.cfg, then luigi's own files again over it: /etc/luigi, a luigi.cfg where luigi runs, and
    LUIGI_CONFIG_PATH win.

    luigi only looks for luigi.cfg in the folder it runs in; a notebook runs in notebooks/. luigi's public
    add_config_path() would put the workshop's file last, over the user's own.
    """
    config = luigi.configuration.get_config("cfg")
    config.read(str(WORKSHOP_CONFIG))
    config.reload()


load_workshop_config()

# Spark's own settings (spark/conf: spark-defaults.conf, spark-env.sh): set here, once, because every entry point
# (the tasks, the notebooks' workshop package, the ops scripts, the benchmark) imports this module, and every
# spark-submit, pyspark JVM and standalone daemon they start inherits it and reads the folder by itself.
os.environ.setdefault("SPARK_CONF_DIR", str(SPARK_CONF))


def config():
    return luigi.configuration.get_config()


def setting(variable, key, default=""):
    """The environment's variable, else luigi.cfg's [song_plays] key (read raw: a template's % is not luigi's)."""
    return os.environ.get(variable) or config().get("song_plays", key, default, raw=True)


def checked_url(url, variable):
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{variable} must be an http:// or https:// address, not {url!r}.")
    return url


def data_url():
    """The remote's base URL, checked before any work starts."""
    return checked_url(setting("SONG_PLAYS_DATA_URL", "data_url", DEFAULT_DATA_URL).rstrip("/"), "SONG_PLAYS_DATA_URL")


def spins_url(day):
    """Where the day's spins are published: spins_url's template for the day, else the file under data_url."""
    template = setting("SONG_PLAYS_SPINS_URL", "spins_url")
    if not template:
        return f"{data_url()}/spins-{day:%Y-%m-%d}.snappy.parquet"
    if "{date" not in template:
        raise ValueError(f"SONG_PLAYS_SPINS_URL must contain {{date:%Y-%m-%d}} (or another strftime format) where the "
                         f"day goes, or every day would fetch the same file: {template!r}.")
    try:
        url = template.format(date=day)
    except (KeyError, IndexError, ValueError) as error:
        raise ValueError(f"SONG_PLAYS_SPINS_URL can only use the field {{date}}, as in {{date:%Y-%m-%d}}: {template!r} "
                         f"({type(error).__name__}: {error}). Write a literal brace as {{{{ or }}}}.") from None
    return checked_url(url, "SONG_PLAYS_SPINS_URL")


def listeners_url():
    """Where the listeners dimension is published: listeners_url, else the file under data_url."""
    url = setting("SONG_PLAYS_LISTENERS_URL", "listeners_url")
    return checked_url(url, "SONG_PLAYS_LISTENERS_URL") if url else f"{data_url()}/listeners.snappy.parquet"


def workspace():
    """The exercises' own folder, or None when the solutions run."""
    folder = os.environ.get("SONG_PLAYS_WORKSPACE")
    return Path(folder).resolve() if folder else None


def data_dir():
    if "SONG_PLAYS_DATA_DIR" in os.environ:
        return Path(os.environ["SONG_PLAYS_DATA_DIR"])
    return (workspace() or WORKSHOP_ROOT) / "data"


def build_dir():
    return Path(os.environ.get("SONG_PLAYS_BUILD_DIR") or WORKSHOP_ROOT / "build")


def spark_app():
    """The job to submit: the exercises' own once the student has written it, else the solution."""
    if "SONG_PLAYS_SPARK_APP" in os.environ:
        return Path(os.environ["SONG_PLAYS_SPARK_APP"])
    written = workspace() and workspace() / "spark" / "dataset_gen.py"
    return written if written and written.exists() else WORKSHOP_ROOT / "spark" / "dataset_gen.py"


def http_timeout():
    text = setting("SONG_PLAYS_HTTP_TIMEOUT", "http_timeout", "30")
    try:
        seconds = float(text)
    except ValueError:
        seconds = 0
    if not 0 < seconds <= 600:
        raise ValueError(f"SONG_PLAYS_HTTP_TIMEOUT must be a number of seconds between 0 and 600, not {text!r}.")
    return seconds


def section(name):
    """A luigi.cfg section as {key: value}, read raw (a Java option's % is not luigi's); {} when it is absent."""
    return dict(config().items(name, raw=True)) if config().has_section(name) else {}


def spark_default(name):
    """A property in SPARK_CONF_DIR's spark-defaults.conf (as the workshop writes it: a name, blanks, the value),
    or None."""
    defaults = Path(os.environ["SPARK_CONF_DIR"]) / "spark-defaults.conf"
    for line in defaults.read_text().splitlines() if defaults.exists() else []:
        words = line.split(None, 1)
        if len(words) == 2 and words[0] == name:
            return words[1].strip()
    return None
