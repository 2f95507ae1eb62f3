"""The embedded engine's aggregation (`engine.TrafficAggregator`) as Spark SQL over request rows.

Input: a frame of `engine.REQUEST_SCHEMA` columns. Every step is the embedded engine's:
- paths are partly folded by the same patterns (`engine._FOLDS`, run by Java's regex engine); the
  distinct partly-folded paths (few: ids are folded already) are collected to the driver, reduced
  once each by `reduce.reduce_path`, and joined back (broadcast);
- grouped per (endpoint, client), (endpoint, status slot), (endpoint, client, minute: requests and
  failed authentications) and (endpoint, query key), exactly as there; only these groups reach the driver,
  where client names become opaque ids (`ReadContext.client_id`) and are dropped, and the groups
  become `PathTraffic` through the embedded engine's own `_path_traffic`.
The one difference: object keys are Spark's `xxhash64` of the concrete path, not Polars' hash, so
the keys differ while their counts (objects per client and per endpoint) are the same.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from riskscan.sources.traffic.engine import _FAILED_AUTH, _FOLDS, _LAST_NUMBER, UNKNOWN_CLIENT, reduce_protected
from riskscan.sources.traffic.traffic_result import MAX_QUERY_KEYS, AggregateResult, traffic_result

if TYPE_CHECKING:
    import polars as pl
    from pyspark.sql import Column, DataFrame, SparkSession

__all__ = ["aggregate_requests"]

_ENDPOINT = ("method", "host", "reduced")
_NO_HOST = ""  # stands for a null host while grouping (joins never match nulls); no host is empty


def aggregate_requests(
    session: SparkSession,
    requests: DataFrame,
    client_id: Callable[[str], int],
    protected_paths: frozenset[str] = frozenset(),
) -> AggregateResult:
    """Reduce and group `requests` (cached, `REQUEST_SCHEMA` columns); see the module docstring."""
    from pyspark import StorageLevel
    from pyspark.sql import functions as F

    protected = sorted(protected_paths, key=len)  # the longest that matches wins, as in the embedded engine
    partly = _fold(F.col("path"))
    if protected:
        kept = _protected_length(F.col("path"), protected)
        partly = F.concat(
            F.col("path").substr(F.lit(1), kept), _fold(F.col("path").substr(kept + 1, F.lit(1 << 30)))
        )
    # Cached: the reductions and each of the groups read these rows; their regexes run once.
    rows = requests.select(*_keyed_columns(), partly.alias("partly")).persist(StorageLevel.MEMORY_AND_DISK)
    try:
        reduced = _reductions(session, rows, protected)
        clients, statuses, query_keys = _groups(rows.join(F.broadcast(reduced), "partly").drop("partly"))
    finally:
        rows.unpersist()
    endpoints: dict[tuple[str, str | None, str], int] = {}
    client_frame = _clients_frame(clients, endpoints, client_id)
    status_frame = _frame(
        [(endpoints[_key(row)], row["slot"], row["count"], row["line"]) for row in statuses],
        {"endpoint": "UInt32", "slot": "Int32", "count": "UInt32", "line": "Int64"},
    )
    cut = len(query_keys) > MAX_QUERY_KEYS
    if cut:
        query_keys = sorted(query_keys, key=lambda row: row["count"], reverse=True)[:MAX_QUERY_KEYS]
    key_frame = _frame(
        [(endpoints[_key(row)], row["query_key"], row["count"]) for row in query_keys],
        {"endpoint": "UInt32", "query_key": "String", "count": "UInt32"},
    )
    objects = client_frame.select("endpoint", "client", key="keys").explode("key").drop_nulls("key")
    numbered = {number: key for key, number in endpoints.items()}
    is_unknown_seen = any(row["client"] == UNKNOWN_CLIENT for row in clients)
    return traffic_result(
        numbered, client_frame.drop("keys"), objects, status_frame, key_frame, query_keys_cut=cut,
        unknown_client=client_id(UNKNOWN_CLIENT) if is_unknown_seen else None,
    )


def _fold(path: Column) -> Column:
    """`engine.fold_expression` in Spark: the same patterns, replaced in the same order."""
    from pyspark.sql import functions as F

    for pattern, replacement in _FOLDS:
        path = F.regexp_replace(path, pattern, replacement)
    return path


def _reductions(session: SparkSession, rows: DataFrame, protected: list[str]) -> DataFrame:
    """(partly, reduced) for every distinct partly-folded path, reduced once each on the driver."""
    distinct = [row["partly"] for row in rows.select("partly").distinct().collect()]
    pairs = [(partly, reduce_protected(partly, protected)) for partly in distinct]
    return session.createDataFrame(pairs, "partly string, reduced string")


def _protected_length(path: Column, protected: list[str]) -> Column:
    """`engine._protected_length` in Spark: the longest protected prefix `path` is, or lies under."""
    from pyspark.sql import functions as F

    length = F.lit(0)
    for literal in protected:  # shortest first: a longer match, tested later, takes precedence
        under = (path == literal) | path.startswith(literal + "/")
        length = F.when(under, F.lit(len(literal))).otherwise(length)
    return length


def _keyed_columns() -> list[Column | str]:
    """What grouping needs but the reduced path: the method, host, client, time, line, status slot,
    object key and last number."""
    from pyspark.sql import functions as F

    status = F.col("status")
    number = F.regexp_extract("path", _LAST_NUMBER, 1)
    return [
        "method",
        F.coalesce("host", F.lit(_NO_HOST)).alias("host"),
        "client",
        "epoch",
        "line",
        "query",
        "status",
        F.when(status.isin(401, 403, 404, 429), status)
        .otherwise(F.floor(status / 100) * 100)
        .cast("int")
        .alias("slot"),
        F.shiftrightunsigned(F.xxhash64("path"), 1).alias("key"),
        F.when(number != "", number.cast("long")).alias("number"),
    ]


def _groups(keyed: DataFrame) -> tuple[list[Any], list[Any], list[Any]]:
    """The per-client (with its failed-auth and request peaks per minute), per-status and per-query-key
    groups, collected."""
    from pyspark.sql import functions as F

    failed = F.col("status").isin(*_FAILED_AUTH)
    per_client = (*_ENDPOINT, "client")
    # The busiest minute is the largest (count, -minute): the first of equally busy minutes, as there.
    busiest = F.max(F.struct(F.col("count"), (-F.col("minute")).alias("earliest")))
    peaks = (
        keyed.groupBy(*per_client, F.floor(F.col("epoch") / 60).alias("minute"))
        .agg(F.count(F.lit(1)).alias("count"), F.sum(failed.cast("long")).alias("failed"))
        .groupBy(*per_client)
        .agg(F.max("failed").alias("peak"), busiest.alias("busiest"))
        .select(*per_client, "peak", F.col("busiest.count").alias("rate"),
                (-F.col("busiest.earliest")).alias("rate_minute"))
    )
    clients = (
        keyed.groupBy(*per_client)
        .agg(
            F.count(F.lit(1)).alias("requests"),
            F.sum(failed.cast("long")).alias("failed"),
            F.array_sort(F.collect_set("key")).alias("keys"),
            F.min("number").alias("low"),
            F.max("number").alias("high"),
            F.min("epoch").alias("first"),
            F.max("epoch").alias("last"),
        )
        .join(peaks, list(per_client), "left")
    )
    statuses = keyed.groupBy(*_ENDPOINT, "slot").agg(
        F.count(F.lit(1)).alias("count"), F.min("line").alias("line")
    )
    query_key = F.explode(F.array_distinct(F.split(F.regexp_replace("query", "=[^&]*", ""), "&")))
    query_keys = (
        keyed.filter(F.col("query").isNotNull() & (F.col("query") != ""))
        .select(*_ENDPOINT, query_key.alias("query_key"))
        .filter(F.col("query_key") != "")
        .groupBy(*_ENDPOINT, "query_key")
        .count()
    )
    return clients.collect(), statuses.collect(), query_keys.collect()


def _key(row: Any) -> tuple[str, str | None, str]:
    return row["method"], row["host"] if row["host"] != _NO_HOST else None, row["reduced"]


def _clients_frame(
    rows: list[Any], endpoints: dict[tuple[str, str | None, str], int], client_id: Callable[[str], int]
) -> pl.DataFrame:
    """The per-client groups as the embedded engine's merged frame: endpoint ids numbered here, client
    names replaced by opaque ids (once per distinct name), sorted by client."""
    opaque: dict[str, int] = {}
    table = [
        (
            endpoints.setdefault(_key(row), len(endpoints)),
            opaque[row["client"]]
            if row["client"] in opaque
            else opaque.setdefault(row["client"], client_id(row["client"])),
            row["requests"],
            row["failed"],
            row["keys"],
            row["low"],
            row["high"],
            row["first"],
            row["last"],
            row["peak"],
            row["rate"],
            row["rate_minute"],
        )
        for row in rows
    ]
    schema = {
        "endpoint": "UInt32",
        "client": "Int64",
        "requests": "UInt32",
        "failed": "UInt32",
        "keys": "List[Int64]",
        "low": "Int64",
        "high": "Int64",
        "first": "Int64",
        "last": "Int64",
        "peak": "UInt32",
        "rate": "UInt32",
        "rate_minute": "Int64",
    }
    return _frame(table, schema).sort("client")


def _frame(rows: list[tuple[Any, ...]], schema: dict[str, str]) -> pl.DataFrame:
    import polars as pl

    types = {
        name: pl.List(pl.Int64) if dtype == "List[Int64]" else getattr(pl, dtype)
        for name, dtype in schema.items()
    }
    return pl.DataFrame(rows, schema=types, orient="row")
