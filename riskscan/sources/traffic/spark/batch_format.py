"""Any embedded line format (JSON-lines gateway logs, `--log-fields` JSON, ALB) run on Spark's executors.

The access log has its own Spark SQL parser (`spark.access_log`); the other line formats are parsed on
the executors by the embedded engine's own code, so the two engines cannot judge a line differently:
each partition's lines go through the format's `parse` a chunk at a time (Polars, on the executor),
and only the request rows and each line's outcome come back into Spark, which numbers the lines and
groups the requests as it does for access logs. The executors need riskscan installed, as they do for
the access log's rare slow lines.

A format qualifies when its parse of a chunk depends on nothing outside the chunk: not a stateful one
(CloudFront's `#Fields:` header names the columns of the lines after it), nor the mapped CSV format,
which knows its header by line number. Lines a format passes over without judging them (headers)
come back as blank lines: numbered, never counted, as the embedded engine treats them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice
from typing import TYPE_CHECKING, Any

from riskscan.sources.traffic.line_log import LineFormat
from riskscan.sources.traffic.lines import LineBatch

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

__all__ = ["SparkBatchFormat", "runs_on_spark"]

_CHUNK_LINES = 65_536  # lines parsed at a time on an executor: bounded memory, Polars-sized batches
_OUTCOME_SCHEMA = (
    "file string, block long, row long, outcome string, variant string, client string, epoch long, "
    "method string, host string, path string, query string, status int"
)
_REQUEST_FIELDS = ("client", "epoch", "method", "host", "path", "query", "status")
_UNJUDGED = "blank"  # the reader's outcome for lines it numbers but never counts


def runs_on_spark(line_format: LineFormat) -> bool:
    """True when the format parses any chunk of lines on its own (see the module docstring)."""
    from riskscan.sources.traffic.jsonl.mapped_log import MappedCsvFormat

    return not getattr(line_format, "is_stateful", False) and not isinstance(line_format, MappedCsvFormat)


class SparkBatchFormat:
    """A `spark.reader.SparkLineFormat` that runs an embedded `LineFormat` on the executors."""

    def __init__(self, line_format: LineFormat) -> None:
        if not runs_on_spark(line_format):
            raise ValueError(f"{line_format.name} lines cannot be parsed apart from the rest of their file")
        self.name = line_format.name
        self.description = line_format.description
        self._format = line_format

    def extract(self, lines: DataFrame) -> DataFrame:
        """Each non-blank line's outcome and variant, and its request's fields when it is one."""
        line_format = self._format

        def parse_partition(rows: Iterable[Any]) -> Iterator[tuple[Any, ...]]:
            return parse_rows(line_format, rows)

        parsed = lines.select("file", "block", "row", "text").rdd.mapPartitions(parse_partition)
        return lines.sparkSession.createDataFrame(parsed, _OUTCOME_SCHEMA)

    def requests(self, session: SparkSession, extracted: DataFrame) -> DataFrame:
        """The extracted lines as they are: `extract` has judged them whole."""
        return extracted


def parse_rows(line_format: LineFormat, rows: Iterable[Any]) -> Iterator[tuple[Any, ...]]:
    """(file, block, row, text) rows in, one outcome row per line out, a chunk at a time."""
    iterator = iter(rows)
    while chunk := list(islice(iterator, _CHUNK_LINES)):
        yield from _parse_chunk(line_format, chunk)


def _parse_chunk(line_format: LineFormat, chunk: list[Any]) -> Iterator[tuple[Any, ...]]:
    """One chunk through the format; its lines are numbered 1.. within the chunk, then mapped back."""
    import polars as pl

    texts = [row[3] for row in chunk]
    batch = LineBatch(first_line=1, data="\n".join(texts).encode("utf-8", "surrogateescape"))
    frame = pl.DataFrame({"line": range(1, len(texts) + 1), "text": texts},
                         schema={"line": pl.Int64, "text": pl.String})
    parsed = line_format.parse(batch, frame)
    outcomes: list[tuple[Any, ...] | None] = [None] * len(texts)
    for request in parsed.requests.select("line", *_REQUEST_FIELDS).iter_rows():
        outcomes[request[0] - 1] = ("request", *request[1:])
    for outcome, numbers in (("malformed", parsed.malformed), ("not_request", parsed.not_requests)):
        for number in numbers:
            outcomes[number - 1] = (outcome, *(None,) * len(_REQUEST_FIELDS))
    variants = _spread(parsed.variants.items(), sum(outcome is not None for outcome in outcomes))
    for row, judged in zip(chunk, outcomes, strict=True):
        if judged is None:
            yield (row[0], row[1], row[2], _UNJUDGED, None, *(None,) * len(_REQUEST_FIELDS))
        else:
            yield (row[0], row[1], row[2], judged[0], next(variants, None), *judged[1:])


def _spread(counts: Iterable[tuple[str, int]], judged: int) -> Iterator[str]:
    """The variant names, each as many times as the format counted it, at most once per judged line:
    only their totals matter (the reader counts lines per variant), not which line carries which."""
    names = (name for name, count in counts for _ in range(count))
    return islice(names, judged)
