"""What a scan with `--engine spark` changes: its traffic logs are read on Spark.

Local files are found and judged by content as in any scan. Access logs are read by
`SparkAccessLogReader` (Spark SQL); JSON-lines gateway logs (APISIX, Kong, Envoy, Traefik, Caddy),
`--log-fields` JSON logs, ALB and HAProxy logs by `SparkLineLogReader`, which runs the embedded format on the executors
(`spark.batch_format`). The rest (HAR, CloudFront and IIS, mapped CSV) stay on the embedded engine: their lines
cannot be parsed apart from the rest of their file. Locations given as URIs (`s3a://`, `hdfs://`,
`abfss://`, `file://`) never touch the local file system: each is one traffic source (a file, a folder
or a glob of them, numbered as one in path order), judged by its first lines read through Spark. A
location ending in `.parquet` is read as Parquet: each row becomes one JSON object (nested columns as
nested objects), read as the JSON-lines kind its first rows are, or through `--log-fields`; its line
numbers are row numbers.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, cast
from urllib.parse import urlsplit

from riskscan.discovery import ReadOutcome
from riskscan.errors import SourceError
from riskscan.model import InputFile, InputStatus, SourceKind, TrafficSample
from riskscan.sources import READERS, ReadContext, SourceReader, read_head
from riskscan.sources.traffic.access_log import AccessLogReader
from riskscan.sources.traffic.docker_prefix import is_docker_prefixed
from riskscan.sources.traffic.line_log import LineFormat
from riskscan.sources.traffic.spark.access_log import SparkCombinedLogFormat
from riskscan.sources.traffic.spark.batch_format import SparkBatchFormat, runs_on_spark
from riskscan.sources.traffic.spark.damaged import shown_location
from riskscan.sources.traffic.spark.reader import SparkLineFormat, read_spark_log
from riskscan.sources.traffic.spark.session import spark_session
from riskscan.sources.traffic.spark.text import LocalNames, tagged_parquet_rows

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

__all__ = ["SPARK_LINE_KINDS", "SparkAccessLogReader", "SparkLineLogReader", "SparkTraffic", "shown_location"]

log = logging.getLogger(__name__)

_SNIFF_LINES = 20
SPARK_LINE_KINDS = (
    SourceKind.APISIX_LOG, SourceKind.KONG_LOG, SourceKind.ENVOY_LOG, SourceKind.TRAEFIK_LOG,
    SourceKind.ALB_LOG, SourceKind.MAPPED_LOG, SourceKind.HAPROXY_LOG, SourceKind.CADDY_LOG,
)
"""The line-log kinds besides access logs whose embedded format Spark runs (in sniffing order)."""


class _LineLogReader(Protocol):
    """An embedded line-log reader that says which format a file's lines are in."""

    kind: SourceKind
    title: str
    summary: str

    def sniff(self, path: Path, head: bytes) -> bool: ...

    def read(self, path: Path, context: ReadContext) -> TrafficSample: ...

    def line_format(self, head: bytes, context: ReadContext) -> LineFormat: ...


class SparkAccessLogReader(AccessLogReader):
    """The access-log reader with its aggregation run on Spark (`spark.access_log`)."""

    def __init__(self, session: SparkSession) -> None:
        self._session = session

    def read(self, path: Path, context: ReadContext) -> TrafficSample:
        """Read the log on Spark; raise `TrafficLogError` when it is not an access log."""
        with LocalNames() as names:
            location = names.location(path)
            return read_spark_log(self._session, [location], context.relative_path(path), context,
                                  SparkCombinedLogFormat(), is_prefixed=is_docker_prefixed(read_head(path)))


class SparkLineLogReader:
    """An embedded line-log reader whose lines are parsed and grouped on Spark (`spark.batch_format`);
    a file in a format that cannot run there is read by the embedded reader, as without Spark."""

    def __init__(self, reader: _LineLogReader, session: SparkSession) -> None:
        self.kind, self.title, self.summary = reader.kind, reader.title, reader.summary
        self._reader = reader
        self._session = session

    def sniff(self, path: Path, head: bytes) -> bool:
        """As the embedded reader judges."""
        return self._reader.sniff(path, head)

    def read(self, path: Path, context: ReadContext) -> TrafficSample:
        """Read the log on Spark; raise `TrafficLogError` when it is not a log of this kind."""
        head = read_head(path)
        try:
            line_format = self._reader.line_format(head, context)
        except ValueError:
            return self._reader.read(path, context)  # it says what is missing in its own words
        if not runs_on_spark(line_format):
            return self._reader.read(path, context)
        with LocalNames() as names:
            return read_spark_log(self._session, [names.location(path)], context.relative_path(path), context,
                                  SparkBatchFormat(line_format), is_prefixed=is_docker_prefixed(head))

    def spark_format(self, head: bytes, context: ReadContext) -> SparkLineFormat | None:
        """The Spark format for a location whose first lines are `head`; None when it cannot run there."""
        line_format = self._reader.line_format(head, context)
        return SparkBatchFormat(line_format) if runs_on_spark(line_format) else None


class SparkTraffic:
    """The Spark side of a scan: readers for local files, and the reading of remote locations."""

    def __init__(self, master: str | None = None) -> None:
        self._session = spark_session(master)
        self._reader = SparkAccessLogReader(self._session)
        self._line_readers = {kind: SparkLineLogReader(cast(_LineLogReader, READERS[kind]), self._session)
                              for kind in SPARK_LINE_KINDS}

    def readers(self) -> dict[SourceKind, SourceReader]:
        """`sources.READERS` with the traffic kinds Spark reads replaced by their Spark readers."""
        return {**READERS, SourceKind.ACCESS_LOG: self._reader, **self._line_readers}

    def read_locations(self, locations: Sequence[str], context: ReadContext) -> list[ReadOutcome]:
        """Each location read as one traffic source; a bad one is `failed`, never the scan."""
        return [self._read_location(location, context) for location in locations]

    def _read_location(self, location: str, context: ReadContext) -> ReadOutcome:
        shown = shown_location(location)
        kind: SourceKind | None = None
        try:
            is_parquet = _is_parquet(location)
            head = self._head(location, is_parquet)
            kind, log_format = self._judge(shown, head, context, is_parquet)
            if kind is None or log_format is None:
                message = f"{shown}: {_NOT_A_LOG if kind is None else _NOT_ON_SPARK}"
                return ReadOutcome(InputFile(path=shown, kind=kind, status=InputStatus.FAILED, message=message))
            sample = read_spark_log(self._session, [location], shown, context, log_format,
                                    tagged=tagged_parquet_rows if is_parquet else None,
                                    is_prefixed=not is_parquet and is_docker_prefixed(head))
        except SourceError as error:
            return ReadOutcome(InputFile(path=shown, kind=kind, status=InputStatus.FAILED, message=str(error)))
        except Exception as error:  # Spark's own errors quote the URI and more: only the kind is shown
            log.debug("Spark could not read %s", shown, exc_info=True)
            message = f"{shown}: Spark could not read it ({type(error).__name__}; --debug shows more)"
            return ReadOutcome(InputFile(path=shown, status=InputStatus.FAILED, message=message))
        record = InputFile(path=shown, kind=kind, status=InputStatus.USED,
                           message=sample.warnings[0] if sample.warnings else None)
        return ReadOutcome(record, sample)

    def _judge(
        self, shown: str, head: bytes, context: ReadContext, is_parquet: bool
    ) -> tuple[SourceKind | None, SparkLineFormat | None]:
        """The kind of log the first lines show, and its Spark format (None when it cannot run there)."""
        from riskscan.sources.traffic.jsonl.mapped_log import is_mapped_log

        if not is_parquet and self._reader.sniff(Path(shown), head):
            return SourceKind.ACCESS_LOG, SparkCombinedLogFormat()
        if context.log_fields is not None and is_mapped_log(head, context.log_fields):
            kind: SourceKind | None = SourceKind.MAPPED_LOG
        else:
            kind = next((kind for kind in SPARK_LINE_KINDS if READERS[kind].sniff(Path(shown), head)), None)
        if kind is None:
            return None, None
        return kind, self._line_readers[kind].spark_format(head, context)

    def _head(self, location: str, is_parquet: bool) -> bytes:
        """The first lines at the location (Parquet rows as JSON objects), for sniffing."""
        if is_parquet:
            rows = tagged_parquet_rows(self._session, [location]).select("text").limit(_SNIFF_LINES).collect()
            return "\n".join(row["text"] for row in rows).encode("utf-8", "replace")
        rows = self._session.read.option("lineSep", "\n").text(location).limit(_SNIFF_LINES).collect()
        return "\n".join(row["value"] for row in rows).encode("utf-8", "replace")


_NOT_A_LOG = ("not a traffic log Spark reads (access, APISIX, Kong, Envoy, Traefik, Caddy, ALB, HAProxy, "
              "or --log-fields JSON)")
_NOT_ON_SPARK = "a log whose lines cannot be parsed apart from the rest of the file (read it as a local file)"


def _is_parquet(location: str) -> bool:
    """A location named `.parquet` (a file, or the folder Spark writes) is read as Parquet."""
    return urlsplit(location).path.rstrip("/").lower().endswith(".parquet")
