"""A Jupyter server extension: notebooks are saved with their language_info as committed, the language's name alone.

JupyterLab fills a notebook's language_info in from the running kernel, Python's patch version included
("3.11.7"), which differs from one machine to the next: a notebook that was only opened would be saved changed.
workshop.jupyter_setup enables this extension in this environment's etc/jupyter. The server imports it, so it
imports nothing of the workshop (whose import sets environment variables that every kernel and terminal would
inherit from the server).
"""


def keep_committed_language_info(model, **_context):
    """jupyter_server's pre-save hook: it may change the model it is given before the file is written."""
    if model.get("type") != "notebook" or not isinstance(model.get("content"), dict):
        return
    metadata = model["content"].get("metadata", {})
    if "language_info" in metadata:
        metadata["language_info"] = {"name": metadata["language_info"].get("name", "python")}


def _jupyter_server_extension_points():
    return [{"module": __name__}]


def _load_jupyter_server_extension(serverapp):
    serverapp.contents_manager.register_pre_save_hook(keep_committed_language_info)
