"""Downloads that are whole, checked and atomic, with errors that name the URL and say what to do.

    url_exists(url)        True when the host has the file, False on 404 (not published yet); raises otherwise;
                           redirects are followed, and a host that refuses HEAD is asked with GET
    download(url, target)  streams the file into the target's path; it appears whole and Parquet, or not at all
"""
import http.client
import os
import shutil
import urllib.error
import urllib.request
from pathlib import Path

from song_plays_luigi.settings import http_timeout


class HostAnswered(OSError):
    """The host answered with an error status other than 404."""

    def __init__(self, message, code):
        super().__init__(message)
        self.code = code


def open_url(url, method="GET", headers=None):
    """Open url with a timeout, following redirects. 404 raises FileNotFoundError; every other failure names the URL."""
    try:
        return urllib.request.urlopen(urllib.request.Request(url, method=method, headers=headers or {}),
                                      timeout=http_timeout())
    except urllib.error.HTTPError as error:
        error.close()
        if error.code == 404:
            raise FileNotFoundError(f"{url} is not published (HTTP 404).") from None
        raise HostAnswered(f"{url} answered HTTP {error.code} {error.reason}.", error.code) from None
    except (urllib.error.URLError, TimeoutError) as error:
        reason = getattr(error, "reason", error)
        if isinstance(reason, TimeoutError):
            raise TimeoutError(f"{url} did not answer within {http_timeout():g} s. Try again later, "
                               "or give a slow host more time with SONG_PLAYS_HTTP_TIMEOUT.") from None
        problem = "Nothing is listening at" if isinstance(reason, ConnectionRefusedError) else f"Cannot reach ({reason})"
        raise ConnectionError(f"{problem} {url}. Start the workshop's data server with `make serve-data`, "
                              "or point SONG_PLAYS_DATA_URL at your data host.") from None


def url_exists(url):
    """Whether the host publishes url: 404 means not yet; an unreachable host is an error, not a 'no'.

    It asks with HEAD. Hosts that refuse HEAD but serve GET (signed URLs: 403, or 405, 501) are asked for the
    file's first byte instead.
    """
    try:
        with open_url(url, method="HEAD"):
            return True
    except FileNotFoundError:
        return False
    except HostAnswered as refused:
        if refused.code not in (403, 405, 501):
            raise
    try:
        with open_url(url, headers={"Range": "bytes=0-0"}):
            return True
    except FileNotFoundError:
        return False


def check_parquet(path, url):
    """A Parquet file starts and ends with PAR1, and its footer fits; an HTML error page does not."""
    size = os.path.getsize(path)
    with open(path, "rb") as f:
        head = f.read(4)
        f.seek(max(size - 8, 0))
        tail = f.read(8)
    footer_length = int.from_bytes(tail[:4], "little") if len(tail) == 8 else size
    if head != b"PAR1" or tail[4:] != b"PAR1" or footer_length > size - 12:
        raise ValueError(f"{url} did not send a Parquet file (it starts with {head!r}). "
                         "Check that SONG_PLAYS_DATA_URL points at the folder that holds the workshop's files.")


def copy_whole(response, out, url):
    """Copy the body; a stall, a reset or a body shorter than promised is an error that says to run again."""
    try:
        shutil.copyfileobj(response, out)
    except TimeoutError:
        raise TimeoutError(f"{url} stopped sending for {http_timeout():g} s. Run the task again.") from None
    except (OSError, http.client.HTTPException) as error:
        raise OSError(f"Downloading {url} broke off ({error!r}). Run the task again.") from None
    # urllib does not notice a connection closed early, so compare with what the server promised.
    promised, received = response.headers.get("Content-Length"), out.tell()
    if promised is not None and int(promised) != received:
        raise OSError(f"Downloading {url} broke off after {received} of {promised} bytes. Run the task again.")


def download(url, target):
    """Stream url into the LocalTarget target: it appears only once whole and Parquet.

    Not luigi's target.open("w"): its temporary file is not hidden, and a Spark glob over the day folders
    (data/spins/2019/02/*) would read half a file. This one starts with a dot, which Spark skips. Folders
    made for the file are removed again when it does not arrive, so a failed day leaves no empty folder.
    """
    final_path = Path(target.path)
    new_folders = [folder for folder in (final_path.parent, *final_path.parent.parents) if not folder.exists()]
    final_path.parent.mkdir(parents=True, exist_ok=True)
    partial_path = final_path.with_name(f".{final_path.name}.partial-{os.getpid()}")
    try:
        with open_url(url) as response, open(partial_path, "wb") as partial:
            copy_whole(response, partial, url)
        check_parquet(partial_path, url)
        os.replace(partial_path, final_path)  # atomic; it also replaces a file re-published in place
    finally:
        partial_path.unlink(missing_ok=True)  # never leave half a file behind
        if not final_path.exists():
            for folder in new_folders:  # deepest first
                try:
                    folder.rmdir()
                except OSError:
                    break
