"""Data hosts the way instructors really publish, on 127.0.0.1, for the host tests.

ShareLinkHost, like the original workshop's Dropbox links: each file at a link of its own,
    /s/<id>/<name>?dl=1   redirects (302, or 307 for ids starting with "t") to the file on another host
    /s/<id>/<name>?dl=0   answers 200 with an HTML preview page, as Dropbox does
SignedUrlHost, like a presigned object-store URL:
    HEAD anything         403 (the signature covers GET only)
    GET /<name>?X-Amz-Signature=valid   the file, or 404; any other signature: 403
"""
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


class Server:
    def __init__(self, handler, **attributes):
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        for name, value in attributes.items():
            setattr(self.httpd, name, value)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def send_file(self, name, send_body):
        file = Path(self.server.folder) / name
        if not name or "/" in name or not file.is_file():
            self.send_error(404)
            return
        body = file.read_bytes()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if send_body:
            self.wfile.write(body)


class ContentHandler(Handler):
    """The host the share links redirect to."""

    def do_HEAD(self):
        self.send_file(urllib.parse.urlsplit(self.path).path.rsplit("/", 1)[-1], send_body=False)

    def do_GET(self):
        self.send_file(urllib.parse.urlsplit(self.path).path.rsplit("/", 1)[-1], send_body=True)


class ShareLinkHandler(Handler):
    def do_HEAD(self):
        self.answer()

    def do_GET(self):
        self.answer()

    def answer(self):
        parts = urllib.parse.urlsplit(self.path)
        segments = parts.path.strip("/").split("/")
        if len(segments) != 3 or segments[0] != "s":
            self.send_error(404)
            return
        link_id, name = segments[1], segments[2]
        if urllib.parse.parse_qs(parts.query).get("dl") != ["1"]:
            body = b"<!DOCTYPE html><html><body>Preview of a shared file</body></html>"
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command == "GET":
                self.wfile.write(body)
            return
        self.send_response(307 if link_id.startswith("t") else 302)
        self.send_header("Location", f"{self.server.content_url}/content/{link_id}/{name}")
        self.send_header("Content-Length", "0")
        self.end_headers()


class SignedUrlHandler(Handler):
    def do_HEAD(self):
        self.send_error(403, "Forbidden")

    def do_GET(self):
        parts = urllib.parse.urlsplit(self.path)
        if urllib.parse.parse_qs(parts.query).get("X-Amz-Signature") != ["valid"]:
            self.send_error(403, "Forbidden")
            return
        self.send_file(parts.path.lstrip("/"), send_body=True)


class ShareLinkHost:
    """A share-link host and the content host its links redirect to: two servers, two ports."""

    def __init__(self, folder):
        self.content = Server(ContentHandler, folder=folder)
        self.links = Server(ShareLinkHandler, folder=folder, content_url=self.content.url)
        self.url = self.links.url

    def close(self):
        self.links.close()
        self.content.close()


class SignedUrlHost(Server):
    def __init__(self, folder):
        super().__init__(SignedUrlHandler, folder=folder)
