"""The traffic engine: every format's requests reduced to endpoints and aggregated, on Polars.

Every traffic reader turns its file into batches of request rows (`REQUEST_SCHEMA`: line, client,
epoch, method, host, concrete path, query, status) and hands them to a `TrafficAggregator`. The
aggregator does the rest in vectorised passes, both cores, a batch at a time:

- each path is reduced to its endpoint-to-be: numbers, UUIDs and short prefixed ids fold in one
  `replace_all` pass (`fold_expression`), then each distinct partly-folded path goes once through
  `reduce.reduce_path` (redaction and the inventory's `fold_segment`), cached across batches;
- a batch is grouped per (method, host, reduced path, client) and per (method, host, reduced path,
  status key), and those partial groups are all that is kept: requests, 401/403 and 429 counts,
  first and last seen, sample line numbers, each client's distinct objects (63-bit hashes of the
  concrete paths, never the paths), its numeric id span, its requests and failed authentications
  per clock minute (one group serves both peaks), and the keys (never the values) seen in query
  strings;
- partials are merged (grouped again) as they pile up (`piles.Pile`: each row is regrouped a few
  times in all, not once per batch), so memory follows the number of distinct (endpoint, client,
  object) triples, not the number of lines.

`result` turns the merged groups into the model's `PathTraffic`. Client identities are hashed to
opaque ids there, once per distinct client, and nothing of them is kept. Polars is imported by the
functions that need it, so that `riskscan --help` stays fast.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from riskscan.sources.traffic.piles import (
    MERGE_ROWS,
    Pile,
    merge_clients,
    merge_minutes,
    merge_objects,
    merge_statuses,
)
from riskscan.sources.traffic.reduce import MAX_PLAIN_ID_DIGITS, reduce_path
from riskscan.sources.traffic.traffic_result import (
    MAX_QUERY_KEYS,
    AggregateResult,
    traffic_result,
)

if TYPE_CHECKING:
    import polars as pl

__all__ = [
    "REQUEST_SCHEMA",
    "UNKNOWN_CLIENT",
    "PartialAggregate",
    "TrafficAggregator",
    "empty_requests",
    "fold_expression",
    "last_number",
    "reduce_protected",
    "requests_from_rows",
]

REQUEST_SCHEMA: dict[str, str] = {
    "line": "Int64",  # 1-based line (or entry) number in the file: evidence a reader can check
    "client": "String",  # the client as the log names it (address, consumer); hashed, never kept
    "epoch": "Int64",  # request time, seconds since 1970 UTC
    "method": "String",  # upper case
    "host": "String",  # lower case without port; null when the log does not say
    "path": "String",  # the concrete path, no query or fragment, starting with `/` (or `*`)
    "query": "String",  # the raw query string without `?`, null when none: only its keys are counted
    "status": "Int32",  # the response status, 100-599
}
"""The columns (and Polars type names) of the request batches every traffic format produces."""
UNKNOWN_CLIENT = "-"
"""The client of a request whose log names none (an Envoy line without X-Forwarded-For, a JSON entry
without the client key): its requests count for their endpoint, never as one client."""


_MERGE_ROWS = MERGE_ROWS  # unmerged rows of one kind that always wait for a merge (tests lower it)
_OBJECT_PARTITIONS = 8
_MAX_CACHED_PATHS = 1 << 18  # partly-folded paths whose reduction is cached before the cache restarts
# Hash seed of endpoint, client and object keys: the same for every file of a scan (one process), unknown
# outside it, so that nobody can craft paths or client names whose hashes collide on purpose.
_HASH_SEED = int.from_bytes(os.urandom(4), "big")
_FAILED_AUTH = (401, 403)
# The shapes folded in the vectorised pass: exactly `reduce.reduce_path`'s shortcuts (property tests
# compare the two). A short prefixed id whose digit runs are all years (`FY-2024`) names a period, not
# an object, so the id pattern spells "at least one run is not a year" without lookaround: a run of
# other than four digits, or four digits not starting 19 or 20. A match consumes the `/` after it, so
# the next segment of `/1/2` is folded by a second pass; a last segment by the `$` pass.
_NOT_YEAR = r"(?:[0-9]{1,3}|[0-9]{5,9}|(?:[03-9][0-9]|1[0-8]|2[1-9])[0-9]{2})"
_YEAR = r"(?:19|20)[0-9]{2}"
_ID = (
    rf"(?:[0-9]{{1,{MAX_PLAIN_ID_DIGITS}}}"
    rf"|[A-Za-z]{{1,6}}-(?:{_NOT_YEAR}(?:-[0-9]{{1,9}})?|{_YEAR}-{_NOT_YEAR}))"
)
_UUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
_FOLDS = tuple(
    (pattern, replacement)
    for shape, placeholder in ((_ID, "{id}"), (_UUID, "{uuid}"))
    for pattern, replacement in (
        (f"/{shape}/", f"/{placeholder}/"),
        (f"/{shape}$", f"/{placeholder}"),
        (f"/{shape}/", f"/{placeholder}/"),
    )
)
# The last all-digit segment of up to MAX_PLAIN_ID_DIGITS digits (`reduce_path`'s number). Spark's
# Java regex takes it greedily from the start; on Polars that capture costs a slow engine over the whole
# path, so there the match starts at the segment, followed only by segments that are not such a number
# (empty, holding a non-digit, or longer): the capture then spans the end of the path alone.
_LAST_NUMBER = rf"^.*/([0-9]{{1,{MAX_PLAIN_ID_DIGITS}}})(?:/|$)"
_NOT_NUMBER_SEGMENT = rf"(?:[^/]*[^0-9/][^/]*|[0-9]{{{MAX_PLAIN_ID_DIGITS + 1},}})?"
_LAST_NUMBER_TO_END = rf"/([0-9]{{1,{MAX_PLAIN_ID_DIGITS}}})(?:/{_NOT_NUMBER_SEGMENT})*$"


def fold_expression(path: pl.Expr) -> pl.Expr:
    """The path with its plain numbers, UUIDs and short prefixed ids folded (`/a/12/b` -> `/a/{id}/b`)."""
    for pattern, replacement in _FOLDS:
        path = path.str.replace_all(pattern, replacement)
    return path


def last_number(path: pl.Expr) -> pl.Expr:
    """The path's last all-digit segment of up to `MAX_PLAIN_ID_DIGITS` digits as an integer, or null
    (`/a/12/b/x1` -> 12): the id a client walking objects in sequence counts up."""
    import polars as pl

    return path.str.extract(_LAST_NUMBER_TO_END, 1).cast(pl.Int64)


def empty_requests() -> pl.DataFrame:
    """A request batch with no rows."""
    return requests_from_rows([])


def requests_from_rows(rows: Iterable[tuple[Any, ...]]) -> pl.DataFrame:
    """A request batch from Python tuples in `REQUEST_SCHEMA` order (slow paths and small formats)."""
    import polars as pl

    return pl.DataFrame(list(rows), schema=_polars_schema(), orient="row")


@dataclass(frozen=True)
class PartialAggregate:
    """One batch's groups: per (endpoint, client), distinct (endpoint, client, object), per (endpoint,
    status slot), requests and failed authentications per (endpoint, client, minute), per (endpoint,
    query key)."""

    clients: pl.DataFrame
    objects: dict[int, pl.DataFrame]  # by partition (object key modulo `_OBJECT_PARTITIONS`)
    statuses: pl.DataFrame
    minutes: pl.DataFrame
    query_keys: pl.DataFrame


class TrafficAggregator:
    """Partial aggregates of request batches, merged as they pile up; see the module docstring.

    Endpoints and clients are grouped by small integers: an endpoint id per distinct (method, host,
    reduced path) and the client's opaque id, both found once per distinct value of a batch and
    joined back, so that the per-line work is integer grouping.
    `protected_paths` are literal path prefixes a spec or a gateway route names (`/reports/2024`, see
    `inventory.literals`): a request for one of them, or below it, keeps that prefix as written
    instead of folding it to `/reports/{id}`; the rest of its path folds as usual.
    """

    def __init__(
        self, client_id: Callable[[str], int], protected_paths: frozenset[str] = frozenset()
    ) -> None:
        self._client_id = client_id
        self._protected = sorted(protected_paths, key=len)  # the longest that matches wins
        self._reductions: dict[str, str] = {}
        self._endpoints: dict[tuple[str, str | None, str], int] = {}
        self._client_ids: dict[int, int] = {}  # hash of the client's name -> its opaque id
        self._unknown_id: int | None = None  # the opaque id of `UNKNOWN_CLIENT`, once a request had it
        self._clients = Pile(merge_clients)
        # Distinct (endpoint, client, object key), in partitions by key: a merge deduplicates one
        # partition at a time, so its transient memory is a fraction of the whole.
        self._objects = [Pile(merge_objects) for _ in range(_OBJECT_PARTITIONS)]
        self._statuses = Pile(merge_statuses)
        self._minutes = Pile(merge_minutes)
        self._query_keys = Pile(self._merge_query_keys)
        self._query_keys_cut = False
        self._ids_lock = threading.Lock()  # endpoint and client ids are handed out by one thread at a time

    def add(self, requests: pl.DataFrame) -> None:
        """Reduce and group one batch of request rows (`REQUEST_SCHEMA`)."""
        self.absorb(self.partial(requests))

    def partial(self, requests: pl.DataFrame) -> PartialAggregate | None:
        """One batch reduced and grouped, not yet kept: safe to call from several threads at once
        (Polars releases the GIL), so that two batches are grouped while a third is parsed."""
        import polars as pl

        if requests.height == 0:
            return None
        rows = self._keyed(requests)
        failed = pl.col("status").is_in(_FAILED_AUTH)
        clients, objects, statuses, minutes, query_keys = pl.collect_all(
            [
                rows.group_by("endpoint", "client").agg(
                    requests=pl.len(),
                    failed=failed.sum(),
                    low=pl.col("number").min(),
                    high=pl.col("number").max(),
                    first=pl.col("epoch").min(),
                    last=pl.col("epoch").max(),
                ),
                rows.select("endpoint", "client", "key")
                .unique()
                .with_columns(part=pl.col("key") % _OBJECT_PARTITIONS),
                rows.group_by("endpoint", "slot").agg(count=pl.len(), line=pl.col("line").min()),
                # Minutes since 1970 fit in 32 bits; these rows are the aggregate's largest part.
                rows.group_by("endpoint", "client", minute=(pl.col("epoch") // 60).cast(pl.Int32)).agg(
                    count=pl.len(), failed=failed.sum()
                ),
                _query_key_counts(rows),
            ]
        )
        parts = objects.partition_by("part", as_dict=True, include_key=False)
        by_part = {int(key[0]): frame for key, frame in parts.items()}
        return PartialAggregate(clients, by_part, statuses, minutes, query_keys)

    def absorb(self, partial: PartialAggregate | None) -> None:
        """Keep a batch's groups (from one thread at a time), merging the partials when they pile up."""
        if partial is None:
            return
        self._clients.add(partial.clients, _MERGE_ROWS)
        for part, frame in partial.objects.items():
            self._objects[part].add(frame, _MERGE_ROWS // _OBJECT_PARTITIONS)
        self._statuses.add(partial.statuses, _MERGE_ROWS)
        self._minutes.add(partial.minutes, _MERGE_ROWS)
        self._query_keys.add(partial.query_keys, _MERGE_ROWS)

    def result(self) -> AggregateResult:
        """The endpoints' traffic, ordered by path then method; clients by opaque id."""
        import polars as pl

        merged_clients, minutes = self._clients.flush(), self._minutes.flush()
        if merged_clients is None or minutes is None or merged_clients.height == 0:
            return AggregateResult((), 0, None, None, ())
        busiest = pl.col("count") == pl.col("count").max()
        peaks = minutes.group_by("endpoint", "client").agg(
            peak=pl.col("failed").max(),
            rate=pl.col("count").max(),
            rate_minute=pl.col("minute").filter(busiest).min(),  # the first of equally busy minutes
        )
        clients = merged_clients.join(peaks, on=["endpoint", "client"], how="left")
        objects = pl.concat([frame for pile in self._objects if (frame := pile.flush()) is not None],
                            rechunk=False)
        self._objects = [Pile(merge_objects) for _ in range(_OBJECT_PARTITIONS)]
        endpoints = {number: key for key, number in self._endpoints.items()}
        statuses, query_keys = self._statuses.flush(), self._query_keys.flush()
        assert statuses is not None and query_keys is not None  # filled with the clients, batch by batch
        return traffic_result(
            endpoints, clients, objects, statuses, query_keys, query_keys_cut=self._query_keys_cut,
            unknown_client=self._unknown_id,
        )

    def _keyed(self, requests: pl.DataFrame) -> pl.LazyFrame:
        """The batch with `endpoint` and `client` ids, `number` (last plain numeric id), `key` (hash of
        the concrete path) and `slot` (the status, or its class for statuses not counted apart)."""
        import polars as pl

        partly = fold_expression(pl.col("path"))
        if self._protected:
            kept = _protected_length(pl.col("path"), self._protected)
            partly = pl.col("path").str.slice(0, kept) + fold_expression(pl.col("path").str.slice(kept))
        status = pl.col("status")
        frame = requests.with_columns(
            partly=partly,
            client_hash=pl.col("client").hash(seed=_HASH_SEED),
        ).with_columns(endpoint_hash=pl.struct("method", "host", "partly").hash(seed=_HASH_SEED))
        distinct_endpoints = frame.select("endpoint_hash", "method", "host", "partly").unique(
            subset="endpoint_hash"
        )
        distinct_clients = frame.select("client_hash", "client").unique(subset="client_hash")
        with self._ids_lock:
            endpoint_ids, client_ids = (
                self._endpoint_ids(distinct_endpoints),
                self._opaque_clients(distinct_clients),
            )
        return (
            frame.lazy()
            .join(endpoint_ids.lazy(), on="endpoint_hash")
            .join(client_ids.lazy(), on="client_hash")
            .select(
                "endpoint",
                "epoch",
                "line",
                "status",
                "query",
                client="opaque",
                number=last_number(pl.col("path")),
                key=(pl.col("path").hash(seed=_HASH_SEED) // 2).cast(pl.Int64),
                slot=pl.when(status.is_in((401, 403, 404, 429))).then(status).otherwise(status // 100 * 100),
            )
        )

    def _endpoint_ids(self, distinct: pl.DataFrame) -> pl.DataFrame:
        """(endpoint_hash, endpoint) for each distinct (method, host, partly-folded path) of a batch;
        `reduce_path` runs once per distinct partly-folded path, cached across batches."""
        import polars as pl

        cache, endpoints = self._reductions, self._endpoints
        if len(cache) > _MAX_CACHED_PATHS:
            cache.clear()
        numbers = []
        for method, host, partly in distinct.select("method", "host", "partly").iter_rows():
            reduced = cache.get(partly)
            if reduced is None:
                reduced = cache[partly] = self._reduce(partly)
            numbers.append(endpoints.setdefault((method, host, reduced), len(endpoints)))
        return pl.DataFrame(
            {"endpoint_hash": distinct["endpoint_hash"], "endpoint": pl.Series(numbers, dtype=pl.UInt32)}
        )

    def _reduce(self, partly: str) -> str:
        return reduce_protected(partly, self._protected)

    def _opaque_clients(self, distinct: pl.DataFrame) -> pl.DataFrame:
        """(client_hash, opaque) for each distinct client of a batch: its opaque id, made once."""
        import polars as pl

        known = self._client_ids
        ids = [
            known.get(hashed) or known.setdefault(hashed, self._client_id(name))
            for hashed, name in distinct.iter_rows()
        ]
        if self._unknown_id is None and UNKNOWN_CLIENT in distinct["client"]:
            self._unknown_id = self._client_id(UNKNOWN_CLIENT)
        return pl.DataFrame(
            {"client_hash": distinct["client_hash"], "opaque": pl.Series(ids, dtype=pl.Int64)}
        )

    def _merge_query_keys(self, frame: pl.DataFrame) -> pl.DataFrame:
        """Per (endpoint, query key): requests summed; only the most frequent kept past the cap."""
        import polars as pl

        keys = frame.group_by("endpoint", "query_key").agg(pl.col("count").sum())
        if keys.height > MAX_QUERY_KEYS:
            keys = keys.sort("count", descending=True).head(MAX_QUERY_KEYS)
            self._query_keys_cut = True
        return keys


def _protected_length(path: pl.Expr, protected: list[str]) -> pl.Expr:
    """The length of the longest protected prefix `path` is, or lies under; 0 when none."""
    import polars as pl

    length = pl.lit(0, pl.Int64)
    for literal in protected:  # shortest first: a longer match, tested later, takes precedence
        under = (path == literal) | path.str.starts_with(literal + "/")
        length = pl.when(under).then(pl.lit(len(literal), pl.Int64)).otherwise(length)
    return length


def _polars_schema() -> dict[str, Any]:
    import polars as pl

    return {name: getattr(pl, dtype) for name, dtype in REQUEST_SCHEMA.items()}


def _query_key_counts(rows: pl.LazyFrame) -> pl.LazyFrame:
    """Per (endpoint, query key): requests whose query string carried that key (values dropped)."""
    import polars as pl

    keys = pl.col("query").str.replace_all(r"=[^&]*", "").str.split("&").list.unique()
    return (
        rows.filter(pl.col("query").is_not_null() & (pl.col("query") != ""))
        .select("endpoint", query_key=keys)
        .explode("query_key")
        .filter(pl.col("query_key") != "")
        .group_by("endpoint", "query_key")
        .agg(count=pl.len())
    )


def reduce_protected(partly: str, protected: Sequence[str]) -> str:
    """`reduce_path`, keeping the longest protected prefix of the path as written (`protected` sorted
    by length, shortest first)."""
    for literal in reversed(protected):
        if partly == literal or partly.startswith(literal + "/"):
            return literal + reduce_path(partly[len(literal) :])[0]
    return reduce_path(partly)[0]
