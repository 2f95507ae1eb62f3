"""Inflating a zstd stream (every frame in turn) in bounded steps, like `gzip_stream` does for gzip.

zstandard's decompressor has no output limit per call, so input is fed `_FEED` bytes at a time: one
call then inflates at most about 128 MiB however the stream was crafted. A truncated or corrupt stream
keeps every byte inflated before the damage; `problem` says `truncated` or `corrupt`. zstandard is
imported when a stream is read, not before.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

__all__ = ["ZSTD_MAGIC", "ZstdStream"]

ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
"""The first four bytes of a zstd frame (judged by content, never by name)."""

_FEED = 4096


class ZstdStream:
    """The inflated content of `first` and whatever `read` gives after it, frame after frame."""

    def __init__(self, first: bytes, read: Callable[[], bytes]) -> None:
        self._first = first
        self._read = read
        self.problem: str | None = None

    def __iter__(self) -> Iterator[bytes]:
        import zstandard

        decompressor, is_inside_frame = zstandard.ZstdDecompressor().decompressobj(), False
        data = self._first
        try:
            while data:
                for start in range(0, len(data), _FEED):
                    piece = data[start : start + _FEED]
                    while piece:
                        out, is_inside_frame, piece = decompressor.decompress(piece), True, b""
                        if out:
                            yield out
                        if decompressor.eof:  # a frame ended: the next starts in its unused data
                            piece, is_inside_frame = decompressor.unused_data, False
                            decompressor = zstandard.ZstdDecompressor().decompressobj()
                data = self._read()
        except zstandard.ZstdError:
            self.problem = "corrupt"
            return
        if is_inside_frame:
            self.problem = "truncated"
