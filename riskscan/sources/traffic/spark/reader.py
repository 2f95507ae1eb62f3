"""One location (a local file, or a URI Spark reads: a file, a folder, a glob) in, a `TrafficSample` out.

The embedded engine's `line_log.read_line_log` on Spark: the same tallies (non-blank lines, lines
that do not parse, lines without an HTTP request, the first rejected line numbers, variants), the
same refusal of a location more than half of whose lines are not in the format (judged once, at the
end: Spark reads the whole location in one job), the same warnings worded alike, and the same
`docker compose logs` prefix removed from every line of a location whose first lines carry it
(`docker_prefix.DOCKER_PREFIX`, run by Java's regex engine) before any format sees a line. The parsed lines
are cached (memory, spilling to disk) for the few jobs that read them, and released after.

A compressed stream cut short keeps the lines read before the damage and is named in a warning, as
there (`spark.damaged`). What differs, said in the docs: lines longer than `lines.MAX_LINE` are read
whole, not cut.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Protocol

from riskscan.model import TrafficSample
from riskscan.redaction import redact
from riskscan.sources import ReadContext
from riskscan.sources.traffic.docker_prefix import DOCKER_PREFIX
from riskscan.sources.traffic.line_log import REJECTED_SAMPLES, LineTally, check_rejections, tally_warnings
from riskscan.sources.traffic.spark.aggregate import aggregate_requests
from riskscan.sources.traffic.spark.damaged import (
    ANY_FILE,
    MAX_DAMAGED_FILES,
    Damage,
    counted_lines,
    damaged_file,
    shown_location,
)
from riskscan.sources.traffic.spark.text import line_numbers, tagged_lines

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

__all__ = ["SparkLineFormat", "read_spark_log"]

log = logging.getLogger(__name__)

_BLANK = "blank"  # the outcome of a blank line: numbered, never counted
_REQUEST_COLUMNS = ("line", "client", "epoch", "method", "host", "path", "query", "status")


class SparkLineFormat(Protocol):
    """One line format as Spark expressions (`spark.access_log.SparkCombinedLogFormat` is the model)."""

    name: str
    description: str

    def extract(self, lines: DataFrame) -> DataFrame:
        """From non-blank (`text`, `file`, `block`, `row`) lines: `file`, `block`, `row`, `outcome`,
        `variant` and whatever `requests` needs; lazy, cached by the caller."""
        ...

    def requests(self, session: SparkSession, extracted: DataFrame) -> DataFrame:
        """`file`, `block`, `row`, `outcome` (`request`, `malformed`, `not_request`), `variant` and the
        request columns but `line` (`engine.REQUEST_SCHEMA`)."""
        ...


Tagged = Callable[["SparkSession", Sequence[str], Sequence[str]], "DataFrame"]
"""Numbered lines of locations, the damaged files read up to their damage (`text.tagged_lines`)."""


def read_spark_log(
    session: SparkSession,
    locations: Sequence[str],
    shown: str,
    context: ReadContext,
    log_format: SparkLineFormat,
    tagged: Tagged | None = None,
    *,
    is_prefixed: bool = False,
) -> TrafficSample:
    """Read the files at `locations` (numbered as one, in path order) as one `TrafficSample` named `shown`.

    `tagged` gives the numbered lines (`text.tagged_lines`, the default; `text.tagged_parquet_rows`).
    A file Spark cannot read to the end is read up to its damage and named in a warning
    (`spark.damaged`). Raises `TrafficLogError` when more than half of the non-blank lines are not in
    the format. `is_prefixed`: the first lines carry the docker prefix (`docker_prefix.is_docker_prefixed`).
    """
    damaged: list[str] = []
    while True:
        try:
            return _read(session, locations, shown, context, log_format, tagged or tagged_lines, damaged,
                         is_prefixed)
        except Exception as error:  # Spark's errors come as Py4J errors: only a named damaged file is retried
            file = damaged_file(error)
            if file is None or file in damaged or ANY_FILE in damaged:
                raise
            damaged.append(file if len(damaged) < MAX_DAMAGED_FILES else ANY_FILE)
            log.debug("%s: a file is damaged; reading it up to the damage", shown)


def _read(
    session: SparkSession,
    locations: Sequence[str],
    shown: str,
    context: ReadContext,
    log_format: SparkLineFormat,
    tagged: Tagged,
    damaged: Sequence[str],
    is_prefixed: bool,
) -> TrafficSample:
    from pyspark import StorageLevel
    from pyspark.sql import functions as F

    tagged_frame = tagged(session, locations, damaged)
    if is_prefixed:
        tagged_frame = tagged_frame.withColumn("text", F.regexp_replace("text", DOCKER_PREFIX, ""))
    is_blank = ~F.col("text").rlike(r"(?U)\S")
    blank = tagged_frame.filter(is_blank).select("file", "block", "row", F.lit(_BLANK).alias("outcome"))
    extracted = log_format.extract(tagged_frame.filter(~is_blank)).unionByName(blank, allowMissingColumns=True)
    extracted = extracted.persist(StorageLevel.MEMORY_AND_DISK)
    try:
        numbers = F.broadcast(line_numbers(session, extracted))
        judged = log_format.requests(session, extracted).join(numbers, ["file", "block"]).withColumn(
            "line", F.col("row") - F.col("first_row") + F.col("before") + 1)
        judged = judged.filter(F.col("outcome") != _BLANK)
        tally = _tally(judged)
        check_rejections(tally, shown, log_format.description, is_final=True)
        requests = judged.filter(F.col("outcome") == "request").select(*_REQUEST_COLUMNS)
        result = aggregate_requests(session, requests, context.client_id, context.protected_paths)
        damage = _damage(extracted, damaged)
    finally:
        extracted.unpersist()
    warnings = (*damage, *tally_warnings(tally, None), *result.warnings)
    for warning in warnings:
        log.warning("%s: %s", shown, redact(warning))
    return TrafficSample(
        path=shown,
        format=tally.variants.most_common(1)[0][0] if tally.variants else log_format.name,
        total_lines=tally.total,
        parsed_lines=tally.total - tally.malformed - tally.not_requests,
        rejected_lines=tally.malformed + tally.not_requests,
        paths=result.paths,
        first_seen=result.first_seen,
        last_seen=result.last_seen,
        distinct_clients=result.distinct_clients,
        warnings=warnings,
    )


def _damage(extracted: DataFrame, damaged: Sequence[str]) -> tuple[str, ...]:
    """The warnings naming the damaged files, with the non-blank lines read from each."""
    if not damaged:
        return ()
    from pyspark.sql import functions as F

    lines = extracted.filter(F.col("outcome") != _BLANK).groupBy("file").count()
    counts = [(row["file"], row["count"]) for row in lines.collect()]
    one_file = len(counts) == 1
    damage = Damage(counted_lines(counts, damaged), others_possible=ANY_FILE in damaged)
    return damage.warnings(lambda file: "" if one_file else f"{shown_location(file)}: ")


def _tally(judged: DataFrame) -> LineTally:
    """Lines per outcome and variant, and the first rejected line numbers, in one small job."""

    counts = judged.groupBy("outcome", "variant").count().collect()
    outcomes: Counter[str] = Counter()
    variants: Counter[str] = Counter()
    for row in counts:
        outcomes[row["outcome"]] += row["count"]
        if row["variant"] is not None:
            variants[row["variant"]] += row["count"]
    # In the embedded engine's order, zeros included, so that ties in `most_common` fall alike.
    ordered = Counter({name: variants[name] for name in ("vhost_combined", "combined", "common")})
    ordered.update({name: count for name, count in variants.items() if name not in ordered})
    return LineTally(
        total=sum(outcomes.values()),
        malformed=outcomes["malformed"],
        not_requests=outcomes["not_request"],
        rejected_samples=_first_rejected(judged) if outcomes.keys() - {"request"} else [],
        variants=ordered,
    )


def _first_rejected(judged: DataFrame) -> list[int]:
    """The numbers of the first rejected lines (a warning names them)."""
    from pyspark.sql import functions as F

    rejected = judged.filter(F.col("outcome") != "request").select("line").orderBy("line").limit(REJECTED_SAMPLES)
    return [row["line"] for row in rejected.collect()]
