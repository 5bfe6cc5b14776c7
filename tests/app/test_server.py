"""The placeholder application answers the health check and the readiness probe (DEP-2)."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request

import pytest

from app.server import make_server


@pytest.fixture
def server():
    server = make_server("127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def get(server, path):
    url = f"http://127.0.0.1:{server.server_address[1]}{path}"
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_health_answers_200(server):
    assert get(server, "/health") == (200, {"status": "ok"})


def test_ready_until_asked_to_stop(server):
    assert get(server, "/ready") == (200, {"ready": True})
    server.stopping.set()
    assert get(server, "/ready") == (503, {"ready": False})


def test_unknown_path_is_404(server):
    assert get(server, "/admin")[0] == 404
