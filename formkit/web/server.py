"""A small threaded WSGI server for one office (werkzeug's), started by `formkit serve` and by the tests."""

from __future__ import annotations

import threading

from flask import Flask
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server


class QuietHandler(WSGIRequestHandler):
    """Log requests without their query string: the login link's token must not land in logs."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        path = self.path.split("?", 1)[0]
        self.log("info", '"%s %s" %s', self.command, path, code)


def start_server(app: Flask, host: str, port: int) -> BaseWSGIServer:
    """Bind now (so a busy port fails before the URL is printed); `serve_forever()` runs it."""
    return make_server(host, port, app, threaded=True, request_handler=QuietHandler)


def serve_in_thread(app: Flask, host: str = "127.0.0.1", port: int = 0) -> tuple[BaseWSGIServer, threading.Thread]:
    server = start_server(app, host, port)
    t = threading.Thread(target=server.serve_forever, name="formkit-web", daemon=True)
    t.start()
    return server, t
