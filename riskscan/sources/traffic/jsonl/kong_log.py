"""Kong Gateway logging plugins: file-log, http-log, tcp-log, udp-log (one JSON object per request).

Their serializer writes `request` (`method`, `uri` with its query string, `url`), `response.status`,
`client_ip`, `started_at` in epoch milliseconds, `consumer` (`id`, `username`) when one was
authenticated, and `route`/`service` objects. Only the request columns are read; headers, the
route and service objects, latencies and `tries` are skipped unread. The host comes from
`request.url`. Kong 0.x wrote that URL as `request.request_uri`, and the consumer of the credential
as `authenticated_entity.consumer_id`: both are read where the newer keys are absent.
"""

from __future__ import annotations

from riskscan.model import SourceKind
from riskscan.sources.traffic.jsonl.decode import JsonLinesReader
from riskscan.sources.traffic.jsonl.fields import FieldMap, TimeFormat

__all__ = ["KONG_LOG_FIELDS", "KongLogReader"]

KONG_LOG_FIELDS = FieldMap(
    time=("started_at",),
    method=("request.method",),
    status=("response.status",),
    path=("request.uri",),
    url=("request.url", "request.request_uri"),
    client=("consumer.id", "consumer.username", "authenticated_entity.consumer_id", "client_ip"),
    time_format=TimeFormat.EPOCH_MS,
)


class KongLogReader(JsonLinesReader):
    """Reader for Kong logging plugins' JSON entries."""

    kind = SourceKind.KONG_LOG
    title = "Kong file-log / http-log / tcp-log entries (JSON lines), plain, .gz or .zst"
    summary = ("requests per method, host and endpoint as for access logs; the consumer (else the client "
               "address) as an opaque client id; headers, route and service objects skipped unread")
    fields = KONG_LOG_FIELDS
    signature = ("request.method", "request.uri", "response.status", "started_at", "client_ip")
    format_name = "kong_log"
    description = "a Kong log"
