"""The run of NUL bytes a log can begin with after being truncated in place while it was written.

logrotate's `copytruncate` copies a log and truncates it to nothing while the server keeps writing; a
server that did not open the file in append mode writes its next line at its old offset, so the file
then begins with a hole: as many NUL bytes as it held before, then whole lines. Sniffed as it is, such
a log is "binary content" and the month of traffic after the hole is lost. `skip_leading_nuls` reads
past that run (a sparse hole costs no disk reads), at most `MAX_HOLE_BYTES`: a file of nothing but
NULs, or one whose run is longer, stays what it looks like.
"""

from __future__ import annotations

from collections.abc import Callable

__all__ = ["MAX_HOLE_BYTES", "skip_leading_nuls"]

MAX_HOLE_BYTES = 1 << 30
"""NUL bytes read past at most (a log truncated at 1 GiB; zeros read at memory speed)."""


def skip_leading_nuls(first: bytes, read: Callable[[], bytes]) -> tuple[bytes, int]:
    """The bytes from the first one that is not NUL, of `first` (the file's first bytes) then of what
    `read` gives, and how many NUL bytes were read past. The bytes are empty when the file is NUL to its
    end or its run passes `MAX_HOLE_BYTES` (reading stops there). A file not beginning with NUL is
    given back as it is: (`first`, 0)."""
    skipped, chunk = 0, first
    while chunk and skipped <= MAX_HOLE_BYTES:
        rest = chunk.lstrip(b"\x00")
        skipped += len(chunk) - len(rest)
        if rest:
            return rest, skipped
        chunk = read()
    return b"", skipped
