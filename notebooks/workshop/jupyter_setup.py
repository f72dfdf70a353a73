"""JupyterLab set up for the workshop, in this Python environment: one kernel, and no news pop-up.

    python -m workshop.jupyter_setup      # make setup and Binder's postBuild run it

- The kernel is the environment's own python3 (the notebooks and papermill ask for python3), named
  "Python 3 (song plays workshop)" so that a student knows it is the workshop's; a per-user song-plays kernel
  that an older set-up registered goes.
- JupyterLab neither asks to fetch Jupyter's news nor checks for updates (jupyterlab-overrides.json).
"""
import shutil
import subprocess
import sys
from pathlib import Path

from ipykernel.kernelspec import install

DISPLAY_NAME = "Python 3 (song plays workshop)"


def main():
    install(kernel_name="python3", display_name=DISPLAY_NAME, prefix=sys.prefix)
    subprocess.run([str(Path(sys.executable).parent / "jupyter"), "kernelspec", "remove", "-y", "song-plays"],
                   capture_output=True)
    settings = Path(sys.prefix, "share", "jupyter", "lab", "settings")
    settings.mkdir(parents=True, exist_ok=True)
    shutil.copy(Path(__file__).with_name("jupyterlab-overrides.json"), settings / "overrides.json")
    print(f"JupyterLab: one kernel, {DISPLAY_NAME!r}, and no news pop-up")


if __name__ == "__main__":
    main()
