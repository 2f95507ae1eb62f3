"""Reading the small files a user hands riskscan to steer a scan (accepted risks, settings, attestations,
questionnaires, rating factors, loss scenarios): size-capped, UTF-8, and one `UsageError` line naming the
file when it cannot be read. Parsing and validation stay with each file's own module."""

from __future__ import annotations

from pathlib import Path

from riskscan.errors import UsageError

__all__ = ["read_user_file"]


def read_user_file(path: Path, what: str, max_bytes: int) -> str:
    """The text of `path`; `what` names its role in errors ("exceptions file", "questionnaire")."""
    try:
        if path.stat().st_size > max_bytes:
            raise UsageError(f"{path.name}: {what} larger than {_size(max_bytes)}")
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise UsageError(f"{path.name}: cannot read the {what} ({type(error).__name__})") from None


def _size(max_bytes: int) -> str:
    return f"{max_bytes // (1024 * 1024)} MiB" if max_bytes >= 1024 * 1024 else f"{max_bytes // 1024} KiB"
