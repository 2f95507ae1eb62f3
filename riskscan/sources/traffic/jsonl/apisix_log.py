"""Apache APISIX logger output: http-logger, file-logger, kafka-logger (and the other batch loggers)
in their default format, one JSON object per line.

The default entry (`log-util`'s full log) carries `request` (`method`, `uri` with its query string,
`url`, `headers`), `response.status`, `client_ip`, `start_time` in epoch milliseconds, and
`consumer.username` when a consumer was authenticated (older releases write `consumer` as a plain
name). Only those are read; headers other than `host`, bodies, `upstream`, `server`, latencies and
route ids are skipped unread. A logger with a custom `log_format` writes other keys: read such a log
with `--log-fields`.
"""

from __future__ import annotations

from riskscan.model import SourceKind
from riskscan.sources.traffic.jsonl.decode import JsonLinesReader
from riskscan.sources.traffic.jsonl.fields import FieldMap, TimeFormat

__all__ = ["APISIX_LOG_FIELDS", "ApisixLogReader"]

APISIX_LOG_FIELDS = FieldMap(
    time=("start_time",),
    method=("request.method",),
    status=("response.status",),
    path=("request.uri",),
    url=("request.url",),
    host=("request.headers.host",),
    client=("consumer.username", "consumer", "client_ip"),
    time_format=TimeFormat.EPOCH_MS,
)


class ApisixLogReader(JsonLinesReader):
    """Reader for APISIX logger plugins' default JSON entries."""

    kind = SourceKind.APISIX_LOG
    title = "Apache APISIX http-logger / file-logger / kafka-logger entries (JSON lines), plain, .gz or .zst"
    summary = ("requests per method, host and endpoint as for access logs; the consumer (else the client "
               "address) as an opaque client id; headers, bodies and upstream details skipped unread")
    fields = APISIX_LOG_FIELDS
    signature = ("request.method", "request.uri", "response.status", "start_time", "client_ip")
    format_name = "apisix_log"
    description = "an APISIX logger log"
