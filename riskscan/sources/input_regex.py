"""Regular expressions taken from inputs (gateway configs), compiled with RE2: linear time, always.

A pattern written by someone else is untrusted: Python's backtracking `re` takes exponential time on
`^/(a+)+$` against `/aaaa...!`, so one line of a config could hang a scan. RE2 (`google-re2`)
matches in time linear in the text and refuses what it cannot do that way (backreferences,
lookarounds); such a pattern is not evaluated at all, and the caller says so in a warning.
"""

from __future__ import annotations

from typing import Protocol

import re2

__all__ = ["InputPattern", "compile_input_regex"]


class InputPattern(Protocol):
    """A compiled input pattern; only searching is needed."""

    def search(self, text: str) -> object | None:
        """A match object where the pattern matches somewhere in `text`, else None."""
        ...


_OPTIONS = re2.Options()
_OPTIONS.log_errors = False  # RE2 would print the refused pattern to stderr itself
_OPTIONS.max_mem = 8 << 20  # a pattern needing more (`x{1000}{1000}`) is refused, not built


def compile_input_regex(pattern: str) -> InputPattern | None:
    """`pattern` compiled with RE2, or None when RE2 refuses it (bad syntax, backreferences,
    lookarounds, too large)."""
    try:
        compiled: InputPattern = re2.compile(pattern, _OPTIONS)
    except (re2.error, TypeError, ValueError):
        return None
    return compiled
