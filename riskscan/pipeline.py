"""The scan pipeline: sources -> inventory -> controls -> `Assessment`.

`scan` runs the stages in order and returns a finished, redacted `Assessment`; rendering, history and
exit codes are the caller's business. Dependencies that vary (the clock, progress reporting) are
passed in rather than reached for, so tests can pin them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from riskscan import __version__
from riskscan.controls import evaluate_controls
from riskscan.controls.catalogue import default_catalogue
from riskscan.controls.exceptions import load_exceptions
from riskscan.discovery import discover_files, read_inputs, scan_root_for
from riskscan.errors import InputError
from riskscan.inventory import build_inventory
from riskscan.model import Assessment, InputFile, InputStatus
from riskscan.redaction import redact_file_path
from riskscan.sources import ReadContext, make_client_hasher

__all__ = ["SCHEMA_VERSION", "Progress", "ScanOptions", "scan"]

SCHEMA_VERSION = "1.3"
"""Version of the JSON output contract (riskscan/report/assessment.schema.json)."""

log = logging.getLogger(__name__)


class Progress:
    """Receives progress while inputs are read; the default does nothing (quiet when piped)."""

    def start(self, total_bytes: int) -> None:
        """Called once with the total size of the files about to be read."""

    def advance(self, nbytes: int) -> None:
        """Called as bytes of the current file are consumed."""

    def file_started(self, path: Path) -> None:
        """Called when a file starts being read."""

    def finish(self) -> None:
        """Called once when reading is over."""


@dataclass(frozen=True)
class ScanOptions:
    """What to scan and how strictly."""

    paths: tuple[Path, ...]
    strict: bool = False
    max_file_bytes: int = 50 * 1024 * 1024
    progress: Progress = field(default_factory=Progress)
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    on_inputs: Callable[[Sequence[InputFile]], None] | None = None
    """Told every input file's outcome once all are read, before a scan with none usable stops."""
    exceptions: Path | None = None
    """The accepted-risks file (`--exceptions`), validated before any input is read."""


def scan(options: ScanOptions) -> Assessment:
    """Read every input under `options.paths` and assess it.

    Raises `InputError` when no path exists or nothing usable was found, and, in strict mode, when any
    file failed to read.
    """
    if not options.paths:
        raise InputError("no input paths given")
    control_ids = frozenset(control.id for control in default_catalogue().controls)
    exceptions = load_exceptions(options.exceptions, control_ids) if options.exceptions else ()
    files = discover_files(options.paths)
    root = scan_root_for(options.paths)
    context = ReadContext(
        root=root,
        allowed_roots=tuple(path.resolve() if path.is_dir() else path.resolve().parent for path in options.paths),
        max_bytes=options.max_file_bytes,
        on_progress=options.progress.advance,
        client_id=make_client_hasher(),
    )
    options.progress.start(sum(_size(file) for file in files))
    try:
        inputs = read_inputs(files, context, on_file=options.progress.file_started)
    finally:
        options.progress.finish()
    if options.on_inputs is not None:
        options.on_inputs(inputs.inputs)
    _check_inputs(inputs.inputs, options)
    inventory = build_inventory(inputs.specs, inputs.gateways, inputs.traffic)
    scanned_at = options.clock()
    evaluation = evaluate_controls(inventory, exceptions=exceptions, today=scanned_at.date())
    return Assessment(
        schema_version=SCHEMA_VERSION,
        tool_version=__version__,
        scanned_at=scanned_at,
        roots=tuple(dict.fromkeys(_root_label(path) for path in options.paths)),
        inputs=inputs.inputs,
        inventory=inventory,
        controls=evaluation.controls,
        findings=evaluation.findings,
        score=evaluation.score,
        grade=evaluation.grade,
        basis=evaluation.basis,
        exceptions=evaluation.exceptions,
        score_excluding_accepted=evaluation.score_excluding_accepted,
        grade_excluding_accepted=evaluation.grade_excluding_accepted,
    )


def _check_inputs(records: Sequence[InputFile], options: ScanOptions) -> None:
    failed = [record for record in records if record.status is InputStatus.FAILED]
    if options.strict and failed:
        first = failed[0].message or failed[0].path
        more = f" (and {len(failed) - 1} more failed files)" if len(failed) > 1 else ""
        raise InputError(f"{first}{more}; --strict stops at the first bad file")
    if not any(record.status is InputStatus.USED for record in records):
        shown = ", ".join(redact_file_path(str(path)) for path in options.paths)
        if failed:  # a spec that is broken must not read as if there were no spec at all
            more = f" (and {len(failed) - 1} more failed files)" if len(failed) > 1 else ""
            raise InputError(f"{shown}: nothing could be read: {failed[0].message or failed[0].path}{more}")
        raise InputError(f"{shown}: no input of a kind riskscan reads (see riskscan sources)")


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _root_label(path: Path) -> str:
    """A root as shown in reports: its own name, never the absolute path (which names users)."""
    resolved = path.resolve()
    return resolved.name or str(resolved)
