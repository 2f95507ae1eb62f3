"""What a scan with `--engine spark` changes: its traffic logs are read on Spark.

Local files are found and judged by content as in any scan; those that are access logs are read by
`SparkAccessLogReader` instead of the embedded reader. Locations given as URIs (`s3a://`, `hdfs://`,
`abfss://`, `file://`) never touch the local file system: each is one traffic source (a file, a folder
or a glob of them, numbered as one in path order), judged by its first lines read through Spark.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit

from riskscan.discovery import ReadOutcome
from riskscan.errors import SourceError
from riskscan.model import InputFile, InputStatus, SourceKind, TrafficSample
from riskscan.redaction import redact_file_path
from riskscan.sources import READERS, ReadContext, SourceReader
from riskscan.sources.traffic.access_log import AccessLogReader
from riskscan.sources.traffic.spark.access_log import SparkCombinedLogFormat
from riskscan.sources.traffic.spark.reader import read_spark_log
from riskscan.sources.traffic.spark.session import spark_session
from riskscan.sources.traffic.spark.text import LocalNames

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

__all__ = ["SparkAccessLogReader", "SparkTraffic", "shown_location"]

log = logging.getLogger(__name__)

_SNIFF_LINES = 20


def shown_location(uri: str) -> str:
    """The URI as reports show it: without credentials (`key:secret@`), query or fragment, redacted."""
    parts = urlsplit(uri)
    user, _, host = parts.netloc.rpartition("@")
    netloc = host if ":" in user else parts.netloc  # `container@account` (abfss) is no credential
    return redact_file_path(urlunsplit((parts.scheme, netloc, parts.path, "", "")))


class SparkAccessLogReader(AccessLogReader):
    """The access-log reader with its aggregation run on Spark (`spark.access_log`)."""

    def __init__(self, session: SparkSession) -> None:
        self._session = session

    def read(self, path: Path, context: ReadContext) -> TrafficSample:
        """Read the log on Spark; raise `TrafficLogError` when it is not an access log."""
        with LocalNames() as names:
            location = names.location(path)
            return read_spark_log(self._session, [location], context.relative_path(path), context,
                                  SparkCombinedLogFormat())


class SparkTraffic:
    """The Spark side of a scan: readers for local files, and the reading of remote locations."""

    def __init__(self, master: str | None = None) -> None:
        self._session = spark_session(master)
        self._reader = SparkAccessLogReader(self._session)

    def readers(self) -> dict[SourceKind, SourceReader]:
        """`sources.READERS` with the traffic kinds Spark reads replaced by their Spark readers."""
        return {**READERS, SourceKind.ACCESS_LOG: self._reader}

    def read_locations(self, locations: Sequence[str], context: ReadContext) -> list[ReadOutcome]:
        """Each location read as one traffic source; a bad one is `failed`, never the scan."""
        return [self._read_location(location, context) for location in locations]

    def _read_location(self, location: str, context: ReadContext) -> ReadOutcome:
        shown = shown_location(location)
        try:
            head = self._head(location)
            if not self._reader.sniff(Path(shown), head):
                message = f"{shown}: not an access log (the traffic format Spark reads)"
                return ReadOutcome(InputFile(path=shown, status=InputStatus.FAILED, message=message))
            sample = read_spark_log(self._session, [location], shown, context, SparkCombinedLogFormat())
        except SourceError as error:
            return ReadOutcome(InputFile(path=shown, kind=SourceKind.ACCESS_LOG, status=InputStatus.FAILED,
                                         message=str(error)))
        except Exception as error:  # Spark's own errors quote the URI and more: only the kind is shown
            log.debug("Spark could not read %s", shown, exc_info=True)
            message = f"{shown}: Spark could not read it ({type(error).__name__}; --debug shows more)"
            return ReadOutcome(InputFile(path=shown, status=InputStatus.FAILED, message=message))
        record = InputFile(path=shown, kind=SourceKind.ACCESS_LOG, status=InputStatus.USED,
                           message=sample.warnings[0] if sample.warnings else None)
        return ReadOutcome(record, sample)

    def _head(self, location: str) -> bytes:
        """The first lines at the location, for sniffing."""
        rows = self._session.read.option("lineSep", "\n").text(location).limit(_SNIFF_LINES).collect()
        return "\n".join(row["value"] for row in rows).encode("utf-8", "replace")
