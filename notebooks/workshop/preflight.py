"""Before a room full of students: does everything they will need answer? `make preflight` (python -m workshop
preflight), on the machine or Binder image the students will use, against the data host they will use.

Each line says what was checked and, when it failed, what to do. Exit code 0 only when all passed.
"""
import datetime
import importlib.metadata

from song_plays_luigi.downloads import url_exists
from song_plays_luigi.settings import listeners_url, spins_url

LESSON_DAY = datetime.date(2019, 2, 8)        # published: notebooks 01 to 03 download it
UNPUBLISHED_DAY = datetime.date(2019, 2, 9)   # not published: notebook 01 shows luigi waiting for it


def published(url):
    """True or False, or the error's text when the host could not say."""
    try:
        return url_exists(url)
    except Exception as error:  # noqa: BLE001 - reported as a failed check, with the host's own words
        return f"{type(error).__name__}: {error}"


def checks(day=LESSON_DAY, unpublished_day=UNPUBLISHED_DAY):
    """[(passed, what was checked, what to do if it failed)]."""
    from song_plays_ops import check_java
    results = []
    for what, url in (("the listeners", listeners_url()), (f"the spins of {day}", spins_url(day))):
        answer = published(url)
        results.append((answer is True, f"the data host publishes {what}: {url}",
                        answer if isinstance(answer, str) else
                        "publish the files the generator writes (`make setup` puts them in build/remote/) under that "
                        "address, or set SONG_PLAYS_DATA_URL to where they are"))
    answer = published(spins_url(unpublished_day))
    results.append((answer is False, f"the data host does not publish {unpublished_day} yet (notebook 01 waits for it)",
                    answer if isinstance(answer, str) else
                    f"remove spins-{unpublished_day}.snappy.parquet from the host, or the 'waiting' lesson ends :) "
                    "instead of :|"))
    try:
        java = check_java.check_java()
        results.append((True, f"Spark can start: {java}", ""))
    except check_java.JavaNotFound as problem:
        results.append((False, "Spark can start: no Java 17 or 21", str(problem)))
    for package, major in (("pyspark", "4."), ("luigi", "3.")):
        version = importlib.metadata.version(package)
        results.append((version.startswith(major), f"{package} {version} is installed",
                        "run `make setup` (or `pip install -r requirements.txt`)"))
    return results


def report(results):
    lines = []
    for passed, what, fix in results:
        lines.append(f"{'ok  ' if passed else 'FAIL'}  {what}")
        if not passed:
            lines.extend(f"        {line}" for line in fix.splitlines())
    failed = sum(1 for passed, *_ in results if not passed)
    lines.append("Ready for the room." if not failed else f"{failed} of {len(results)} checks failed: fix them first.")
    return "\n".join(lines)
