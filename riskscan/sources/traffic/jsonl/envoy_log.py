"""Envoy access logs: JSON (`json_format`) keyed by the command operators' usual names, or the default
text format.

Envoy has no fixed JSON shape: `json_format` names the keys. The names its documentation and
Istio's default JSON encoding use are read: `start_time` (`%START_TIME%`, ISO 8601), `method`
(`%REQ(:METHOD)%`), `path` (`%REQ(X-ENVOY-ORIGINAL-PATH?:PATH)%`, with its query string),
`response_code` (0 when no response was sent: such a line carries no request),
`downstream_remote_address` (the client, port dropped) and `authority` (`%REQ(:AUTHORITY)%`); and
the names of the default JSON formats of the two Gateway API controllers built on Envoy: Envoy
Gateway's (`x-envoy-origin-path` for the path, `:authority`) and Contour's (`@timestamp` for the
start time). Other keys (user agent, `x_forwarded_for`, request id, upstream) are skipped unread.
Other key names: `--log-fields`.

The default text format (when no format is configured) is
`[%START_TIME%] "%REQ(:METHOD)% %REQ(X-ENVOY-ORIGINAL-PATH?:PATH)% %PROTOCOL%" %RESPONSE_CODE%
%RESPONSE_FLAGS% %BYTES_RECEIVED% %BYTES_SENT% %DURATION% %RESP(X-ENVOY-UPSTREAM-SERVICE-TIME)%
"%REQ(X-FORWARDED-FOR)%" "%REQ(USER-AGENT)%" "%REQ(X-REQUEST-ID)%" "%REQ(:AUTHORITY)%" "%UPSTREAM_HOST%"`
(later fields, which newer releases add, are read past). It has no downstream address: the client is
the last address of `X-Forwarded-For`, the one Envoy (or the proxy nearest it) appended; the
addresses before it are the client's own claims and are not trusted (the first is whatever the client
chose to send: a credential-stuffing client that forges it each time would count as many clients). A
line whose `X-Forwarded-For` is `-` has no client address: it counts as the one unknown client `-`,
as in every JSON-lines format. Istio's default proxy log is this format with
`%RESPONSE_CODE_DETAILS% %CONNECTION_TERMINATION_DETAILS% "%UPSTREAM_TRANSPORT_FAILURE_REASON%"` after
the response flags and `%UPSTREAM_CLUSTER% %UPSTREAM_LOCAL_ADDRESS% %DOWNSTREAM_LOCAL_ADDRESS%
%DOWNSTREAM_REMOTE_ADDRESS% %REQUESTED_SERVER_NAME% %ROUTE_NAME%` after the upstream host: there the
client is `%DOWNSTREAM_REMOTE_ADDRESS%` (port dropped), the address Envoy itself judged the client's,
else `X-Forwarded-For` as above. One pattern per batch takes the fields; a line it misses (a quote
inside the user agent, another format) is rejected.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

from riskscan.model import SourceKind
from riskscan.sources import ReadContext
from riskscan.sources.traffic.docker_prefix import plain_head
from riskscan.sources.traffic.jsonl.columns import requests_from_columns
from riskscan.sources.traffic.jsonl.decode import JsonLinesReader, head_objects, resolve
from riskscan.sources.traffic.jsonl.fields import FieldMap, TimeFormat
from riskscan.sources.traffic.line_log import LineFormat, ParsedLines
from riskscan.sources.traffic.lines import LineBatch

if TYPE_CHECKING:
    import polars as pl

__all__ = ["ENVOY_LOG_FIELDS", "EnvoyLogReader", "EnvoyTextFormat"]

ENVOY_LOG_FIELDS = FieldMap(
    time=("start_time", "@timestamp"),
    method=("method",),
    status=("response_code",),
    path=("path", "x-envoy-origin-path"),
    host=("authority", ":authority"),
    client=("downstream_remote_address",),
    time_format=TimeFormat.ISO8601,
)


_TEXT = (
    r'^\[(?P<time>[^\]]+)\] "(?P<method>\S+) (?P<path>\S+) [^" ]+" (?P<status>[0-9]{1,3})'
    r' \S+(?P<istio> \S+ \S+ "[^"]*")? \S+ \S+ \S+ \S+ '
    r'"(?P<forwarded>[^"]*)" "[^"]*" "[^"]*" "(?P<authority>[^"]*)"'
    r'(?: "[^"]*" \S+ \S+ \S+ (?P<downstream>\S+))?'
)
_TEXT_LINE = re.compile(_TEXT.encode())
_SIGNATURE = (ENVOY_LOG_FIELDS.time, ENVOY_LOG_FIELDS.method, ENVOY_LOG_FIELDS.path, ENVOY_LOG_FIELDS.status)
_SNIFF_LINES = 20


class EnvoyLogReader(JsonLinesReader):
    """Reader for Envoy access logs: JSON with the usual key names, or the default text format."""

    kind = SourceKind.ENVOY_LOG
    title = ("Envoy access logs: JSON (json_format with the command operators' names) or the default "
             "text format")
    summary = ("requests per method, authority and endpoint as for access logs; the downstream address "
               "(JSON) or the address Envoy appended to X-Forwarded-For (text) as an opaque client id; user "
               "agents and request ids skipped unread")
    fields = ENVOY_LOG_FIELDS
    signature = ("start_time", "method", "path", "response_code")
    format_name = "envoy_json"
    description = "an Envoy JSON access log"

    def sniff(self, path: Path, head: bytes) -> bool:
        """True for JSON lines with a time, method, path and response code under one of the names the
        field map knows, or mostly default-format text lines."""
        objects = head_objects(head)
        good = sum(all(any(resolve(entry, key) is not None for key in keys) for keys in _SIGNATURE)
                   for entry in objects)
        return (good > 0 and good * 2 > len(objects)) or _is_text_log(head)

    def line_format(self, head: bytes, context: ReadContext) -> LineFormat:
        """The default text format or JSON, as the file's first lines are."""
        return EnvoyTextFormat() if _is_text_log(head) else super().line_format(head, context)


class EnvoyTextFormat:
    """Envoy's default text access-log format, a batch at a time."""

    name = "envoy_text"
    description = "an Envoy access log"

    def parse(self, batch: LineBatch, lines: pl.DataFrame) -> ParsedLines:
        """Request rows of the lines the pattern takes; the others are rejected."""
        import polars as pl

        groups = pl.col("text").str.extract_groups(_TEXT).alias("fields")
        fields = lines.select("line", groups).unnest("fields")
        matched = fields.filter(pl.col("time").is_not_null())
        forwarded = pl.col("forwarded").str.split(",").list.last().str.strip_chars()
        downstream = pl.col("downstream").replace("-", None)
        raw = matched.select(
            "line", "time", "method", "status", "path",
            url=pl.lit(None, pl.String), host="authority", client=pl.coalesce(downstream, forwarded),
        )
        parsed = requests_from_columns(raw, ENVOY_LOG_FIELDS, self.name)
        parsed.malformed = sorted([*parsed.malformed, *fields.filter(pl.col("time").is_null())["line"]])
        istio = matched.filter(pl.col("istio").is_not_null()).height
        parsed.variants = +Counter({self.name: matched.height - istio, "istio_text": istio})
        return parsed


def _is_text_log(head: bytes) -> bool:
    lines = plain_head(head).split(b"\n")
    if len(lines) > 1 and len(head) >= 4096:
        lines.pop()
    sample = [line for line in lines if line.strip()][:_SNIFF_LINES]
    good = sum(_TEXT_LINE.match(line.strip()) is not None for line in sample)
    return good > 0 and good * 2 > len(sample)
