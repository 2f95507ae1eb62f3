"""Raw field values (strings, as an entry held them) to request rows, for a whole batch at once.

Every JSON-lines or CSV format extracts the same raw columns (`RAW_COLUMNS`, strings or null) and
hands them here. The rules, vectorised with Polars expressions:
- a line whose time, method, status or request target is missing or invalid is malformed (the time
  is bounded to 1970..9999, the method is 1-20 letters, the status is a number); a line whose status
  is a number outside 100-599 (Envoy's 0: no response was sent) or whose target is not a path (an
  authority, `-`) carries no usable request;
- a target that is a whole request line (`GET /x?y=1 HTTP/1.1`, nginx's `$request`) gives the method
  where none is mapped, and its target;
- a target that is a plain ASCII path (the common case) is split at `?` and `#` with string ops;
  the distinct others (absolute URIs, spaces, bytes outside ASCII) go once each through the access
  log's `split_target`, so both formats judge an odd target alike;
- hosts lose their port and are lower-cased (the access log's `vhost_name`, once per distinct host);
  a missing host is taken from the URL, else from an absolute target;
- clients lose the port of an IP address (`192.0.2.1:5678`, `[2001:db8::1]:443`); a missing client
  is `engine.UNKNOWN_CLIENT`: its requests count for their endpoint, never as one client.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from riskscan.sources.traffic.access_log_parse import split_target, vhost_name
from riskscan.sources.traffic.jsonl.fields import FieldMap, TimeFormat
from riskscan.sources.traffic.line_log import ParsedLines

if TYPE_CHECKING:
    import polars as pl

__all__ = ["RAW_COLUMNS", "requests_from_columns"]

RAW_COLUMNS = ("time", "method", "status", "path", "url", "host", "client")
"""The string columns a format extracts (null when the entry lacks the key)."""

_FIRST_EPOCH, _LAST_EPOCH = 0, 253_402_041_600  # 1970-01-01 .. 9999-12-30: representable everywhere
_PLAIN_TARGET = r"^/[!$->@-~]*(?:[?#][ -~]*)?$"  # printable ASCII path, then maybe `?query` / `#frag`
_URL_HOST = r"^[A-Za-z][A-Za-z0-9+.-]*://(?:[^/?#@]*@)?(\[[^\]/?#]*\]|[^:/?#]*)"
_IPV4_PORT = r"^([0-9]{1,3}(?:\.[0-9]{1,3}){3}):[0-9]{1,5}$"
_IPV6_PORT = r"^\[([0-9A-Fa-f:.]+)\]:[0-9]{1,5}$"
_METHOD = r"^[A-Za-z]{1,20}$"
_ISO_PATTERNS = ("%Y-%m-%dT%H:%M:%S%.f%#z", "%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f%#z", "%Y-%m-%d %H:%M:%S%.f")
# `TimeFormat.ANY` as text: Caddy's iso8601, rfc3339(_nano), wall(_milli, _nano) in UTC and common_log;
# nginx's `$time_iso8601` and `$time_local`.
_TEXT_PATTERNS = (*_ISO_PATTERNS, "%Y/%m/%d %H:%M:%S%.f", "%d/%b/%Y:%H:%M:%S %z")
_NOT_METHODS = ("true", "false")  # a JSON boolean decoded as text is no method
_REQUEST_LINE = r"^(?<method>[A-Za-z]{1,20}) (?<target>[^ ]+)(?: HTTP/[0-9.]{1,5})?$"


def requests_from_columns(raw: pl.DataFrame, fields: FieldMap, variant: str) -> ParsedLines:
    """Request rows (`REQUEST_SCHEMA`) from `line` and `RAW_COLUMNS`; rejected lines by number."""
    import polars as pl

    target = pl.coalesce(_blank_null("path"), _blank_null("url"))
    # A whole request line where the target belongs (nginx's `$request`): its method and target.
    line = target.str.extract_groups(_REQUEST_LINE)
    frame = _with_epochs(raw, fields).with_columns(
        target=pl.coalesce(line.struct.field("target"), target),
        method=pl.coalesce(pl.col("method"), line.struct.field("method")))
    status_text = pl.col("status").str.strip_chars()
    method = pl.col("method").str.strip_chars()
    is_number = status_text.str.contains(r"^[0-9]{1,3}$")
    is_malformed = (
        pl.col("epoch").is_null() | pl.col("target").is_null() | ~is_number.fill_null(False)
        | ~method.str.contains(_METHOD).fill_null(False) | method.str.to_lowercase().is_in(_NOT_METHODS)
    )
    checked = frame.with_columns(is_malformed=is_malformed, code=status_text.cast(pl.Int32, strict=False))
    malformed = checked.filter(pl.col("is_malformed"))["line"].to_list()
    kept = checked.filter(~pl.col("is_malformed"))
    split = _with_hosts(_split_targets(kept))
    is_request = pl.col("code").is_between(100, 599) & pl.col("request_path").is_not_null()
    requests = split.filter(is_request).select(
        "line",
        client=_client().fill_null("-"),
        epoch="epoch",
        method=pl.col("method").str.strip_chars().str.to_uppercase(),
        host=pl.coalesce("host_name", "target_host"),
        path="request_path",
        query="request_query",
        status="code",
    )
    not_requests = split.filter(~is_request)["line"].to_list()
    return ParsedLines(requests=requests, malformed=malformed, not_requests=not_requests,
                       variants=Counter({variant: raw.height}))


def _blank_null(name: str) -> pl.Expr:
    """The column, null where it is empty or `-` (how loggers write a missing value)."""
    import polars as pl

    value = pl.col(name).str.strip_chars()
    return pl.when(value.is_in(("", "-"))).then(None).otherwise(pl.col(name))


def _with_epochs(raw: pl.DataFrame, fields: FieldMap) -> pl.DataFrame:
    """`raw` with `epoch`: seconds of `time` per the map's format, null when unreadable or out of range.

    ISO 8601 is tried with a zone first (`Z`, any offset) on every line; the other spellings (no zone,
    a space for `T`) only on the lines that one missed, so the common case is parsed once. A time in
    `TimeFormat.ANY` is a number first (`_scaled_epoch`), its text spellings only where that missed."""
    import polars as pl

    text = pl.col("time").str.strip_chars()
    if fields.time_format in (TimeFormat.EPOCH_S, TimeFormat.EPOCH_MS):
        number = text.cast(pl.Float64, strict=False)
        seconds = number / 1000 if fields.time_format is TimeFormat.EPOCH_MS else number
        return raw.with_columns(_bounded(pl.when(seconds.is_finite()).then(seconds.floor())))
    others: tuple[str, ...]
    if fields.time_format is TimeFormat.ANY:
        timed, others = raw.with_columns(_bounded(_scaled_epoch(text))), _TEXT_PATTERNS
    else:
        first, *rest = _patterns(fields)
        timed, others = raw.with_columns(_bounded(_parsed(text, first))), tuple(rest)
    missed = pl.col("epoch").is_null() & pl.col("time").is_not_null()
    if not others or timed.select(missed.any()).item() is False:
        return timed
    retried = timed.filter(missed).with_columns(
        _bounded(pl.coalesce(*(_parsed(text, other) for other in others))))
    return pl.concat([timed.filter(~missed), retried])


def _patterns(fields: FieldMap) -> tuple[str, ...]:
    """Zoned first (any offset, `Z`), then the same read as UTC when the text has no zone."""
    if fields.time_format is TimeFormat.STRFTIME and fields.time_pattern is not None:
        return (fields.time_pattern,)
    return _ISO_PATTERNS


def _scaled_epoch(text: pl.Expr) -> pl.Expr:
    """Epoch seconds of a number of seconds, milliseconds or nanoseconds, told apart by magnitude (the
    three spellings of Caddy's `time_format`: seconds reach 1e11 only in the year 5138, milliseconds
    pass it in 1973 and 1e14 in 5138, nanoseconds are a 64-bit integer past 1e17 from 1973); null for
    text and for numbers in none of those ranges."""
    import polars as pl

    number = text.cast(pl.Float64, strict=False)
    size = number.abs()
    return (pl.when(size < 1e11).then(number).when(size < 1e14).then(number / 1e3)
            .when((size >= 1e17) & (size < 2.0**63)).then(number / 1e9)).floor()


def _parsed(text: pl.Expr, pattern: str) -> pl.Expr:
    return text.str.to_datetime(pattern, strict=False, time_zone="UTC").dt.epoch("s")


def _bounded(epoch: pl.Expr) -> pl.Expr:
    import polars as pl

    seconds = epoch.cast(pl.Float64)
    return pl.when(seconds.is_between(_FIRST_EPOCH, _LAST_EPOCH)).then(seconds.cast(pl.Int64)).alias("epoch")


def _split_targets(kept: pl.DataFrame) -> pl.DataFrame:
    """`request_path`, `request_query` and `target_host` of each kept line's target."""
    import polars as pl

    target = pl.col("target")
    is_plain = target.str.contains(_PLAIN_TARGET)
    before_hash = target.str.split("#").list.first()
    has_query = before_hash.str.contains("?", literal=True)
    fast = kept.filter(is_plain).with_columns(
        request_path=before_hash.str.split("?").list.first(),
        request_query=pl.when(has_query).then(before_hash.str.splitn("?", 2).struct.field("field_1")),
        target_host=pl.lit(None, pl.String),
    )
    slow = kept.filter(~is_plain)
    if slow.height:
        slow = slow.with_columns(_slow_split(slow["target"]))
    else:
        slow = slow.with_columns(request_path=pl.lit(None, pl.String), request_query=pl.lit(None, pl.String),
                                 target_host=pl.lit(None, pl.String))
    return pl.concat([fast, slow])


def _slow_split(targets: pl.Series) -> list[pl.Series]:
    """The odd targets, each distinct one split once by `access_log_parse.split_target`."""
    import polars as pl

    distinct = targets.unique().to_list()
    split = [split_target(value.encode("utf-8", "surrogateescape")) for value in distinct]
    queries = [value.partition("#")[0].partition("?")[2] or None for value in distinct]
    return [
        targets.replace_strict(distinct, [path for _, path in split], default=None, return_dtype=pl.String)
        .alias("request_path"),
        targets.replace_strict(distinct, queries, default=None, return_dtype=pl.String)
        .alias("request_query"),
        targets.replace_strict(distinct, [host for host, _ in split], default=None, return_dtype=pl.String)
        .alias("target_host"),
    ]


def _with_hosts(frame: pl.DataFrame) -> pl.DataFrame:
    """`host_name`: the `host` field as the access log reads a vhost (`vhost_name`: port and brackets
    dropped, lower case), once per distinct value; where it is missing, the host of an absolute `url`
    (user info and port dropped)."""
    import polars as pl

    names = frame["host"].drop_nulls().unique().to_list()
    named = frame.with_columns(host_name=pl.col("host").replace_strict(
        names, [vhost_name(name.strip().encode("utf-8", "surrogateescape")) for name in names],
        default=None, return_dtype=pl.String))
    missing = pl.col("host_name").is_null() & pl.col("url").is_not_null()
    if named.select(missing.any()).item() is False:
        return named
    url_host = pl.col("url").str.extract(_URL_HOST, 1).str.strip_chars("[]")
    host_name = pl.when(url_host != "").then(url_host.str.to_lowercase())
    from_url = named.filter(missing).with_columns(host_name=host_name)
    return pl.concat([named.filter(~missing), from_url])


def _client() -> pl.Expr:
    """The client without the port of an IP address; null when empty or `-`."""
    import polars as pl

    value = _blank_null("client").str.strip_chars()
    return pl.coalesce(value.str.extract(_IPV4_PORT, 1), value.str.extract(_IPV6_PORT, 1), value)
