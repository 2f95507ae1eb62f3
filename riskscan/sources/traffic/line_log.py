"""Reading any line-oriented traffic log: batches of lines in, a `TrafficSample` out.

A format (`LineFormat`) only parses: it turns a batch of lines into request rows
(`engine.REQUEST_SCHEMA`) and says which lines it rejected. Everything else is shared here: streaming
and decompression (`lines.LineReader`), the aggregate (`engine.TrafficAggregator`), the rejection
rule (a file more than half of whose lines are not in the format is not a log of it, judged after
1,000 lines and at the end), warnings, and the sample a scan keeps; and the `docker compose logs`
prefix, removed from every line of a file whose first lines carry it (`docker_prefix`), so that a
format only ever sees lines as its server wrote them.
"""

from __future__ import annotations

import logging
from collections import Counter, deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from riskscan.errors import SourceError
from riskscan.model import TrafficSample
from riskscan.redaction import redact
from riskscan.sources import HEAD_BYTES, ReadContext
from riskscan.sources.traffic.docker_prefix import PlainBatch, is_docker_prefixed, without_prefix
from riskscan.sources.traffic.engine import PartialAggregate, TrafficAggregator, requests_from_rows
from riskscan.sources.traffic.lines import LineBatch, LineReader

if TYPE_CHECKING:
    import polars as pl

__all__ = [
    "REJECTED_SAMPLES",
    "LineFormat",
    "LineTally",
    "ParsedLines",
    "SlowRequest",
    "TrafficLogError",
    "check_rejections",
    "parse_slowly",
    "read_line_log",
    "tally_warnings",
]

log = logging.getLogger(__name__)

REJECTED_SAMPLES = 5
"""Line numbers of rejected lines named in the warning."""
_CHECK_AFTER_LINES = 1000
_WORKERS = 4  # batches in flight: most Polars string kernels use one core, and GIL-bound steps overlap


class TrafficLogError(SourceError):
    """A file that looked like a traffic log of some format but cannot be read as one."""


@dataclass
class ParsedLines:
    """What a format made of one batch: request rows, and the lines it could not use.

    `malformed` are non-blank lines not in the format at all; `not_requests` are lines in the format
    that carry no usable HTTP request (`-`, TLS bytes, a health probe without a path). Both are line
    numbers. `variants` counts the lines per variant of the format (`combined`, `common` ...).
    `headers` counts lines that belong to the format but hold no entry (a CSV header, W3C `#Fields:`
    directives): they are neither parsed nor rejected, and not counted as lines of the log.
    """

    requests: pl.DataFrame
    malformed: list[int] = field(default_factory=list)
    not_requests: list[int] = field(default_factory=list)
    variants: Counter[str] = field(default_factory=Counter)
    headers: int = 0


class LineFormat(Protocol):
    """One line-oriented log format: `name` when no variant is told apart, `description` for errors
    (`an access log`), and a batch parser.

    Batches are parsed two at a time, in any order. A format whose parse of one batch depends on an
    earlier one (W3C logs: a `#Fields:` header names the columns of the lines after it) sets a class
    attribute `is_stateful = True`; its batches are then parsed one after another, in file order."""

    name: str
    description: str

    def parse(self, batch: LineBatch, lines: pl.DataFrame) -> ParsedLines:
        """Parse the non-blank `lines` (`line`, `text`) of `batch` (whose bytes serve slow paths)."""
        ...


@dataclass
class LineTally:
    """What a file's lines came to so far: non-blank lines, rejections and their first line numbers,
    lines per variant of the format (shared by the embedded and the Spark readers)."""

    total: int = 0  # non-blank lines
    malformed: int = 0
    not_requests: int = 0
    rejected_samples: list[int] = field(default_factory=list)
    variants: Counter[str] = field(default_factory=Counter)

    def count(self, parsed: ParsedLines, lines: int) -> None:
        self.total += lines - parsed.headers
        self.malformed += len(parsed.malformed)
        self.not_requests += len(parsed.not_requests)
        self.variants.update(parsed.variants)
        rejected = sorted(parsed.malformed + parsed.not_requests)
        self.rejected_samples = sorted(self.rejected_samples + rejected[:REJECTED_SAMPLES])[:REJECTED_SAMPLES]


SlowRequest = tuple[str, int, str, str | None, str, str | None, int]
"""client, epoch, method, host, path, query, status: a request row without its line number."""


def parse_slowly(
    batch: LineBatch,
    numbers: list[int],
    parsed: ParsedLines,
    slow_request: Callable[[bytes], SlowRequest | str],
) -> list[tuple[bytes, SlowRequest | str]]:
    """The lines a format's fast path missed, one by one through its `slow_request` (a request, or
    `malformed` / `not_request`): requests join `parsed.requests`, the others are counted there.
    Returns each line with its outcome, for what else the format tells from them."""
    import polars as pl

    rows: list[tuple[Any, ...]] = []
    outcomes: list[tuple[bytes, SlowRequest | str]] = []
    for number, line in zip(numbers, batch.raw_lines(numbers), strict=True):
        request = slow_request(line.rstrip(b"\r"))
        outcomes.append((line, request))
        if request == "malformed":
            parsed.malformed.append(number)
        elif request == "not_request":
            parsed.not_requests.append(number)
        elif isinstance(request, tuple):
            rows.append((number, *request))
    if rows:
        parsed.requests = pl.concat([parsed.requests, requests_from_rows(rows)])
    return outcomes


def read_line_log(path: Path, context: ReadContext, log_format: LineFormat) -> TrafficSample:
    """Stream one log through `log_format` into a `TrafficSample`.

    Raises `TrafficLogError` when the file cannot be read, or when more than half of its non-blank
    lines are not in the format. A truncated or corrupt compressed stream keeps what was read before
    the damage and says so in a warning.
    """
    shown = context.relative_path(path)
    aggregator = TrafficAggregator(context.client_id, context.protected_paths)
    tally = LineTally()
    reader = LineReader(path, context.on_progress)
    try:
        workers = 1 if getattr(log_format, "is_stateful", False) else _WORKERS
        with ThreadPoolExecutor(workers) as pool:
            pending: deque[Future[_BatchResult]] = deque()
            is_prefixed: bool | None = None  # judged on the file's head, as the readers sniff it
            for batch in reader:
                if is_prefixed is None:
                    is_prefixed = is_docker_prefixed(batch.data[:HEAD_BYTES])
                pending.append(pool.submit(_work, batch, log_format, aggregator, is_prefixed))
                if len(pending) >= workers:
                    _keep(
                        pending.popleft().result(), tally, aggregator, context, shown, log_format.description
                    )
            while pending:
                _keep(pending.popleft().result(), tally, aggregator, context, shown, log_format.description)
    except OSError as error:
        raise TrafficLogError(
            f"cannot read the file ({error.strerror or type(error).__name__})", path=shown
        ) from None
    check_rejections(tally, shown, log_format.description, is_final=True)
    result = aggregator.result()
    problem = f"{reader.problem} {reader.compression}" if reader.problem else None
    hole = [f"the file begins with {reader.hole_bytes:,} NUL bytes, read past (a log truncated in place while"
            " it was written, as logrotate's copytruncate leaves one)"] if reader.hole_bytes else []
    warnings = (*hole, *tally_warnings(tally, problem), *result.warnings)
    for warning in warnings:
        log.warning("%s: %s", shown, redact(warning))
    variant = tally.variants.most_common(1)[0][0] if tally.variants else log_format.name
    return TrafficSample(
        path=shown,
        format=variant,
        total_lines=tally.total,
        parsed_lines=tally.total - tally.malformed - tally.not_requests,
        rejected_lines=tally.malformed + tally.not_requests,
        paths=result.paths,
        first_seen=result.first_seen,
        last_seen=result.last_seen,
        distinct_clients=result.distinct_clients,
        warnings=warnings,
    )


@dataclass(frozen=True)
class _BatchResult:
    lines: int  # non-blank
    physical_lines: int
    parsed: ParsedLines
    partial: PartialAggregate | None


def _work(
    batch: LineBatch, log_format: LineFormat, aggregator: TrafficAggregator, is_prefixed: bool
) -> _BatchResult:
    """Parse and group one batch (in a worker thread), without the docker prefix when the file has it."""
    import polars as pl

    lines = batch.frame()
    if is_prefixed:
        lines, batch = without_prefix(lines), PlainBatch(batch.first_line, batch.data)
    lines = lines.filter(pl.col("text").str.contains(r"[^\s]"))  # not blank; no copy of the text
    parsed = log_format.parse(batch, lines)
    return _BatchResult(lines.height, batch.line_count, parsed, aggregator.partial(parsed.requests))


def _keep(
    done: _BatchResult,
    tally: LineTally,
    aggregator: TrafficAggregator,
    context: ReadContext,
    shown: str,
    description: str,
) -> None:
    """Count and keep a batch's results, in file order (in the reading thread)."""
    tally.count(done.parsed, done.lines)
    if context.on_lines is not None:
        context.on_lines(done.physical_lines)
    aggregator.absorb(done.partial)
    check_rejections(tally, shown, description, is_final=False)


def check_rejections(tally: LineTally, shown: str, description: str, *, is_final: bool) -> None:
    """Stop early on a file that is mostly not lines of the format (binary data, another format)."""
    total, bad = tally.total, tally.malformed
    if bad * 2 <= total or not (is_final or total >= _CHECK_AFTER_LINES):
        return
    raise TrafficLogError(f"not {description}: {bad} of {total} lines do not parse", path=shown)


def tally_warnings(tally: LineTally, stream_problem: str | None) -> tuple[str, ...]:
    warnings: list[str] = []
    if stream_problem is not None:
        warnings.append(f"{stream_problem} stream after {tally.total} lines")
    rejected = tally.malformed + tally.not_requests
    if rejected:
        samples = tally.rejected_samples
        where = ", ".join(str(line) for line in samples) + (", ..." if rejected > len(samples) else "")
        warnings.append(
            f"{rejected} of {tally.total} lines rejected ({tally.malformed} do not parse, "
            f"{tally.not_requests} have no HTTP request line) "
            f"at line{'s' if len(samples) > 1 else ''} {where}"
        )
    if tally.total == 0:
        warnings.append("no log lines")
    return tuple(warnings)
