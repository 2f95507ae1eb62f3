"""Reading one large plain access log on several cores: byte ranges tallied apart, then merged.

A plain (not gzip) log is cut into ranges at line boundaries; worker processes tally all but the
first range while the calling process tallies the first one (reporting progress as it goes), and the
tallies are merged into one. Every process hashes client addresses with the same keyed hasher, so
the same client gets the same id everywhere; line numbers are shifted by the lines of the ranges
before. A gzip stream cannot be cut, and small files do not repay starting processes: both are read
by one process, as is any file when workers cannot be started.
"""

from __future__ import annotations

import gc
import logging
import multiprocessing
import os
import pickle
import signal
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from itertools import pairwise
from pathlib import Path
from typing import BinaryIO, Protocol

from riskscan.redaction import redact_file_path
from riskscan.sources.traffic.access_log_parse import REJECTED_SAMPLES, LogTally
from riskscan.sources.traffic.aggregate import merge_bucket

__all__ = [
    "PARALLEL_MIN_BYTES",
    "ByteSource",
    "RangeReader",
    "merge_tally",
    "plan_ranges",
    "tally_in_parallel",
    "usable_cores",
]

log = logging.getLogger(__name__)

PARALLEL_MIN_BYTES = 48 << 20
"""Plain logs smaller than this are read by one process: starting workers costs about a second."""

_MAX_WORKERS = 8

class ByteSource(Protocol):
    """Anything bytes are read from: an open binary file, or one range of it (`RangeReader`)."""

    def read(self, size: int = -1, /) -> bytes:
        """Up to `size` bytes; empty at the end."""
        ...


TallyStream = Callable[[LogTally, ByteSource, Callable[[int], None] | None], None]
"""Tallies a (range of a) file into a `LogTally`: the reader's own streaming loop."""


class RangeReader:
    """A binary file seen from `start` to `end` only: what `ByteChunks` reads for one range."""

    def __init__(self, handle: BinaryIO, start: int, end: int) -> None:
        handle.seek(start)
        self._handle = handle
        self._left = end - start

    def read(self, size: int = -1) -> bytes:
        """Up to `size` bytes, never past the end of the range."""
        if self._left <= 0:
            return b""
        data = self._handle.read(self._left if size < 0 else min(size, self._left))
        self._left -= len(data)
        return data


def usable_cores() -> int:
    """How many cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def plan_ranges(path: Path, client_id: Callable[[str], int], cores: int | None = None) -> list[tuple[int, int]]:
    """Byte ranges, cut after a newline, for reading `path` on several cores; `[]` when one process
    should read it (a gzip file, a small file, one core, or a client hasher that cannot travel)."""
    cores = usable_cores() if cores is None else cores
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            if handle.read(2) == b"\x1f\x8b" or size < PARALLEL_MIN_BYTES or cores < 2:
                return []
            pickle.dumps(client_id)
            cuts = [0] + [_next_line_start(handle, size * part // cores) for part in range(1, cores)] + [size]
    except (OSError, pickle.PicklingError, TypeError, AttributeError):
        return []
    ranges = [(start, end) for start, end in pairwise(cuts) if end > start]
    return ranges if len(ranges) > 1 else []


def tally_in_parallel(
    path: Path,
    ranges: Sequence[tuple[int, int]],
    tally: LogTally,
    stream: TallyStream,
    on_progress: Callable[[int], None] | None,
) -> bool:
    """Tally `path` over `ranges` into `tally` (which must be fresh): the first range here, the
    others in worker processes. Returns False, with `tally` untouched, when workers cannot be
    started; the caller then reads the file itself."""
    context = multiprocessing.get_context(_start_method())
    workers = min(len(ranges) - 1, _MAX_WORKERS)
    try:
        pool = ProcessPoolExecutor(max_workers=workers, mp_context=context,
                                   initializer=_leave_signals_to_parent)
        # Ctrl-C and SIGTERM wait while the workers start (in `submit`): the pool then knows every one
        # of them when the signal's exception ends them (a worker forked as it flies would be orphaned).
        mask = signal.pthread_sigmask(signal.SIG_BLOCK, _STOP_SIGNALS)
        try:
            try:
                futures = [pool.submit(_tally_range, str(path), start, end, tally.client_id, stream)
                           for start, end in ranges[1:]]
            finally:
                signal.pthread_sigmask(signal.SIG_SETMASK, mask)
            first = LogTally(tally.client_id)
            with path.open("rb") as handle:
                stream(first, RangeReader(handle, *ranges[0]), on_progress)
            others = list(_results(futures))
        except BaseException:  # Ctrl-C, SIGTERM, or a failure here: the workers' tallies are not wanted
            _end_workers(pool)
            raise
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
    except (OSError, BrokenProcessPool, pickle.PicklingError) as error:
        log.debug("parallel read of %s not possible (%s); reading it in one process", redact_file_path(path.name), error)
        return False
    if on_progress is not None:
        on_progress(sum(end - start for start, end in ranges[1:]))
    for part in [first, *others]:
        merge_tally(tally, part)
    return True


def merge_tally(into: LogTally, part: LogTally) -> None:
    """Add the tally of the range after those already in `into`, shifting its line numbers."""
    offset = into.lines
    if offset == 0:
        into.format_counts = dict(part.format_counts)  # the format is judged on the first lines
    into.lines += part.lines
    into.matched += part.matched
    into.malformed += part.malformed
    room = REJECTED_SAMPLES - len(into.rejected_samples)
    into.rejected_samples.extend(line + offset for line in part.rejected_samples[:max(room, 0)])
    for slot in range(4, len(into.sink)):
        into.sink[slot] += part.sink[slot]
    for key, bucket in part.buckets.items():
        known = into.buckets.get(key)
        if known is None:
            bucket[3] = [line + offset for line in bucket[3]]
            into.buckets[key] = bucket
            continue
        merge_bucket(known, bucket, offset)


_STOP_SIGNALS = {signal.SIGINT, signal.SIGTERM}


def _leave_signals_to_parent() -> None:
    """In a worker: SIGTERM ends it at once, and Ctrl-C (which a terminal sends to the whole process
    group) is left to the parent, which ends the workers itself; either way no traceback is printed.
    The signals were blocked while the pool started (see `tally_in_parallel`): unblocked here."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOP_SIGNALS)


def _end_workers(pool: ProcessPoolExecutor) -> None:
    """Kill the worker processes now, rather than wait for them to finish their ranges, and reap them.

    SIGKILL, not SIGTERM: a worker forked the instant SIGTERM reached the parent runs the parent's
    handler too, where Python may drop the exception; a worker holds nothing that needs cleaning up.
    Python 3.14 has `kill_workers()`; before it, the pool's own `_processes` is the only handle.
    """
    kill = getattr(pool, "kill_workers", None)
    if callable(kill):
        kill()
        return
    processes = list((getattr(pool, "_processes", None) or {}).values())
    for process in processes:
        process.kill()
    for process in processes:
        process.join(timeout=5)


def _start_method() -> str:
    """`fork` (no re-import, workers start at once) unless another thread runs, such as a progress
    bar's: forking then could copy a lock held by that thread. `spawn` otherwise."""
    if threading.active_count() == 1 and "fork" in multiprocessing.get_all_start_methods():
        return "fork"
    return "spawn"


def _tally_range(path: str, start: int, end: int, client_id: Callable[[str], int], stream: TallyStream) -> LogTally:
    """In a worker: tally one range, and return the tally without its caches (smaller to send)."""
    gc.disable()  # as in the reader: nothing here makes cycles, and the caches only grow
    tally = LogTally(client_id)
    with open(path, "rb") as handle:
        stream(tally, RangeReader(handle, start, end), None)
    tally.drop_caches()
    return tally


def _results(futures: list[Future[LogTally]]) -> Iterator[LogTally]:
    for future in futures:
        yield future.result()


def _next_line_start(handle: BinaryIO, offset: int) -> int:
    """The offset just after the first newline at or after `offset` (the file's end if none)."""
    handle.seek(offset)
    while True:
        block = handle.read(1 << 16)
        if not block:
            return handle.tell()
        cut = block.find(b"\n")
        if cut >= 0:
            return offset + cut + 1
        offset += len(block)
