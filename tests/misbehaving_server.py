"""A data host that misbehaves on purpose, on 127.0.0.1, for the fault tests.

The first part of the path picks the misbehaviour, the rest names a file in the folder it publishes:
    /ok/NAME            serves the file
    /status500/NAME     answers 500 to everything
    /truncated/NAME     promises the whole file (Content-Length), sends half, and hangs up
    /html/NAME          answers 200 with an HTML error page instead of the file
    /stall/NAME         answers HEAD, then accepts GET and says nothing
    /stall-body/NAME    answers HEAD, then sends GET's headers and 1 KB, and stops
    /slow/NAME          sends the file in small pieces, slowly (a download that can be killed midway)
"""
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

STALL_SECONDS = 300


class MisbehavingHandler(BaseHTTPRequestHandler):
    def do_HEAD(self):
        self.respond(send_body=False)

    def do_GET(self):
        self.respond(send_body=True)

    def respond(self, send_body):
        mode, _, name = self.path.lstrip("/").partition("/")
        if mode == "status500":
            self.send_error(500, "Internal Server Error")
            return
        file = self.server.folder / name
        if not name or not file.is_file():
            self.send_error(404)
            return
        if send_body and mode == "stall":
            time.sleep(STALL_SECONDS)
            return
        body = file.read_bytes()
        if send_body and mode == "html":
            body = b"<!DOCTYPE html><html><body><h1>Sorry, we are down for maintenance</h1></body></html>"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not send_body:
            return
        if mode == "truncated":
            self.wfile.write(body[: len(body) // 2])
            self.close_connection = True
        elif mode == "stall-body":
            self.wfile.write(body[:1024])
            self.wfile.flush()
            time.sleep(STALL_SECONDS)
        elif mode == "slow":
            for start in range(0, len(body), 4096):
                self.wfile.write(body[start:start + 4096])
                self.wfile.flush()
                time.sleep(0.05)
        else:
            self.wfile.write(body)

    def log_message(self, *args):
        pass  # keep test output quiet


class MisbehavingServer:
    def __init__(self, folder):
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), MisbehavingHandler)
        self.httpd.daemon_threads = True  # stalled handlers must not keep the tests alive
        self.httpd.folder = Path(folder)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def url(self, mode):
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/{mode}"

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()
