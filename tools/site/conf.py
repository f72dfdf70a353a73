"""Sphinx's settings for the workshop's site (`make site`, tools/site/build.py stages the pages).

Sphinx with MyST-NB and the book theme: all from PyPI, built offline; the pages are the notebooks as the tests
executed them, and the theme's launch buttons open each one on Binder or Colab.
"""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import navigation  # noqa: E402 - the one repository setting

project = "Song plays: a data-engineering workshop"
author = "the song plays workshop"
extensions = ["myst_nb"]
nb_execution_mode = "off"          # the outputs are papermill's, from the tests' runs
nb_merge_streams = True
myst_heading_anchors = 3
exclude_patterns = ["**/.ipynb_checkpoints"]
html_theme = "sphinx_book_theme"
html_title = "Song plays workshop"
html_static_path = []
html_theme_options = {
    "repository_url": navigation.repository_url(),
    "repository_branch": navigation.BRANCH,
    "path_to_docs": "",
    "use_repository_button": True,
    "launch_buttons": {
        "binderhub_url": "https://mybinder.org",
        "colab_url": "https://colab.research.google.com",
        "notebook_interface": "jupyterlab",
    },
}
# Without a default, the theme starts from an empty mode and logs an error in the browser's console.
html_context = {"default_mode": "light"}
