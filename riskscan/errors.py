"""Errors users see: one line each, naming the file and the problem, never an input's secret value.

Library exceptions are wrapped at the boundary where they occur (a reader, a renderer, the history
store) into one of these; the CLI prints `str(error)` and exits 2.
"""

from __future__ import annotations

from dataclasses import dataclass

from riskscan.redaction import redact

__all__ = [
    "HistoryError",
    "InputError",
    "OutputError",
    "RiskscanError",
    "SourceError",
    "UsageError",
]


@dataclass
class RiskscanError(Exception):
    """Base of every error riskscan reports to a user."""

    problem: str

    def __str__(self) -> str:
        return _one_line(self.problem)


@dataclass
class SourceError(RiskscanError):
    """An input file could not be read as the kind it claims to be.

    `path` is relative to the scan root where possible; `line` is 1-based when known.
    """

    path: str = ""
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line is not None else self.path
        return _one_line(f"{where}: {self.problem}" if where else self.problem)


@dataclass
class NotReadableAsIs(SourceError):
    """A file of a kind riskscan reads that is not in a form it can read, through no damage of its own
    (a Helm template, YAML only once rendered): skipped with the reason, never failed, so that `--strict`
    does not stop on a chart folder beside the manifests."""


@dataclass
class InputError(RiskscanError):
    """The inputs as a whole cannot be scanned (nothing found, a path does not exist ...)."""


@dataclass
class UsageError(RiskscanError):
    """A command-line option is wrong or options contradict each other."""


@dataclass
class OutputError(RiskscanError):
    """An output could not be written or rendered."""

    path: str = ""

    def __str__(self) -> str:
        return _one_line(f"{self.path}: {self.problem}" if self.path else self.problem)


@dataclass
class HistoryError(RiskscanError):
    """The history database could not be read or written."""

    path: str = ""

    def __str__(self) -> str:
        return _one_line(f"{self.path}: {self.problem}" if self.path else self.problem)


def _one_line(text: str, limit: int = 400) -> str:
    """Fold a message onto one line and keep it short enough for a terminal."""
    flat = " ".join(redact(text).split())  # never echo a secret, even from a message built in haste
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
