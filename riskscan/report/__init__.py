"""The report stage: renderers that format a finished `Assessment`, and writing them safely.

A renderer turns an assessment into bytes and knows its name, file suffixes and media type. The
built-in JSON, HTML and PDF renderers are registered with `register` exactly as an addition would be;
`renderer_for` picks one from an explicit format or a destination's suffix, and `write_report` renders
first and then replaces the destination atomically, so a failure never leaves a half-written file
(a device or a named pipe, which cannot be replaced, is written through instead).
Renderers read no inputs, compute no scores and never read the clock.
"""

from __future__ import annotations

import os
import stat
import sys
import uuid
from pathlib import Path
from typing import Protocol, runtime_checkable

from riskscan.errors import OutputError, RiskscanError, UsageError
from riskscan.model import Assessment
from riskscan.report.html_report import HtmlRenderer
from riskscan.report.json_report import JsonRenderer
from riskscan.report.pdf_report import PdfRenderer

__all__ = ["RENDERERS", "STDOUT", "Renderer", "check_destination", "register", "renderer_for", "write_report"]

STDOUT = "-"
"""The destination that means standard output."""


@runtime_checkable
class Renderer(Protocol):
    """Formats an `Assessment` as one output format."""

    name: str
    suffixes: tuple[str, ...]
    media_type: str
    is_binary: bool

    def render(self, assessment: Assessment) -> bytes:
        """The whole report as bytes, ready to write."""
        ...


RENDERERS: dict[str, Renderer] = {}
"""Every known output format by name, built-ins included."""


def register(renderer: Renderer) -> Renderer:
    """Add `renderer` under its name; its suffixes must not clash with another format's."""
    for other in RENDERERS.values():
        clash = set(other.suffixes) & set(renderer.suffixes)
        if other.name != renderer.name and clash:
            raise ValueError(f"format {renderer.name!r} claims suffix {min(clash)} of {other.name!r}")
    RENDERERS[renderer.name] = renderer
    return renderer


for _builtin in (JsonRenderer(), HtmlRenderer(), PdfRenderer()):
    register(_builtin)


def renderer_for(destination: str, format: str | None) -> Renderer:
    """The renderer for `destination`: `format` if given, else its suffix; stdout defaults to JSON.

    A suffix riskscan does not know (`.txt`, none) takes any `format`. Raises `UsageError` for an
    unknown format or suffix, a `format` that contradicts a known suffix (PDF into `r.json`), and a
    binary format (PDF) sent to standard output when that is a terminal.
    """
    renderer = _lookup(destination, format)
    if destination == STDOUT and renderer.is_binary and _stdout_is_terminal():
        raise UsageError(f"will not write {renderer.name} to a terminal; redirect stdout or give -o FILE")
    return renderer


def check_destination(destination: str) -> None:
    """Raise `OutputError` when `destination` is a folder or its folder does not exist.

    Called before a scan as well as at writing time, so a mistyped path fails at once, not after
    minutes of reading logs. A symlink is judged by what it points to.
    """
    if destination == STDOUT:
        return
    target = Path(os.path.realpath(destination))
    if target.is_symlink():  # realpath stops at a loop of links: it points at nothing to write
        raise OutputError("is a loop of symbolic links", path=destination)
    if target.is_dir():
        raise OutputError("is a folder, not a file", path=destination)
    if not target.parent.is_dir():
        shown = Path(destination).parent if target == Path(destination).absolute() else target.parent
        raise OutputError(f"folder {shown} does not exist", path=destination)


def write_report(assessment: Assessment, destination: str, format: str | None) -> None:
    """Render `assessment` and write it to `destination` ("-" for stdout) atomically.

    The report is rendered to bytes first, then written to a temporary file in the destination's
    folder and renamed over the destination. Failures raise `OutputError` naming the destination.
    """
    renderer = renderer_for(destination, format)
    try:
        data = renderer.render(assessment)
    except RiskscanError:
        raise
    except Exception as error:  # a library failure inside a renderer: wrap it at this boundary
        raise OutputError(f"could not render {renderer.name} ({type(error).__name__})",
                          path=destination) from error
    if destination == STDOUT:
        _write_stdout(data, destination)
    else:
        _write_file(data, destination)


def _lookup(destination: str, format: str | None) -> Renderer:
    known = ", ".join(sorted(RENDERERS))
    suffix = "" if destination == STDOUT else Path(destination).suffix.lower()
    by_suffix = next((renderer for renderer in RENDERERS.values() if suffix in renderer.suffixes), None)
    if format is None:
        if destination == STDOUT:
            return RENDERERS["json"]
        if by_suffix is None:
            shown = f"suffix {suffix!r}" if suffix else "no suffix"
            raise UsageError(f"cannot tell the format of {destination} ({shown}); give --format, one of: {known}")
        return by_suffix
    renderer = RENDERERS.get(format.strip().lower())
    if renderer is None:
        raise UsageError(f"unknown format {format!r}; known formats: {known}")
    if by_suffix is not None and by_suffix.name != renderer.name:
        # `-o a.pdf -o b.json --format pdf` would put a PDF in b.json: surely not what was meant.
        raise UsageError(f"{destination} names a {by_suffix.name} file, but its format is given as {renderer.name}")
    return renderer


def _stdout_is_terminal() -> bool:
    try:
        return sys.stdout.isatty()
    except (AttributeError, ValueError):  # replaced or closed stdout
        return False


def _write_stdout(data: bytes, destination: str) -> None:
    try:
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    except (OSError, AttributeError, ValueError) as error:
        raise OutputError(f"cannot write to standard output ({type(error).__name__})",
                          path=destination) from error


def _write_file(data: bytes, destination: str) -> None:
    """Write `data` to a file path: atomically to a regular file (or where a symlink points), straight
    through to anything else that exists (`/dev/null`, `/dev/stdout`, a named pipe).

    A device or a pipe cannot be replaced by renaming a temp file over it, and must not be: as root,
    that would put a regular file where `/dev/null` was.
    """
    check_destination(destination)
    target = Path(os.path.realpath(destination))
    try:
        mode = target.stat().st_mode
    except OSError:
        mode = None  # a new file
    if mode is not None and not stat.S_ISREG(mode):
        _write_through(target, data, destination)
    else:
        _write_atomically(target, data, destination)


def _write_through(target: Path, data: bytes, destination: str) -> None:
    """Open an existing device or pipe for writing and write `data` into it, creating nothing."""
    try:
        descriptor = os.open(target, os.O_WRONLY | getattr(os, "O_NOCTTY", 0))
        with os.fdopen(descriptor, "wb") as stream:
            stream.write(data)
    except OSError as error:
        raise OutputError(f"cannot write: {error.strerror or type(error).__name__}",
                          path=destination) from error


def _write_atomically(target: Path, data: bytes, destination: str) -> None:
    """Write a temp file beside `target`, then `os.replace` it; remove the temp file on failure."""
    temporary = target.parent / f".{target.name}.{uuid.uuid4().hex[:12]}.tmp"
    try:
        # 0o666 before the umask: the report gets the same permissions as any new file would.
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        with os.fdopen(descriptor, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, target)
    except OSError as error:
        temporary.unlink(missing_ok=True)
        raise OutputError(f"cannot write: {error.strerror or type(error).__name__}",
                          path=destination) from error
    except BaseException:  # Ctrl-C or SIGTERM mid-write: no temp file left behind either
        temporary.unlink(missing_ok=True)
        raise
