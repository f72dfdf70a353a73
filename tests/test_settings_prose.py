"""Prose quotes no setting that luigi.cfg or spark/conf can change, unless it quotes the configured value.

A number next to a setting's name in a notebook's markdown ("executor memory 512m", "32 shuffle partitions",
"the master, local[2]") is a claim about the configuration: when someone changes luigi.cfg or
spark/conf/spark-defaults.conf, the prose goes stale. This test finds such claims and compares each with the file.
Prose that names the setting without its number ("luigi.cfg's [spark] executor-memory") is always fine.

What counts as "next to": the number and the name in the same sentence, at most GAP characters apart, with no other
setting's name between them; a memory size pairs only with a memory setting, a count with a count. Spark's own
default in a sentence that says "default", and a value in a sentence that says "for example", are not claims about
the workshop's files.
"""
import configparser
import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
GAP = 30  # characters between a setting's name and its number


def luigi_cfg():
    config = configparser.ConfigParser(interpolation=None)
    config.read(ROOT / "luigi.cfg")
    return config


def spark_defaults():
    pairs = (line.split(None, 1) for line in (ROOT / "spark" / "conf" / "spark-defaults.conf").read_text().splitlines()
             if line.strip() and not line.lstrip().startswith("#"))
    return {key: value.strip() for key, value in pairs}


def spark_env():
    return dict(re.findall(r"^\s*(SPARK_\w+)=(\S+)", (ROOT / "spark" / "conf" / "spark-env.sh").read_text(), re.MULTILINE))


def megabytes(number, unit):
    """512m, 1g, 768 MB, 1.5 GiB -> megabytes."""
    return float(number) * (1024 if unit.lower().startswith("g") else 1)


def memory(text):
    number, unit = re.fullmatch(r"(\d+(?:\.\d+)?)\s*([mg])\w*", text.strip(), re.IGNORECASE).groups()
    return megabytes(number, unit)


MEMORY = re.compile(r"(?<![\w.])(\d+(?:\.\d+)?)\s?(m|g|MB|GB|MiB|GiB)(?![\w])")
COUNT = re.compile(r"(?<![\w.\[-])(\d+)(?![\w.\]-]|\s?(?:MB|GB|MiB|GiB|KB|m|g|s|ms|%|seconds|minutes)\b)")
MASTER = re.compile(r"local\[(\d+|\*)\]")
REFERENCE = re.compile(r"(?:step|section|cell|notebook|question|checkpoint|part|line|#)s?\s*$", re.IGNORECASE)


def settings():
    """[(what, kind, name pattern, {configured value: where it is set}, Spark's own default or None)]."""
    cfg, defaults, env = luigi_cfg(), spark_defaults(), spark_env()
    driver = {memory(cfg["spark"]["driver_memory"]): "luigi.cfg [spark] driver_memory",
              memory(cfg["spark-connect"]["driver_memory"]): "luigi.cfg [spark-connect] driver_memory",
              memory(cfg["standalone-cluster"]["driver_memory"]): "luigi.cfg [standalone-cluster] driver_memory",
              memory(defaults["spark.driver.memory"]): "spark-defaults.conf spark.driver.memory"}
    return [
        ("spark.driver.memory", "memory", r"spark\.driver\.memory",
         {memory(defaults["spark.driver.memory"]): "spark-defaults.conf spark.driver.memory"}, 1024),
        ("driver memory", "memory", r"driver[ _-]memory|--driver-memory|\bdrivers?\b(?![ _.-]memory)", driver, 1024),
        ("executor memory", "memory", r"executor[ _-]memory|spark\.executor\.memory|--executor-memory|\bexecutors?\b(?![ _.-]memory)",
         {memory(cfg["spark"]["executor_memory"]): "luigi.cfg [spark] executor_memory"}, 1024),
        ("worker memory", "memory", r"worker[ _-]memory|SPARK_WORKER_MEMORY",
         {memory(env["SPARK_WORKER_MEMORY"]): "spark-env.sh SPARK_WORKER_MEMORY"}, None),
        ("daemon memory", "memory", r"daemon[ _-]memory|SPARK_DAEMON_MEMORY",
         {memory(env["SPARK_DAEMON_MEMORY"]): "spark-env.sh SPARK_DAEMON_MEMORY"}, None),
        ("advisory partition size", "memory", r"advisoryPartitionSizeInBytes|advisory (?:partition )?size",
         {memory(defaults["spark.sql.adaptive.advisoryPartitionSizeInBytes"]):
          "spark-defaults.conf spark.sql.adaptive.advisoryPartitionSizeInBytes"}, 64),
        ("shuffle partitions", "count", r"shuffle[ ._]partitions",
         {int(defaults["spark.sql.shuffle.partitions"]): "spark-defaults.conf spark.sql.shuffle.partitions"}, 200),
        ("executor cores", "count", r"executor[ _-]cores|--executor-cores",
         {int(cfg["spark"]["executor_cores"]): "luigi.cfg [spark] executor_cores"}, None),
        ("number of executors", "count", r"num[ _-]executors|--num-executors",
         {int(cfg["spark"]["num_executors"]): "luigi.cfg [spark] num_executors"}, None),
        ("master", "master", r"master",
         {cfg["spark"]["master"]: "luigi.cfg [spark] master", defaults["spark.master"]: "spark-defaults.conf spark.master",
          cfg["spark-connect"]["master"]: "luigi.cfg [spark-connect] master"}, None),
    ]


def quantities(sentence, kind):
    """(start, end, value) of each number of that kind in the sentence."""
    if kind == "memory":
        return [(m.start(), m.end(), megabytes(*m.groups())) for m in MEMORY.finditer(sentence)]
    if kind == "count":  # not a reference such as "(step 7)" or "section 2"
        return [(m.start(), m.end(), int(m.group(1))) for m in COUNT.finditer(sentence)
                if not REFERENCE.search(sentence[:m.start()])]
    return [(m.start(), m.end(), m.group(0)) for m in MASTER.finditer(sentence)]


def sentences(markdown):
    """Sentences (and list items, table cells, lines of code), the unit inside which a number belongs to a name."""
    text = re.sub(r"[`*]", "", markdown)  # `executor-memory` 512m reads as executor-memory 512m
    parts = re.split(r"(?<=[.!?;:])\s+(?=[A-Z(\[`-])|\n\s*\n|\n\s*[-*|]|\n\d+\.\s|\|", text)
    return [" ".join(part.split()) for part in parts if part.strip()]


def claims(markdown):
    """(setting, found, configured {value: where}) for each number next to a setting's name that is not its value.

    A number and a name pair when each is the other's nearest of its kind in the sentence: in "driver memory 1g,
    executor memory 512m", 1g is the driver's and 512m the executors'."""
    table = settings()
    found = []
    for sentence in sentences(markdown):
        if re.search(r"for example|e\.g\.|such as", sentence, re.IGNORECASE):
            continue
        for kind in ("memory", "count", "master"):
            names = [(m.start(), m.end(), row) for row in table if row[1] == kind
                     for m in re.finditer(row[2], sentence, re.IGNORECASE)]
            numbers = quantities(sentence, kind)

            def gap(number, name):
                if number[0] >= name[1]:
                    return sentence[name[1]:number[0]]
                if number[1] <= name[0]:
                    return sentence[number[1]:name[0]]
                return None  # overlapping: spark.master's "master" and its value are not one inside the other

            for name in names:
                for side in ("before", "after"):
                    near = [n for n in numbers if (n[1] <= name[0] if side == "before" else n[0] >= name[1])]
                    if not near:
                        continue
                    number = min(near, key=lambda n: len(gap(n, name)))
                    between = gap(number, name)
                    if len(between) > GAP or re.search(r"[.;]\s", between):
                        continue
                    if min(names, key=lambda other: len(gap(number, other) or "x" * 999)) is not name:
                        continue  # that number is another setting's
                    what, _, _, configured, spark_default = name[2]
                    value = number[2]
                    if value in configured or (spark_default is not None and value == spark_default
                                               and "default" in sentence.lower()):
                        continue
                    found.append((what, sentence[min(number[0], name[0]):max(number[1], name[1])], configured))
    return found


def prose():
    """(where, markdown): every markdown cell of the solution notebooks (the exercises are made from them, and the
    answers are shown in the solution edition), the README and the site's pages."""
    for path in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        for index, cell in enumerate(nbformat.read(path, as_version=4).cells):
            if cell.cell_type == "markdown":
                yield f"{path.name}, cell {index} ({cell.get('id')})", cell.source
    yield "README.md", (ROOT / "README.md").read_text()
    for page in sorted((ROOT / "tools" / "site").glob("*.md")):  # the site's own pages: glossary, Spark UI tour
        yield page.relative_to(ROOT).as_posix(), page.read_text()


def findings():
    return [f"{where}: {what}: '{text}' but {' / '.join(f'{where_set} is {value:g}' if isinstance(value, float) else f'{where_set} is {value}' for value, where_set in configured.items())}"
            for where, markdown in prose() for what, text, configured in claims(markdown)]


@pytest.mark.parametrize("text", [
    "its [spark] section gives the master (`local[2]` by default), driver memory 1g, executor memory 512m.",
    "Adaptive execution merges the 32 shuffle partitions into about 16 MB each.",
    "Spark's default is 200 shuffle partitions; the workshop sets fewer.",
    "luigi.cfg's `[spark] executor-memory` sizes each executor: print it from code.",
    "Binder gives 2 GB to everything, and a 1.7 GB notebook is near the edge.",
    "Set the master to local[4], for example, to use four cores.",
    "Compare a stage's task count with spark.sql.shuffle.partitions (step 7): where it has fewer, AQE merged them.",
])
def test_a_setting_quoted_as_configured_or_not_quoted_at_all_is_fine(text):
    assert claims(text) == []


@pytest.mark.parametrize("text, setting", [
    ("Each executor gets executor memory 2g here.", "executor memory"),
    ("The notebook's session has `spark.driver.memory` = 1g.", "spark.driver.memory"),
    ("There are 200 shuffle partitions after the groupBy.", "shuffle partitions"),
    ("The job runs with master local[4].", "master"),
    ("```bash\nspark-submit --executor-memory 2g job.py\n```", "executor memory"),
])
def test_a_setting_quoted_with_another_value_is_found(text, setting):
    assert [what for what, *_ in claims(text)] == [setting]


def test_the_prose_quotes_every_setting_as_luigi_cfg_and_spark_conf_set_it():
    problems = findings()
    assert not problems, ("prose quotes a setting that luigi.cfg or spark/conf sets, with another value: say the "
                          "setting's name instead, or print it from code\n" + "\n".join(problems))
