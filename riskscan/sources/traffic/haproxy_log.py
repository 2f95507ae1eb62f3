"""HAProxy HTTP and HTTPS logs (`option httplog`, the HTTPS format, `option httplog clf`), streamed.

HAProxy writes one line per HTTP transaction (configuration manual, "8.2.3 HTTP log format"):

    client_ip:port [accept_date] frontend backend/server TR/Tw/Tc/Tr/Ta status bytes_read
    req_cookie res_cookie termination_state actconn/feconn/beconn/srv_conn/retries srv_queue/backend_queue
    {captured request headers} {captured response headers} "request line"

The header blocks appear only when captures are configured. The HTTPS format ("8.2.4") appends
`fc_err/ssl_fc_err/ssl_c_err/ssl_c_ca_err/ssl_fc_is_resumed sni/ssl_version/ssl_cipher` after the
request line. The line comes with a syslog prefix (RFC 3164 `Feb 25 16:19:38 host haproxy[7]: `, or
without the host as HAProxy itself sends it: `log stdout format rfc3164` writes
`<134>Feb 25 16:19:38 haproxy[7]: `; RFC 5424 `<134>1 2024-06-20T11:47:56+02:00 host haproxy 7 - - `;
HAProxy's `short` `<134>`), or none
when HAProxy logs to stdout; a `docker compose logs` prefix (`haproxy-1  | `) is taken too, on a file
whose lines all have it as on every line format (`docker_prefix`), and here on any single line.

Kept: the client address without its port (hashed by the engine), the accept date as the request
time (HAProxy writes local time without an offset: read as UTC), the status, and method, path, query
and, for an absolute-form target (`GET http://api.example.com/x`), host from the request line.
Captured headers and cookies (which may hold anything, credentials included), frontends, servers,
timers and TLS details are read past and never kept. Lines HAProxy writes about a connection with no
HTTP request (TCP-mode entries, `SSL handshake failure`, `"<BADREQ>"`, status -1: the client left
before any response) carry no request. HAProxy's own messages (`Proxy x started.`, `Server y is
DOWN`, stdout's `[NOTICE] (1) : ...`) are no entries at all: counted like a CSV header, neither
requests nor rejected, so a log full of them is not refused. `option httplog clf` lines are the
access log's combined format behind the syslog prefix: the access-log grammar reads them (without
a prefix the `access_log` reader takes them).
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

from riskscan.model import SourceKind, TrafficSample
from riskscan.sources import ReadContext
from riskscan.sources.traffic.access_log import CombinedLogFormat
from riskscan.sources.traffic.access_log_parse import parse_clf_time, parse_line
from riskscan.sources.traffic.docker_prefix import ANY_DOCKER_PREFIX, plain_head
from riskscan.sources.traffic.jsonl.columns import requests_from_columns
from riskscan.sources.traffic.jsonl.fields import FieldMap, TimeFormat
from riskscan.sources.traffic.line_log import ParsedLines, read_line_log
from riskscan.sources.traffic.lines import LineBatch

if TYPE_CHECKING:
    import polars as pl

__all__ = ["HaproxyLogFormat", "HaproxyLogReader"]

_SNIFF_LINES = 200  # a log may open with dozens of startup messages before its first request
# A `docker compose logs` prefix on any line (a file may mix it with syslog's), then syslog's: RFC 5424
# (`1 time host app procid msgid sd`), RFC 3164 (`Mon dd hh:mm:ss host tag[pid]: `, or an ISO time as
# rsyslog writes it; without the host as HAProxy sends it unless `log-send-hostname` is set), or only a
# `<PRI>`.
_RFC5424 = r"1 [0-9]{4}-[0-9]{2}-[0-9]{2}T[!-~]+ [!-~]+ (?P<app>[!-~]+) [!-~]+ [!-~]+ (?:-|\[[^\]]*\]) "
_RFC3164 = (
    r"(?:[A-Z][a-z]{2} [ 0-9][0-9] [0-9]{2}:[0-9]{2}:[0-9]{2}|[0-9]{4}-[0-9]{2}-[0-9]{2}T[!-~]+) "
    r"(?:[!-~]+ )?(?P<tag>[^ \[:]+)(?:\[[0-9]+\])?: "
)
_PREFIX = rf"^{ANY_DOCKER_PREFIX}?(?:<[0-9]{{1,3}}>)?(?:{_RFC5424}|{_RFC3164})?(?P<message>.*)$"
# An entry about a connection that carried no HTTP request: a TCP-mode entry ("8.2.2 TCP log format":
# frontend backend/server Tw/Tc/Tt bytes_read termination_state conns queues) or a connection error
# (`frontend/bind: SSL handshake failure`). A cut HTTP entry is neither: it is malformed.
_CONNECTION = (
    r"^[!-~]+:[0-9]{1,5} \[[0-9]{2}/[A-Za-z]{3}/[0-9]{4}:[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]{1,6})?\] "
    r"(?:[!-~]+ [!-~]+/[!-~]+ (?:\+?-?[0-9]+/){2}\+?-?[0-9]+ \+?[0-9]+ [!-~]{2} (?:\+?[0-9]+/){4}\+?[0-9]+ "
    r"[0-9]+/[0-9]+$|[!-~]+/[!-~]+: [A-Za-z])"
)
# The HTTP log line after the prefix: the fields up to the queues are tokens of known shape, then up
# to two captured-header blocks (anything, read past), the request line (the last quoted field; HAProxy
# escapes `"` inside it) and, in the HTTPS format, the TLS fields.
_HTTP = (
    r"^(?P<client>[!-~]+):[0-9]{1,5} \[(?P<time>[0-9]{2}/[A-Za-z]{3}/[0-9]{4}:[0-9]{2}:[0-9]{2}:[0-9]{2}"
    r"(?:\.[0-9]{1,6})?)\] [!-~]+ [!-~]+/[!-~]+ (?:\+?-?[0-9]+/){4}\+?-?[0-9]+ (?P<status>-?[0-9]{1,3}) "
    r"\+?[0-9]+ [!-~]+ [!-~]+ [!-~]{4} (?:\+?[0-9]+/){4}\+?[0-9]+ [0-9]+/[0-9]+ (?:\{.*\} )?"
    r'"(?P<request>[^"]*)"(?P<tls> [!-~]+/[!-~]+/[!-~]+/[!-~]+/[!-~]+ [!-~]*/[!-~]+/[!-~]+)?$'
)
_REQUEST = r"^(?P<method>[A-Za-z]{1,20}) (?P<target>[^ ]+?)(?: HTTP/[0-9.]{1,5})?$"
# HAProxy's own messages: a syslog tag naming it, or stdout's `[NOTICE]   (1) : ...` lines.
_OWN_MESSAGE = r"^\[(?:NOTICE|WARNING|ALERT|INFO|DEBUG|EMERG|ERR|CRIT)\] "
_ENTRY_START = r"^[!-~]+:[0-9]{1,5} \["  # an entry's client and date: one the patterns miss is malformed
_FIELDS = FieldMap(
    time=("time",), method=("method",), status=("status",), path=("path",), client=("client",),
    time_format=TimeFormat.STRFTIME, time_pattern="%d/%b/%Y:%H:%M:%S%.f",
)
_PREFIX_LINE = re.compile(_PREFIX.encode(), re.DOTALL)
_HTTP_LINE = re.compile(_HTTP.encode())


class HaproxyLogReader:
    """Reader for HAProxy HTTP/HTTPS logs, with or without a syslog prefix."""

    kind = SourceKind.HAPROXY_LOG
    title = "HAProxy HTTP / HTTPS logs (option httplog, httplog clf), syslog or stdout, plain, .gz or .zst"
    summary = ("requests per method, host and path from the request line, status and accept date; client "
               "addresses hashed; captured headers and cookies, servers, timers and TLS details dropped")

    def sniff(self, path: Path, head: bytes) -> bool:
        """True when the first lines are mostly HAProxy entries, at least one an HTTP request, HAProxy's
        own messages (startup, server state) aside; a `docker compose logs` prefix is read past."""
        lines = plain_head(head).split(b"\n")
        if len(lines) > 1 and len(head) >= 4096:
            lines.pop()  # the head may end inside a line
        sample = [line.rstrip(b"\r") for line in lines if line.strip()][:_SNIFF_LINES]
        kinds = Counter(_sniff_kind(line) for line in sample)
        judged = len(sample) - kinds["own"]
        return kinds["http"] > 0 and (kinds["http"] + kinds["connection"]) * 2 > judged

    def read(self, path: Path, context: ReadContext) -> TrafficSample:
        """Stream the log and aggregate it; raise `TrafficLogError` when it is not a HAProxy log."""
        return read_line_log(path, context, HaproxyLogFormat())

    def line_format(self, head: bytes, context: ReadContext) -> HaproxyLogFormat:
        """The one HAProxy format (the Spark engine asks for it)."""
        return HaproxyLogFormat()


class HaproxyLogFormat:
    """HAProxy log lines, parsed a batch at a time: HTTP and HTTPS entries by one pattern, `httplog clf`
    entries by the access log's format, HAProxy's own messages passed over."""

    name = "haproxy_http"
    description = "a HAProxy log"

    def parse(self, batch: LineBatch, lines: pl.DataFrame) -> ParsedLines:
        """Request rows of the HTTP entries; the other lines counted by what they are."""
        import polars as pl

        split = lines.with_columns(pl.col("text").str.extract_groups(_PREFIX).alias("prefix")).unnest("prefix")
        fields = split.with_columns(pl.col("message").str.extract_groups(_HTTP).alias("http")).unnest("http")
        is_http = pl.col("client").is_not_null()
        parsed = _http_requests(fields.filter(is_http))
        rest = fields.filter(~is_http)
        if rest.height:
            _judge_others(batch, rest, parsed)
        return parsed


def _http_requests(entries: pl.DataFrame) -> ParsedLines:
    """The HTTP entries as request rows; a request line that is none (`<BADREQ>`) or a status of -1
    (no response) carries no request; a date that is not a real one makes the line malformed."""
    import polars as pl

    request = pl.col("request").str.extract_groups(_REQUEST).alias("request_line")
    split = entries.with_columns(request).unnest("request_line")
    is_request = pl.col("method").is_not_null() & ~pl.col("status").str.starts_with("-")
    raw = split.filter(is_request).select(
        "line", "time", "method", "status", path="target", url=pl.lit(None, pl.String),
        host=pl.lit(None, pl.String), client=pl.col("client").str.strip_chars("[]"),
    )
    parsed = requests_from_columns(raw, _FIELDS, "haproxy_http")
    parsed.not_requests.extend(split.filter(~is_request)["line"].to_list())
    https = entries.filter(pl.col("tls").is_not_null()).height
    parsed.variants = Counter({"haproxy_https": https, "haproxy_http": entries.height - https})
    return parsed


def _judge_others(batch: LineBatch, rest: pl.DataFrame, parsed: ParsedLines) -> None:
    """Lines the HTTP pattern did not take: `httplog clf` entries (through the access log's format),
    connections without an HTTP request, HAProxy's own messages, and the rest (malformed)."""
    import polars as pl

    message = pl.col("message")
    is_clf = message.map_elements(lambda text: parse_line(text.encode()) is not None, return_dtype=pl.Boolean)
    judged = rest.with_columns(
        is_clf=is_clf,
        is_connection=message.str.contains(_CONNECTION),
        is_own=(pl.coalesce("app", "tag").str.to_lowercase().str.starts_with("haproxy").fill_null(False)
                & ~message.str.contains(_ENTRY_START)) | message.str.contains(_OWN_MESSAGE),
    )
    clf = judged.filter(pl.col("is_clf"))
    if clf.height:
        _parse_clf(batch, clf, parsed)
    others = judged.filter(~pl.col("is_clf"))
    connections = others.filter(pl.col("is_connection"))
    parsed.not_requests.extend(connections["line"].to_list())
    parsed.variants["haproxy_http"] += connections.height
    own = others.filter(~pl.col("is_connection") & pl.col("is_own"))
    parsed.headers += own.height
    parsed.malformed.extend(others.filter(~pl.col("is_connection") & ~pl.col("is_own"))["line"].to_list())


def _parse_clf(batch: LineBatch, clf: pl.DataFrame, parsed: ParsedLines) -> None:
    """`option httplog clf` entries: the access log's combined format after the prefix.

    The messages are laid out as a batch of their own (other lines blank, so line numbers hold) and
    read by `access_log.CombinedLogFormat`, fast path and tolerant grammar alike."""
    import polars as pl

    first, numbers = batch.first_line, clf["line"].to_list()
    texts = [""] * (numbers[-1] - first + 1)
    for number, text in zip(numbers, clf["message"].to_list(), strict=True):
        texts[number - first] = text
    messages = LineBatch(first, "\n".join(texts).encode())
    found = CombinedLogFormat().parse(messages, clf.select("line", text="message"))
    parsed.requests = pl.concat([parsed.requests, found.requests])
    parsed.malformed.extend(found.malformed)
    parsed.not_requests.extend(found.not_requests)
    parsed.variants["haproxy_clf"] += clf.height - len(found.malformed)


def _sniff_kind(line: bytes) -> str:
    """`http` (an HTTP entry, or a clf one behind a HAProxy tag), `connection` (a HAProxy entry with no
    HTTP request), `own` (a message HAProxy writes about itself) or `other`."""
    prefix = _PREFIX_LINE.match(line)
    if prefix is None:
        return "other"
    message = prefix["message"]
    tag = (prefix["app"] or prefix["tag"] or b"").lower()
    if _HTTP_LINE.match(message):
        return "http"
    fields = parse_line(message)
    if tag.startswith(b"haproxy") and fields is not None and parse_clf_time(fields[2]) is not None:
        return "http"
    if re.match(_CONNECTION.encode(), message):
        return "connection"
    if (tag.startswith(b"haproxy") and not re.match(_ENTRY_START.encode(), message)) or re.match(
        _OWN_MESSAGE.encode(), message
    ):
        return "own"
    return "other"
