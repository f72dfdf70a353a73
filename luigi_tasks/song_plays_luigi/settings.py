"""Where the data comes from and where it goes, read from the environment each time a task needs it.

    SONG_PLAYS_DATA_URL      where the files are published (default http://127.0.0.1:8000)
    SONG_PLAYS_HTTP_TIMEOUT  seconds to wait on a silent host before giving up (default 30)
    SONG_PLAYS_DATA_DIR      where downloads and reports go (default: data/ in the workshop folder)
    SONG_PLAYS_SPARK_APP     the PySpark job DatasetGen submits (default: spark/dataset_gen.py)
    SONG_PLAYS_WORKSPACE     the exercises' folder (workspace/): its data/, and its job once written

Importing this module also loads the workshop's luigi.cfg, under any luigi.cfg of your own.
"""
import os
import urllib.parse
from pathlib import Path

import luigi.configuration
from luigi.configuration.cfg_parser import LuigiConfigParser

WORKSHOP_ROOT = Path(__file__).resolve().parents[2]
WORKSHOP_CONFIG = WORKSHOP_ROOT / "luigi.cfg"
DEFAULT_DATA_URL = "http://127.0.0.1:8000"


def load_workshop_config():
    """Read luigi.cfg first, so that /etc/luigi, a luigi.cfg where luigi runs, and LUIGI_CONFIG_PATH override it.

    luigi only looks for luigi.cfg in the folder it runs in; a notebook runs in notebooks/.
    """
    paths = LuigiConfigParser._config_paths
    if str(WORKSHOP_CONFIG) not in paths:
        paths.insert(0, str(WORKSHOP_CONFIG))
        LuigiConfigParser.reload()


load_workshop_config()


def config():
    return luigi.configuration.get_config()


def data_url():
    """The remote's base URL, checked before any work starts."""
    url = os.environ.get("SONG_PLAYS_DATA_URL", DEFAULT_DATA_URL).rstrip("/")
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"SONG_PLAYS_DATA_URL must be an http:// or https:// address, not {url!r}.")
    return url


def workspace():
    """The exercises' own folder, or None when the solutions run."""
    folder = os.environ.get("SONG_PLAYS_WORKSPACE")
    return Path(folder).resolve() if folder else None


def data_dir():
    if "SONG_PLAYS_DATA_DIR" in os.environ:
        return Path(os.environ["SONG_PLAYS_DATA_DIR"])
    return (workspace() or WORKSHOP_ROOT) / "data"


def spark_app():
    """The job to submit: the exercises' own once the student has written it, else the solution."""
    if "SONG_PLAYS_SPARK_APP" in os.environ:
        return Path(os.environ["SONG_PLAYS_SPARK_APP"])
    written = workspace() and workspace() / "spark" / "dataset_gen.py"
    return written if written and written.exists() else WORKSHOP_ROOT / "spark" / "dataset_gen.py"


def http_timeout():
    text = os.environ.get("SONG_PLAYS_HTTP_TIMEOUT", "30")
    try:
        seconds = float(text)
    except ValueError:
        seconds = 0
    if not 0 < seconds <= 600:
        raise ValueError(f"SONG_PLAYS_HTTP_TIMEOUT must be a number of seconds between 0 and 600, not {text!r}.")
    return seconds


def spark_conf():
    """luigi.cfg's [spark-conf]: the Spark settings every Spark of the workshop uses."""
    return dict(config().items("spark-conf")) if config().has_section("spark-conf") else {}
