"""What the command line shows on stderr: a progress bar while reading, and the scan summary.

Only shown to people: results go to output files. The progress bar appears only on a terminal, so a
piped or CI run stays quiet.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from rich import box
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table
from rich.text import Text

from riskscan.history import ScanRecord
from riskscan.model import Assessment, InputFile, InputStatus, Lifecycle, Severity
from riskscan.pipeline import Progress as ScanProgress
from riskscan.sources import SourceReader

__all__ = ["RichProgress", "print_fail_on", "print_history", "print_inputs", "print_sources", "print_summary"]


class RichProgress(ScanProgress):
    """A byte-based progress bar over all input files, drawn on stderr."""

    def __init__(self, console: Console) -> None:
        self._bar = Progress(
            TextColumn("[bold]reading[/] {task.description}"),
            BarColumn(),
            DownloadColumn(),
            TextColumn("{task.fields[lines]}"),
            TimeRemainingColumn(),
            console=console,
            transient=True,
        )
        self._task = self._bar.add_task("", total=None, lines="")
        self._done_before_file = 0
        self._current = 0
        self._lines = 0
        self._lines_since: float | None = None

    def start(self, total_bytes: int) -> None:
        self._bar.update(self._task, total=total_bytes)
        self._bar.start()

    def file_started(self, path: Path) -> None:
        self._done_before_file += self._current
        self._current = 0
        try:
            self._current = path.stat().st_size
        except OSError:
            self._current = 0
        self._bar.update(self._task, description=path.name, completed=self._done_before_file)

    def advance(self, nbytes: int) -> None:
        self._bar.update(self._task, advance=nbytes)

    def lines_read(self, count: int) -> None:
        now = time.monotonic()
        if self._lines_since is None:
            self._lines_since = now - 1e-3
        self._lines += count
        rate = self._lines / (now - self._lines_since)
        self._bar.update(self._task, lines=f"{self._lines:,} lines, {rate:,.0f} lines/s")

    def finish(self) -> None:
        self._bar.stop()


def print_inputs(console: Console, records: Sequence[InputFile], *, only_failed: bool) -> None:
    """One line per input file: used, skipped or failed, with its kind and the reason (`--verbose`);
    or only the failed ones, as when no input was usable."""
    for record in records:
        if only_failed and record.status is not InputStatus.FAILED:
            continue
        message = record.message or ""
        # Failure messages name their file (and line) already: `broken.yaml:3: malformed YAML`.
        said = f"{record.path}: {message}" if message and not message.startswith(record.path) else message
        said = said or record.path
        kind = f" ({record.kind.value})" if record.kind else ""
        # Text, not markup: names and messages come from the user's disk and may hold "[".
        console.print(Text(f"  {record.status.value:<8}{said}{kind}", style=_STATUS_STYLE[record.status]),
                      highlight=False)


_STATUS_STYLE = {InputStatus.USED: "", InputStatus.SKIPPED: "dim", InputStatus.FAILED: "red"}


def print_fail_on(console: Console, assessment: Assessment, threshold: Severity, *, shown: int = 5) -> None:
    """Which findings made `--fail-on` fail the run: a count, then the most severe few."""
    hits = sorted((f for f in assessment.findings if f.severity.rank >= threshold.rank),
                  key=lambda finding: -finding.severity.rank)
    plural = "s" if len(hits) != 1 else ""
    console.print(f"--fail-on {threshold.value}: {len(hits)} finding{plural} at or above {threshold.value},"
                  " so exit code 1", markup=False, highlight=False)
    for finding in hits[:shown]:
        line = f"  {finding.id} [{finding.severity.value}] {finding.title}"
        console.print(Text(line), highlight=False)  # Text: a title may hold "["
    if len(hits) > shown:
        more = len(hits) - shown
        console.print(f"  ... and {more} more (all in the report)", markup=False, highlight=False)


def print_summary(
    console: Console,
    assessment: Assessment,
    outputs: list[str],
    db_note: str | None,
    *,
    list_failed: bool = True,
) -> None:
    """The headline figures of a scan, the files that failed (unless already listed), and where the
    results went."""
    lifecycles = Counter(endpoint.lifecycle for endpoint in assessment.inventory.endpoints)
    severities = Counter(finding.severity for finding in assessment.findings)
    statuses = Counter(record.status for record in assessment.inputs)
    console.print(
        f"[bold]Grade {assessment.grade.value}[/] (score {assessment.score}/100) - "
        f"{len(assessment.inventory.endpoints)} endpoints: "
        + ", ".join(f"{lifecycles[lifecycle]} {lifecycle.value}" for lifecycle in Lifecycle)
    )
    web = assessment.inventory.web_content
    if web.requests:
        console.print(f"web content, not endpoints: {web.requests} requests to {web.distinct_paths} paths "
                      "(pages, downloads, assets)")
    # What the grade rests on, so that a grade read off the terminal never claims more than its evidence.
    console.print(f"evidence basis: {assessment.basis.statement}", markup=False, highlight=False)
    console.print(
        f"{len(assessment.findings)} findings: "
        + ", ".join(f"{severities[severity]} {severity.value}" for severity in reversed(Severity))
    )
    if assessment.score_excluding_accepted is not None and assessment.grade_excluding_accepted is not None:
        accepted = sum(1 for finding in assessment.findings if finding.accepted is not None)
        statuses_of = Counter(entry.status.value for entry in assessment.exceptions)
        console.print(
            f"excluding {accepted} accepted risks: grade {assessment.grade_excluding_accepted.value} "
            f"(score {assessment.score_excluding_accepted}/100); exceptions: "
            + ", ".join(f"{count} {status}" for status, count in sorted(statuses_of.items())),
            markup=False, highlight=False,
        )
    console.print(
        f"inputs: {statuses[InputStatus.USED]} used, {statuses[InputStatus.SKIPPED]} skipped, "
        f"{statuses[InputStatus.FAILED]} failed"
    )
    # File names and messages come from the user's disk: escaped, so "[" in them is shown, not parsed.
    for record in assessment.inputs if list_failed else ():
        if record.status is InputStatus.FAILED:
            console.print(f"  [red]failed[/] {escape(record.message or record.path)}", highlight=False)
    for output in outputs:
        console.print(f"wrote {output}", markup=False, highlight=False)
    if db_note:
        console.print(db_note, markup=False, highlight=False)


def print_history(console: Console, records: list[ScanRecord]) -> None:
    """Past scans newest first: a table on a terminal, tab-separated lines with a header when piped.

    The terminal table folds the counts into a few columns so that it reads in 80 columns; the piped
    form keeps one column per figure, for scripts.
    """
    if not records:
        console.print("no scans recorded yet")
        return
    if not console.is_terminal:
        rows = [_history_fields(record) for record in records]
        console.file.write("".join("\t".join(cells) + "\n" for cells in (_HISTORY_FIELDS, *rows)))
        return
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, collapse_padding=True)
    for header in ("id", "scanned (UTC)", "grade"):
        table.add_column(header, no_wrap=True)
    longest_root = max((len(root) for record in records for root in record.roots), default=0)
    table.add_column("roots", min_width=min(24, max(5, longest_root)), overflow="fold")
    table.add_column("endpoints")  # these two wrap on a narrow terminal
    table.add_column("findings")
    for record in records:
        # Text cells, not markup: a root folder's name may hold "[".
        table.add_row(*(Text(cell) for cell in _history_cells(record)))
    console.print(table)


_HISTORY_FIELDS = ("id", "scanned_at", "roots", "grade", "score", "endpoints", "shadow", "zombie", "orphan",
                   "findings", "critical", "high")


def _history_fields(record: ScanRecord) -> tuple[str, ...]:
    return (
        str(record.id),
        record.scanned_at.isoformat(),
        ", ".join(record.roots),
        record.grade.value,
        str(record.score),
        *(str(count) for count in (record.endpoints, record.shadow, record.zombie, record.orphan,
                                   record.findings, record.critical, record.high)),
    )


def _history_cells(record: ScanRecord) -> tuple[str, ...]:
    return (
        str(record.id),
        record.scanned_at.strftime("%Y-%m-%d %H:%M"),
        f"{record.grade.value} {record.score}",
        ", ".join(record.roots),
        f"{record.endpoints} ({record.shadow} shadow, {record.zombie} zombie)",
        f"{record.findings} ({record.critical} critical, {record.high} high)",
    )


def print_sources(console: Console, readers: Sequence[SourceReader]) -> None:
    """One line per input kind: its id, what it is and what is read from it (tab-separated when piped,
    for scripts)."""
    if not console.is_terminal:
        console.file.write("".join(f"{r.kind.value}\t{r.title}\t{r.summary}\n" for r in readers))
        return
    width = max(len(reader.kind.value) for reader in readers)
    for reader in readers:
        console.print(Text.assemble((reader.kind.value.ljust(width), "bold"), "  ", reader.title, ": ",
                                    reader.summary))

