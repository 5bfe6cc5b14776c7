"""Placeholder application: answers the load balancer's health check and the readiness probe.

`/health` says the process is alive; `/ready` says it should receive traffic, and turns 503 as
soon as the process is asked to stop, so the load balancer drains it before it exits (DEP-2).
"""

from __future__ import annotations

import json
import os
import signal
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Handler(BaseHTTPRequestHandler):
    server_version = "app"
    sys_version = ""

    def do_GET(self) -> None:
        if self.path == "/health":
            self._reply(200, {"status": "ok"})
        elif self.path == "/ready":
            ready = isinstance(self.server, AppServer) and not self.server.stopping.is_set()
            self._reply(200 if ready else 503, {"ready": ready})
        else:
            self._reply(404, {"error": "not found"})

    def _reply(self, status: int, body: dict) -> None:
        payload = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args) -> None:
        # One line per request on stdout, which the container runtime ships to CloudWatch Logs.
        print(f"{self.address_string()} {format % args}", flush=True)


class AppServer(ThreadingHTTPServer):
    """The HTTP server, with the event that says the process was asked to stop."""

    def __init__(self, address: tuple[str, int]) -> None:
        super().__init__(address, Handler)
        self.stopping = threading.Event()


def make_server(host: str, port: int) -> AppServer:
    return AppServer((host, port))


def main() -> None:
    server = make_server(os.environ.get("HOST", "0.0.0.0"), int(os.environ.get("PORT", "3000")))

    def stop(signum, frame) -> None:
        server.stopping.set()
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    server.serve_forever()


if __name__ == "__main__":
    main()
