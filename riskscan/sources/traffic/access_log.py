"""nginx/Apache access logs (common, combined, vhost_combined), plain or gzip, read as a stream.

The reader aggregates requests by (method, host, reduced path) as it goes (see `access_log_parse` for
the hot loop, `reduce` for the reduction) and returns one `TrafficSample`. What it keeps is safe to
show: paths without query strings, with personal data replaced by placeholders (`{email}`) and ids
folded (`{id}`), opaque client ids instead of addresses, keyed hashes of the concrete paths each
client called, counts and line numbers. Basic-auth users, referers and user agents are never kept.
"""

from __future__ import annotations

import gc
import logging
from collections.abc import Callable, Iterator
from operator import itemgetter
from pathlib import Path

from riskscan.errors import SourceError
from riskscan.model import SourceKind, TrafficSample
from riskscan.redaction import redact
from riskscan.sources import ReadContext
from riskscan.sources.traffic.access_log_parallel import ByteSource, plan_ranges, tally_in_parallel
from riskscan.sources.traffic.access_log_parse import LogTally, parse_clf_time, parse_line
from riskscan.sources.traffic.aggregate import path_traffic
from riskscan.sources.gzip_stream import GZIP_MAGIC, GzipStream

__all__ = ["AccessLogError", "AccessLogReader", "ByteChunks", "iter_line_batches", "read_access_log", "tally_stream"]

log = logging.getLogger(__name__)

_CHUNK_BYTES = 1 << 20  # raw bytes read at a time; progress is reported once per chunk
_MAX_INFLATE = 1 << 20  # bytes inflated per step: batches stay small and a gzip bomb harmless
_MAX_LINE = 65536  # longer "lines" are garbage (binary data, no line breaks): cut and rejected
_SNIFF_LINES = 20
_CHECK_AFTER_LINES = 1000  # judge the rejection rate once this many lines were seen


class AccessLogReader:
    """Reader for nginx/Apache access logs in the common, combined and vhost_combined formats."""

    kind = SourceKind.ACCESS_LOG
    title = "nginx / Apache access logs (combined, common, vhost combined), plain or .gz"
    summary = ("requests per method and path: distinct clients as opaque ids, status classes, first and last "
               "seen; query strings dropped, secret-bearing segments replaced at ingestion")

    def sniff(self, path: Path, head: bytes) -> bool:
        """True when most of the first non-empty lines (up to 20) parse as access-log lines.

        `head` is what `read_head` gives: already inflated when the file is gzip.
        """
        lines = head.split(b"\n")
        if len(lines) > 1 and len(head) >= 4096:
            lines.pop()  # the head may end inside a line
        sample = [line for line in lines if line.strip()][:_SNIFF_LINES]
        good = sum(_is_log_line(line) for line in sample)
        return good > 0 and good * 2 > len(sample)

    def read(self, path: Path, context: ReadContext) -> TrafficSample:
        """Stream the log and aggregate it; raise `AccessLogError` when it is not an access log."""
        return read_access_log(path, context)


class AccessLogError(SourceError):
    """A file that looked like an access log but cannot be read as one."""


class ByteChunks:
    """A file's content in chunks of about `_CHUNK_BYTES`, gunzipped when it starts with gzip magic.

    Decompression is streamed (`GzipStream`, every member in turn) so that a truncated or corrupt
    stream keeps every byte inflated before the damage; `problem` then says what went wrong.
    `on_progress` receives the count of raw (compressed) bytes consumed after each read.
    """

    def __init__(self, handle: ByteSource, on_progress: Callable[[int], None] | None = None) -> None:
        self._handle = handle
        self._on_progress = on_progress
        self.problem: str | None = None

    def __iter__(self) -> Iterator[bytes]:
        first = self._read()
        if first[:2] == GZIP_MAGIC:
            yield from self._inflate(first)
            return
        chunk = first
        while chunk:
            yield chunk
            chunk = self._read()

    def _read(self) -> bytes:
        chunk = self._handle.read(_CHUNK_BYTES)
        if chunk and self._on_progress is not None:
            self._on_progress(len(chunk))
        return chunk

    def _inflate(self, first: bytes) -> Iterator[bytes]:
        stream = GzipStream(first, self._read, _MAX_INFLATE)
        yield from stream
        self.problem = stream.problem


def iter_line_batches(chunks: Iterator[bytes] | ByteChunks) -> Iterator[bytes]:
    """Runs of whole lines, one per chunk (the file's last line may lack its newline).

    A line longer than `_MAX_LINE` (binary data, no line breaks) is cut there and its rest skipped,
    so that garbage is rejected as one line instead of being buffered.
    """
    carry = b""
    is_skipping = False  # inside an over-long line whose first part was already given
    for chunk in chunks:
        if is_skipping:
            cut = chunk.find(b"\n")
            if cut < 0:
                continue
            chunk, is_skipping = chunk[cut + 1 :], False
        data = carry + chunk if carry else chunk
        end = data.rfind(b"\n") + 1
        carry = data[end:]
        if end:
            yield data[:end]
        if len(carry) > _MAX_LINE:
            yield carry[:_MAX_LINE] + b"\n"
            carry, is_skipping = b"", True
    if carry:
        yield carry


def read_access_log(path: Path, context: ReadContext) -> TrafficSample:
    """Read one access log (gzip detected by its magic bytes, not its name) into a `TrafficSample`.

    Raises `AccessLogError` when the file cannot be opened, or when more than half of its lines do not
    parse (checked after 1,000 lines and at the end). A truncated or corrupt gzip stream keeps what
    was read before the damage and says so in a warning.
    """
    shown = context.relative_path(path)
    # Nothing here creates reference cycles, so the cyclic collector would only rescan the growing
    # caches and aggregates again and again (a fifth of the read time): it is paused meanwhile.
    was_collecting = gc.isenabled()
    gc.disable()
    try:
        return _read(path, shown, context)
    finally:
        if was_collecting:
            gc.enable()


def _read(path: Path, shown: str, context: ReadContext) -> TrafficSample:
    tally = LogTally(context.client_id)
    problem: str | None = None
    try:
        ranges = plan_ranges(path, context.client_id)
        if not ranges or not tally_in_parallel(path, ranges, tally, tally_stream, context.on_progress):
            with path.open("rb") as handle:
                chunks = ByteChunks(handle, context.on_progress)
                for batch in iter_line_batches(chunks):
                    tally.consume(batch)
                    _check_rejections(tally, shown, is_final=False)
                problem = chunks.problem
    except OSError as error:
        raise AccessLogError(f"cannot read the file ({error.strerror or type(error).__name__})", path=shown) from None
    _check_rejections(tally, shown, is_final=True)
    warnings = _warnings(tally, problem)
    for warning in warnings:
        log.warning("%s: %s", shown, redact(warning))
    return _sample(shown, tally, warnings)


def tally_stream(tally: LogTally, handle: ByteSource, on_progress: Callable[[int], None] | None) -> None:
    """Tally everything `handle` gives (a plain file or a range of one); used by parallel reading."""
    for batch in iter_line_batches(ByteChunks(handle, on_progress)):
        tally.consume(batch)


def _is_log_line(line: bytes) -> bool:
    fields = parse_line(line)
    if fields is None:
        return False
    method = fields[3].partition(b" ")[0]
    return parse_clf_time(fields[2]) is not None and (method.isalpha() or fields[3] in (b"-", b""))


def _check_rejections(tally: LogTally, shown: str, *, is_final: bool) -> None:
    """Stop early on a file that is mostly not log lines (binary data, another format)."""
    total, bad = tally.total, tally.malformed
    if bad * 2 <= total or not (is_final or total >= _CHECK_AFTER_LINES or tally.matched == 0 and bad >= 16):
        return
    raise AccessLogError(f"not an access log: {bad} of {total} lines do not parse", path=shown)


def _warnings(tally: LogTally, stream_problem: str | None) -> tuple[str, ...]:
    warnings: list[str] = []
    if stream_problem is not None:
        warnings.append(f"{stream_problem} gzip stream after {tally.lines} lines")
    bad_requests = tally.bad_requests
    rejected = tally.malformed + bad_requests
    if rejected:
        samples = sorted(tally.rejected_samples)
        where = ", ".join(str(line) for line in samples) + (", ..." if rejected > len(samples) else "")
        warnings.append(
            f"{rejected} of {tally.total} lines rejected ({tally.malformed} do not parse, "
            f"{bad_requests} have no HTTP request line) at line{'s' if len(samples) > 1 else ''} {where}"
        )
    if tally.total == 0:
        warnings.append("no log lines")
    return tuple(warnings)


def _format_name(tally: LogTally) -> str:
    """The majority format among the first lines; `combined` when nothing parsed."""
    counts = tally.format_counts
    return max(("combined", "common", "vhost_combined"), key=lambda name: counts[name])


def _sample(shown: str, tally: LogTally, warnings: tuple[str, ...]) -> TrafficSample:
    buckets = tally.buckets
    # Ordered by path, then method (then first appearance): stable output for a given file.
    paths = tuple(path_traffic(key, buckets[key]) for key in sorted(buckets, key=itemgetter(2, 0)))
    clients: set[int] = set().union(*(bucket[0].keys() for bucket in buckets.values()))
    bad_requests = tally.bad_requests
    return TrafficSample(
        path=shown,
        format=_format_name(tally),
        total_lines=tally.total,
        parsed_lines=tally.matched - bad_requests,
        rejected_lines=tally.malformed + bad_requests,
        paths=paths,
        first_seen=min((item.first_seen for item in paths if item.first_seen), default=None),
        last_seen=max((item.last_seen for item in paths if item.last_seen), default=None),
        distinct_clients=len(clients),
        warnings=warnings,
    )
