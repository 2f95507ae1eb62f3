"""nginx/Apache access logs (common, combined, vhost_combined), plain, gzip or zstd, read as a stream.

The format only parses (a vectorised pattern per batch, `access_log_parse` for the lines it misses);
`line_log` streams the file and `engine` reduces and aggregates the requests. What a scan keeps is
safe to show: paths without query strings (only the keys of those are counted), with personal data
replaced by placeholders (`{email}`) and ids folded (`{id}`), opaque client ids instead of addresses,
hashes of the concrete paths each client called, counts and line numbers. Basic-auth users, referers
and user agents are never kept.
"""

from __future__ import annotations

import itertools
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

from riskscan.model import SourceKind, TrafficSample
from riskscan.sources import ReadContext
from riskscan.sources.traffic.access_log_parse import (
    OWN_MESSAGE,
    is_own_message,
    minute_start,
    parse_clf_time,
    parse_line,
    second_and_zone,
    slow_request,
    vhost_name,
)
from riskscan.sources.traffic.docker_prefix import plain_head
from riskscan.sources.traffic.line_log import ParsedLines, SlowRequest, parse_slowly, read_line_log
from riskscan.sources.traffic.lines import LineBatch

if TYPE_CHECKING:
    import polars as pl

__all__ = ["AccessLogReader", "CombinedLogFormat"]

_SNIFF_LINES = 20
_SNIFF_SCAN = 200  # lines looked at for them: the server's own messages are passed over
# The fast path: one anchored pattern takes the lines whose fields up to the status are plain ASCII
# and in place, and whose client, ident and user hold no `"`, `#`, `?` or `[`, capturing their fields
# in the same pass. Each field stops at a byte the next one starts with, so the pattern is one-pass
# (one way to match any line: the regex engine captures without backtracking) and costs about what
# the bare match does. `_VHOST` is the same with a leading `%v:%p`. A line neither takes goes to
# `access_log_parse.slow_request`, whose rules are the reference the fast path agrees with (tests
# compare the two). `_PLAIN` and `_VHOST` (without captures) also serve the Spark reader.
_TOKEN = r"[!$->@-Z\\-~]+"
# APISIX's default format logs the Host header after the time (`[$time_local] $http_host "$request"`).
_TIME = rf"\[[0-9]{{2}}/[A-Za-z]{{3}}/[0-9]{{4}}:[0-9]{{2}}:[0-9]{{2}}:[0-9]{{2}} [+-][0-9]{{4}}\] (?:{_TOKEN} )?"
_PLAIN = (
    rf"^{_TOKEN} {_TOKEN} {_TOKEN} {_TIME}"
    r'"[A-Za-z]{1,20} /[!$->@-~]*(?:\?[!$-~]*)?(?:#[!#-~]*)?(?: HTTP/[!#-~]*)?" [1-5][0-9]{2} '
)
# A vhost (`%v:%p`, nginx's `$host`) never ends in a comma: a first field that does is the start of an
# X-Forwarded-For chain (`%{X-Forwarded-For}i` logged first: `198.51.100.7, 10.0.0.3 - - [...`), which
# `access_log_parse` reads. Spelt one-pass: runs of commas only between other bytes.
_VHOST_NAME = r"(?:[!$-+\-->@-Z\\-~]|,+[!$-+\-->@-Z\\-~])+"
_VHOST = rf"^{_VHOST_NAME} " + _PLAIN[1:]
_CAPTURED = (
    rf"(?<client>{_TOKEN}) {_TOKEN} {_TOKEN} "
    r"\[(?<minute>[0-9]{2}/[A-Za-z]{3}/[0-9]{4}:[0-9]{2}:[0-9]{2})(?<second>:[0-9]{2} [+-][0-9]{4})\] "
    rf"(?:(?<http_host>{_TOKEN}) )?"
    r'"(?<method>[A-Za-z]{1,20}) (?<path>/[!$->@-~]*)(?:\?(?<query>[!$-~]*))?(?:#[!#-~]*)?'
    r'(?: HTTP/[!#-~]*)?" (?<status>[1-5][0-9]{2}) '
)
_PLAIN_FIELDS = rf"^(?<vhost>){_CAPTURED}"  # `vhost` empty: the kept columns are the same either way
_VHOST_FIELDS = rf"^(?<vhost>{_VHOST_NAME}) {_CAPTURED}"


class AccessLogReader:
    """Reader for nginx/Apache access logs in the common, combined and vhost_combined formats."""

    kind = SourceKind.ACCESS_LOG
    title = "nginx / Apache access logs (combined, common, vhost combined), plain, .gz or .zst"
    summary = (
        "requests per method and path: distinct clients as opaque ids, status classes, first and last "
        "seen; query strings dropped, secret-bearing segments replaced at ingestion"
    )

    def sniff(self, path: Path, head: bytes) -> bool:
        """True when most of the first non-empty lines (up to 20) parse as access-log lines, the
        server's own messages aside (`docker logs nginx` opens with a score of them).

        `head` is what `read_head` gives: already inflated when the file is gzip; a `docker compose logs`
        prefix is read past.
        """
        lines = plain_head(head).split(b"\n")
        if len(lines) > 1 and len(head) >= 4096:
            lines.pop()  # the head may end inside a line
        judged = (line for line in lines[:_SNIFF_SCAN] if line.strip() and not is_own_message(line))
        sample = list(itertools.islice(judged, _SNIFF_LINES))
        good = sum(_is_log_line(line) for line in sample)
        return good > 0 and good * 2 > len(sample)

    def read(self, path: Path, context: ReadContext) -> TrafficSample:
        """Stream the log and aggregate it; raise `TrafficLogError` when it is not an access log."""
        return read_line_log(path, context, CombinedLogFormat())


class CombinedLogFormat:
    """The common, combined and vhost_combined line formats, parsed a batch at a time."""

    name = "combined"
    description = "an access log"

    def parse(self, batch: LineBatch, lines: pl.DataFrame) -> ParsedLines:
        """Request rows of the lines the fast path takes, and of the others through `slow_request`."""
        import polars as pl

        plain, rest = _fields(lines, _PLAIN_FIELDS)
        vhosted, slow = _fields(rest.select("line", "text"), _VHOST_FIELDS)
        fast = pl.concat([plain.with_columns(vhost=pl.lit(None, pl.String)), vhosted])
        epochs = _epochs(fast)
        timed = fast.with_columns(epoch=epochs).filter(pl.col("epoch").is_not_null())
        parsed = ParsedLines(
            requests=_request_rows(timed),
            malformed=fast.filter(epochs.is_null())["line"].to_list(),
            variants=Counter(
                vhost_combined=vhosted.height, combined=plain.filter(pl.col("text").str.ends_with('"')).height
            ),
        )
        parsed.variants["common"] = plain.height - parsed.variants["combined"]
        slow_numbers = slow["line"].to_list()
        if slow_numbers:
            _count_variants(parse_slowly(batch, slow_numbers, parsed, slow_request), parsed)
            _pass_over_own_messages(slow, parsed)
        return parsed


def _fields(lines: pl.DataFrame, pattern: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The lines `pattern` takes, with its captured fields (line, text, vhost, client, minute, second
    `:SS +zzzz`, http_host, method, path, query, status), and the lines it does not take (line, text)."""
    import polars as pl

    found = lines.with_columns(fields=pl.col("text").str.extract_groups(pattern)).unnest("fields")
    taken = pl.col("client").is_not_null()
    return found.filter(taken), found.filter(~taken)


def _epochs(fast: pl.DataFrame) -> pl.Series:
    """Each line's epoch seconds, null when its timestamp is not a real one (31/Feb, hour 25 ...).

    Timestamps are never parsed per line: the distinct minutes and `:SS +zzzz` ends of a batch are
    few, each is read once by `access_log_parse`'s exact rules and mapped back.
    """
    import polars as pl

    minutes = fast["minute"].unique().to_list()
    seconds = fast["second"].unique().to_list()
    minute = fast["minute"].replace_strict(
        minutes, [minute_start(value.encode()) for value in minutes], default=None, return_dtype=pl.Int64
    )
    second = fast["second"].replace_strict(
        seconds, [second_and_zone(value.encode()) for value in seconds], default=None, return_dtype=pl.Int64
    )
    return (minute + second).alias("epoch")


def _request_rows(timed: pl.DataFrame) -> pl.DataFrame:
    """The fast lines as `REQUEST_SCHEMA` rows (vhosts read once per distinct value)."""
    import polars as pl

    named = timed.with_columns(vhost=pl.coalesce("http_host", "vhost"))  # the Host header before `%v`
    vhosts = named["vhost"].drop_nulls().unique().to_list()
    host = pl.col("vhost").replace_strict(
        vhosts, [vhost_name(value.encode()) for value in vhosts], default=None, return_dtype=pl.String
    )
    return named.select(
        "line",
        "client",
        "epoch",
        method=pl.col("method").str.to_uppercase(),
        host=host,
        path="path",
        query="query",
        status=pl.col("status").cast(pl.Int32),
    )


def _pass_over_own_messages(slow: pl.DataFrame, parsed: ParsedLines) -> None:
    """The server's own messages among the lines that do not parse: headers, not rejected lines."""
    import polars as pl

    own = set(slow.filter(pl.col("text").str.contains(OWN_MESSAGE))["line"].to_list())
    if own:
        parsed.malformed = [number for number in parsed.malformed if number not in own]
        parsed.headers += len(own)


def _count_variants(outcomes: list[tuple[bytes, SlowRequest | str]], parsed: ParsedLines) -> None:
    """The variant of each slowly parsed line that is in the format (a request or not)."""
    for line, request in outcomes:
        fields = parse_line(line) if request != "malformed" else None
        if fields is not None:
            parsed.variants[
                "vhost_combined" if fields[0] is not None else "combined" if fields[5] else "common"
            ] += 1


def _is_log_line(line: bytes) -> bool:
    fields = parse_line(line)
    if fields is None:
        return False
    method = fields[3].partition(b" ")[0]
    return parse_clf_time(fields[2]) is not None and (method.isalpha() or fields[3] in (b"-", b""))
