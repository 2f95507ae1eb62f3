"""A real HTTP server on 127.0.0.1, started by the tests, answering with recorded Admin API responses.

Each path is given a behaviour: a recorded file (optionally paged), a status, a connection closed
without an answer, a slow answer, a huge body, or a body that is not JSON. The server checks the
Admin API key header as APISIX and Kong do, and records every request it saw (never printed).
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
KEY = "PLANTED-LIVE-ADMIN-KEY-7f3a9c"  # what the server expects; must reach no output

Behaviour = Callable[["_Handler", dict[str, list[str]]], None]


@dataclass
class RecordedServer:
    """The running server: its base URL, what each path does, and the requests seen."""

    url: str
    behaviours: dict[str, Behaviour] = field(default_factory=dict)
    seen: list[tuple[str, dict[str, list[str]], dict[str, str]]] = field(default_factory=list)
    key_header: str | None = None  # when set, requests without KEY in this header get 401
    public: set[str] = field(default_factory=set)  # paths served without a key (a spec beside the API)

    def paths_seen(self, path: str) -> list[dict[str, list[str]]]:
        return [query for seen_path, query, _ in self.seen if seen_path == path]


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
        recorded = self.server.recorded
        parts = urlsplit(self.path)
        query = parse_qs(parts.query)
        recorded.seen.append((parts.path, query, dict(self.headers)))
        is_public = parts.path in recorded.public
        if recorded.key_header and not is_public and self.headers.get(recorded.key_header) != KEY:
            send(self, 401, b'{"error_msg":"failed to check token"}')
            return
        behaviour = recorded.behaviours.get(parts.path)
        if behaviour is None:
            send(self, 404, b'{"error_msg":"404 Route Not Found"}')
            return
        behaviour(self, query)

    def log_message(self, format: str, *args: object) -> None:
        return  # quiet: the test output stays clean


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    recorded: RecordedServer


def send(
    handler: BaseHTTPRequestHandler, status: int, body: bytes, content_type: str = "application/json"
) -> None:
    handler.send_response(status)
    handler.send_header("Content-Type", content_type)
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


def recorded_file(path: Path) -> Behaviour:
    """Answer with a recorded response file."""
    return lambda handler, _: send(handler, 200, path.read_bytes())


def pages(key: str, files: dict[str, Path]) -> Behaviour:
    """Answer with the recorded page whose `key` query value is given (the first when absent)."""
    first = next(iter(files.values()))
    return lambda handler, query: send(handler, 200, files.get(query.get(key, [""])[0], first).read_bytes())


def status(code: int, body: bytes = b'{"error_msg":"boom"}') -> Behaviour:
    return lambda handler, _: send(handler, code, body)


def closes_connection() -> Behaviour:
    """Accept the request, then close the connection without a byte of answer."""

    def behave(handler: _Handler, _: dict[str, list[str]]) -> None:
        handler.close_connection = True
        handler.connection.shutdown(socket.SHUT_RDWR)

    return behave


def slow(seconds: float) -> Behaviour:
    def behave(handler: _Handler, _: dict[str, list[str]]) -> None:
        time.sleep(seconds)
        try:
            send(handler, 200, b'{"total":0,"list":[]}')
        except OSError:
            pass  # the client gave up first

    return behave


def huge(size: int, declare_length: bool) -> Behaviour:
    """A JSON body of `size` bytes, with or without Content-Length (then sent until closed)."""

    def behave(handler: _Handler, _: dict[str, list[str]]) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        if declare_length:
            handler.send_header("Content-Length", str(size))
        else:
            handler.send_header("Connection", "close")
            handler.close_connection = True
        handler.end_headers()
        chunk = b" " * 65536
        try:
            handler.wfile.write(b'{"total": 1, "list": [')
            for _ in range(size // len(chunk)):
                handler.wfile.write(chunk)
        except OSError:
            pass  # the client stopped reading at its cap

    return behave


def sequence(*behaviours: Behaviour) -> Behaviour:
    """Each request gets the next behaviour; the last one repeats."""
    calls = [0]

    def behave(handler: _Handler, query: dict[str, list[str]]) -> None:
        index = min(calls[0], len(behaviours) - 1)
        calls[0] += 1
        behaviours[index](handler, query)

    return behave


@pytest.fixture
def server() -> Iterator[RecordedServer]:
    """A fresh server per test, on a free port of 127.0.0.1."""
    httpd = _Server(("127.0.0.1", 0), _Handler)
    recorded = RecordedServer(url=f"http://127.0.0.1:{httpd.server_address[1]}")
    httpd.recorded = recorded
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield recorded
    finally:
        httpd.shutdown()
        httpd.server_close()


def serve_apisix(recorded: RecordedServer) -> None:
    """APISIX 3.x: routes in two pages of a list of six, the other resources from the v3 export
    fixtures, and no consumer_groups resource (an older server: 404)."""
    admin = FIXTURES / "apisix-admin" / "v3-estate"
    live = FIXTURES / "live" / "apisix"
    recorded.key_header = "X-API-KEY"
    recorded.behaviours["/apisix/admin/routes"] = pages(
        "page", {"1": live / "routes.page1.json", "2": live / "routes.page2.json"}
    )
    for resource in ("services", "upstreams", "plugin_configs", "global_rules", "consumers", "ssls"):
        recorded.behaviours[f"/apisix/admin/{resource}"] = recorded_file(admin / f"{resource}.json")


def serve_kong(recorded: RecordedServer) -> None:
    """Kong: routes in two pages linked by `offset`/`next`, the rest from the Admin API export fixtures."""
    admin = FIXTURES / "kong" / "admin-export"
    live = FIXTURES / "live" / "kong"
    recorded.key_header = "Kong-Admin-Token"
    offset = json.loads((live / "routes.page1.json").read_text())["offset"]
    recorded.behaviours["/routes"] = pages(
        "offset", {"": live / "routes.page1.json", offset: live / "routes.page2.json"}
    )
    for resource in ("services", "plugins", "consumers"):
        recorded.behaviours[f"/{resource}"] = recorded_file(admin / f"{resource}.json")
