"""Write the workshop's navigation: each notebook's header and footer, its first code cell (which sets a bare
machine such as Colab up), its kernelspec (the installed kernel's: workshop.jupyter_setup), and the README's badges
and sections table.

Binder and Colab links, and the repository the first cell clones, come from one setting, REPOSITORY. After
adding, renaming or reordering a notebook, edit SECTIONS in notebooks/workshop/sections.py and run `make generated`.
With --check it changes nothing and exits 1 when anything is
out of date (the tests run it that way).
"""
import argparse
import sys
from pathlib import Path

import nbformat

from workshop.jupyter_setup import notebook_kernelspec
from workshop.sections import SECTIONS

REPOSITORY = "song-plays-workshop/song-plays-workshop"  # the repository's GitHub path: owner/name
BRANCH = "main"

NOTEBOOKS_DIR = Path(__file__).resolve().parents[1] / "notebooks"
README = NOTEBOOKS_DIR.parent / "README.md"
NAVIGATION_TAG = "navigation"
BOOTSTRAP_TAG = "bootstrap"
BADGE = "https://mybinder.org/badge_logo.svg"
COLAB_BADGE = "https://colab.research.google.com/assets/colab-badge.svg"


def repository_url():
    return f"https://github.com/{REPOSITORY}"


def binder_url(notebook=None):
    target = f"?urlpath=lab/tree/notebooks/{notebook}" if notebook else ""
    return f"https://mybinder.org/v2/gh/{REPOSITORY}/{BRANCH}{target}"


def colab_url(notebook):
    return f"https://colab.research.google.com/github/{REPOSITORY}/blob/{BRANCH}/notebooks/{notebook}"


def badges(notebook):
    """Binder and Colab, side by side."""
    return f"[![Open in Binder]({BADGE})]({binder_url(notebook)}) [![Open in Colab]({COLAB_BADGE})]({colab_url(notebook)})"


def bootstrap_cell():
    """A notebook's first code cell: on a machine without the workshop (Colab), clone it and set it up
    (binder/bootstrap.py, run in the kernel's process); where it is installed, it does nothing and prints nothing.
    The clone stays here: on Colab nothing of the workshop is on the machine before this cell runs."""
    return f'''#@title On Colab (no workshop here yet): fetch it and set it up with binder/bootstrap.py. Elsewhere nothing happens.
import importlib.util, os, runpy, subprocess
if importlib.util.find_spec("workshop") is None:
    if not os.path.isdir("song-plays-workshop"):
        subprocess.run(["git", "clone", "--depth=1", os.environ.get("SONG_PLAYS_REPOSITORY", "{repository_url()}"), "song-plays-workshop"], check=True)
    runpy.run_path("song-plays-workshop/binder/bootstrap.py", run_name="__main__")'''


def header(index):
    name, title = SECTIONS[index][:2]
    links = ["[Workshop index](../README.md)"]
    if index > 0:
        links.append(f"previous: [{SECTIONS[index - 1][1]}]({SECTIONS[index - 1][0]})")
    if index + 1 < len(SECTIONS):
        links.append(f"next: [{SECTIONS[index + 1][1]}]({SECTIONS[index + 1][0]})")
    return " · ".join(links) + f" · {badges(name)}"


def footer(index):
    if index + 1 < len(SECTIONS):
        name, title = SECTIONS[index + 1][:2]
        return f"**Next:** [{title}]({name}) · [Workshop index](../README.md)"
    return "**That's the workshop.** Back to the [workshop index](../README.md)."


def readme_table():
    """Students start from the exercises; the solutions sit beside them."""
    rows = ["| exercise | what you build | time | solution | open in |", "| --- | --- | --- | --- | --- |"]
    rows += [f"| [{title}](notebooks/exercises/{name}) | {builds} | {minutes} | [solution](notebooks/{name}) |"
             f" {badges(f'exercises/{name}')} |" for name, title, builds, minutes in SECTIONS]
    return "\n".join(rows)


def replace_region(text, region, content):
    """Put content between the README's markers for region, e.g. <!-- sections: ... --> and <!-- end of sections -->."""
    start, end = f"<!-- {region}: written by tools/navigation.py -->", f"<!-- end of {region} -->"
    if start not in text or end not in text:
        raise SystemExit(f"{README} needs the markers {start} and {end} where the {region} go")
    before, rest = text.split(start, 1)
    return f"{before}{start}\n{content}\n{end}{rest.split(end, 1)[1]}"


def set_navigation_cell(cells, position, text):
    """Keep a tagged markdown cell first (position 0) or last (position -1), with this text."""
    cell = cells[position] if cells else None
    if cell is None or NAVIGATION_TAG not in cell.metadata.get("tags", []):
        cell = nbformat.v4.new_markdown_cell(metadata={"tags": [NAVIGATION_TAG]})
        cells.insert(len(cells) if position == -1 else 0, cell)
    cell.source = text


def set_bootstrap_cell(cells):
    """The first code cell: the bootstrap, just before the parameters cell."""
    found = [cell for cell in cells if BOOTSTRAP_TAG in cell.metadata.get("tags", [])]
    if found:
        cell = found[0]
    else:
        cell = nbformat.v4.new_code_cell(metadata={"tags": [BOOTSTRAP_TAG]})
        cell.id = "bootstrap"
        first_code = next(i for i, other in enumerate(cells) if other.cell_type == "code")
        cells.insert(first_code, cell)
    cell.source = bootstrap_cell()
    # Shown collapsed: only Colab needs it, and it should not be the first thing a student reads. JupyterLab reads
    # source_hidden; Colab shows a cell in form view as its #@title line alone.
    cell.metadata["jupyter"] = {**cell.metadata.get("jupyter", {}), "source_hidden": True}
    cell.metadata["colab"] = {**cell.metadata.get("colab", {}), "cellView": "form"}


def updated_files():
    """(path, new text) for every file whose navigation is out of date."""
    changes = []
    for index, (name, *_rest) in enumerate(SECTIONS):
        path = NOTEBOOKS_DIR / name
        notebook = nbformat.read(path, as_version=4)
        set_navigation_cell(notebook.cells, 0, header(index))
        set_navigation_cell(notebook.cells, -1, footer(index))
        set_bootstrap_cell(notebook.cells)
        notebook.metadata["kernelspec"] = notebook_kernelspec()  # what JupyterLab would write on saving
        text = nbformat.writes(notebook)
        text += "" if text.endswith("\n") else "\n"  # as nbformat.write leaves it
        if text != path.read_text(encoding="utf-8"):
            changes.append((path, text))
    readme = README.read_text(encoding="utf-8")
    new_readme = replace_region(readme, "badge", badges(f"exercises/{SECTIONS[0][0]}"))
    new_readme = replace_region(new_readme, "sections", readme_table())
    if new_readme != readme:
        changes.append((README, new_readme))
    return changes


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if anything is out of date")
    args = parser.parse_args(argv)
    on_disk = sorted(path.name for path in NOTEBOOKS_DIR.glob("[0-9][0-9]_*.ipynb"))
    listed = sorted(name for name, *_rest in SECTIONS)
    if on_disk != listed:
        print(f"SECTIONS lists {listed}, but notebooks/ holds {on_disk}: edit SECTIONS in notebooks/workshop/sections.py")
        return 1
    changes = updated_files()
    for path, text in changes:
        if args.check:
            print(f"{path.name}: navigation is out of date; run `make generated`")
        else:
            path.write_text(text, encoding="utf-8")
            print(f"updated {path.name}")
    return 1 if args.check and changes else 0


if __name__ == "__main__":
    sys.exit(main())
