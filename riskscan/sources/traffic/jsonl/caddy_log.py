"""Caddy JSON access logs (the `log` directive's default JSON encoder), alone or in Caddy's whole log.

An access entry is logged by `http.log.access` (or a named `http.log.access.log0`), one JSON object
per line: `ts` (epoch seconds with a fraction by default; the encoder's `time_format` may make it
milliseconds, nanoseconds, ISO 8601 / RFC 3339, `wall` or `common_log` text, all read), `status`, and `request` with `client_ip` (the client
as trusted proxies let Caddy judge it), `remote_ip` (the peer), `method`, `host` and `uri` (path and
query string). Kept: those; the client is `client_ip`, else `remote_ip`, else `remote_addr` (older
releases' `ip:port`). `user_id`, request and response headers (cookies, authorization), TLS details,
`bytes_read`, `size` and `duration` are skipped unread.

Caddy writes its other messages (startup, admin, TLS certificate maintenance, shutdown) into the
same stream, each with `level`, `ts`, `msg` and a `logger` other than `http.log.access*` (or none):
those are no entries, passed over like a header, so a mixed stream is read, not rejected. Lines
captured through `docker compose logs` (`caddy  | {...}`) are read as Caddy wrote them
(`decode.COMPOSE_PREFIX`).
"""

from __future__ import annotations

from pathlib import Path

from riskscan.model import SourceKind
from riskscan.sources.traffic.jsonl.decode import JsonLinesReader, head_objects, resolve
from riskscan.sources.traffic.jsonl.fields import FieldMap, TimeFormat

__all__ = ["CADDY_LOG_FIELDS", "CaddyLogReader"]

CADDY_LOG_FIELDS = FieldMap(
    time=("ts",),
    method=("request.method",),
    status=("status",),
    path=("request.uri",),
    host=("request.host",),
    client=("request.client_ip", "request.remote_ip", "request.remote_addr"),
    time_format=TimeFormat.ANY,
    entry_key="logger",
    entry_prefix="http.log.access",
)
_SNIFF_LINES = 200  # Caddy opens its log with a dozen or more startup messages
_MESSAGE_KEYS = ("level", "ts", "msg")  # every line of Caddy's default JSON encoder


class CaddyLogReader(JsonLinesReader):
    """Reader for Caddy JSON access logs, its other messages passed over."""

    kind = SourceKind.CADDY_LOG
    title = "Caddy JSON access logs (http.log.access), Caddy's whole log or docker compose logs, plain, .gz or .zst"
    summary = ("requests per method, host and endpoint as for access logs; client_ip (else the peer address) "
               "as an opaque client id; Caddy's other messages passed over; headers and user_id skipped unread")
    fields = CADDY_LOG_FIELDS
    signature = ("ts", "request.method", "request.uri", "status")
    format_name = "caddy_json"
    description = "a Caddy access log"

    def sniff(self, path: Path, head: bytes) -> bool:
        """True when most of the first lines are Caddy's messages (`level`, `ts`, `msg`) and at least one
        is an access entry with the request keys."""
        objects = head_objects(head, _SNIFF_LINES)
        messages = sum(all(resolve(entry, key) is not None for key in _MESSAGE_KEYS) for entry in objects)
        entries = sum(_is_access_entry(entry) for entry in objects)
        return entries > 0 and messages * 2 > len(objects)


def _is_access_entry(entry: object) -> bool:
    logger = resolve(entry, "logger") or ""
    return logger.startswith("http.log.access") and all(resolve(entry, key) is not None
                                                        for key in CaddyLogReader.signature)
