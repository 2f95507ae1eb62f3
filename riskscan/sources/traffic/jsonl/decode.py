"""JSON-lines logs: one JSON object per line, decoded a batch at a time, and the readers built on it.

`JsonLinesFormat` is the `LineFormat` of every JSON-lines log; a `FieldMap` says where each request
column is. The fast path decodes the whole batch with Polars' `str.json_decode` against a schema of
only the mapped keys (strings at the leaves, so `200` and `"200"` read alike; every other key is
skipped unread). One line the schema cannot take (not JSON, not an object, an array where a string
belongs) fails the whole decode, so a failing batch is halved until the failing pieces are small, and
only those lines go through Python's `json` one by one (`_slow_rows`: a key resolving to an object or
an array counts as absent; a test holds both paths to the same rows). `JsonLinesReader` is the reader every gateway
module subclasses: a content sniff on the first lines (do their objects carry the format's keys?),
then `read_line_log`.

Lines captured through `docker compose logs` carry the service's name before each line (`caddy  | `,
`api-1  | `, coloured or not, maybe a `--timestamps` time): such a prefix (`docker_prefix.DOCKER_PREFIX`,
shared by every line format) is dropped from a line that has one, even in a file where few lines
have it, so that any gateway's JSON log read that way is read as the gateway wrote it. A `FieldMap` with an `entry_key` tells a
gateway's access entries from its other messages in the same stream (Caddy's startup and TLS lines):
those are passed over like a CSV header, neither requests nor rejected.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from riskscan.model import SourceKind, TrafficSample
from riskscan.sources import ReadContext, read_head
from riskscan.sources.traffic.docker_prefix import DOCKER_PREFIX, strip_prefix
from riskscan.sources.traffic.jsonl.columns import RAW_COLUMNS, requests_from_columns
from riskscan.sources.traffic.jsonl.fields import FieldMap
from riskscan.sources.traffic.line_log import LineFormat, ParsedLines, read_line_log
from riskscan.sources.traffic.lines import LineBatch

if TYPE_CHECKING:
    import polars as pl

__all__ = ["JsonLinesFormat", "JsonLinesReader", "head_objects", "resolve"]

_SNIFF_LINES = 20
_SLOW_PIECE = 32  # a failing piece of at most this many lines is read line by line
_MISSING = ("", "-")
_ENTRY = "entry"  # the column holding a `FieldMap.entry_key` value


class JsonLinesFormat:
    """A JSON-lines log whose entries keep the request columns where `fields` says."""

    def __init__(self, name: str, description: str, fields: FieldMap) -> None:
        self.name = name
        self.description = description
        self._fields = fields
        self._columns = fields.columns()
        self._read = {**self._columns, **({_ENTRY: (fields.entry_key,)} if fields.entry_key else {})}
        self._names = (*RAW_COLUMNS, *((_ENTRY,) if fields.entry_key else ()))
        self._tree = _key_tree(self._read)
        self._dtype = _schema(self._tree)

    def parse(self, batch: LineBatch, lines: pl.DataFrame) -> ParsedLines:
        """Request rows of the batch; lines that are not objects with the keys are rejected, objects
        that are no entries (by `FieldMap.entry_key`) passed over."""
        import polars as pl

        text = pl.col("text").str.replace(DOCKER_PREFIX, "").str.strip_chars().str.strip_chars_start("\ufeff")
        lines = lines.with_columns(text)
        objects = lines.filter(text.str.starts_with("{"))
        decoded, slow = self._decode(objects)
        raw = [decoded]
        slow_malformed: list[int] = []
        if slow:
            rows, slow_malformed = _slow_rows(pl.concat(slow), self._read, self._names)
            raw.append(rows)
        entries, others = self._entries(pl.concat(raw))
        parsed = requests_from_columns(entries, self._fields, self.name)
        parsed.malformed = sorted([*parsed.malformed, *slow_malformed,
                                   *lines.filter(~text.str.starts_with("{"))["line"].to_list()])
        parsed.headers = others
        parsed.variants[self.name] = lines.height - others
        return parsed

    def _entries(self, raw: pl.DataFrame) -> tuple[pl.DataFrame, int]:
        """The decoded objects that are entries (`line` and `RAW_COLUMNS`), and how many are not."""
        import polars as pl

        if self._fields.entry_key is None:
            return raw, 0
        is_entry = pl.col(_ENTRY).str.starts_with(self._fields.entry_prefix).fill_null(False)
        entries = raw.filter(is_entry)
        return entries.select("line", *RAW_COLUMNS), raw.height - entries.height

    def _decode(self, objects: pl.DataFrame) -> tuple[pl.DataFrame, list[pl.DataFrame]]:
        """The raw columns of the lines the schema takes, and the pieces of lines it does not."""
        import polars as pl

        decoded: list[pl.DataFrame] = [_empty_raw(self._names)]
        slow: list[pl.DataFrame] = []
        pending = [objects]
        while pending:
            piece = pending.pop()
            if piece.height == 0:
                continue
            try:
                entries = piece.select("line", entry=pl.col("text").str.json_decode(self._dtype))
            except pl.exceptions.PolarsError:
                if piece.height <= _SLOW_PIECE:
                    slow.append(piece)
                else:
                    half = piece.height // 2
                    pending += [piece.slice(half), piece.slice(0, half)]
                continue
            decoded.append(self._raw_columns(entries))
        return pl.concat(decoded), slow

    def _raw_columns(self, entries: pl.DataFrame) -> pl.DataFrame:
        """`line` and `RAW_COLUMNS` from decoded entries (null for columns the map does not name), and
        the `entry_key` value when the map has one."""
        import polars as pl

        named = (_extract(name, keys, self._tree) for name, keys in self._read.items())
        unnamed = (pl.lit(None, pl.String).alias(name) for name in RAW_COLUMNS if name not in self._columns)
        return entries.select("line", *named, *unnamed).select("line", *self._names)


class JsonLinesReader:
    """Base of the gateway JSON-lines readers: `fields`, the `signature` keys their entries carry."""

    kind: SourceKind
    title: str
    summary: str
    fields: ClassVar[FieldMap]
    signature: ClassVar[tuple[str, ...]]
    format_name: ClassVar[str]
    description: ClassVar[str]

    def sniff(self, path: Path, head: bytes) -> bool:
        """True when most of the first lines (up to 20) are JSON objects carrying every signature key."""
        objects = head_objects(head)
        good = sum(all(resolve(entry, key) is not None for key in self.signature) for entry in objects)
        return good > 0 and good * 2 > len(objects)

    def read(self, path: Path, context: ReadContext) -> TrafficSample:
        """Stream the log and aggregate it; raise `TrafficLogError` when it is not such a log."""
        return read_line_log(path, context, self.line_format(read_head(path), context))

    def line_format(self, head: bytes, context: ReadContext) -> LineFormat:
        """The format the lines are in, judged from the file's first bytes (the Spark engine asks too)."""
        return JsonLinesFormat(self.format_name, self.description, self.fields)


@lru_cache(maxsize=8)
def head_objects(head: bytes, limit: int = _SNIFF_LINES) -> tuple[Any, ...]:
    """The first non-blank lines (up to `limit`) of a head, each decoded as JSON when it is an object
    (None when it is not); a `docker compose logs` prefix is dropped first. Cached: every JSON-lines
    reader sniffs the same head in turn, and a scan of thousands of YAML files must not decode each of
    their heads once per reader."""
    lines = head.split(b"\n")
    if len(lines) > 1 and len(head) >= 4096:
        lines.pop()  # the head may end inside a line
    decoded: list[Any] = []
    for line in [line for line in lines if line.strip()][:limit]:
        text = strip_prefix(line).strip().removeprefix(b"\xef\xbb\xbf")
        if not text.startswith(b"{"):  # no JSON object: not worth a decoder's error
            decoded.append(None)
            continue
        try:
            decoded.append(json.loads(text))
        except (ValueError, RecursionError):
            decoded.append(None)
    return tuple(decoded)


def resolve(entry: Any, key: str) -> str | None:
    """The scalar at a dotted `key` of a decoded entry as text, as the fast decode gives it (a boolean
    as `true`/`false`); None when absent, empty, `-`, or an object or an array."""
    value = entry
    for part in key.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    if isinstance(value, bool):
        return "true" if value else "false"
    if not isinstance(value, (str, int, float)):
        return None
    if isinstance(value, float):
        text = str(int(value)) if value.is_integer() and abs(value) < 1e18 else repr(value)
    else:
        text = str(value)
    return None if text.strip() in _MISSING else text


def _key_tree(columns: dict[str, tuple[str, ...]]) -> dict[str, Any]:
    """The mapped keys as a tree of dicts, None at the leaves. A key that is both a leaf and a prefix
    of another (`consumer`, `consumer.username`) is a branch: lines holding it as a string fail the
    fast decode and are read by the slow path, which knows both."""
    tree: dict[str, Any] = {}
    for keys in columns.values():
        for key in keys:
            node = tree
            *parents, leaf = key.split(".")
            for part in parents:
                if not isinstance(node.get(part), dict):
                    node[part] = {}
                node = node[part]
            node.setdefault(leaf, None)
    return tree


def _schema(tree: dict[str, Any]) -> pl.DataType:
    """A struct of only the mapped keys, strings at the leaves."""
    import polars as pl

    return pl.Struct({name: pl.String if child is None else _schema(child) for name, child in tree.items()})


def _is_leaf(tree: dict[str, Any], key: str) -> bool:
    node: Any = tree
    for part in key.split("."):
        if not isinstance(node, dict) or part not in node:
            return False
        node = node[part]
    return node is None


def _extract(name: str, keys: tuple[str, ...], tree: dict[str, Any]) -> pl.Expr:
    """The first alternative that is a leaf of the decoded entry, present, not empty and not `-`."""
    import polars as pl

    values = []
    for key in keys:
        if not _is_leaf(tree, key):
            continue  # a branch in the schema: only the slow path reads it as a value
        value = pl.col("entry")
        for part in key.split("."):
            value = value.struct.field(part)
        values.append(pl.when(~value.str.strip_chars().is_in(_MISSING)).then(value))
    return pl.coalesce(*values, pl.lit(None, pl.String)).alias(name)


def _slow_rows(
    pieces: pl.DataFrame, columns: dict[str, tuple[str, ...]], names: tuple[str, ...] = RAW_COLUMNS
) -> tuple[pl.DataFrame, list[int]]:
    """Raw columns of lines read one by one with `json`; numbers of the lines that are no object."""
    import polars as pl

    rows, malformed = [], []
    for number, text in pieces.select("line", "text").iter_rows():
        try:
            entry = json.loads(text)
        except (ValueError, RecursionError):
            entry = None
        if not isinstance(entry, dict):
            malformed.append(number)
            continue
        values = {name: next((v for key in keys if (v := resolve(entry, key)) is not None), None)
                  for name, keys in columns.items()}
        rows.append((number, *(values.get(name) for name in names)))
    schema = {"line": pl.Int64, **{name: pl.String for name in names}}
    return pl.DataFrame(rows, schema=schema, orient="row"), malformed


def _empty_raw(names: tuple[str, ...]) -> pl.DataFrame:
    import polars as pl

    return pl.DataFrame(schema={"line": pl.Int64, **{name: pl.String for name in names}})
