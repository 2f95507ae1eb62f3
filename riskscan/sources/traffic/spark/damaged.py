"""Damaged files on Spark: read as far as they go, and said so, as the embedded engine does.

Spark either fails a whole job on a file it cannot read to the end (a gzip stream cut short, a
corrupt block), or, with `ignoreCorruptFiles`, keeps what it read and says nothing. A scan wants
neither: it keeps the lines before the damage and reports the file. So a location is first read
strictly; when Spark names a file it could not read (`FAILED_READ_FILE`), that file is read leniently
beside the others, still strictly, and the read starts over, until it succeeds or too many files are
damaged (then every file is read leniently, and the warning says that others may be damaged too).
A clean location costs one strict read, as before.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from riskscan.redaction import redact_file_path

__all__ = [
    "ANY_FILE", "MAX_DAMAGED_FILES", "Damage", "counted_lines", "damaged_file", "is_same_file", "shown_location",
]

MAX_DAMAGED_FILES = 8
"""Files found damaged one by one (one failed read each) before every file is read leniently."""
ANY_FILE = "*"
"""The damaged-file entry meaning "read every file leniently"."""

# Spark 4: "[FAILED_READ_FILE.NO_HINT] Encountered error while reading file file:///logs/a.gz.  SQLSTATE: KD001"
_FAILED_READ = re.compile(r"Encountered error while reading file (.+?)\.?\s+(?:SQLSTATE|Details|$)", re.MULTILINE)


@dataclass(frozen=True)
class Damage:
    """The damaged files of one read, with the lines read from each before its damage."""

    lines_before: dict[str, int]  # the file as Spark names it -> lines kept
    others_possible: bool  # every file was read leniently: others may be damaged unseen

    def warnings(self, name: Callable[[str], str]) -> tuple[str, ...]:
        """One warning per damaged file, in the words of the embedded engine's; `name` shows a file."""
        found = tuple(
            f"{name(file)}compressed stream damaged or cut short after {lines} lines (read up to the damage)"
            for file, lines in sorted(self.lines_before.items())
        )
        if self.others_possible:
            found += (f"more than {MAX_DAMAGED_FILES} damaged files: every file was read up to any damage",)
        return found


def damaged_file(error: BaseException) -> str | None:
    """The file Spark says it could not read in `error` (a Py4J error's text), or None."""
    found = _FAILED_READ.search(str(error))
    return found[1] if found else None


def is_same_file(one: str, other: str) -> bool:
    """Whether two of Spark's names are one file (`file:/a`, `file:///a` and `/a` are)."""
    return _normal(one) == _normal(other)


def counted_lines(counts: Sequence[tuple[str, int]], damaged: Sequence[str]) -> dict[str, int]:
    """Lines per damaged file, from (file, lines) counts of every file read."""
    wanted = [file for file in damaged if file != ANY_FILE]
    return {file: sum(lines for name, lines in counts if is_same_file(name, file)) for file in wanted}


def _normal(name: str) -> tuple[str, str, str]:
    parts = urlsplit(name)
    scheme = parts.scheme or "file"
    return scheme, parts.netloc, "/" + parts.path.lstrip("/")


def shown_location(uri: str) -> str:
    """The URI as reports show it: without credentials (`key:secret@`), query or fragment, redacted."""
    parts = urlsplit(uri)
    user, _, host = parts.netloc.rpartition("@")
    netloc = host if ":" in user else parts.netloc  # `container@account` (abfss) is no credential
    return redact_file_path(urlunsplit((parts.scheme, netloc, parts.path, "", "")))
