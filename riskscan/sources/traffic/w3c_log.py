"""W3C extended log files (CloudFront, IIS): entries under `#Fields:` directives, parsed by column name.

A W3C extended log names its columns in a `#Fields:` directive; every such header applies to the
entries after it (files joined end to end carry one each), so columns are found by name, never by
position, and batches are parsed in file order. What differs between the servers that write the format
is a `W3cDialect`: the separator (a tab for CloudFront, a space for IIS), which fields carry the host,
which stems count as well formed, and how values are decoded. Kept: `date` + `time` (UTC), `c-ip`
(hashed by the engine), `cs-method`, the host, `cs-uri-stem`, the keys of `cs-uri-query` and
`sc-status`; every other field (referers, user agents, cookies, user names) is dropped at ingestion.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from riskscan.sources.traffic.access_log_parse import vhost_name
from riskscan.sources.traffic.docker_prefix import plain_head
from riskscan.sources.traffic.engine import empty_requests
from riskscan.sources.traffic.line_log import ParsedLines
from riskscan.sources.traffic.lines import LineBatch

if TYPE_CHECKING:
    import polars as pl

__all__ = ["FIELDS_DIRECTIVE", "REQUIRED_FIELDS", "W3cDialect", "W3cLogFormat", "header_names", "kept_columns"]

REQUIRED_FIELDS = ("date", "time", "c-ip", "cs-method", "cs-uri-stem", "sc-status")
"""Fields an entry must have to be read (some dialects also need a host field)."""
FIELDS_DIRECTIVE = "#Fields:"
_LAST_EPOCH = int(datetime(9999, 12, 30, tzinfo=UTC).timestamp())


@dataclass(frozen=True)
class W3cDialect:
    """What one server's W3C logs look like.

    `host_fields` are tried in order (the first not `-` wins); with `host_required` a header naming none
    of them is not this dialect's. `stem_pattern` is what a well-formed `cs-uri-stem` looks like (else
    the entry is rejected); `decode_stem` and `decode_query` turn logged values into the target sent,
    called once per distinct value that `needs_decoding` picks (a regex).
    """

    name: str
    description: str
    separator: str
    host_fields: tuple[str, ...]
    host_required: bool
    stem_pattern: str
    needs_decoding: str
    decode_stem: Callable[[str], str]
    decode_query: Callable[[str], str]


def header_names(head: bytes, lines: int = 5) -> list[str] | None:
    """The field names of the first `#Fields:` directive among the head's directives; None when an entry
    comes first or there is none. A `docker compose logs` prefix is read past."""
    for line in plain_head(head).split(b"\n")[:lines]:
        if line.startswith(FIELDS_DIRECTIVE.encode()):
            return line[len(FIELDS_DIRECTIVE):].decode("utf-8", "replace").split()
        if line.strip() and not line.startswith(b"#"):
            return None
    return None


def kept_columns(names: list[str], dialect: W3cDialect) -> dict[str, int] | None:
    """Index of each field the reader keeps, by a `#Fields:` header; None when one it needs is missing."""
    index = {name: position for position, name in enumerate(names)}
    if any(name not in index for name in REQUIRED_FIELDS):
        return None
    if dialect.host_required and not set(dialect.host_fields) & index.keys():
        return None
    kept = (*REQUIRED_FIELDS, *dialect.host_fields, "cs-uri-query")
    return {name: index[name] for name in kept if name in index}


class W3cLogFormat:
    """A dialect's entries, parsed a batch at a time by the columns the latest `#Fields:` named.

    One object reads one file: the header seen in one batch applies to the entries of the next.
    """

    is_stateful = True  # batches in file order: a header names the columns of the batches after it

    def __init__(self, dialect: W3cDialect) -> None:
        self.dialect = dialect
        self.name = dialect.name
        self.description = dialect.description
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
            if directive.startswith(FIELDS_DIRECTIVE):
                names = directive[len(FIELDS_DIRECTIVE):].split()
                self._columns, self._width = kept_columns(names, self.dialect), len(names)
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
        dialect = self.dialect
        fields = _fields(entries, self._columns, self._width, dialect)
        is_entry = pl.col("epoch").is_not_null() & pl.col("method").str.contains(r"^[A-Za-z]{1,20}$") \
            & pl.col("stem").str.contains(dialect.stem_pattern) & pl.col("status").str.contains(r"^[0-9]{3}$")
        is_request = pl.col("stem").str.starts_with("/") & pl.col("status").cast(pl.Int32, strict=False).is_between(100, 599)
        parsed.malformed.extend(fields.filter(~is_entry)["line"].to_list())
        parsed.not_requests.extend(fields.filter(is_entry & ~is_request)["line"].to_list())
        requests = _request_rows(fields.filter(is_entry & is_request), dialect)
        parsed.requests = pl.concat([parsed.requests, requests])
        parsed.variants[dialect.name] += entries.height


def _between(entries: pl.DataFrame, after: int | None, before: int | None) -> pl.DataFrame:
    import polars as pl

    line = pl.col("line")
    return entries.filter((line > (after or 0)) & (line < before if before is not None else pl.lit(True)))


def _fields(entries: pl.DataFrame, columns: dict[str, int], width: int, dialect: W3cDialect) -> pl.DataFrame:
    """line, epoch (null for an unreal time, or an entry too short for the header), client, method,
    host, stem, query (null for `-`) and status as text, from the columns the header named.

    The line is split once, up to the last column kept; times are not parsed per line: the distinct
    minutes of a batch (a file spans an hour or a day) are read once each and the seconds added.
    """
    import polars as pl

    last = max(columns.values())
    split = entries.select("line", parts=pl.col("text").str.splitn(dialect.separator, last + 2)).unnest("parts")

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
    query = column("cs-uri-query")
    host: pl.Expr = pl.lit(None, pl.String)
    for name in reversed(dialect.host_fields):  # the first that is not `-` wins
        host = pl.when(column(name) != "-").then(column(name)).otherwise(host)
    return split.select(
        "line",
        epoch=pl.when(has_all & is_time & epoch.is_between(0, _LAST_EPOCH)).then(epoch),
        client=column("c-ip"),
        method=column("cs-method").str.to_uppercase(),
        host=host,
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


def _request_rows(fields: pl.DataFrame, dialect: W3cDialect) -> pl.DataFrame:
    """`REQUEST_SCHEMA` rows; hosts, and the stems and queries the dialect decodes, once per distinct value."""
    import polars as pl

    hosts = fields["host"].drop_nulls().unique().to_list()
    host = pl.col("host").replace_strict(
        hosts, [vhost_name(value.encode()) for value in hosts], default=None, return_dtype=pl.String)
    return fields.select(
        "line", "client", "epoch", "method",
        host=host,
        path=_decoded(fields, "stem", dialect.decode_stem, dialect.needs_decoding),
        query=_decoded(fields, "query", dialect.decode_query, dialect.needs_decoding),
        status=pl.col("status").cast(pl.Int32),
    )


def _decoded(fields: pl.DataFrame, name: str, decode: Callable[[str], str], needs: str) -> pl.Expr:
    """The column with the values `needs` picks decoded once (a Python call per distinct such value)."""
    import polars as pl

    column = pl.col(name)
    encoded = fields.filter(column.str.contains(needs))[name].unique().to_list()
    if not encoded:
        return column
    return column.replace(encoded, [decode(value) for value in encoded])
