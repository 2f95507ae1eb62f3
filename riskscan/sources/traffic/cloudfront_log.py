"""Amazon CloudFront standard access logs (W3C extended format), plain or gzip, streamed.

A CloudFront log file (legacy standard logging, and v2 delivered as W3C) holds tab-separated
entries under two directives: `#Version: 1.0` and `#Fields: date time x-edge-location ...`, which
names the columns in order. Columns are found by that header, never by position: v2 lets the
owner choose and order the fields, and files joined end to end carry a header each (every header
applies to the entries after it). Kept: `date` + `time` (UTC, when the edge finished responding),
`c-ip` (the viewer, or the proxy in front of it: hashed by the engine), `cs-method`, the host
(`x-host-header`, the Host the viewer sent, else `cs(Host)`, the distribution's domain),
`cs-uri-stem`, the keys of `cs-uri-query` and `sc-status` (`000`: the viewer left before any
response, so no request is counted). Referers, user agents, cookies, edge ids, TLS details and
`x-forwarded-for` are dropped at ingestion.

CloudFront percent-encodes spaces, control bytes, bytes past ASCII and `<>"#%{}|\\^~[]`'` in every
value, `%` included: `/a%20b` as sent is logged `/a%2520b`. Stems and queries holding a `%` are
decoded once (per distinct value) to the target the viewer sent, then made safe as the access-log
reader makes targets safe. An entry with the wrong number of fields, an unreal time or a stem with
raw bytes CloudFront would have encoded is not a CloudFront entry and is rejected.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote_to_bytes

from riskscan.model import SourceKind, TrafficSample
from riskscan.sources import ReadContext
from riskscan.sources.traffic.access_log_parse import split_target, vhost_name
from riskscan.sources.traffic.engine import empty_requests
from riskscan.sources.traffic.line_log import ParsedLines, read_line_log
from riskscan.sources.traffic.lines import LineBatch

if TYPE_CHECKING:
    import polars as pl

__all__ = ["REQUIRED_FIELDS", "CloudFrontLogFormat", "CloudFrontLogReader", "decode_value"]

REQUIRED_FIELDS = ("date", "time", "c-ip", "cs-method", "cs-uri-stem", "sc-status")
"""Fields an entry must have (besides a host: `x-host-header` or `cs(Host)`) to be read."""
_FIELDS_DIRECTIVE = "#Fields:"
_LAST_EPOCH = int(datetime(9999, 12, 30, tzinfo=UTC).timestamp())


class CloudFrontLogReader:
    """Reader for CloudFront standard access logs in the W3C extended format."""

    kind = SourceKind.CLOUDFRONT_LOG
    title = "Amazon CloudFront standard access logs (W3C, tab-separated), plain or .gz"
    summary = ("requests per method, host and path by the `#Fields:` header: viewer addresses hashed, query "
               "keys counted, referers, user agents, cookies and edge details dropped at ingestion")

    def sniff(self, path: Path, head: bytes) -> bool:
        """True when the file opens with W3C directives whose `#Fields:` names CloudFront's fields."""
        for line in head.split(b"\n")[:5]:
            if line.startswith(_FIELDS_DIRECTIVE.encode()):
                names = line[len(_FIELDS_DIRECTIVE):].decode("utf-8", "replace").split()
                return _columns(names) is not None and any(name.startswith("x-edge-") for name in names)
            if line.strip() and not line.startswith(b"#"):
                return False
        return False

    def read(self, path: Path, context: ReadContext) -> TrafficSample:
        """Stream the log and aggregate it; raise `TrafficLogError` when it is not a CloudFront log."""
        return read_line_log(path, context, CloudFrontLogFormat())


class CloudFrontLogFormat:
    """CloudFront entries, parsed a batch at a time by the columns the latest `#Fields:` named.

    One object reads one file: the header seen in one batch applies to the entries of the next.
    """

    name = "cloudfront"
    description = "a CloudFront access log"
    is_stateful = True  # batches in file order: a header names the columns of the batches after it

    def __init__(self) -> None:
        self._columns: dict[str, int] | None = None
        self._width = 0  # fields per entry, by the header

    def parse(self, batch: LineBatch, lines: pl.DataFrame) -> ParsedLines:
        """Entries between directives, each stretch parsed by the header before it."""
        import polars as pl

        text = pl.col("text")
        directives = lines.filter(text.str.starts_with("#"))
        parsed = ParsedLines(requests=empty_requests(), headers=directives.height, variants=Counter())
        if directives.height == 0:
            self._parse_entries(lines, parsed)
            return parsed
        entries = lines.filter(~text.str.starts_with("#"))
        start = None
        for number, directive in directives.iter_rows():
            self._parse_entries(_between(entries, start, number), parsed)
            start = number
            if directive.startswith(_FIELDS_DIRECTIVE):
                names = directive[len(_FIELDS_DIRECTIVE):].split()
                self._columns, self._width = _columns(names), len(names)
        self._parse_entries(_between(entries, start, None), parsed)
        return parsed

    def _parse_entries(self, entries: pl.DataFrame, parsed: ParsedLines) -> None:
        """Request rows of one stretch of entries; every entry is rejected when no usable header came."""
        import polars as pl

        if entries.height == 0:
            return
        if self._columns is None:
            parsed.malformed.extend(entries["line"].to_list())
            return
        fields = _fields(entries, self._columns, self._width)
        is_entry = pl.col("epoch").is_not_null() & pl.col("method").str.contains(r"^[A-Za-z]{1,20}$") \
            & pl.col("stem").str.contains(r"^(?:-|[!-~]+)$") & pl.col("status").str.contains(r"^[0-9]{3}$")
        is_request = pl.col("stem").str.starts_with("/") & pl.col("status").cast(pl.Int32, strict=False).is_between(100, 599)
        parsed.malformed.extend(fields.filter(~is_entry)["line"].to_list())
        parsed.not_requests.extend(fields.filter(is_entry & ~is_request)["line"].to_list())
        requests = _request_rows(fields.filter(is_entry & is_request))
        parsed.requests = pl.concat([parsed.requests, requests])
        parsed.variants["cloudfront"] += entries.height


def _columns(names: list[str]) -> dict[str, int] | None:
    """Index of each field the reader keeps, by a `#Fields:` header; None when one it needs is missing."""
    index = {name: position for position, name in enumerate(names)}
    if any(name not in index for name in REQUIRED_FIELDS) or not {"x-host-header", "cs(Host)"} & index.keys():
        return None
    kept = (*REQUIRED_FIELDS, "x-host-header", "cs(Host)", "cs-uri-query")
    return {name: index[name] for name in kept if name in index}


def _between(entries: pl.DataFrame, after: int | None, before: int | None) -> pl.DataFrame:
    import polars as pl

    line = pl.col("line")
    return entries.filter((line > (after or 0)) & (line < before if before is not None else pl.lit(True)))


def _fields(entries: pl.DataFrame, columns: dict[str, int], width: int) -> pl.DataFrame:
    """line, epoch (null for an unreal time, or an entry too short for the header), client, method,
    host, stem, query (null for `-`) and status as text, from the columns the header named.

    The line is split once, up to the last column kept; times are not parsed per line: the distinct
    minutes of a batch (a CloudFront file spans an hour) are read once each and the seconds added.
    """
    import polars as pl

    last = max(columns.values())
    split = entries.select("line", parts=pl.col("text").str.splitn("\t", last + 2)).unnest("parts")

    def column(name: str) -> pl.Expr:
        return pl.col(f"field_{columns[name]}") if name in columns else pl.lit("-")

    minute = pl.concat_str(column("date"), column("time").str.slice(0, 5), separator=" ")
    minutes = split.select(minute.unique().alias("minute"))["minute"].drop_nulls().to_list()
    starts = [_minute_epoch(value) for value in minutes]
    second = column("time").str.slice(6, 2).cast(pl.Int64, strict=False)
    is_time = column("time").str.len_bytes().eq(8) & (second < 60)
    epoch = minute.replace_strict(minutes, starts, default=None, return_dtype=pl.Int64) + second
    has_all = pl.col(f"field_{last}").is_not_null()  # a line cut short lacks the columns past its end
    if last + 1 < width:
        has_all = has_all & pl.col(f"field_{last + 1}").is_not_null()
    viewer_host, distribution, query = column("x-host-header"), column("cs(Host)"), column("cs-uri-query")
    return split.select(
        "line",
        epoch=pl.when(has_all & is_time & epoch.is_between(0, _LAST_EPOCH)).then(epoch),
        client=column("c-ip"),
        method=column("cs-method").str.to_uppercase(),
        host=pl.when(viewer_host != "-").then(viewer_host).otherwise(distribution),
        stem=column("cs-uri-stem"),
        query=pl.when(query != "-").then(query),
        status=column("sc-status"),
    )


def _minute_epoch(minute: str) -> int | None:
    """`2019-12-04 21:02` -> epoch seconds of that minute (UTC), None when it is no real one."""
    try:
        return int(datetime.strptime(minute, "%Y-%m-%d %H:%M").replace(tzinfo=UTC).timestamp())
    except ValueError:
        return None


def _request_rows(fields: pl.DataFrame) -> pl.DataFrame:
    """`REQUEST_SCHEMA` rows; hosts, and stems and queries holding a `%`, decoded once per distinct value."""
    import polars as pl

    hosts = fields["host"].unique().to_list()
    host = pl.col("host").replace_strict(
        hosts, [vhost_name(value.encode()) for value in hosts], default=None, return_dtype=pl.String)
    return fields.select(
        "line", "client", "epoch", "method",
        host=host,
        path=_decoded(fields, "stem", decode_stem),
        query=_decoded(fields, "query", decode_value),
        status=pl.col("status").cast(pl.Int32),
    )


def _decoded(fields: pl.DataFrame, name: str, decode: Callable[[str], str]) -> pl.Expr:
    """The column with its `%`-holding values decoded once (a Python call per distinct such value)."""
    import polars as pl

    column = pl.col(name)
    encoded = fields.filter(column.str.contains("%", literal=True))[name].unique().to_list()
    if not encoded:
        return column
    return column.replace(encoded, [decode(value) for value in encoded])


def decode_value(value: str) -> str:
    """One level of CloudFront's percent-encoding undone (`a%2520b` -> `a%20b`); bytes that are not
    UTF-8, and characters that are not printable (spaces, controls, bidi marks), percent-encoded
    again, as a URL would carry them."""
    raw = unquote_to_bytes(value)
    try:
        return _printable(raw.decode("utf-8"))
    except UnicodeDecodeError:
        return "".join(chr(byte) if 32 < byte < 127 else f"%{byte:02X}" for byte in raw)


def decode_stem(stem: str) -> str:
    """A stem decoded once and made safe as the access-log reader makes a request target safe."""
    _, path = split_target(unquote_to_bytes(stem))
    return _printable(path) if path is not None else decode_value(stem)


def _printable(text: str) -> str:
    return "".join(
        char if char.isprintable() and char != " " else "".join(f"%{byte:02X}" for byte in char.encode())
        for char in text
    )
