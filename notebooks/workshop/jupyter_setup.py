"""JupyterLab set up for the workshop, in this Python environment: one kernel, no news pop-up, and notebooks that
opening does not change.

    python -m workshop.jupyter_setup      # make setup and Binder's postBuild run it

- The kernel is the environment's own python3 (the notebooks and papermill ask for python3), named
  "Python 3 (song plays workshop)" so that a student knows it is the workshop's; a per-user song-plays kernel
  that an older set-up registered goes. The committed notebooks' kernelspec is this kernel's, exactly
  (notebook_kernelspec): JupyterLab writes it into a notebook it saves, so anything else would change on opening.
- JupyterLab neither asks to fetch Jupyter's news nor checks for updates (jupyterlab-overrides.json).
- jupyter_server saves a notebook's language_info as committed (the extension song_plays_ops.jupyter_save): the
  other metadata JupyterLab rewrites from the kernel, with its Python's patch version.
"""
import json
import shutil
import subprocess
import sys
from pathlib import Path

from ipykernel.kernelspec import get_kernel_dict, install

KERNEL_NAME = "python3"
DISPLAY_NAME = "Python 3 (song plays workshop)"
SAVE_EXTENSION = "song_plays_ops.jupyter_save"


def install_kernel(prefix=sys.prefix):
    """The workshop's kernel, in prefix's share/jupyter/kernels/; returns its folder."""
    return Path(install(kernel_name=KERNEL_NAME, display_name=DISPLAY_NAME, prefix=prefix))


def notebook_kernelspec():
    """A notebook's metadata.kernelspec for this kernel, as JupyterLab writes it on saving: the committed notebooks
    carry exactly this (tools/navigation.py, tools/make_exercises.py), so that opening one changes nothing."""
    return {"display_name": DISPLAY_NAME, "language": get_kernel_dict()["language"], "name": KERNEL_NAME}


def enable_save_extension(prefix=sys.prefix):
    """The server extension that saves notebooks' language_info as committed, enabled in prefix's etc/jupyter (as
    `jupyter server extension enable --sys-prefix` would); returns the file that enables it."""
    config = Path(prefix, "etc", "jupyter", "jupyter_server_config.d", f"{SAVE_EXTENSION}.json")
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(json.dumps({"ServerApp": {"jpserver_extensions": {SAVE_EXTENSION: True}}}, indent=2) + "\n")
    return config


def main():
    install_kernel()
    enable_save_extension()
    subprocess.run([str(Path(sys.executable).parent / "jupyter"), "kernelspec", "remove", "-y", "song-plays"],
                   capture_output=True)
    settings = Path(sys.prefix, "share", "jupyter", "lab", "settings")
    settings.mkdir(parents=True, exist_ok=True)
    shutil.copy(Path(__file__).with_name("jupyterlab-overrides.json"), settings / "overrides.json")
    print(f"JupyterLab: one kernel, {DISPLAY_NAME!r}, no news pop-up, notebooks saved with their committed metadata")


if __name__ == "__main__":
    main()
