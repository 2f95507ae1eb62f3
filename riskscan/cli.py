"""The `riskscan` command line: options in, `pipeline.scan()`, outputs and a summary out.

Exit codes: 0 the scan ran; 1 findings at or above `--fail-on`; 2 a usage or input error (one line on
stderr); 3 an unexpected internal error (one line; `--debug` shows the traceback); 130 interrupted
(Ctrl-C); 143 terminated (SIGTERM, as `timeout`, CI runners and Kubernetes send).
"""

from __future__ import annotations

import logging
import os
import re
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import typer
from rich.console import Console

from riskscan import __version__
from riskscan.errors import InputError, RiskscanError, UsageError
from riskscan.kinds import Industry, Severity, TrafficEngine
from riskscan.redaction import redact

if TYPE_CHECKING:
    from riskscan.model import Assessment, InputFile
    from riskscan.sources.live import LiveSource

# Everything else is imported by the command that needs it: `riskscan --help`, `version` and a usage
# error load neither the model, the readers nor the report stack (tests/test_startup.py).


__all__ = ["app", "main"]

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_INTERNAL, EXIT_INTERRUPTED, EXIT_TERMINATED = 0, 1, 2, 3, 130, 143
DEFAULT_DB = Path("riskscan.db")
MAX_FILE_MB = 1 << 20  # 1 TiB: beyond any spec or config, and below what a read size can hold

app = typer.Typer(
    help="Cyber-insurance API risk assessment from OpenAPI specs, gateway configs and access logs.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
# soft_wrap: one message stays one line when piped, whatever the terminal width.
_stderr = Console(stderr=True, highlight=False, soft_wrap=True)


@app.command("scan")
def scan_command(
    paths: Annotated[list[str] | None, typer.Argument(
        help="Files and folders to scan (folders recursively); with --engine spark also log locations as URIs "
             "(s3a://, hdfs://, abfss://).", metavar="PATHS...")] = None,
    output: Annotated[
        list[str] | None,
        typer.Option("-o", "--output", help="Write a report here; repeatable. Format from the suffix; '-' is stdout."),
    ] = None,
    output_format: Annotated[
        list[str] | None,
        typer.Option("--format", "-f", help="json, html or pdf: once for every output, or once per --output."),
    ] = None,
    fail_on: Annotated[
        Severity | None,
        typer.Option("--fail-on", case_sensitive=False,
                     help="Exit 1 when a finding is at or above this severity (any case)."),
    ] = None,
    strict: Annotated[bool, typer.Option("--strict", help="Stop with exit 2 at the first bad input file.")] = False,
    db: Annotated[Path, typer.Option("--db", help="History database.")] = DEFAULT_DB,
    no_db: Annotated[bool, typer.Option("--no-db", help="Do not record this scan in the history.")] = False,
    max_file_mb: Annotated[
        int,
        typer.Option("--max-file-mb", help=f"Largest spec or config read whole, MiB (1 to {MAX_FILE_MB})."),
    ] = 50,
    log_fields: Annotated[
        str | None,
        typer.Option("--log-fields", metavar="FILE.yaml|time=KEY,method=KEY,...",
                     help="Read JSON-lines or CSV logs of no built-in kind: which key holds time, method, "
                          "path (or url), status, host, client; time_format epoch_s, epoch_ms, iso8601 "
                          "or strftime."),
    ] = None,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="List every input file: used, skipped or failed, and why.")
    ] = False,
    debug: Annotated[bool, typer.Option("--debug", help="Log everything; show tracebacks.")] = False,
    exceptions: Annotated[
        Path | None,
        typer.Option("--exceptions",
                     help="Accepted risks (YAML): owner, reason, expiry per control or finding."),
    ] = None,
    questionnaire: Annotated[list[str] | None, typer.Option(
        "--questionnaire", metavar="ID|FILE.yaml",
        help="Answer this insurer questionnaire (an id from `riskscan questionnaires`, or a file); repeatable; "
             "default all shipped ones.")] = None,
    attest: Annotated[Path | None, typer.Option(
        "--attest", metavar="FILE.yaml",
        help="Answers given by people (who, when, answer, comment), checked against the evidence.")] = None,
    config: Annotated[
        Path | None,
        typer.Option("--config", help="Settings file whose [[exceptions]] are read (default: riskscan.toml at "
                     "the scan root); --exceptions wins over it."),
    ] = None,
    apisix_admin: Annotated[list[str] | None, typer.Option(
        "--apisix-admin", help="Pull routes from this APISIX Admin API (http://host:9180); repeatable.")] = None,
    kong_admin: Annotated[list[str] | None, typer.Option(
        "--kong-admin", help="Pull routes from this Kong Admin API (http://host:8001); repeatable.")] = None,
    spec_url: Annotated[list[str] | None, typer.Option(
        "--spec-url", help="Fetch an OpenAPI/Swagger document (JSON or YAML) from here; repeatable.")] = None,
    admin_key_env: Annotated[str, typer.Option(
        "--admin-key-env", help="Environment variable holding the Admin API key (never the key itself).")
    ] = "RISKSCAN_ADMIN_KEY",
    ca_bundle: Annotated[Path | None, typer.Option(
        "--ca-bundle", help="PEM file of CAs to trust for live pulls (TLS is always verified).")] = None,
    insecure: Annotated[bool, typer.Option(
        "--insecure", help="Do not verify TLS certificates of live sources (warns; test servers only).")] = False,
    http_timeout: Annotated[float, typer.Option(
        "--http-timeout", min=0.1, max=600, help="Seconds to wait for a live source to connect or answer.")
    ] = 10.0,
    engine: Annotated[
        TrafficEngine,
        typer.Option("--engine", case_sensitive=False,
                     help="Aggregate traffic logs here (embedded) or on Apache Spark (needs riskscan[spark])."),
    ] = TrafficEngine.EMBEDDED,
    spark_master: Annotated[
        str | None,
        typer.Option("--spark-master", help="Spark master URL (local[4], spark://host:7077, yarn); default: the "
                     "session the environment provides, else local. Only with --engine spark."),
    ] = None,
    organization: Annotated[str | None, typer.Option(
        "--org", help="The organization assessed, as the report's cover names it (default: the folders).")] = None,
    prepared_for: Annotated[str | None, typer.Option(
        "--prepared-for", help="Who the report is for (an insurer, an underwriter), named on the cover.")] = None,
    prepared_by: Annotated[str | None, typer.Option(
        "--prepared-by", help="Who prepared it (a broker, the security team), named on the cover.")] = None,
    rating_factors: Annotated[Path | None, typer.Option(
        "--rating-factors", help="A broker's or insurer's rating factors (YAML), replacing riskscan's indicative "
                                 "defaults (see docs/coverage-and-premium.md).")] = None,
    revenue: Annotated[str | None, typer.Option(
        "--revenue", metavar="USD", help="Annual revenue (250M, 1.2B): prices an API outage hour.")] = None,
    records: Annotated[str | None, typer.Option(
        "--records", metavar="N", help="Records reachable through the APIs (2M): scales data-theft losses.")
    ] = None,
    industry: Annotated[Industry | None, typer.Option(
        "--industry", case_sensitive=False, help="Picks the breach-cost multiplier (default: other).")
    ] = None,
    limit: Annotated[str | None, typer.Option(
        "--limit", metavar="USD", help="Policy limit (5M): compared with the modelled annual loss tail.")
    ] = None,
    seed: Annotated[int | None, typer.Option(
        "--seed", min=0, max=2**32 - 1, help="Seed of the loss Monte Carlo (default: fixed, same every run).")
    ] = None,
    exposure_scenarios: Annotated[Path | None, typer.Option(
        "--exposure-scenarios", metavar="FILE.yaml",
        help="Replace the loss scenarios and their figures (see docs/exposure.md).")] = None,
) -> None:
    """Scan specs, gateway configs and access logs; write the assessment as JSON, HTML or PDF."""
    from riskscan.config import exceptions_conflict
    from riskscan.history import check_database, save_assessment
    from riskscan.interrupts import StopOnTerminate, raise_if_terminated, stop_on_sigterm
    from riskscan.model import Engagement
    from riskscan.pipeline import Progress, ScanOptions, scan
    from riskscan.report import STDOUT, write_report
    from riskscan.sources.live import HttpOptions
    from riskscan.sources.traffic.jsonl.fields import parse_log_fields
    from riskscan.terminal import RichProgress, print_fail_on, print_summary
    from riskscan.underwriting.exposure_inputs import parse_amount, parse_records

    _configure_logging(verbose, debug)
    stop_on_sigterm()
    with _errors_to_exit_codes(debug):
        if not 1 <= max_file_mb <= MAX_FILE_MB:
            raise UsageError(f"--max-file-mb must be from 1 to {MAX_FILE_MB} (MiB), not {max_file_mb}")
        if spark_master is not None and engine is not TrafficEngine.SPARK:
            raise UsageError("--spark-master needs --engine spark")
        destinations = _pair_formats(output or [], output_format or [])
        fields = parse_log_fields(log_fields) if log_fields is not None else None
        if not no_db:
            _refuse_output_onto(db, [destination for destination, _ in destinations])
            check_database(db)
        progress = StopOnTerminate(RichProgress(_stderr) if _stderr.is_terminal else Progress())
        listing = _InputListing(verbose)
        live = _live_sources(apisix_admin or [], kong_admin or [], spec_url or [], insecure)
        http = HttpOptions(key_env=admin_key_env, ca_bundle=ca_bundle, insecure=insecure, timeout=http_timeout)
        given = paths or []
        options = ScanOptions(paths=tuple(Path(path) for path in given if not _is_location(path)), strict=strict,
                              max_file_bytes=max_file_mb * 1024 * 1024, progress=progress, on_inputs=listing,
                              live=live, http=http, log_fields=fields, exceptions=exceptions, engine=engine,
                              spark_master=spark_master,
                              engagement=Engagement(organization=_given(organization),
                                                    prepared_for=_given(prepared_for),
                                                    prepared_by=_given(prepared_by)),
                              locations=tuple(path for path in given if _is_location(path)),
                              rating_factors=rating_factors,
                              questionnaires=tuple(questionnaire or ()), attestations=attest,
                              config=config,
                              revenue=parse_amount(revenue, "--revenue") if revenue is not None else None,
                              records=parse_records(records) if records is not None else None,
                              industry=industry,
                              limit=parse_amount(limit, "--limit") if limit is not None else None,
                              seed=seed, exposure_scenarios=exposure_scenarios)
        conflict = exceptions_conflict(exceptions, options.paths, config)
        if conflict:
            _stderr.print(f"riskscan: warning: {conflict}", markup=False)
        try:
            assessment = scan(options)
        except InputError:
            listing.print_failed_if_none_used()  # what went wrong with each file, then the error
            raise
        for destination, fmt in destinations:
            write_report(assessment, destination, fmt)
        db_note = None if no_db else f"recorded as scan {save_assessment(assessment, db)} in {db}"
        print_summary(_stderr, assessment, [d for d, _ in destinations if d != STDOUT], db_note,
                      list_failed=not verbose)
        raise_if_terminated()  # SIGTERM while the assessment was being made
        code = _exit_code(assessment, fail_on)
        if code == EXIT_FINDINGS and fail_on is not None:
            print_fail_on(_stderr, assessment, fail_on)
        raise typer.Exit(code)


@app.command("history")
def history_command(
    db: Annotated[Path, typer.Option("--db", help="History database.")] = DEFAULT_DB,
    limit: Annotated[int, typer.Option("--limit", min=1, help="How many scans to list.")] = 50,
) -> None:
    """List past scans, newest first."""
    from riskscan.history import list_scans
    from riskscan.terminal import print_history

    with _errors_to_exit_codes(debug=False):
        print_history(Console(), list_scans(db, limit))


@app.command("sources")
def sources_command() -> None:
    """List the input kinds riskscan reads, one line each: kind, what it is, what is read from it."""
    from riskscan.sources import READERS
    from riskscan.terminal import print_sources

    print_sources(Console(soft_wrap=True), tuple(READERS.values()))


@app.command("controls")
def controls_command() -> None:
    """List the control catalogue: what each control checks, why an insurer cares, weight, OWASP refs."""
    from riskscan.controls.catalogue import default_catalogue
    from riskscan.controls.listing import catalogue_listing

    sys.stdout.write(catalogue_listing(default_catalogue()))


@app.command("questionnaires")
def questionnaires_command() -> None:
    """List the insurer questionnaires riskscan answers: id, title, question count, source file."""
    from riskscan.underwriting.questionnaire_listing import questionnaire_listing
    from riskscan.underwriting.questionnaires import shipped_questionnaires

    with _errors_to_exit_codes(debug=False):
        sys.stdout.write(questionnaire_listing(shipped_questionnaires()))


@app.command("version")
def version_command() -> None:
    """Print riskscan's version."""
    print(__version__)


def _live_sources(apisix: list[str], kong: list[str], specs: list[str], insecure: bool) -> tuple[LiveSource, ...]:
    """The live sources asked for, each URL checked (see `riskscan.sources.live`); `--insecure` warns."""
    from riskscan.sources.live import LiveKind, live_source

    asked = [(LiveKind.APISIX_ADMIN, apisix), (LiveKind.KONG_ADMIN, kong), (LiveKind.SPEC_URL, specs)]
    sources = tuple(live_source(kind, url) for kind, urls in asked for url in urls)
    if sources and insecure:
        _stderr.print("riskscan: warning: --insecure: TLS certificates of live sources are not verified",
                      markup=False)
    return sources


def _given(text: str | None) -> str | None:
    """An option's text without surrounding blanks; None when it was not given or is blank."""
    return text.strip() or None if text is not None else None


def _pair_formats(outputs: list[str], formats: list[str]) -> list[tuple[str, str | None]]:
    """Match each output to its format: one --format for all, one per output, or none (suffixes).

    Everything that can be checked before the scan is checked here, so a wrong option fails at once.
    """
    from riskscan.report import STDOUT, check_destination, renderer_for

    if formats and not outputs:
        raise UsageError("--format needs an --output to apply to (use -o - for stdout)")
    if formats and len(formats) not in (1, len(outputs)):
        raise UsageError(f"give --format once or once per --output ({len(outputs)} outputs, {len(formats)} formats)")
    paired = [(out, formats[0] if len(formats) == 1 else (formats[i] if formats else None))
              for i, out in enumerate(outputs)]
    seen: set[str | Path] = set()
    for out, fmt in paired:
        same = out if out == STDOUT else Path(os.path.realpath(out))  # never raises on a loop of links
        if same in seen:
            raise UsageError(f"{out} is given twice as an output" if out != STDOUT
                             else "only one output can go to stdout ('-')")
        seen.add(same)
        renderer_for(out, fmt)
        check_destination(out)
    return paired


def _is_location(argument: str) -> bool:
    """A URI (`s3a://bucket/logs/`): a location Spark reads, not a local path."""
    return re.match(r"[A-Za-z][A-Za-z0-9+.-]*://", argument) is not None


def _refuse_output_onto(db: Path, destinations: list[str]) -> None:
    """A report written over the history database would destroy every scan recorded in it."""
    from riskscan.report import STDOUT

    for destination in destinations:
        if destination != STDOUT and _is_same_file(Path(destination), db):
            raise UsageError(f"{destination} is the history database (--db); write the report elsewhere")


def _is_same_file(first: Path, second: Path) -> bool:
    if os.path.realpath(first) == os.path.realpath(second):  # never raises on a loop of links
        return True
    try:
        return first.samefile(second)  # hard links
    except OSError:
        return False


class _InputListing:
    """Receives every input file's outcome: lists them all at once with `--verbose`, and keeps them
    so that the failed ones can be shown when no input was usable."""

    def __init__(self, verbose: bool) -> None:
        self._verbose = verbose
        self._records: Sequence[InputFile] = ()

    def __call__(self, records: Sequence[InputFile]) -> None:
        from riskscan.terminal import print_inputs

        self._records = records
        if self._verbose:
            print_inputs(_stderr, records, only_failed=False)

    def print_failed_if_none_used(self) -> None:
        """When no input was usable and several files failed, each with its reason (unless `--verbose`
        listed them already): the error that follows names only the first. `--strict` names its file
        itself."""
        from riskscan.model import InputStatus
        from riskscan.terminal import print_inputs

        failed = [record for record in self._records if record.status is InputStatus.FAILED]
        if not self._verbose and len(failed) > 1 and not any(r.status is InputStatus.USED for r in self._records):
            print_inputs(_stderr, self._records, only_failed=True)


def _exit_code(assessment: Assessment, fail_on: Severity | None) -> int:
    if fail_on is None:
        return EXIT_OK
    if any(finding.severity.rank >= fail_on.rank for finding in assessment.findings):
        return EXIT_FINDINGS
    return EXIT_OK


class _errors_to_exit_codes:
    """Turn riskscan errors into one stderr line and exit 2; anything else into exit 3."""

    def __init__(self, debug: bool) -> None:
        self._debug = debug

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, _tb: object) -> Literal[False]:
        if error is None or isinstance(error, (typer.Exit, typer.Abort, SystemExit)):
            return False
        from riskscan.interrupts import Terminated

        if isinstance(error, Terminated):
            _stderr.print("riskscan: terminated", markup=False)
            raise typer.Exit(EXIT_TERMINATED)
        if isinstance(error, KeyboardInterrupt):  # not click's "Aborted!" and exit 1, the --fail-on code
            _stderr.print("riskscan: interrupted", markup=False)
            raise typer.Exit(EXIT_INTERRUPTED)
        if isinstance(error, RiskscanError):
            _stderr.print(f"riskscan: error: {error}", markup=False)
            raise typer.Exit(EXIT_USAGE)
        if self._debug:  # the traceback, redacted: an exception's message may quote an input's value
            sys.stderr.write(_redacted_traceback(error))
        hint = "" if self._debug else "; rerun with --debug"
        _stderr.print(f"riskscan: internal error ({type(error).__name__}){hint}", markup=False)
        raise typer.Exit(EXIT_INTERNAL)


def _redacted_traceback(error: BaseException) -> str:
    return redact("".join(traceback.format_exception(error)))


class _RedactingFormatter(logging.Formatter):
    """Log lines redacted whole, with the traceback `--debug` adds (a library's message may quote input)."""

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


def _configure_logging(verbose: bool, debug: bool) -> None:
    level = logging.DEBUG if debug else logging.INFO if verbose else logging.ERROR
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_RedactingFormatter("riskscan: %(levelname)s: %(message)s"))
    logging.basicConfig(level=level, handlers=[handler])
    for name in ("httpx", "httpcore"):  # they log request URLs (a spec URL's query may be a signature)
        logging.getLogger(name).setLevel(logging.WARNING)


def main() -> None:
    """Console-script entry point."""
    app()
