"""SIGTERM ends a scan as Ctrl-C does: `timeout`, CI runners and Kubernetes stop programs with it.

The handler raises `Terminated`, a `KeyboardInterrupt`, so that the same clean-up runs (the log
reader's threads stop, no report is left half-written) and the CLI exits 143. Python drops an exception raised while
it runs certain internal callbacks (the hooks after `fork`, a `__del__`); the signal is remembered,
so `StopOnTerminate`, which sees every chunk a reader consumes, raises it again at the next one.
"""

from __future__ import annotations

import signal
from pathlib import Path

from riskscan.pipeline import Progress

__all__ = ["StopOnTerminate", "Terminated", "raise_if_terminated", "stop_on_sigterm"]

_received: list[bool] = [False]  # set by the handler; a list so that no `global` statement is needed


class Terminated(KeyboardInterrupt):
    """The process received SIGTERM."""


def stop_on_sigterm() -> None:
    """Install the SIGTERM handler (main thread only)."""
    signal.signal(signal.SIGTERM, _on_sigterm)


def raise_if_terminated() -> None:
    """Raise `Terminated` when SIGTERM arrived but its exception was lost."""
    if _received[0]:
        raise Terminated


def _on_sigterm(_signal: int, _frame: object) -> None:
    _received[0] = True
    raise Terminated


class StopOnTerminate(Progress):
    """Passes progress on to `inner`, checking for a lost SIGTERM at every step."""

    def __init__(self, inner: Progress) -> None:
        self._inner = inner

    def start(self, total_bytes: int) -> None:
        self._inner.start(total_bytes)

    def advance(self, nbytes: int) -> None:
        raise_if_terminated()
        self._inner.advance(nbytes)

    def file_started(self, path: Path) -> None:
        raise_if_terminated()
        self._inner.file_started(path)

    def lines_read(self, count: int) -> None:
        raise_if_terminated()
        self._inner.lines_read(count)

    def finish(self) -> None:
        self._inner.finish()
