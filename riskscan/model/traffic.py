"""Traffic: what every traffic reader produces, already reduced to endpoints and aggregated."""

from __future__ import annotations

import sys
from array import array
from datetime import datetime

from riskscan.model.base import (
    Model,
    RedactedFilePath,
    RedactedHost,
    RedactedName,
    RedactedPath,
    RedactedText,
)

__all__ = ["ClientTraffic", "PathTraffic", "TrafficSample"]


class ClientTraffic(Model):
    """One client's requests to one (method, host, reduced path): what id walking is judged on.

    The distinct concrete paths (objects) the client called are kept as sorted 8-byte keyed hashes,
    never as paths: counts stay exact when files are merged, and nothing of a path can be read back.
    """

    client_id: int
    requests: int
    object_keys: bytes  # sorted, distinct 8-byte big-endian keyed hashes of the concrete paths
    numeric_ids: int = 0  # distinct numeric ids among them (the last numeric segment of each path)
    lowest_id: int | None = None
    highest_id: int | None = None
    failed_auth: int = 0  # requests answered 401 or 403
    peak_failed_auth_per_minute: int = 0  # most 401/403 answers within one clock minute (stuffing bursts)
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    peak_requests_per_minute: int = 0  # most requests within one clock minute (against a rate limit)
    peak_minute: datetime | None = None  # the start of the first minute with that many
    # False for the requests whose log named no client (`engine.UNKNOWN_CLIENT`): counted for their
    # endpoint, never as one client (no distinct client, no walk, no burst, no rate of its own).
    is_known: bool = True

    @property
    def objects(self) -> int:
        """Distinct concrete paths this client called."""
        return len(self.object_keys) // 8

    def keys(self) -> array[int]:
        """The object keys as integers (for unions across files and paths)."""
        keys = array("q")
        keys.frombytes(self.object_keys)
        if sys.byteorder == "little":
            keys.byteswap()
        return keys


class PathTraffic(Model):
    """Aggregated requests for one (method, host, reduced path) in a traffic source.

    The path is redacted (secret-bearing segments replaced by placeholders such as `{email}`), has no
    query string, and its id-like segments are folded at ingestion (`/v1/accounts/{id}`): one
    aggregate per endpoint-to-be, however many distinct ids the log holds. Client identities are
    opaque per-scan integers, never addresses.
    """

    method: RedactedName
    path: RedactedPath
    host: RedactedHost | None = None
    requests: int
    status_classes: dict[str, int]  # "2xx" -> count
    clients: tuple[ClientTraffic, ...]
    objects: int = 1  # distinct concrete paths reduced to this path
    not_found: int = 0  # requests answered 404: a path that only ever got 404s is a probe, not an API
    unauthorized: int = 0  # requests answered 401 or 403
    throttled: int = 0  # requests answered 429
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    sample_lines: tuple[int, ...] = ()
    query_keys: dict[RedactedName, int] = {}  # query-string key -> requests carrying it (never a value)
    # Field names (dotted paths, `items[].email`) of JSON response bodies, never values: filled only by
    # readers that see bodies (HAR), for the data-exposure control.
    response_fields: tuple[RedactedName, ...] = ()
    # Error responses whose bodies leak internals, by kind (stack_trace, sql_error, debug_page,
    # exception_class), and a few of their lines: filled only by readers that see bodies (HAR).
    verbose_errors: dict[RedactedName, int] = {}
    verbose_error_lines: tuple[int, ...] = ()
    verbose_error_responses: int = 0  # error responses that leaked at least one kind

    @property
    def client_ids(self) -> frozenset[int]:
        """The clients that called this path (a log naming none for some requests: not among them)."""
        return frozenset(client.client_id for client in self.clients if client.is_known)


class TrafficSample(Model):
    """What one traffic file (log, HAR ...) showed, aggregated by concrete path."""

    path: RedactedFilePath
    format: RedactedName  # e.g. "combined", "common"
    total_lines: int
    parsed_lines: int
    rejected_lines: int
    paths: tuple[PathTraffic, ...]
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    distinct_clients: int = 0
    warnings: tuple[RedactedText, ...] = ()
