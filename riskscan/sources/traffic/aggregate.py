"""The traffic aggregate every log format feeds: per (method, host, reduced path), and inside per client.

A format's reader turns its lines into (client, time, method, host, path, status) and tallies each
request into a `Bucket`, found through its reduced path (`reduce.reduce_path`: ids folded, secrets
redacted). Buckets are plain lists, because the hot loops of the readers touch them once per line:

- `[clients, first epoch, last epoch, sample line numbers, *counts by STATUS_SLOTS]`;
- `clients` maps an opaque client id to a `ClientRecord`: `[requests, object keys, lowest numeric id,
  highest numeric id, key count that triggers compaction, failed authentications]`. Object keys are
  appended per request (an `array` of 64-bit integers, cheaper than a set) and deduplicated whenever
  they have doubled, so a client record holds about one key per distinct object it called.

What grows with the log is only those keys: eight bytes per distinct (client, concrete path), no
Python object per path. `path_traffic` turns a bucket into the model's `PathTraffic` once the file
is read; `merge_bucket` adds the bucket of another part of the same file (parallel reading).
"""

from __future__ import annotations

import sys
from array import array
from datetime import UTC, datetime
from typing import Any, TypeAlias

from riskscan.model import ClientTraffic, PathTraffic

__all__ = [
    "FAILED_AUTH_SLOT",
    "SAMPLES_PER_PATH",
    "STATUS_SLOTS",
    "Bucket",
    "ClientRecord",
    "compact_record",
    "merge_bucket",
    "new_bucket",
    "new_record",
    "pack_keys",
    "path_traffic",
]

STATUS_SLOTS = {b"1": 4, b"2": 5, b"3": 6, b"4": 7, b"5": 8, b"404": 9, b"429": 10, b"401": 11, b"403": 12}
"""Where a bucket counts each status key: by class digit, with 404, 429, 401 and 403 apart (slot 7
counts the other 4xx). Slots from `FAILED_AUTH_SLOT` on are failed authentication."""
FAILED_AUTH_SLOT = 11
SAMPLES_PER_PATH = 3
"""Line numbers kept per bucket: the first line of each new status outcome."""

Bucket: TypeAlias = list[Any]
"""Per (method, host, reduced path) tallies, a list for speed; see `new_bucket`."""
ClientRecord: TypeAlias = list[Any]
"""Per (bucket, client) tallies; see `new_record`."""

_FIRST_COMPACTION = 64  # object keys a client record holds before its duplicates are first dropped
_NO_LOW = 1 << 62  # a client record's lowest numeric id before it saw one
_CLASS_NAMES = ("1xx", "2xx", "3xx", "4xx", "5xx")


def new_bucket(when: int) -> Bucket:
    """An empty bucket first seen at `when`.

    Counts live in the bucket itself, not in a dict of their own: one object less to reach per line.
    """
    return [{}, when, when, [], 0, 0, 0, 0, 0, 0, 0, 0, 0]


def new_record() -> ClientRecord:
    """An empty client record (see the module's docstring for its slots)."""
    return [0, array("q"), _NO_LOW, -1, _FIRST_COMPACTION, 0]


def compact_record(record: ClientRecord) -> None:
    """Drop duplicate object keys, sorted; the next compaction comes once the keys have doubled."""
    keys = array("q", sorted(set(record[1])))
    record[1] = keys
    record[4] = max(_FIRST_COMPACTION, 2 * len(keys))


def merge_bucket(into: Bucket, part: Bucket, line_offset: int) -> None:
    """Add the bucket of a later part of the same file (its line numbers shifted by `line_offset`)."""
    for cid, record in part[0].items():
        mine = into[0].get(cid)
        if mine is None:
            into[0][cid] = record
            continue
        mine[0] += record[0]
        mine[1].extend(record[1])
        mine[2], mine[3] = min(mine[2], record[2]), max(mine[3], record[3])
        mine[5] += record[5]
        compact_record(mine)
    into[1], into[2] = min(into[1], part[1]), max(into[2], part[2])
    for slot in range(4, len(into)):
        into[slot] += part[slot]
    into[3].extend(line + line_offset for line in part[3][: SAMPLES_PER_PATH - len(into[3])])


def pack_keys(keys: array[int]) -> bytes:
    """Sorted non-negative 63-bit keys as 8-byte big-endian values (the model's `object_keys`)."""
    packed = array("q", keys)
    if sys.byteorder == "little":
        packed.byteswap()
    return packed.tobytes()


def path_traffic(key: tuple[str, str | None, str], bucket: Bucket) -> PathTraffic:
    """The model's `PathTraffic` for the bucket of (method, host, reduced path) `key`."""
    method, host, path = key
    informational, success, redirect, other_client_error, server_error = bucket[4:9]
    not_found, throttled, *failed_auth = bucket[9:]
    unauthorized = sum(failed_auth)
    client_error = other_client_error + not_found + throttled + unauthorized
    by_class = (informational, success, redirect, client_error, server_error)
    first = datetime.fromtimestamp(bucket[1], UTC)
    return PathTraffic(
        method=method,
        path=path,
        host=host,
        requests=sum(by_class),
        status_classes={name: count for name, count in zip(_CLASS_NAMES, by_class) if count},
        clients=tuple(_client_traffic(cid, record) for cid, record in sorted(bucket[0].items())),
        objects=len(set().union(*(record[1] for record in bucket[0].values()))),
        not_found=not_found,
        unauthorized=unauthorized,
        throttled=throttled,
        first_seen=first,
        last_seen=first if bucket[2] == bucket[1] else datetime.fromtimestamp(bucket[2], UTC),
        sample_lines=tuple(bucket[3]),
    )


def _client_traffic(client_id: int, record: ClientRecord) -> ClientTraffic:
    compact_record(record)
    has_number = record[3] >= 0
    return ClientTraffic(
        client_id=client_id,
        requests=record[0],
        object_keys=pack_keys(record[1]),
        lowest_id=record[2] if has_number else None,
        highest_id=record[3] if has_number else None,
        failed_auth=record[5],
    )
