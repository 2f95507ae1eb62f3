"""Reading a line-oriented log as batches of whole lines: plain, gzip or zstd, streamed.

Compression is judged by the first bytes (gzip `1f 8b`, zstd `28 b5 2f fd`), never by the name.
Inflation is streamed and bounded (a bomb costs what is read, not what it claims), and runs in a
thread ahead of the reader (zlib and zstd release the GIL), so that decompression overlaps parsing.
Batches grow from 256 KiB to 8 MiB: a file that is not a log is judged on its first lines, a big
one is parsed in large vectorised steps. A line longer than `MAX_LINE` bytes (binary data, no line
breaks) is cut there and the rest of it skipped, so garbage is one rejected line, never buffered.
A truncated or corrupt stream keeps every line read before the damage; `problem` says what happened.
A plain file that begins with NUL bytes (a log truncated in place while written) is read from its first
line after them (`leading_hole`); `hole_bytes` counts what was read past.
"""

from __future__ import annotations

import io
import queue
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from riskscan.sources.gzip_stream import GZIP_MAGIC, GzipStream
from riskscan.sources.leading_hole import skip_leading_nuls
from riskscan.sources.zstd_stream import ZSTD_MAGIC, ZstdStream

if TYPE_CHECKING:
    import polars as pl

__all__ = ["MAX_LINE", "LineBatch", "LineReader"]

MAX_LINE = 65536
_CHUNK_BYTES = 1 << 20  # raw bytes read at a time; progress is reported once per chunk
_FIRST_BATCH, _LAST_BATCH = 256 << 10, 8 << 20
_AHEAD = 2  # batches read ahead of the parser
_SEPARATOR = b"\x1f"  # the CSV reader's field separator: a byte log lines do not hold


@dataclass(frozen=True)
class LineBatch:
    """Whole lines of a file (the last may lack its newline) and the number of the first one."""

    first_line: int
    data: bytes

    @cached_property
    def line_count(self) -> int:
        """Physical lines in the batch, blank ones included."""
        return self.data.count(b"\n") + (not self.data.endswith(b"\n"))

    def frame(self) -> pl.DataFrame:
        """The lines as a frame: `line` (number in the file) and `text` (decoded, invalid UTF-8
        replaced; null for a blank line). Parsed by Polars' CSV reader with no separator or quote it
        could meet, which is much faster than splitting in Python."""
        import polars as pl

        frame = None
        if _SEPARATOR not in self.data:  # a line holding it would be cut there: split in Python instead
            frame = pl.read_csv(
                io.BytesIO(self.data),
                has_header=False,
                separator=_SEPARATOR.decode(),
                quote_char=None,
                schema={"text": pl.String},
                encoding="utf8-lossy",
            )
        if frame is None or frame.height != self.line_count:  # the second never seen; kept exact anyway
            frame = pl.DataFrame({"text": self.lines()}, schema={"text": pl.String})
        return frame.with_row_index("line", offset=self.first_line).with_columns(
            pl.col("line").cast(pl.Int64)
        )

    def lines(self) -> list[str]:
        """The lines as Python strings (invalid UTF-8 replaced), for slow paths."""
        lines = self.data.split(b"\n")
        if lines[-1] == b"":
            lines.pop()
        return [line.rstrip(b"\r").decode("utf-8", "replace") for line in lines]

    def raw_lines(self, numbers: list[int]) -> list[bytes]:
        """The bytes of the given lines (numbers in the file), for a format's tolerant slow path."""
        lines = self.data.split(b"\n")
        return [lines[number - self.first_line] for number in numbers]


class LineReader:
    """The batches of one file, read (and inflated) in a thread ahead of the caller.

    `on_progress` receives counts of raw (compressed) bytes as they are read; `problem` is set once
    iteration ends when a compressed stream was truncated or corrupt.
    """

    def __init__(self, path: Path, on_progress: Callable[[int], None] | None = None) -> None:
        self._path = path
        self._on_progress = on_progress
        self.problem: str | None = None
        self.compression: str | None = None  # "gzip" or "zstd" once the first bytes were read
        self.hole_bytes = 0  # NUL bytes the file began with, read past (`leading_hole`)

    def __iter__(self) -> Iterator[LineBatch]:
        handoff: queue.Queue[LineBatch | BaseException | None] = queue.Queue(_AHEAD)
        stop = threading.Event()
        worker = threading.Thread(target=self._produce, args=(handoff, stop), daemon=True)
        worker.start()
        try:
            while (item := handoff.get()) is not None:
                if isinstance(item, BaseException):
                    raise item
                yield item
        finally:
            stop.set()
            while worker.is_alive():  # unblock a producer waiting on a full queue
                try:
                    handoff.get_nowait()
                except queue.Empty:
                    worker.join(0.05)

    def _produce(self, handoff: queue.Queue[LineBatch | BaseException | None], stop: threading.Event) -> None:
        try:
            with self._path.open("rb") as handle:
                for batch in self._batches(handle):
                    if stop.is_set():
                        return
                    handoff.put(batch)
            handoff.put(None)
        except BaseException as error:  # noqa: BLE001 - handed to the caller's thread and raised there
            handoff.put(error)

    def _batches(self, handle: BinaryIO) -> Iterator[LineBatch]:
        target, pending, size, line = _FIRST_BATCH, [], 0, 1
        for run in _whole_lines(self._chunks(handle)):
            pending.append(run)
            size += len(run)
            if size >= target:
                batch = LineBatch(line, b"".join(pending))
                yield batch
                line += batch.line_count
                pending, size, target = [], 0, min(target * 4, _LAST_BATCH)
        if pending:
            yield LineBatch(line, b"".join(pending))

    def _chunks(self, handle: BinaryIO) -> Iterator[bytes]:
        def read() -> bytes:
            chunk = handle.read(_CHUNK_BYTES)
            if chunk and self._on_progress is not None:
                self._on_progress(len(chunk))
            return chunk

        first = read()
        if first[:2] == GZIP_MAGIC:
            self.compression = "gzip"
            stream = GzipStream(first, read, _CHUNK_BYTES)
            yield from stream
            self.problem = stream.problem
        elif first[:4] == ZSTD_MAGIC:
            self.compression = "zstd"
            zstd = ZstdStream(first, read)
            yield from zstd
            self.problem = zstd.problem
        else:
            chunk, self.hole_bytes = skip_leading_nuls(first, read)
            while chunk:
                yield chunk
                chunk = read()


def _whole_lines(chunks: Iterator[bytes]) -> Iterator[bytes]:
    """Runs of whole lines, one per chunk (the file's last line may lack its newline); a line longer
    than `MAX_LINE` is cut there and its rest skipped."""
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
        if len(carry) > MAX_LINE:
            yield carry[:MAX_LINE] + b"\n"
            carry, is_skipping = b"", True
    if carry:
        yield carry
