"""Traefik JSON access logs (`accessLog.format: json`): one object per request.

Read: `StartUTC` (RFC 3339 with nanoseconds), `RequestMethod`, `RequestPath` (with its query
string), `RequestHost`, `DownstreamStatus` (what the client got) and `ClientHost` (the address
without port). `ClientUsername` (a basic-auth user), headers, router and service names are skipped
unread. Traefik's default access log is the common log format, which the `access_log` reader reads.
"""

from __future__ import annotations

from riskscan.model import SourceKind
from riskscan.sources.traffic.jsonl.decode import JsonLinesReader
from riskscan.sources.traffic.jsonl.fields import FieldMap, TimeFormat

__all__ = ["TRAEFIK_LOG_FIELDS", "TraefikLogReader"]

TRAEFIK_LOG_FIELDS = FieldMap(
    time=("StartUTC",),
    method=("RequestMethod",),
    status=("DownstreamStatus",),
    path=("RequestPath",),
    host=("RequestHost",),
    client=("ClientHost", "ClientAddr"),
    time_format=TimeFormat.ISO8601,
)


class TraefikLogReader(JsonLinesReader):
    """Reader for Traefik JSON access logs."""

    kind = SourceKind.TRAEFIK_LOG
    title = "Traefik JSON access logs, plain, .gz or .zst"
    summary = ("requests per method, host and endpoint as for access logs; the client address as an opaque "
               "client id; basic-auth users, headers, router and service names skipped unread")
    fields = TRAEFIK_LOG_FIELDS
    signature = ("StartUTC", "RequestMethod", "RequestPath", "DownstreamStatus")
    format_name = "traefik_json"
    description = "a Traefik JSON access log"
