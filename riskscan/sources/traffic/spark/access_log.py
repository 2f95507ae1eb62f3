"""nginx/Apache access logs (common, combined, vhost_combined) parsed by Spark SQL functions.

The same acceptance as `access_log.CombinedLogFormat`: its fast patterns (`_PLAIN`, then `_VHOST`),
run by Java's regex engine, accept most lines; one `regexp_replace` then lays their fields out,
separated by a byte no accepted line holds, and `split` takes them apart. Timestamps, vhosts and
the lines the fast patterns miss are judged by `access_log_parse`'s own rules, so the two engines
cannot drift apart:
- the distinct minutes, `:SS +zzzz` ends and vhosts (few, however long the log) are collected to
  the driver, read once each, and joined back (broadcast);
- a line neither pattern takes goes through `slow_request` in a Python UDF: rare lines only
  (escaped quotes, absolute URIs, bytes outside ASCII, junk), so the common path stays in the JVM.
  Spark has already decoded such a line as UTF-8, so bytes that are not UTF-8 reach `slow_request`
  as U+FFFD, where the embedded engine percent-encodes the raw byte.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from riskscan.sources.traffic.access_log import _PLAIN, _VHOST
from riskscan.sources.traffic.access_log_parse import (
    is_own_message,
    minute_start,
    parse_line,
    second_and_zone,
    slow_request,
    vhost_name,
)

if TYPE_CHECKING:
    from pyspark.sql import Column, DataFrame, SparkSession

__all__ = ["SparkCombinedLogFormat"]

_SEPARATOR = "\u001f"  # no line the fast patterns accept holds it (they admit printable ASCII only)
_TOKEN = r"[!$->@-Z\\-~]+"
# `_PLAIN` with its fields captured: client, minute, `:SS +zzzz`, the Host header logged after the time
# (APISIX), method, path, `?query`, status.
_FIELDS = (
    rf'(?s)^({_TOKEN}) {_TOKEN} {_TOKEN} \[([0-9]{{2}}/[A-Za-z]{{3}}/[0-9]{{4}}:[0-9]{{2}}:[0-9]{{2}})'
    rf'(:[0-9]{{2}} [+-][0-9]{{4}})\] (?:({_TOKEN}) )?'
    r'"([A-Za-z]{1,20}) (/[!$->@-~]*)(\?[!$-~]*)?(?:#[!#-~]*)?(?: HTTP/[!#-~]*)?" '
    r"([1-5][0-9]{2}) .*$"
)
_LAYOUT = _SEPARATOR.join(f"${group}" for group in range(1, 9))
_SLOW_SCHEMA = (
    "outcome string, variant string, client string, epoch long, method string, host string, path string, "
    "query string, status int"
)
_MINUTE, _SECOND, _VHOST_NAME = 0, 1, 2  # kinds of the values looked up on the driver


class SparkCombinedLogFormat:
    """The common, combined and vhost_combined formats as Spark expressions (see the module docstring)."""

    name = "combined"
    description = "an access log"

    def extract(self, lines: DataFrame) -> DataFrame:
        """From non-blank (`text`, `file`, `block`, `row`) lines: `outcome` (`request`, `malformed`,
        `not_request`, or `fast` until timestamps are read), `variant`, and the request's fields."""
        from pyspark.sql import functions as F

        text = F.col("text")
        is_plain = text.rlike(_PLAIN)
        is_vhost = ~is_plain & text.rlike(_VHOST)
        kept = ("file", "block", "row")
        fast = lines.filter(is_plain | is_vhost).select(
            *kept,
            F.when(is_vhost, F.lit("vhost_combined"))
            .when(F.regexp_replace(text, "\r$", "").endswith('"'), F.lit("combined"))
            .otherwise(F.lit("common")).alias("variant"),
            F.when(is_vhost, F.substring_index(text, " ", 1)).alias("vhost"),
            F.split(F.regexp_replace(_body(is_vhost), _FIELDS, _LAYOUT), _SEPARATOR).alias("fields"),
        ).select(
            *kept, F.lit("fast").alias("outcome"), "variant",
            F.coalesce(F.when(F.col("fields")[3] != "", F.col("fields")[3]), F.col("vhost")).alias("vhost"),
            *(F.col("fields")[index].alias(name) for index, name in enumerate(("client", "minute", "second"))),
            F.col("fields")[4].alias("method"),
            F.col("fields")[5].alias("path"),
            F.when(F.col("fields")[6] != "", F.substring(F.col("fields")[6], 2, 1 << 30)).alias("query"),
            F.col("fields")[7].cast("int").alias("status"),
            F.lit(None).cast("long").alias("epoch"),
            F.lit(None).cast("string").alias("host"),
        )
        slow = _slow_lines(lines.filter(~(is_plain | is_vhost)), kept)
        return fast.unionByName(slow)

    def requests(self, session: SparkSession, extracted: DataFrame) -> DataFrame:
        """The extracted lines with the fast ones' epochs and hosts read (a fast line whose timestamp is
        not a real one becomes `malformed`). `extracted` should be cached: this collects from it."""
        from pyspark.sql import functions as F

        lookups = _lookups(session, extracted)
        minute, second, host = (
            F.broadcast(lookups.filter(F.col("kind") == kind).select(F.col("value").alias(name), F.col("result")
                                                                      .alias(f"{name}_result")))
            for kind, name in ((_MINUTE, "minute"), (_SECOND, "second"), (_VHOST_NAME, "vhost"))
        )
        joined = (extracted.join(minute, "minute", "left").join(second, "second", "left")
                  .join(host, "vhost", "left"))
        is_fast = F.col("outcome") == "fast"
        epoch = F.col("minute_result").cast("long") + F.col("second_result").cast("long")
        return joined.select(
            "file", "block", "row", "variant", "client", "method", "path", "query", "status",
            F.when(is_fast & epoch.isNull(), F.lit("malformed")).when(is_fast, F.lit("request"))
            .otherwise(F.col("outcome")).alias("outcome"),
            F.when(is_fast, epoch).otherwise(F.col("epoch")).alias("epoch"),
            F.when(is_fast, F.upper("method")).otherwise(F.col("method")).alias("method_upper"),
            F.when(is_fast, F.col("vhost_result")).otherwise(F.col("host")).alias("host_name"),
        ).drop("method").withColumnsRenamed({"method_upper": "method", "host_name": "host"})


def _body(is_vhost: Column) -> Column:
    """The line without its `%v:%p` prefix when it has one."""
    from pyspark.sql import functions as F

    text = F.col("text")
    return F.when(is_vhost, F.expr("substring(text, instr(text, ' ') + 1)")).otherwise(text)


def _lookups(session: SparkSession, extracted: DataFrame) -> DataFrame:
    """(kind, value, result) for every distinct minute, `:SS +zzzz` end and vhost of the fast lines,
    each read once on the driver by `access_log_parse`'s rules."""
    from pyspark.sql import functions as F

    fast = extracted.filter(F.col("outcome") == "fast")
    distinct = (
        fast.select(F.lit(_MINUTE).alias("kind"), F.col("minute").alias("value"))
        .union(fast.select(F.lit(_SECOND), F.col("second")))
        .union(fast.filter(F.col("vhost").isNotNull()).select(F.lit(_VHOST_NAME), F.col("vhost")))
        .distinct()
    )
    readers: dict[int, Callable[[bytes], int | str | None]] = {
        _MINUTE: minute_start, _SECOND: second_and_zone, _VHOST_NAME: vhost_name}
    rows = [(row["kind"], row["value"], _as_text(readers[row["kind"]](row["value"].encode())))
            for row in distinct.collect()]
    return session.createDataFrame(rows, "kind int, value string, result string")


def _as_text(value: int | str | None) -> str | None:
    return None if value is None else str(value)


def _slow_lines(lines: DataFrame, kept: tuple[str, ...]) -> DataFrame:
    """The lines neither fast pattern takes, through `slow_request` one by one (a Python UDF)."""
    from pyspark.sql import functions as F

    judge = F.udf(_judge_slowly, _SLOW_SCHEMA, useArrow=False)  # pyarrow is not a dependency
    return lines.select(*kept, judge("text").alias("judged")).select(
        *kept, *(F.col("judged")[name].alias(name) for name in ("outcome", "variant")),
        F.lit(None).cast("string").alias("vhost"),
        F.col("judged.client"), F.lit(None).cast("string").alias("minute"),
        F.lit(None).cast("string").alias("second"),
        *(F.col("judged")[name].alias(name) for name in ("method", "path", "query", "status", "epoch", "host")),
    )


def _judge_slowly(text: str) -> tuple[object, ...]:
    """One line as `access_log._parse_slowly` judges it: outcome, variant, and the request if any."""
    line = text.encode("utf-8", "surrogateescape")
    request = slow_request(line.rstrip(b"\r"))
    if request == "malformed" and is_own_message(line):
        return ("blank", None, None, None, None, None, None, None, None)  # numbered, never counted
    variant = None
    if isinstance(request, tuple) or request == "not_request":
        fields = parse_line(line)
        if fields is not None:
            variant = "vhost_combined" if fields[0] is not None else "combined" if fields[5] else "common"
    if isinstance(request, str):
        return (request, variant, None, None, None, None, None, None, None)
    client, epoch, method, host, path, query, status = request
    return ("request", variant, client, epoch, method, host, path, query, status)
