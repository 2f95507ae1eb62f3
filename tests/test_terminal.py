"""What `riskscan history` shows: a table that reads in 80 columns, or tab-separated lines when piped."""

from __future__ import annotations

import io
from datetime import UTC, datetime

from rich.console import Console

from riskscan.history import ScanRecord
from riskscan.model import Grade
from riskscan.terminal import print_history

RECORD = ScanRecord(id=7, scanned_at=datetime(2026, 11, 24, 9, 30, tzinfo=UTC), roots=("northwind-mutual",),
                    score=72, grade=Grade.C, endpoints=58, shadow=5, zombie=5, orphan=1, findings=12,
                    critical=1, high=5)


def shown(*, terminal: bool, records: list[ScanRecord]) -> str:
    out = io.StringIO()
    print_history(Console(file=out, width=80, force_terminal=terminal, color_system=None), records)
    return out.getvalue()


def test_the_terminal_table_keeps_every_figure_whole_in_80_columns() -> None:
    text = shown(terminal=True, records=[RECORD])
    assert all(len(line) <= 80 for line in text.splitlines())
    for whole in ("2026-11-24 09:30", "C 72", "northwind-mutual", "58 (5 shadow,", "12 (1 critical,"):
        assert whole in text


def test_piped_history_is_one_tab_separated_line_per_scan_with_a_header() -> None:
    lines = shown(terminal=False, records=[RECORD]).splitlines()
    header, row = (line.split("\t") for line in lines)
    assert dict(zip(header, row, strict=True)) == {
        "id": "7", "scanned_at": "2026-11-24T09:30:00+00:00", "roots": "northwind-mutual", "grade": "C",
        "score": "72", "endpoints": "58", "shadow": "5", "zombie": "5", "orphan": "1", "findings": "12",
        "critical": "1", "high": "5",
    }


def test_a_root_named_like_markup_is_shown_as_it_is() -> None:
    record = RECORD.model_copy(update={"roots": ("[bold]apis",)})
    assert "[bold]apis" in shown(terminal=True, records=[record])


def test_no_scans_says_so() -> None:
    assert shown(terminal=False, records=[]).strip() == "no scans recorded yet"
