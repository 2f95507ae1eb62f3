"""Any JSON-lines or CSV log, read through the `--log-fields` mapping the user gives, and nginx JSON
access logs keyed by nginx's variable names, read through a built-in mapping (`nginx_json`).

Such a file is recognised only when a mapping is given (`ReadContext.log_fields`): JSON lines whose
first objects carry the mapped keys, or a CSV (comma, tab, semicolon or `|` separated, optionally
quoted) whose header names the mapped columns. The mapping is then checked before any built-in
kind, so a user's mapping wins over a guess. Without one that fits, JSON lines keyed by nginx's own
variable names (`remote_addr`, `request`, `status`, `time_local` ...) are recognised by content and
read through `nginx_json.NGINX_JSON_FIELDS`. JSON lines go through `decode.JsonLinesFormat`; CSV
rows are split by Polars' CSV reader a batch at a time (Python's `csv`, line by line, for a batch
it cannot split one row per line: quoted line breaks), then the same `columns` rules apply.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from riskscan.model import SourceKind, TrafficSample
from riskscan.sources import ReadContext, read_head
from riskscan.sources.traffic.docker_prefix import plain_head
from riskscan.sources.traffic.jsonl.columns import RAW_COLUMNS, requests_from_columns
from riskscan.sources.traffic.jsonl.decode import JsonLinesFormat, head_objects, resolve
from riskscan.sources.traffic.jsonl.fields import FieldMap
from riskscan.sources.traffic.jsonl.nginx_json import NGINX_JSON_FIELDS, is_nginx_json
from riskscan.sources.traffic.line_log import LineFormat, ParsedLines, TrafficLogError, read_line_log
from riskscan.sources.traffic.lines import LineBatch

if TYPE_CHECKING:
    import polars as pl

__all__ = ["CsvHeader", "MappedCsvFormat", "MappedLogReader", "csv_header", "is_mapped_log"]

_SEPARATORS = (",", "\t", ";", "|")


class MappedLogReader:
    """Reader for JSON-lines and CSV logs through a `--log-fields` mapping."""

    kind = SourceKind.MAPPED_LOG
    title = ("any JSON-lines or CSV (with header) log, through a --log-fields mapping; nginx JSON access logs "
             "keyed by nginx's variable names without one; plain, .gz or .zst")
    summary = ("the mapped time, method, path or URL, status, host and client, as for access logs; every "
               "other field skipped unread")

    def sniff(self, path: Path, head: bytes) -> bool:
        """By content only for nginx JSON access logs keyed by nginx's variable names: for any other
        log, nothing but a mapping says which keys are the request."""
        return is_nginx_json(head)

    def read(self, path: Path, context: ReadContext) -> TrafficSample:
        """Stream the log through the mapping; raise `TrafficLogError` when it does not fit it."""
        try:
            line_format = self.line_format(read_head(path), context)
        except ValueError:
            raise TrafficLogError("a mapped log is read only with --log-fields",
                                  path=context.relative_path(path)) from None
        return read_line_log(path, context, line_format)

    def line_format(self, head: bytes, context: ReadContext) -> LineFormat:
        """CSV when the first line is a header naming the mapped columns, else JSON lines; an nginx JSON
        log that the user's mapping (if any) does not fit, through the built-in mapping. Raises
        `ValueError` for any other log without a mapping (`read` says so)."""
        fields = context.log_fields
        if (fields is None or not is_mapped_log(head, fields)) and is_nginx_json(head):
            return JsonLinesFormat("nginx_json", "an nginx JSON access log", NGINX_JSON_FIELDS)
        if fields is None:
            raise ValueError("a mapped log is read only with --log-fields")
        header = csv_header(head, fields)
        if header is not None:
            return MappedCsvFormat(header, fields)
        return JsonLinesFormat("mapped_json", "a JSON-lines log with the mapped keys", fields)


def is_mapped_log(head: bytes, fields: FieldMap) -> bool:
    """True when the head is JSON lines whose first objects mostly carry the mapped keys, or a CSV
    whose header names them."""
    if csv_header(head, fields) is not None:
        return True
    objects = head_objects(head)
    good = sum(all(any(resolve(entry, key) is not None for key in keys) for keys in fields.required())
               for entry in objects)
    return good > 0 and good * 2 > len(objects)


@dataclass(frozen=True)
class CsvHeader:
    """A CSV log's column names, separator, and the line the header is on."""

    names: tuple[str, ...]
    separator: str
    line: int


def csv_header(head: bytes, fields: FieldMap) -> CsvHeader | None:
    """The header when the first non-blank line names a column for every required field (behind a
    `docker compose logs` prefix or not)."""
    lines = plain_head(head).decode("utf-8", "replace").splitlines()
    number, first = next(((n, line) for n, line in enumerate(lines, 1) if line.strip()), (0, ""))
    if not first or first.lstrip().startswith(("{", "[")):
        return None
    for separator in _SEPARATORS:
        cells = next(csv.reader([first.removeprefix("\ufeff")], delimiter=separator))
        names = tuple(name.strip() for name in cells)
        if len(names) > 1 and all(any(key in names for key in keys) for keys in fields.required()):
            return CsvHeader(names, separator, number)
    return None


class MappedCsvFormat:
    """CSV rows, mapped to the request columns by header name."""

    name = "mapped_csv"
    description = "a CSV log with the mapped columns"

    def __init__(self, header: CsvHeader, fields: FieldMap) -> None:
        self._header = header
        self._fields = fields
        self._columns = {name: tuple(key for key in keys if key in header.names)
                         for name, keys in fields.columns().items()}

    def parse(self, batch: LineBatch, lines: pl.DataFrame) -> ParsedLines:
        """Request rows of the batch's rows (the header line skipped, not counted as rejected)."""
        import polars as pl

        rows = lines.filter(pl.col("line") != self._header.line)
        cells = self._split(rows)
        raw = cells.select("line", *(self._column(name) for name in RAW_COLUMNS))
        parsed = requests_from_columns(raw, self._fields, self.name)
        parsed.headers = lines.height - rows.height
        return parsed

    def _split(self, rows: pl.DataFrame) -> pl.DataFrame:
        """`line` and one string column per header name (null past the end of a short row)."""
        import polars as pl

        names = self._header.names
        schema = {f"c{index}": pl.String for index in range(len(names))}
        frame = None
        try:
            text = "\n".join(rows["text"].to_list()).encode()
            frame = pl.read_csv(io.BytesIO(text), has_header=False, schema=schema,
                                separator=self._header.separator, truncate_ragged_lines=True)
        except pl.exceptions.PolarsError:
            pass
        if frame is None or frame.height != rows.height:  # quoted line breaks: line by line instead
            split = [next(csv.reader([text], delimiter=self._header.separator), []) for text in rows["text"]]
            width = len(names)
            cells: list[list[str | None]] = [[*row[:width], *[None] * (width - len(row))] for row in split]
            frame = pl.DataFrame(cells, schema=schema, orient="row")
        return frame.with_columns(line=rows["line"])

    def _column(self, name: str) -> pl.Expr:
        import polars as pl

        keys = self._columns.get(name, ())
        values = [pl.col(f"c{self._header.names.index(key)}") for key in keys]
        present = (pl.when(~value.str.strip_chars().is_in(("", "-"))).then(value) for value in values)
        return pl.coalesce(*present, pl.lit(None, pl.String)).alias(name)
