"""Envoy JSON access logs (`json_format`) keyed by the command operators' usual names.

Envoy has no fixed JSON shape: `json_format` names the keys. The names its documentation and
Istio's default JSON encoding use are read: `start_time` (`%START_TIME%`, ISO 8601), `method`
(`%REQ(:METHOD)%`), `path` (`%REQ(X-ENVOY-ORIGINAL-PATH?:PATH)%`, with its query string),
`response_code` (0 when no response was sent: such a line carries no request),
`downstream_remote_address` (the client, port dropped) and `authority` (`%REQ(:AUTHORITY)%`). Other
keys (user agent, `x_forwarded_for`, request id, upstream) are skipped unread. Other key names:
`--log-fields`.
"""

from __future__ import annotations

from riskscan.model import SourceKind
from riskscan.sources.traffic.jsonl.decode import JsonLinesReader
from riskscan.sources.traffic.jsonl.fields import FieldMap, TimeFormat

__all__ = ["ENVOY_LOG_FIELDS", "EnvoyLogReader"]

ENVOY_LOG_FIELDS = FieldMap(
    time=("start_time",),
    method=("method",),
    status=("response_code",),
    path=("path",),
    host=("authority",),
    client=("downstream_remote_address",),
    time_format=TimeFormat.ISO8601,
)


class EnvoyLogReader(JsonLinesReader):
    """Reader for Envoy JSON access logs."""

    kind = SourceKind.ENVOY_LOG
    title = "Envoy JSON access logs (json_format with the command operators' names), plain, .gz or .zst"
    summary = ("requests per method, authority and endpoint as for access logs; the downstream address "
               "(port dropped) as an opaque client id; user agents, forwarded-for and request ids skipped unread")
    fields = ENVOY_LOG_FIELDS
    signature = ("start_time", "method", "path", "response_code")
    format_name = "envoy_json"
    description = "an Envoy JSON access log"
