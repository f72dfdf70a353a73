"""The site's own pages (tools/site/): the glossary defines every term a student meets, and both it and the tour
of the Spark UI are in the site's table of contents. Fast: reads the sources; tests/test_site.py checks the built
site."""
import re
import sys
from pathlib import Path

import pytest

from conftest import ROOT

sys.path.insert(0, str(ROOT / "tools" / "site"))
import build  # noqa: E402 - tools/site/build.py
import spark_ui_tour  # noqa: E402

GLOSSARY = ROOT / "tools" / "site" / "glossary.md"
TOUR = ROOT / "tools" / "site" / "spark_ui_tour.md"
# Every term a student meets in the notebooks (issue #26), as the glossary names it.
TERMS = {
    "Luigi": ["Luigi", "Task (Luigi)", "Target", "Parameter", "requires / output / run", "Complete", "External task",
              "Scheduler", "Local scheduler", "luigid (central scheduler)", "RangeDaily", "MISSING_EXT", "Marker",
              "Atomic write", "Idempotent"],
    "Spark": ["Driver", "Executor", "SparkSession", "DataFrame", "Transformation", "Action", "Job (Spark)",
              "Lazy evaluation", "Plan / explain", "Partition", "Shuffle", "Exchange", "Stage", "Task (Spark)",
              "Broadcast join", "BroadcastHashJoin", "SortMergeJoin", "Adaptive query execution", "Shuffle partitions",
              "cache / persist", "InMemoryTableScan", "Spark UI", "spark-submit", "Deploy mode", "Master",
              "Standalone cluster", "Worker", "Spark Connect", "Fat jar", "py-files"],
    "The data": ["Dimension", "Fact", "Parquet", "gzip TSV", "Report", "Zip code", "Subscription type"],
}


def glossary_entries():
    """{section: {term: definition}} from the glossary's ```{glossary}``` blocks."""
    entries = {}
    for section, block in re.findall(r"^## (.+?)\n.*?```\{glossary\}\n(.*?)\n```", GLOSSARY.read_text(),
                                     re.MULTILINE | re.DOTALL):
        terms = entries.setdefault(section, {})
        for term, definition in re.findall(r"^(\S.*)\n((?:  .*\n?)+)", block, re.MULTILINE):
            terms[term] = " ".join(definition.split())
    return entries


def test_the_glossary_defines_each_term_in_a_sentence_or_two():
    entries = glossary_entries()
    for section, terms in TERMS.items():
        missing = [term for term in terms if term not in entries.get(section, {})]
        assert not missing, f"the glossary's {section} section has no entry for {missing}"
        for term in terms:
            definition = entries[section][term]
            sentences = len(re.findall(r"[.!?](?:\s|$)", definition))
            assert 1 <= sentences <= 3 and 40 <= len(definition) <= 450, (term, definition)


def test_the_glossary_and_the_spark_ui_tour_are_in_the_sites_table_of_contents():
    toctrees = re.findall(r"```\{toctree\}\n(.*?)```", build.index_page(), re.DOTALL)
    entries = [line.strip() for tree in toctrees for line in tree.splitlines() if line.strip() and ":" not in line]
    assert "glossary" in entries and "spark_ui_tour" in entries, entries
    assert set(build.PAGES) == {"glossary.md", "spark_ui_tour.md"}


def test_the_tour_shows_one_screenshot_of_each_page_the_tour_script_takes():
    images = re.findall(r"```\{image\} (\S+)", TOUR.read_text())
    assert images == [f"spark_ui/spark_ui_{name}.png" for name in spark_ui_tour.PAGES], images


def test_a_notebooks_link_to_a_glossary_entry_becomes_the_sites_cross_reference():
    """In JupyterLab and on GitHub the link opens tools/site/glossary.md; on the site it is Sphinx's {term}, which
    the build checks."""
    solution, exercise = Path("notebooks/02_spark_job.ipynb"), Path("notebooks/exercises/02_spark_job.ipynb")
    assert build.site_links("a [**shuffle**](../tools/site/glossary.md#term-Shuffle) and [`explain()`]"
                            "(../tools/site/glossary.md#term-Plan-explain)", solution) == \
        "a {term}`shuffle <Shuffle>` and {term}`explain() <Plan / explain>`"
    assert build.site_links("[tasks](../../tools/site/glossary.md#term-Task-Spark)", exercise) == \
        "{term}`tasks <Task (Spark)>`"
    assert build.site_links("[the glossary](../../tools/site/glossary.md)", exercise) == \
        "[the glossary](../../glossary.md)"
    with pytest.raises(SystemExit, match="no glossary entry term-Shufle"):
        build.site_links("[shuffle](../tools/site/glossary.md#term-Shufle)", solution)
