"""Scan history: every `Assessment` saved to SQLite with sqlite-utils, and read back as a list.

Three tables: `scans` (one row per scan, with headline figures and the full JSON report, so later
features such as renewal diffs can compare scans without re-reading inputs), `endpoints` and
`findings` (one row each per scan). Everything stored comes from the already-redacted assessment.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from riskscan.errors import HistoryError
from riskscan.model import Assessment, Grade, Lifecycle, Model, Severity
from riskscan.report import RENDERERS

if TYPE_CHECKING:
    import sqlite_utils

__all__ = ["ScanRecord", "check_database", "list_scans", "save_assessment"]


class ScanRecord(Model):
    """One past scan as `riskscan history` lists it."""

    id: int
    scanned_at: datetime
    roots: tuple[str, ...]
    score: int
    grade: Grade
    endpoints: int
    shadow: int
    zombie: int
    orphan: int
    findings: int
    critical: int
    high: int


def check_database(db_path: Path) -> None:
    """Raise `HistoryError` when `db_path` cannot be the history database: checked before a scan, not
    after minutes of reading logs.

    It must be a new file in a writable folder, or an existing, writable SQLite database that is empty
    or already holds riskscan's `scans` table: a scan is never recorded into somebody else's database,
    a text file, or a device.
    """
    shown = str(db_path)
    if db_path.is_dir():
        raise HistoryError("is a folder, not a database file", path=shown)
    folder = Path(os.path.realpath(db_path)).parent
    if not folder.is_dir():
        raise HistoryError(f"folder {db_path.parent} does not exist", path=shown)
    if not db_path.exists():
        if not os.access(folder, os.W_OK | os.X_OK):
            raise HistoryError(f"folder {db_path.parent} is not writable", path=shown)
        return
    if not db_path.is_file():
        raise HistoryError("is not a regular file, so not a database", path=shown)
    if not os.access(db_path, os.R_OK | os.W_OK):
        raise HistoryError("is not readable and writable", path=shown)
    tables = _table_names(db_path)
    if tables and "scans" not in tables:
        raise HistoryError("is a SQLite database, but not a riskscan history (no scans table)", path=shown)


def _table_names(db_path: Path) -> set[str]:
    """The tables of an existing SQLite file, opened read-only; `HistoryError` when it is not one."""
    try:
        conn = sqlite3.connect(f"{db_path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            rows = conn.execute("select name from sqlite_master where type = 'table'").fetchall()
        finally:
            conn.close()
    except sqlite3.Error:
        raise HistoryError("is not a SQLite database", path=str(db_path)) from None
    return {row[0] for row in rows}


def save_assessment(assessment: Assessment, db_path: Path) -> int:
    """Store one scan with its endpoints and findings; return the new scan id."""
    try:
        db = _database(db_path)
        with db.conn:
            scan_id = _insert_scan(db, assessment)
            _insert_endpoints(db, scan_id, assessment)
            _insert_findings(db, scan_id, assessment)
        db.close()
    except (sqlite3.Error, OSError) as error:
        raise HistoryError(f"cannot save the scan: {error}", path=str(db_path)) from error
    return scan_id


def list_scans(db_path: Path, limit: int = 50) -> list[ScanRecord]:
    """The most recent scans first; an absent database has no scans."""
    if not db_path.exists():
        return []
    try:
        db = _database(db_path)
        if "scans" not in db.table_names():
            return []
        rows = db.query(
            "select id, scanned_at, roots, score, grade, endpoints, shadow, zombie, orphan, findings,"
            " critical, high from scans order by id desc limit ?",
            [limit],
        )
        records = [ScanRecord.model_validate({**row, "roots": json.loads(row["roots"])}) for row in rows]
        db.close()
    except (sqlite3.Error, OSError, ValueError) as error:
        raise HistoryError(f"cannot read the scan history: {error}", path=str(db_path)) from error
    return records


def _insert_scan(db: sqlite_utils.Database, assessment: Assessment) -> int:
    lifecycles = Counter(endpoint.lifecycle for endpoint in assessment.inventory.endpoints)
    severities = Counter(finding.severity for finding in assessment.findings)
    table = db.table("scans", pk="id")
    table.insert(
        {
            "scanned_at": assessment.scanned_at.isoformat(),
            "tool_version": assessment.tool_version,
            "schema_version": assessment.schema_version,
            "roots": json.dumps(list(assessment.roots)),
            "score": assessment.score,
            "grade": assessment.grade.value,
            "endpoints": len(assessment.inventory.endpoints),
            "shadow": lifecycles[Lifecycle.SHADOW],
            "zombie": lifecycles[Lifecycle.ZOMBIE],
            "orphan": lifecycles[Lifecycle.ORPHAN],
            "findings": len(assessment.findings),
            "critical": severities[Severity.CRITICAL],
            "high": severities[Severity.HIGH],
            "assessment_json": RENDERERS["json"].render(assessment).decode("utf-8"),
        },
    )
    last = table.last_pk
    if not isinstance(last, int):
        raise HistoryError("the database did not return the new scan's id")
    return last


def _insert_endpoints(db: sqlite_utils.Database, scan_id: int, assessment: Assessment) -> None:
    rows = [
        {
            "scan_id": scan_id,
            "method": endpoint.method,
            "path": endpoint.path,
            "host": endpoint.host,
            "lifecycle": endpoint.lifecycle.value,
            "deprecated": endpoint.deprecated,
            "effective_auth": endpoint.auth.effective.value if endpoint.auth.is_known else None,
            "enforced_by": endpoint.auth.enforced_by,
            "rate_limited": endpoint.rate_limit.enforced,
            "logged": endpoint.is_logged,
            "requests": endpoint.traffic.requests if endpoint.traffic else 0,
        }
        for endpoint in assessment.inventory.endpoints
    ]
    db.table("endpoints").insert_all(rows, foreign_keys=[("scan_id", "scans", "id")], alter=True)


def _insert_findings(db: sqlite_utils.Database, scan_id: int, assessment: Assessment) -> None:
    rows = [
        {
            "scan_id": scan_id,
            "finding_id": finding.id,
            "control": finding.control,
            "severity": finding.severity.value,
            "title": finding.title,
            "endpoints": json.dumps(list(finding.endpoints)),
            "owasp": finding.owasp,
        }
        for finding in assessment.findings
    ]
    db.table("findings").insert_all(rows, foreign_keys=[("scan_id", "scans", "id")], alter=True)


def _database(db_path: Path) -> sqlite_utils.Database:
    """The history database; sqlite-utils (and the numpy it loads when present) is imported only
    when a scan is recorded or listed, so that `riskscan --help` does not pay for it."""
    import sqlite_utils

    return sqlite_utils.Database(db_path)
