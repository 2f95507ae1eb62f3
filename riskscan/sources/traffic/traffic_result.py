"""From merged traffic groups to the model's `PathTraffic`: the last step of both traffic engines.

The embedded engine (`engine.TrafficAggregator`) and the Spark one (`spark.aggregate`) group requests
their own way and hand the same merged groups here, so the endpoints, clients and counts a scan keeps
cannot differ between them: per (endpoint, client) requests, failed authentications, id span, first
and last seen and peaks per minute; per endpoint its distinct objects, status slots with their first
lines, and query-string keys (never values).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from riskscan.model import ClientTraffic, PathTraffic

if TYPE_CHECKING:
    import polars as pl

__all__ = ["MAX_QUERY_KEYS", "SAMPLES_PER_PATH", "AggregateResult", "traffic_result"]

SAMPLES_PER_PATH = 3
"""Line numbers kept per endpoint: the first line of each status outcome, earliest first."""
MAX_QUERY_KEYS = 10_000
"""Distinct (endpoint, query key) pairs kept; past it only the most frequent stay (a warning says so)."""

_CLASS_NAMES = ("1xx", "2xx", "3xx", "4xx", "5xx")


@dataclass(frozen=True)
class AggregateResult:
    """What a file's requests came to: its endpoints' traffic and what the reader reports beside it."""

    paths: tuple[PathTraffic, ...]
    distinct_clients: int
    first_seen: datetime | None
    last_seen: datetime | None
    warnings: tuple[str, ...]


def traffic_result(
    endpoints: dict[int, tuple[str, str | None, str]],
    clients: pl.DataFrame,
    objects: pl.DataFrame,
    statuses: pl.DataFrame,
    query_keys: pl.DataFrame,
    *,
    query_keys_cut: bool,
    unknown_client: int | None = None,
) -> AggregateResult:
    """The endpoints' traffic from merged groups, whichever engine grouped them: `endpoints` names
    each endpoint id (method, host, reduced path); `clients` has one row per (endpoint, client)
    (requests, failed, low, high, first, last, peak, rate: the most failed and all requests in one
    clock minute, rate_minute: the first minute with that many, in minutes since 1970); `objects`
    the distinct (endpoint, client, key); `statuses` (endpoint, slot, count, line); `query_keys`
    (endpoint, query_key, count). `unknown_client` is the opaque id of the requests whose log named no
    client: their `ClientTraffic` is marked unknown, and they are no distinct client."""
    import polars as pl

    if clients.height == 0:
        return AggregateResult((), 0, None, None, ())
    objects = _grouped_keys(objects)
    counts = objects.group_by("endpoint", "client", maintain_order=True).agg(keys=pl.len())
    clients = clients.join(counts, on=["endpoint", "client"]).sort("endpoint", "client")
    per_endpoint = _per_endpoint(objects, statuses, query_keys)
    paths = _path_traffic(endpoints, clients, _packed_keys(objects["key"]), per_endpoint, unknown_client)
    warnings = (
        (f"query-string keys: only the {MAX_QUERY_KEYS:,} most frequent are counted",)
        if query_keys_cut
        else ()
    )
    return AggregateResult(
        paths=paths,
        distinct_clients=len({client.client_id for item in paths for client in item.clients if client.is_known}),
        first_seen=min((item.first_seen for item in paths if item.first_seen), default=None),
        last_seen=max((item.last_seen for item in paths if item.last_seen), default=None),
        warnings=warnings,
    )


def _grouped_keys(objects: pl.DataFrame) -> pl.DataFrame:
    """The distinct (endpoint, client, key) rows ordered by endpoint, client, then key.

    Three stable one-column sorts, last key first: the same order as one three-column sort, which
    Polars does by encoding every row and costs several times as much on hundreds of thousands of rows.
    """
    return (
        objects.sort("key")
        .sort("client", maintain_order=True)
        .sort("endpoint", maintain_order=True)
    )


def _packed_keys(keys: pl.Series) -> bytes:
    """Every object key as 8-byte big-endian values, in the order given (one vectorised copy, never a
    Python int per key)."""
    import polars as pl

    return keys.cast(pl.Int64).to_numpy().astype(">i8", copy=False).tobytes()


def _per_endpoint(
    objects: pl.DataFrame, statuses: pl.DataFrame, query_keys: pl.DataFrame
) -> dict[int, tuple[Any, ...]]:
    """Per endpoint id: (distinct objects, status slots, their counts, their first lines, query keys,
    their counts)."""
    import polars as pl

    table = (
        objects.group_by("endpoint")
        .agg(objects=pl.col("key").n_unique())
        .join(
            statuses.group_by("endpoint").agg(pl.col("slot"), pl.col("count"), pl.col("line")), on="endpoint"
        )
        .join(
            query_keys.group_by("endpoint").agg(pl.col("query_key"), pl.col("count").alias("key_counts")),
            on="endpoint",
            how="left",
        )
    )
    return {row[0]: row[1:] for row in table.iter_rows()}


def _path_traffic(
    endpoints: dict[int, tuple[str, str | None, str]],
    clients: pl.DataFrame,
    packed: bytes,
    per_endpoint: dict[int, tuple[Any, ...]],
    unknown_client: int | None,
) -> tuple[PathTraffic, ...]:
    """One `PathTraffic` per endpoint, ordered by path, method and host. `clients` come sorted by
    (endpoint, client), as the keys in `packed` are, each row saying how many of them are its own."""
    paths: list[PathTraffic] = []
    group: list[ClientTraffic] = []
    offset, current = 0, -1
    columns = (
        "endpoint", "client", "requests", "failed", "low", "high", "first", "last", "peak", "rate",
        "rate_minute", "keys",
    )
    for row in clients.select(columns).iter_rows():
        if row[0] != current and group:
            paths.append(_one_path(endpoints[current], group, per_endpoint[current]))
            group = []
        current = row[0]
        group.append(_one_client(row, packed[offset * 8 : (offset + row[-1]) * 8], row[1] != unknown_client))
        offset += row[-1]
    if group:
        paths.append(_one_path(endpoints[current], group, per_endpoint[current]))
    return tuple(sorted(paths, key=lambda item: (item.path, item.method, item.host or "")))


def _one_path(
    endpoint: tuple[str, str | None, str], clients: list[ClientTraffic], row: tuple[Any, ...]
) -> PathTraffic:
    objects, slots, slot_counts, lines, keys, key_counts = row
    counts = dict(zip(slots, slot_counts, strict=True))
    by_class = [0] * 5
    for slot, count in counts.items():
        by_class[slot // 100 - 1] += count
    method, host, path = endpoint
    return PathTraffic(
        method=method,
        path=path,
        host=host,
        requests=sum(by_class),
        status_classes={name: count for name, count in zip(_CLASS_NAMES, by_class, strict=True) if count},
        clients=tuple(clients),
        objects=objects,
        not_found=counts.get(404, 0),
        unauthorized=counts.get(401, 0) + counts.get(403, 0),
        throttled=counts.get(429, 0),
        first_seen=min(client.first_seen for client in clients if client.first_seen),
        last_seen=max(client.last_seen for client in clients if client.last_seen),
        sample_lines=tuple(sorted(lines)[:SAMPLES_PER_PATH]),
        query_keys=dict(zip(keys or [], key_counts or [], strict=True)),
    )


def _one_client(row: tuple[Any, ...], keys: bytes, is_known: bool) -> ClientTraffic:
    _, client, requests, failed, low, high, first, last, peak, rate, rate_minute, _ = row
    return ClientTraffic(
        client_id=client,
        requests=requests,
        object_keys=keys,
        lowest_id=low,
        highest_id=high,
        failed_auth=failed,
        peak_failed_auth_per_minute=peak or 0,
        first_seen=datetime.fromtimestamp(first, UTC),
        last_seen=datetime.fromtimestamp(last, UTC),
        peak_requests_per_minute=rate or 0,
        peak_minute=datetime.fromtimestamp(rate_minute * 60, UTC) if rate_minute is not None else None,
        is_known=is_known,
    )
