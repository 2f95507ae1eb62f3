"""What `docker compose logs` and `docker logs` write before each line, and its removal.

Users often hand over a capture such as `docker compose logs nginx > nginx.log`: every line then starts
with the service and replica, padded, and a bar (`web-1  | `, Compose v1's `nginx_1  | `), coloured
with ANSI codes when the terminal was one, and, with `--timestamps`, the daemon's receive time in
RFC 3339 with nanoseconds (`2026-11-02T10:00:00.123456789Z `, always nine digits). `docker logs
--timestamps` writes the time alone. A Kubernetes node keeps container output in the CRI log format
(`2026-11-02T10:00:00.12345678Z stdout F `), which is read past the same way. `DOCKER_PREFIX` is the one definition of that prefix: Python's
`re`, Polars (Rust's regex) and Spark (Java's) all read it alike.

A file is prefixed when most of its first non-blank lines carry the prefix (`is_docker_prefixed`):
then every traffic format reads its lines with the prefix removed, on both engines (`line_log` and
`spark.reader` strip it before a format sees a line, `LineBatch` included for the slow paths), and
sniffs its head the same way (`plain_head`). Lines of other services in the same capture are then
lines of another format: rejected and counted as any line that does not parse. The docker timestamp
is dropped with the prefix: a request's time is always the one its log wrote.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from riskscan.sources.traffic.lines import LineBatch

if TYPE_CHECKING:
    import polars as pl

__all__ = [
    "ANY_DOCKER_PREFIX",
    "DOCKER_PREFIX",
    "PlainBatch",
    "is_docker_prefixed",
    "plain_head",
    "strip_prefix",
    "without_prefix",
]

_SNIFF_LINES = 20
_ANSI = r"(?:\x1b\[[0-9;]*m)*"  # colour codes: Compose colours the prefix, resetting after the bar
_SERVICE = rf"{_ANSI}[A-Za-z0-9][A-Za-z0-9_.-]* +\|{_ANSI} {_ANSI}"
_STAMP = r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{9}(?:Z|[+-][0-9]{2}:[0-9]{2}) "
# The Kubernetes CRI log format (containerd, CRI-O: /var/log/containers/*.log on a node): Go's RFC 3339
# with nanoseconds, trailing zeros trimmed, then the stream and F (a full line) or P (a part of one).
_CRI = (r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]{1,9})?(?:Z|[+-][0-9]{2}:[0-9]{2}) "
        r"(?:stdout|stderr) [FP] ")
ANY_DOCKER_PREFIX = rf"(?:{_SERVICE}(?:{_STAMP})?|{_CRI}|{_STAMP})"
"""The service prefix (`web-1  | `, coloured or not), then the `--timestamps` time, or that time alone,
or a container runtime's (CRI) time, stream and tag; unanchored, for a format's own pattern that takes
it on any line (HAProxy's, whose lines may come through syslog and docker in one file)."""
DOCKER_PREFIX = f"^{ANY_DOCKER_PREFIX}"
"""The prefix at the start of a line: what is removed."""
_PREFIX_LINE = re.compile(DOCKER_PREFIX.encode())


@lru_cache(maxsize=64)
def is_docker_prefixed(head: bytes) -> bool:
    """True when most of the first non-blank lines (up to 20) of a file's head carry the prefix.

    Cached: every line reader sniffs the same head in turn."""
    lines = head.split(b"\n")
    if len(lines) > 1 and len(head) >= 4096:
        lines.pop()  # the head may end inside a line
    sample = [line for line in lines if line.strip()][:_SNIFF_LINES]
    good = sum(_PREFIX_LINE.match(line) is not None for line in sample)
    return good > 0 and good * 2 > len(sample)


@lru_cache(maxsize=64)
def plain_head(head: bytes) -> bytes:
    """The head as the log wrote it: the prefix removed from each line when the head is prefixed,
    else the head unchanged."""
    if not is_docker_prefixed(head):
        return head
    return b"\n".join(strip_prefix(line) for line in head.split(b"\n"))


def strip_prefix(line: bytes) -> bytes:
    """One line without its prefix (unchanged when it has none)."""
    return _PREFIX_LINE.sub(b"", line, count=1)


def without_prefix(lines: pl.DataFrame) -> pl.DataFrame:
    """A batch's lines (`line`, `text`) with the prefix removed from each `text` that has one."""
    import polars as pl

    return lines.with_columns(pl.col("text").str.replace(DOCKER_PREFIX, ""))


@dataclass(frozen=True)
class PlainBatch(LineBatch):
    """A batch of a prefixed file whose lines, as the slow paths ask for them, come without the prefix."""

    def raw_lines(self, numbers: list[int]) -> list[bytes]:
        """The bytes of the given lines, without the prefix."""
        return [strip_prefix(line) for line in super().raw_lines(numbers)]
