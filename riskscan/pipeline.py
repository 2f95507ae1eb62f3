"""The scan pipeline: sources -> inventory -> controls -> `Assessment`.

`scan` runs the stages in order and returns a finished, redacted `Assessment`; rendering, history and
exit codes are the caller's business. Dependencies that vary (the clock, progress reporting) are
passed in rather than reached for, so tests can pin them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from riskscan import __version__
from riskscan.config import find_config, load_config_exceptions
from riskscan.controls import evaluate_controls
from riskscan.controls.catalogue import default_catalogue
from riskscan.controls.exceptions import ExceptionEntry, load_exceptions
from riskscan.discovery import DiscoveredInputs, discover_files, read_inputs, scan_root_for
from riskscan.errors import InputError, UsageError
from riskscan.inventory import build_inventory
from riskscan.model import (
    ApiSpec,
    Assessment,
    Engagement,
    GatewayConfig,
    Industry,
    InputFile,
    InputStatus,
    TrafficEngine,
)
from riskscan.redaction import redact_file_path
from riskscan.sources import ReadContext, make_client_hasher
from riskscan.sources.gateways.runtime_configs import apply_runtime_configs
from riskscan.underwriting.stage import (
    ExposureInputs,
    UnderwritingRequest,
    load_underwriting,
    underwrite,
)

if TYPE_CHECKING:  # httpx is imported only when a live pull is asked for
    from riskscan.sources.live import HttpOptions, LiveSource
    from riskscan.sources.traffic.jsonl.fields import FieldMap

__all__ = ["SCHEMA_VERSION", "Progress", "ScanOptions", "TrafficEngine", "scan"]

SCHEMA_VERSION = "1.6"
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

    def lines_read(self, count: int) -> None:
        """Called as lines of a log are parsed (a batch at a time)."""

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
    live: tuple[LiveSource, ...] = ()
    """Servers to pull routes or specs from over HTTP (`riskscan.sources.live`); none unless asked."""
    http: HttpOptions | None = None
    """How live pulls connect (key variable, CA bundle, timeouts); None: the defaults."""
    log_fields: FieldMap | None = None
    """`--log-fields`: how to read JSON-lines or CSV logs of no built-in kind."""
    engine: TrafficEngine = TrafficEngine.EMBEDDED
    spark_master: str | None = None
    """`--spark-master`: None means the session the environment provides, or a local one."""
    locations: tuple[str, ...] = ()
    """Traffic locations given as URIs (`s3a://bucket/logs/`); only the Spark engine reads them."""
    engagement: Engagement = field(default_factory=Engagement)
    """Who the assessment is about and for (`--org`, `--prepared-for`, `--prepared-by`)."""
    rating_factors: Path | None = None
    """`--rating-factors`: a broker's own rating factors file replacing the defaults, validated first."""
    questionnaires: tuple[str, ...] = ()
    """`--questionnaire`: shipped questionnaire ids or questionnaire files; none means every shipped one."""
    attestations: Path | None = None
    """`--attest`: answers given by people, validated (with the questionnaires) before any input is read."""
    config: Path | None = None
    """`--config`: the settings file whose `[[exceptions]]` are read when `exceptions` is not given;
    None: riskscan.toml at the scan root, if there is one."""
    revenue: float | None = None
    """`--revenue`: annual revenue in USD, for business interruption; None: the scenario file's default."""
    records: int | None = None
    """`--records`: records reachable through the APIs, for data-theft magnitude; None: the reference size."""
    industry: Industry | None = None
    """`--industry`: picks the breach-cost multiplier; None: other (the global average)."""
    limit: float | None = None
    """`--limit`: the policy limit in USD, compared with the modelled tail; None: no comparison."""
    seed: int | None = None
    """`--seed`: the Monte Carlo's seed; None: riskscan's fixed default (same figures every run)."""
    exposure_scenarios: Path | None = None
    """`--exposure-scenarios`: a replacement loss scenario file, validated before any input is read."""


_SETTINGS_NOTE = "settings: its [[exceptions]] are this scan's accepted risks"


def scan(options: ScanOptions) -> Assessment:
    """Read every input under `options.paths` and assess it.

    Raises `InputError` when no path exists or nothing usable was found, and, in strict mode, when any
    file failed to read.
    """
    if not options.paths and not options.live and not options.locations:
        raise InputError("no input paths given")
    if options.locations and options.engine is not TrafficEngine.SPARK:
        raise UsageError(f"{redact_file_path(options.locations[0])} is not a local path: only --engine spark "
                         "reads remote locations")
    control_ids = frozenset(control.id for control in default_catalogue().controls)
    exceptions = _accepted_risks(options, control_ids)
    underwriting = load_underwriting(_underwriting_request(options), control_ids)
    files = discover_files(options.paths)
    root = scan_root_for(options.paths) if options.paths else Path.cwd()
    context = ReadContext(
        root=root,
        allowed_roots=tuple(path.resolve() if path.is_dir() else path.resolve().parent for path in options.paths),
        max_bytes=options.max_file_bytes,
        on_progress=options.progress.advance,
        on_lines=options.progress.lines_read,
        client_id=make_client_hasher(),
        log_fields=options.log_fields,
    )
    options.progress.start(sum(_size(file) for file in files))
    try:
        if options.engine is TrafficEngine.SPARK:
            inputs = _read_with_spark(files, context, options)
        else:
            inputs = read_inputs(files, context, on_file=options.progress.file_started)
    finally:
        options.progress.finish()
    inputs = apply_runtime_configs(_settings_noted(_with_pulled(inputs, options), options, root))
    if options.on_inputs is not None:
        options.on_inputs(inputs.inputs)
    _check_inputs(inputs.inputs, options)
    inventory = build_inventory(inputs.specs, inputs.gateways, inputs.traffic)
    scanned_at = options.clock()
    evaluation = evaluate_controls(inventory, exceptions=exceptions, today=scanned_at.date())
    assessment = Assessment(
        schema_version=SCHEMA_VERSION,
        tool_version=__version__,
        scanned_at=scanned_at,
        roots=tuple(dict.fromkeys([*(_root_label(path) for path in options.paths),
                                    *(source.shown for source in options.live), *_location_labels(options)])),
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
        engagement=options.engagement,
    )
    return underwrite(assessment, underwriting)


def _underwriting_request(options: ScanOptions) -> UnderwritingRequest:
    """The scan's underwriting options, as the underwriting stage takes them."""
    return UnderwritingRequest(
        questionnaires=options.questionnaires, attestations=options.attestations,
        rating_factors=options.rating_factors, exposure_scenarios=options.exposure_scenarios,
        exposure=ExposureInputs(revenue=options.revenue, records=options.records, industry=options.industry,
                                limit=options.limit, seed=options.seed),
    )


def _read_with_spark(files: Sequence[Path], context: ReadContext, options: ScanOptions) -> DiscoveredInputs:
    """Every input as `read_inputs` reads it, but traffic logs, local or remote, read on Spark."""
    from riskscan.sources.traffic.spark.scan import SparkTraffic

    spark = SparkTraffic(options.spark_master)
    remote = spark.read_locations(options.locations, context)
    return read_inputs(files, context, on_file=options.progress.file_started, readers=spark.readers(), remote=remote)


def _location_labels(options: ScanOptions) -> list[str]:
    if not options.locations:
        return []
    from riskscan.sources.traffic.spark.scan import shown_location

    return [shown_location(location) for location in options.locations]


def _accepted_risks(options: ScanOptions, control_ids: frozenset[str]) -> tuple[ExceptionEntry, ...]:
    """The accepted risks, validated before any input is read: `--exceptions` when given (it wins),
    else the `[[exceptions]]` of the settings file (`--config`, or riskscan.toml at the scan root)."""
    if options.exceptions:
        return load_exceptions(options.exceptions, control_ids)
    config = find_config(options.paths, options.config)
    return load_config_exceptions(config, control_ids) if config else ()


def _settings_noted(inputs: DiscoveredInputs, options: ScanOptions, root: Path) -> DiscoveredInputs:
    """The settings file whose accepted risks were read stays a skipped input (it describes no API),
    but its appendix line says what it gave instead of calling it a kind riskscan does not read."""
    settings = None if options.exceptions else find_config(options.paths, options.config)
    if settings is None:
        return inputs
    target = settings.resolve()
    noted = tuple(
        record.model_copy(update={"message": _SETTINGS_NOTE})
        if record.status is InputStatus.SKIPPED and (root / record.path).resolve() == target else record
        for record in inputs.inputs
    )
    return replace(inputs, inputs=noted)


def _check_inputs(records: Sequence[InputFile], options: ScanOptions) -> None:
    failed = [record for record in records if record.status is InputStatus.FAILED]
    if options.strict and failed:
        first = failed[0].message or failed[0].path
        more = f" (and {len(failed) - 1} more failed files)" if len(failed) > 1 else ""
        raise InputError(f"{first}{more}; --strict stops at the first bad file")
    if not any(record.status is InputStatus.USED for record in records):
        shown = ", ".join([*(redact_file_path(str(path)) for path in options.paths),
                           *(redact_file_path(source.shown) for source in options.live), *_location_labels(options)])
        if failed:  # a spec that is broken must not read as if there were no spec at all
            more = f" (and {len(failed) - 1} more failed files)" if len(failed) > 1 else ""
            raise InputError(f"{shown}: nothing could be read: {failed[0].message or failed[0].path}{more}")
        raise InputError(f"{shown}: no input of a kind riskscan reads (see riskscan sources)")


def _with_pulled(inputs: DiscoveredInputs, options: ScanOptions) -> DiscoveredInputs:
    """The inputs read from files, with what the live sources gave (see `riskscan.sources.live`)."""
    if not options.live:
        return inputs
    from riskscan.sources.live import HttpOptions, pull_sources

    pulled = pull_sources(options.live, options.http or HttpOptions(), options.max_file_bytes)
    return DiscoveredInputs(
        inputs=inputs.inputs + tuple(p.input_file for p in pulled),
        specs=inputs.specs + tuple(p.payload for p in pulled if isinstance(p.payload, ApiSpec)),
        gateways=inputs.gateways + tuple(p.payload for p in pulled if isinstance(p.payload, GatewayConfig)),
        traffic=inputs.traffic,
    )


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _root_label(path: Path) -> str:
    """A root as shown in reports: its own name, never the absolute path (which names users)."""
    resolved = path.resolve()
    return resolved.name or str(resolved)
