"""Write the lesson's modules (luigi_tasks/song_plays_tasks.py, luigi_tasks/top_zip_codes.py, spark/dataset_gen.py)
from the solution notebooks' %%writefile cells, as running the notebooks top to bottom would (part of make generated).

    python tools/write_modules.py           # write them
    python tools/write_modules.py --check   # change nothing; exit 1 when a committed module differs

A cell `%%writefile PATH` starts PATH again; `%%writefile -a PATH` adds to it; each cell's body ends with a
line break, as IPython writes it. Paths are relative to the notebook's folder.
"""
import argparse
import re
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS_DIR = ROOT / "notebooks"
WRITEFILE = re.compile(r"%%writefile\s+(-a\s+)?(\S+)")


def written_modules():
    """{module path: text} that the solution notebooks' %%writefile cells write, in notebook order."""
    written = {}
    for notebook in sorted(NOTEBOOKS_DIR.glob("[0-9][0-9]_*.ipynb")):
        for cell in nbformat.read(notebook, as_version=4).cells:
            first_line, _, body = cell.source.partition("\n")
            match = WRITEFILE.match(first_line)
            if cell.cell_type == "code" and match:
                target = (notebook.parent / match.group(2)).resolve()
                written[target] = (written.get(target, "") if match.group(1) else "") + body + "\n"
    return written


def main(argv=None):
    parser = argparse.ArgumentParser(description="Write the lesson's modules from the %%writefile cells.")
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if a module is out of date")
    args = parser.parse_args(argv)
    stale = [path for path, text in written_modules().items() if not path.exists() or path.read_text() != text]
    for path in stale:
        if args.check:
            print(f"{path.relative_to(ROOT)} differs from what the notebooks write: run `make generated`")
        else:
            path.write_text(written_modules()[path])
            print(f"wrote {path.relative_to(ROOT)}")
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
