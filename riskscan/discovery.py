"""Input discovery: from the paths a user gives to read input files, each judged by its content.

Every file found ends up as an `InputFile` with a status: `used` (read), `skipped` (not a kind
riskscan reads) or `failed` (a kind riskscan reads, but broken, with the one-line reason). One bad
file never stops the others; `strict` mode is the caller's decision (see `pipeline.scan`).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from riskscan.errors import InputError, NotReadableAsIs, SourceError
from riskscan.inventory.literals import protected_literals
from riskscan.model import (
    ApiSpec,
    GatewayConfig,
    GatewayExport,
    InputFile,
    InputStatus,
    SourceKind,
    TrafficSample,
)
from riskscan.redaction import redact_file_path
from riskscan.sources import READERS, ReadContext, SourcePayload, SourceReader, detect_kind, read_head
from riskscan.sources.traffic.nlb_log import NLB_SKIP_REASON, is_nlb_log

__all__ = ["DiscoveredInputs", "ReadOutcome", "discover_files", "read_inputs", "scan_root_for"]

log = logging.getLogger(__name__)

# Folders that hold tooling, not an organisation's API estate.
_IGNORED_DIRS = frozenset({".git", ".hg", ".svn", "__pycache__", "node_modules", ".venv", ".tox", ".idea"})
# Extensions whose files we would read if their content were right: such a file that is binary or
# undecodable is reported as failed rather than quietly skipped.
_TEXT_CONFIG_SUFFIXES = frozenset({".yaml", ".yml", ".json"})


@dataclass(frozen=True)
class ReadOutcome:
    """One file's fate: its `InputFile` record and, when used, what its reader returned."""

    input_file: InputFile
    payload: SourcePayload | None = None


@dataclass(frozen=True)
class DiscoveredInputs:
    """Everything read from the user's paths, grouped by what the later stages consume."""

    inputs: tuple[InputFile, ...]
    specs: tuple[ApiSpec, ...]
    gateways: tuple[GatewayConfig, ...]
    traffic: tuple[TrafficSample, ...]


def scan_root_for(paths: Sequence[Path]) -> Path:
    """The folder that evidence paths are shown relative to: the deepest folder holding every input."""
    folders = [path.resolve() if path.is_dir() else path.resolve().parent for path in paths]
    return Path(os.path.commonpath([str(folder) for folder in folders]))


def discover_files(paths: Sequence[Path]) -> list[Path]:
    """Every regular file under the given files and folders, sorted, each once.

    Raises `InputError` for a path that does not exist. Symbolic links are followed only when they
    stay inside the folders given, so a link cannot pull in files from elsewhere on the machine.
    """
    for given in paths:  # before resolving: a loop of links is no file (resolve() would raise on it)
        if not given.exists():
            raise InputError(f"{redact_file_path(str(given))}: no such file or folder")
    roots = [path.resolve() for path in paths]
    found: dict[Path, None] = {}
    for given, resolved in zip(paths, roots):
        if given.is_file():
            found.setdefault(resolved)
            continue
        for file in _walk(resolved):
            if any(file.resolve().is_relative_to(root) for root in roots):
                found.setdefault(file.resolve())
    return sorted(found)


def _walk(folder: Path) -> Iterator[Path]:
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=False):
        dirnames[:] = sorted(name for name in dirnames if name not in _IGNORED_DIRS)
        for name in sorted(filenames):
            file = Path(dirpath) / name
            if file.is_file():
                yield file


def read_inputs(
    files: Sequence[Path],
    context: ReadContext,
    on_file: Callable[[Path], None] | None = None,
    readers: Mapping[SourceKind, SourceReader] = READERS,
    remote: Sequence[ReadOutcome] = (),
) -> DiscoveredInputs:
    """Detect each file's kind from its content and read it; group the results by payload type.

    Files pulled in by a spec's relative `$ref`s are marked used, with the spec named. So are files
    included by a gateway config (nginx `include`): their routes are read once, in the context of the
    config that includes them, and not again as a config of their own (see `_fold_included`).
    Documentation and gateway configs are read before traffic, so that traffic keeps as written the
    id-like literals they name (`inventory.literals`). `readers` may replace a kind's reader
    (`--engine spark`); `remote` are sources read elsewhere (locations Spark read), grouped with the rest.
    """
    detected = [_detect(file, context) for file in files]
    read: list[ReadOutcome | None] = [found if isinstance(found, ReadOutcome) else None for found in detected]
    for is_traffic_pass in (False, True):
        if is_traffic_pass:
            context = replace(context, protected_paths=_literals_named(read))
        for index, found in enumerate(detected):
            if isinstance(found, _Detected) and _is_traffic(found.kind) == is_traffic_pass:
                read[index] = _read_one(found, context, on_file, readers)
    outcomes = _fold_included([outcome for outcome in read if outcome is not None]) + list(remote)
    specs = tuple(spec for o in outcomes for spec in _specs_of(o.payload))
    referenced = {ref: spec.path for spec in specs for ref in spec.referenced_files}
    inputs = tuple(_mark_referenced(o.input_file, referenced) for o in outcomes)
    return DiscoveredInputs(
        inputs=inputs,
        specs=specs,
        gateways=tuple(gateway for o in outcomes for gateway in _gateways_of(o.payload)),
        traffic=tuple(o.payload for o in outcomes if isinstance(o.payload, TrafficSample)),
    )


def _specs_of(payload: SourcePayload | None) -> tuple[ApiSpec, ...]:
    """The specs a payload carries: itself, or the documentation half of a `GatewayExport`."""
    if isinstance(payload, GatewayExport):
        return payload.specs
    return (payload,) if isinstance(payload, ApiSpec) else ()


def _gateway_of(payload: SourcePayload | None) -> GatewayConfig | None:
    """The gateway configuration a payload carries: itself, or the gateway half of a `GatewayExport`."""
    if isinstance(payload, GatewayExport):
        return payload.gateway
    return payload if isinstance(payload, GatewayConfig) else None


def _gateways_of(payload: SourcePayload | None) -> tuple[GatewayConfig, ...]:
    """The gateway configurations a payload carries: its own, then those held inside it (a ConfigMap's
    kong.conf), each a configuration of its own from here on (so no later stage meets them twice)."""
    gateway = _gateway_of(payload)
    if gateway is None or not gateway.embedded:
        return () if gateway is None else (gateway,)
    return (gateway.model_copy(update={"embedded": ()}), *gateway.embedded)


@dataclass(frozen=True)
class _Detected:
    """A file whose kind was recognised, waiting to be read."""

    file: Path
    shown: str
    size: int
    kind: SourceKind


def _detect(file: Path, context: ReadContext) -> _Detected | ReadOutcome:
    """The file's kind from its content, or its outcome already when it cannot be read as any kind."""
    shown = context.relative_path(file)
    try:
        size = file.stat().st_size
        head = read_head(file)
    except OSError as error:
        return _failed(shown, None, 0, f"cannot be read ({error.strerror or 'I/O error'})")
    if size == 0:
        return ReadOutcome(InputFile(path=shown, status=InputStatus.SKIPPED, message="empty file"))
    kind = detect_kind(file, head, context.max_bytes, context.log_fields)
    if kind is None:
        return ReadOutcome(_unrecognised(shown, file, head, size))
    return _Detected(file, shown, size, kind)


def _literals_named(outcomes: Sequence[ReadOutcome | None]) -> frozenset[str]:
    payloads = [outcome.payload for outcome in outcomes if outcome is not None]
    return protected_literals(
        [spec for payload in payloads for spec in _specs_of(payload)],
        [gateway for payload in payloads for gateway in _gateways_of(payload)],
    )


def _is_traffic(kind: SourceKind) -> bool:
    """True for kinds read as traffic (every traffic reader lives in `riskscan.sources.traffic`)."""
    return type(READERS[kind]).__module__.startswith("riskscan.sources.traffic")


def _read_one(
    found: _Detected, context: ReadContext, on_file: Callable[[Path], None] | None,
    readers: Mapping[SourceKind, SourceReader] = READERS,
) -> ReadOutcome:
    file, shown, size, kind = found.file, found.shown, found.size, found.kind
    if on_file is not None:
        on_file(file)
    try:
        payload = readers[kind].read(file, context)
    except NotReadableAsIs as error:
        log.info("%s: skipped: %s", shown, error.problem)
        return ReadOutcome(InputFile(path=shown, kind=kind, status=InputStatus.SKIPPED, message=error.problem,
                                     size_bytes=size))
    except SourceError as error:
        return _failed(shown, kind, size, str(error))
    except (RecursionError, MemoryError):
        return _failed(shown, kind, size, f"{shown}: too deeply nested or too large to read")
    except Exception as error:
        # Only the exception's type is shown: its text may quote the input. --debug logs the rest.
        log.debug("unexpected error reading %s", shown, exc_info=True)
        problem = f"could not be read (unexpected {type(error).__name__}, a riskscan bug; --debug shows more)"
        return _failed(shown, kind, size, f"{shown}: {problem}")
    log.debug("read %s as %s", shown, kind)
    record = InputFile(path=shown, kind=kind, status=InputStatus.USED, size_bytes=size)
    return ReadOutcome(_with_warnings(record, payload), payload)


def _failed(shown: str, kind: SourceKind | None, size: int, message: str) -> ReadOutcome:
    if not message.startswith(shown):
        message = f"{shown}: {message}"
    record = InputFile(path=shown, kind=kind, status=InputStatus.FAILED, message=message, size_bytes=size)
    log.warning("%s", record.message)  # as redacted by the model, never the raw text
    return ReadOutcome(record)


def _unrecognised(shown: str, file: Path, head: bytes, size: int) -> InputFile:
    is_binary = b"\x00" in head[:8192] or not _decodes(head)
    if is_binary and file.suffix.lower() in _TEXT_CONFIG_SUFFIXES:
        message = f"{shown}: binary or non-UTF-8 content in a {file.suffix} file"
        record = InputFile(path=shown, status=InputStatus.FAILED, message=message, size_bytes=size)
        log.warning("%s", record.message)
        return record
    reason = "binary content" if is_binary else "not a kind riskscan reads (see riskscan sources)"
    if not is_binary and is_nlb_log(head):
        reason = NLB_SKIP_REASON
    return InputFile(path=shown, status=InputStatus.SKIPPED, message=reason, size_bytes=size)


def _decodes(head: bytes) -> bool:
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as error:
        # A multi-byte character cut at the end of the head is not a sign of binary content.
        return error.start >= len(head) - 4
    return True


def _with_warnings(record: InputFile, payload: SourcePayload) -> InputFile:
    warnings = payload.warnings
    if not warnings:
        return record
    more = f" (+{len(warnings) - 1} more)" if len(warnings) > 1 else ""
    return record.model_copy(update={"message": f"{warnings[0]}{more}"})


def _fold_included(outcomes: list[ReadOutcome]) -> list[ReadOutcome]:
    """Outcomes with every file included by a top-level gateway config marked used "included by ...".

    A file included by another (`conf.d/*.conf` by `nginx.conf`) is read as part of it, inheriting
    its `http` level (zones, logs); reading it alone too would count its routes twice. Top-level
    means included by no other config, so files that include each other (a cycle) are all kept.
    """
    configs = [
        (o.input_file, config)
        for o in outcomes
        if (config := _gateway_of(o.payload)) is not None and config.referenced_files
    ]
    nested = {path for _, config in configs for path in config.referenced_files}
    includers: dict[str, InputFile] = {}
    for record, config in configs:
        if record.path not in nested:
            for path in config.referenced_files:
                includers.setdefault(path, record)
    folded: list[ReadOutcome] = []
    for outcome in outcomes:
        record, includer = outcome.input_file, includers.get(outcome.input_file.path)
        if includer is None or record.status is InputStatus.FAILED:
            folded.append(outcome)
            continue
        message = f"included by {includer.path}"
        update = {"status": InputStatus.USED, "kind": includer.kind, "message": message}
        folded.append(ReadOutcome(record.model_copy(update=update)))
    return folded


def _mark_referenced(record: InputFile, referenced: dict[str, str]) -> InputFile:
    spec = referenced.get(record.path)
    if spec is None or record.status is not InputStatus.SKIPPED:
        return record
    return record.model_copy(
        update={"status": InputStatus.USED, "kind": SourceKind.OPENAPI, "message": f"referenced by {spec}"}
    )
