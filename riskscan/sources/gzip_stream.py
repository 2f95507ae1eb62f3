"""Gunzipping a stream of concatenated gzip members, in time linear in its size whatever its shape.

`gzip -c a b > ab.gz`, log rotators and `cat *.gz` all make files of several members, so every member
is read, with any zero padding between them. zlib copies the input left over after a member ends
(`unused_data`): fed whole 1 MiB chunks, a file of many tiny members (200,000 empty ones, 20 bytes
each) was copied once per member, seconds per MiB. The input is therefore fed a window at a time,
shrunk to `_MIN_FEED` bytes when a member ends and doubled while one goes on.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Callable, Iterator
from typing import Any

__all__ = ["GZIP_MAGIC", "GzipStream"]

GZIP_MAGIC = b"\x1f\x8b"
"""The first two bytes of a gzip file (judged by content, never by name)."""

_WBITS = 16 + zlib.MAX_WBITS  # gzip header and trailer
_MAX_FEED, _MIN_FEED = 1 << 20, 256  # compressed bytes given to zlib at a time
_ZEROS = re.compile(b"\x00*")


class GzipStream:
    """The inflated content of `first` and whatever `read` gives after it, in pieces of at most
    `max_out` bytes (so a gzip bomb is harmless to whoever stops reading).

    A truncated or corrupt stream keeps every byte inflated before the damage; `problem` then says
    `truncated` or `corrupt`.
    """

    def __init__(self, first: bytes, read: Callable[[], bytes], max_out: int = 1 << 20) -> None:
        self._first = first
        self._read = read
        self._max_out = max_out
        self.problem: str | None = None

    def __iter__(self) -> Iterator[bytes]:
        inflater: Any = None  # zlib's decompressor (its type is private); None between members
        window, data = _MAX_FEED, self._first
        try:
            while data:
                position, out = 0, b""
                while position < len(data) or len(out) >= self._max_out:  # a full output may have more
                    if inflater is None:
                        position = _skip_padding(data, position)
                        if position >= len(data):
                            break
                        inflater = zlib.decompressobj(_WBITS)
                    piece = data[position : position + window]
                    out = inflater.decompress(piece, self._max_out)
                    if out:
                        yield out
                    if inflater.eof:  # the end of a member; another may follow
                        position += len(piece) - len(inflater.unused_data)
                        inflater, window, out = None, _MIN_FEED, b""
                    else:
                        position += len(piece) - len(inflater.unconsumed_tail)
                        window = min(window * 2, _MAX_FEED)
                data = self._read()
            if inflater is not None:
                yield inflater.flush()
                self.problem = "truncated"
        except zlib.error:
            self.problem = "corrupt"


def _skip_padding(data: bytes, position: int) -> int:
    """The offset of the first byte from `position` on that is not zero padding."""
    found = _ZEROS.match(data, position)
    return found.end() if found else position
