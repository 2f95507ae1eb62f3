"""AWS Application Load Balancer access logs, plain or gzip (as ALB delivers them to S3), streamed.

An entry is one line of space-separated fields, some quoted (AWS documentation, "Access log entries"):

    type time elb client:port target:port request_processing_time target_processing_time
    response_processing_time elb_status_code target_status_code received_bytes sent_bytes
    "request" "user_agent" ssl_cipher ssl_protocol target_group_arn "trace_id" "domain_name"
    "chosen_cert_arn" matched_rule_priority request_creation_time "actions_executed" "redirect_url"
    "error_reason" "target:port_list" "target_status_code_list" "classification"
    "classification_reason" conn_trace_id ...

AWS appends new fields at the end (the target lists and classifications in 2020, `conn_trace_id` in
2024, transformed host and URI since) and tells readers to ignore any they do not expect, so only
the first fourteen are read by position and the rest only where `domain_name` is needed. Kept: the
client address without its port (hashed by the engine), `time` (when the load balancer answered,
ISO 8601 UTC), `elb_status_code` (what the client got, even when no target answered), and method,
host, path and query from `request` (`GET https://api.example.com:443/v1/claims?x=1 HTTP/1.1`).
The host is the URL's, which ALB builds from the Host header; when that is only an IP address, the
TLS SNI name (`domain_name`) names the server better. Everything else (targets, timings, user agent,
TLS, ARNs, trace ids, redirect URLs) is dropped at ingestion.

Parsing is vectorised: a pattern without captures accepts the common lines, whose fields are then
split and sliced per batch; a line it misses (escaped quotes, a URL with bytes outside ASCII, a
`-` status) goes through `_slow_request`, the reference the fast path agrees with.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from riskscan.model import SourceKind, TrafficSample
from riskscan.sources import ReadContext
from riskscan.sources.traffic.access_log_parse import split_request, split_target, vhost_name
from riskscan.sources.traffic.docker_prefix import plain_head
from riskscan.sources.traffic.line_log import ParsedLines, SlowRequest, parse_slowly, read_line_log
from riskscan.sources.traffic.lines import LineBatch

if TYPE_CHECKING:
    import polars as pl

__all__ = ["AlbLogFormat", "AlbLogReader"]

_SNIFF_LINES = 20
_TYPES = ("http", "https", "h2", "grpcs", "ws", "wss")
_TIME = r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]{1,9})?Z"
_SECONDS = r"-?[0-9]+(?:\.[0-9]+)?"
# The fast path, one pass per batch: the documented types, plain tokens without `"` up to the status
# codes, a three-digit ELB status, a request line whose method is letters and whose absolute URL is
# printable ASCII without quotes, spaces or userinfo. The groups capture what is kept; a line the
# pattern misses gives nulls and goes to `_slow_request`.
_FAST = (
    rf"^(?:{'|'.join(_TYPES)}) (?P<time>[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}T[0-9]{{2}}:[0-9]{{2}}:[0-9]{{2}})"
    rf"(?:\.[0-9]{{1,9}})?Z [!#-~]+ (?P<client>[!#-~]+) [!#-~]+ {_SECONDS} {_SECONDS} {_SECONDS} "
    r'(?P<status>[1-5][0-9]{2}) [!#-~]+ [0-9-]+ [0-9-]+ "(?P<method>[A-Za-z]{1,20}) '
    r'(?P<url>https?://[!#-.0-?A-~]+/[!#-~]*) HTTP/[0-9.]{1,5}" '
)
# The SNI name: the fourth quoted field after the request (user agent, trace id, then domain_name).
_DOMAIN = r'HTTP/[0-9.]{1,5}" "(?:[^"\\]|\\.)*" [^ ]* [^ ]* [^ ]* "[^"]*" "([^"]*)"'
_FIELD = re.compile(rb'"(?:[^"\\]|\\.)*"|[^ ]+')
_IP_LITERAL = r"^(?:[0-9]{1,3}(?:\.[0-9]{1,3}){3}|[0-9a-f]*:[0-9a-f:.]*)$"  # IPv4, or IPv6 (has a `:`)
# Epochs a timestamp may have: from 1970 to the day before the last `datetime` can show everywhere.
_LAST_EPOCH = int(datetime(9999, 12, 30, tzinfo=UTC).timestamp())


class AlbLogReader:
    """Reader for AWS Application Load Balancer access logs."""

    kind = SourceKind.ALB_LOG
    title = "AWS Application Load Balancer access logs, plain or .gz"
    summary = ("requests per method, host and path from the request URL and the ELB status; client addresses "
               "hashed, user agents, targets, TLS details and trace ids dropped at ingestion")

    def sniff(self, path: Path, head: bytes) -> bool:
        """True when most of the first non-empty lines (up to 20) are ALB entries with a request (behind
        a `docker compose logs` prefix or not)."""
        lines = plain_head(head).split(b"\n")
        if len(lines) > 1 and len(head) >= 4096:
            lines.pop()  # the head may end inside a line
        sample = [line for line in lines if line.strip()][:_SNIFF_LINES]
        good = sum(_slow_request(line) != "malformed" for line in sample)
        return good > 0 and good * 2 > len(sample)

    def read(self, path: Path, context: ReadContext) -> TrafficSample:
        """Stream the log and aggregate it; raise `TrafficLogError` when it is not an ALB log."""
        return read_line_log(path, context, AlbLogFormat())

    def line_format(self, head: bytes, context: ReadContext) -> AlbLogFormat:
        """The one ALB format (the Spark engine asks for it)."""
        return AlbLogFormat()


class AlbLogFormat:
    """ALB access-log entries, parsed a batch at a time."""

    name = "alb"
    description = "an ALB access log"

    def parse(self, batch: LineBatch, lines: pl.DataFrame) -> ParsedLines:
        """Request rows of the lines the fast pattern takes, and of the others through `_slow_request`."""
        import polars as pl

        groups = lines.select("line", "text", fields=pl.col("text").str.extract_groups(_FAST)).unnest("fields")
        is_fast = pl.col("time").is_not_null()
        fast = _fields(groups.filter(is_fast))
        rows = fast.filter(pl.col("epoch").is_not_null())
        parsed = ParsedLines(
            requests=_request_rows(rows),
            malformed=fast.filter(pl.col("epoch").is_null())["line"].to_list(),
            variants=Counter(alb=lines.height),
        )
        slow = groups.filter(~is_fast)["line"].to_list()
        if slow:
            parse_slowly(batch, slow, parsed, _slow_request)
        return parsed


def _fields(groups: pl.DataFrame) -> pl.DataFrame:
    """line, text, client (no port), epoch (null when not a real time), status, method and url.

    Times are not parsed per line: the distinct minutes of a batch (an ALB file spans five) are
    read once each and the seconds added.
    """
    import polars as pl

    minute = pl.col("time").str.slice(0, 16)
    minutes = groups.select(minute.unique())["time"].to_list()
    starts = [_minute_epoch(value) for value in minutes]
    second = pl.col("time").str.slice(17, 2).cast(pl.Int64)
    epoch = minute.replace_strict(minutes, starts, default=None, return_dtype=pl.Int64) + second
    return groups.select(
        "line",
        "text",
        "method",
        "url",
        client=pl.col("client").str.replace(r":[0-9]+$", "").str.strip_chars("[]"),
        epoch=pl.when((second < 60) & epoch.is_between(0, _LAST_EPOCH)).then(epoch),
        status=pl.col("status").cast(pl.Int32),
    ).with_columns(pl.col("method").str.to_uppercase())


def _minute_epoch(minute: str) -> int | None:
    """`2018-07-02T22:23` -> epoch seconds of that minute (UTC), None when it is no real one."""
    try:
        return int(datetime.strptime(minute, "%Y-%m-%dT%H:%M").replace(tzinfo=UTC).timestamp())
    except ValueError:
        return None


def _request_rows(rows: pl.DataFrame) -> pl.DataFrame:
    """The fast rows as `REQUEST_SCHEMA` rows: the URL split into host, path and query."""
    import polars as pl

    url = pl.col("url")
    after_scheme = url.str.slice(url.str.find("://", literal=True) + 3)
    split = rows.select(
        "line", "client", "epoch", "method", "status", "text",
        authority=after_scheme.str.slice(0, after_scheme.str.find("/", literal=True)),
        target=after_scheme.str.slice(after_scheme.str.find("/", literal=True)),
    )
    target = pl.col("target")
    question, hash_mark = target.str.find("?", literal=True), target.str.find("#", literal=True)
    end = hash_mark.fill_null(target.str.len_bytes())
    authorities = split["authority"].unique().to_list()
    host = pl.col("authority").replace_strict(
        authorities, [vhost_name(value.encode()) for value in authorities], default=None, return_dtype=pl.String)
    frame = split.with_columns(
        host=host,
        path=target.str.slice(0, pl.min_horizontal(question.fill_null(end), end)),
        query=pl.when(question + 1 < end).then(target.str.slice(question + 1, end - question - 1)),
    )
    return _with_sni_hosts(frame).select(
        "line", "client", "epoch", "method", "host", "path", "query", "status")


def _with_sni_hosts(frame: pl.DataFrame) -> pl.DataFrame:
    """Rows whose URL host is an IP address take the SNI `domain_name` instead, when one was sent."""
    import polars as pl

    is_ip = pl.col("host").str.contains(_IP_LITERAL)
    named = frame.filter(is_ip.fill_null(False))
    if named.height == 0:
        return frame
    domain = pl.col("text").str.extract(_DOMAIN, 1).str.to_lowercase()
    named = named.with_columns(
        host=pl.when(domain.is_not_null() & (domain != "-") & (domain != "")).then(domain).otherwise("host"))
    return pl.concat([frame.filter(~is_ip.fill_null(False)), named])


def _slow_request(line: bytes) -> SlowRequest | str:
    """One entry by the documented grammar: its request (client, epoch, method, host, path, query,
    status), `malformed` when it is no ALB entry, `not_request` when it carries no HTTP request."""
    fields = _FIELD.findall(line)
    if len(fields) < 14 or not fields[12].startswith(b'"') or not fields[0].isalnum():
        return "malformed"
    epoch = _epoch(fields[1])
    client = fields[3].rpartition(b":")[0].strip(b"[]")
    if epoch is None or not client:
        return "malformed"
    status, request = fields[8], fields[12][1:-1]
    split = split_request(request)
    host, path = split_target(split[1]) if split is not None else (None, None)
    if split is None or path is None or not status.isdigit() or not 100 <= int(status) <= 599:
        return "not_request"
    if host is not None and re.fullmatch(_IP_LITERAL, host) and len(fields) > 18:
        domain = fields[18].strip(b'"').decode("utf-8", "replace").lower()
        host = domain if domain not in ("", "-") else host
    query = split[1].partition(b"#")[0].partition(b"?")[2].decode("utf-8", "replace") or None
    return client.decode("utf-8", "replace"), epoch, split[0], host, path, query, int(status)


def _epoch(stamp: bytes) -> int | None:
    """`2018-07-02T22:23:00.186641Z` -> epoch seconds, None when it is not such a UTC time."""
    if not re.fullmatch(_TIME.encode(), stamp):
        return None
    try:
        moment = datetime.strptime(stamp[:19].decode(), "%Y-%m-%dT%H:%M:%S").replace(tzinfo=UTC)
    except ValueError:  # 30 February, hour 25 ...
        return None
    epoch = int(moment.timestamp())
    return epoch if 0 <= epoch <= _LAST_EPOCH else None
