"""Accepted risks: an exceptions file marks findings, a second score leaves them out, expired ones do not
count, and a bad entry stops the scan with one line naming the file."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from riskscan.controls import evaluate_controls
from riskscan.controls.catalogue import default_catalogue
from riskscan.controls.exceptions import parse_exceptions
from riskscan.errors import UsageError
from riskscan.model import ExceptionStatus, Inventory

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "examples" / "northwind-mutual"
FILE = REPO / "tests" / "fixtures" / "exceptions" / "northwind-exceptions.yaml"
CONTROL_IDS = frozenset(control.id for control in default_catalogue().controls)


def entries(text: str) -> tuple[object, ...]:
    return parse_exceptions(text, Path("exceptions.yaml"), CONTROL_IDS)


def test_an_accepted_finding_stays_visible_with_owner_and_expiry_and_scores_twice(insurer: Inventory) -> None:
    plain = evaluate_controls(insurer)
    text = """exceptions:
  - control: rate_limit
    owner: Head of Platform
    reason: Throttled by the CDN
    expires: 2027-06-30
"""
    evaluation = evaluate_controls(insurer, exceptions=parse_exceptions(text, FILE, CONTROL_IDS),
                                   today=date(2026, 11, 30))
    assert [f.id for f in evaluation.findings] == [f.id for f in plain.findings]
    accepted = [f for f in evaluation.findings if f.accepted is not None]
    assert {f.control for f in accepted} == {"rate_limit"} and len(accepted) == 2
    assert accepted[0].accepted is not None and accepted[0].accepted.owner == "Head of Platform"
    assert accepted[0].accepted.expires == date(2027, 6, 30) and accepted[0].accepted.evidence.line == 2
    assert (evaluation.score, evaluation.grade) == (plain.score, plain.grade)
    assert evaluation.score_excluding_accepted is not None and evaluation.score_excluding_accepted > plain.score
    assert [e.status for e in evaluation.exceptions] == [ExceptionStatus.ACTIVE]


def test_expired_partial_and_unmatched_entries_count_as_absent_and_are_reported(insurer: Inventory) -> None:
    text = """exceptions:
  - {control: monitoring, owner: Ops, reason: Old waiver, expires: 2026-01-31}
  - {control: auth, endpoints: ["GET /health"], owner: Ops, reason: Public by design, expires: 2027-01-01}
  - {control: monitoring, endpoints: ["GET /internal/export"], owner: Ops, reason: Half, expires: 2027-01-01}
  - {finding: TLS-007, owner: Ops, reason: Nothing, expires: 2027-01-01}
"""
    evaluation = evaluate_controls(insurer, exceptions=parse_exceptions(text, FILE, CONTROL_IDS),
                                   today=date(2026, 11, 30))
    assert [e.status for e in evaluation.exceptions] == [
        ExceptionStatus.EXPIRED, ExceptionStatus.ACTIVE, ExceptionStatus.PARTIAL, ExceptionStatus.UNMATCHED]
    assert not any(f.accepted for f in evaluation.findings if f.control == "monitoring")
    health = [f for f in evaluation.findings if f.endpoints == ("GET /health",) and f.control == "auth"]
    assert health and health[0].accepted is not None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[]", "exceptions.yaml:1: expected a top-level 'exceptions' list"),
        ("exceptions:\n  - {control: auth, owner: A, reason: B, expires: soon}\n",
         "exceptions.yaml:2: exception 1: 'expires' must be a date such as 2027-03-31"),
        ("exceptions:\n  - {owner: A, reason: B, expires: 2027-01-01}\n",
         "exceptions.yaml:2: exception 1: give exactly one of 'control' and 'finding'"),
        ("exceptions:\n  - {control: waf, owner: A, reason: B, expires: 2027-01-01}\n",
         "exceptions.yaml:2: exception 1: 'control' must be one of the catalogue's ids"),
        ("exceptions:\n  - {finding: rate-2, owner: A, reason: B, expires: 2027-01-01}\n",
         "exceptions.yaml:2: exception 1: 'finding' must be a finding id such as RATE-002"),
        ("exceptions:\n  - {control: auth, owner: '', reason: B, expires: 2027-01-01}\n",
         "exceptions.yaml:2: exception 1: 'owner' must be a non-empty text"),
        ("exceptions:\n  - {control: auth, endpoints: [/health], owner: A, reason: B, expires: 2027-01-01}\n",
         "exceptions.yaml:2: exception 1: 'endpoints' must be a list of endpoints"),
        ("exceptions:\n  - {control: auth, owner: A, reason: B, expires: 2027-01-01, approved: yes}\n",
         "exceptions.yaml:2: exception 1: unknown field 'approved'"),
        ("exceptions: [unclosed\n", "exceptions.yaml: not valid YAML or JSON"),
    ],
    ids=["not-a-list", "bad-date", "no-subject", "unknown-control", "bad-finding-id", "empty-owner",
         "bad-endpoint", "unknown-field", "broken-yaml"],
)
def test_a_bad_entry_is_one_line_naming_the_file(text: str, message: str) -> None:
    with pytest.raises(UsageError) as raised:
        entries(text)
    assert str(raised.value).startswith(message)
    assert "\n" not in str(raised.value)


def test_the_cli_scans_the_demo_with_exceptions_into_every_output(tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    result = subprocess.run(
        [sys.executable, "-m", "riskscan", "scan", str(DEMO), "--exceptions", str(FILE), "-o", str(out),
         "-o", str(tmp_path / "report.html"), "--no-db"],
        cwd=tmp_path, capture_output=True, text=True, timeout=600, check=False,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(out.read_text(encoding="utf-8"))
    statuses = [entry["status"] for entry in report["exceptions"]]
    assert statuses == ["active", "active", "expired", "active", "unmatched"]
    accepted = [f for f in report["findings"] if f["accepted"]]
    assert {f["control"] for f in accepted} == {"rate_limit", "inventory_hygiene", "auth"}
    assert not any(f["accepted"] for f in report["findings"] if f["control"] == "availability")
    assert report["score_excluding_accepted"] > report["score"]
    assert "excluding 3 accepted risks" in result.stderr or "accepted risks" in result.stderr
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "Accepted risk: Head of Partner Integration, until 2099-12-31" in html
    assert "expired: control availability" in html


def test_a_bad_exceptions_file_exits_2_before_scanning(tmp_path: Path) -> None:
    bad = tmp_path / "exceptions.yaml"
    bad.write_text("exceptions:\n  - {control: auth, owner: A, reason: B, expires: someday}\n", encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "riskscan", "scan", str(DEMO), "--exceptions", str(bad), "--no-db"],
                            cwd=tmp_path, capture_output=True, text=True, timeout=600, check=False)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "riskscan: error: exceptions.yaml:2: exception 1: 'expires' must be a date such as 2027-03-31"]
