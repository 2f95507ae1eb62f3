"""Accepted risks from `riskscan.toml`: the `[[exceptions]]` array of tables at the scan root (or
`--config`), validated like the `--exceptions` YAML file; `--exceptions` wins, with a warning."""

from __future__ import annotations

import shutil
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from riskscan.config import exceptions_conflict, parse_config_exceptions
from riskscan.controls.catalogue import default_catalogue
from riskscan.controls.exceptions import parse_exceptions
from riskscan.errors import UsageError
from riskscan.model import Assessment, ExceptionStatus
from riskscan.pipeline import ScanOptions, scan

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
TOML = FIXTURES / "exceptions" / "riskscan.toml"
CONTROL_IDS = frozenset(control.id for control in default_catalogue().controls)
SECRET = "sk_live_51HarborPlantedSecretValue"


def estate_with(tmp_path: Path, toml: str | None = None) -> Path:
    """A copy of the fixture estate, with `toml` as its riskscan.toml."""
    root = tmp_path / "estate"
    shutil.copytree(FIXTURES / "estate", root)
    if toml is not None:
        (root / "riskscan.toml").write_text(toml, encoding="utf-8")
    return root


def scanned(*paths: Path, config: Path | None = None, exceptions: Path | None = None) -> Assessment:
    return scan(ScanOptions(paths=paths, config=config, exceptions=exceptions,
                            clock=lambda: datetime(2026, 11, 24, 9, 30, tzinfo=UTC)))


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "riskscan", "scan", *args, "--no-db"],
                          capture_output=True, text=True, timeout=600, check=False)


def test_the_toml_entries_are_the_yaml_entries() -> None:
    from_toml = parse_config_exceptions(TOML.read_text(encoding="utf-8"), TOML, CONTROL_IDS)
    yaml_text = """exceptions:
  - {control: rate_limit, owner: Head of Partner Integration,
     reason: Throttled by the WAF in front of the gateway (RISK-112), expires: 2099-12-31}
  - {control: availability, owner: Platform team,
     reason: Single nodes accepted until the cluster migration, expires: 2020-01-31}
  - {finding: SECRET-001, owner: Security engineering,
     reason: The credential is rotated daily by the vault agent, expires: 2099-01-01}
"""
    from_yaml = parse_exceptions(yaml_text, Path("exceptions.yaml"), CONTROL_IDS)
    fields = ("control", "finding", "endpoints", "owner", "reason", "expires")
    assert [[getattr(e, f) for f in fields] for e in from_toml] == [[getattr(e, f) for f in fields] for e in from_yaml]
    assert [(e.evidence.path, e.evidence.line) for e in from_toml] == [
        ("riskscan.toml", 5), ("riskscan.toml", 11), ("riskscan.toml", 17)]


def test_riskscan_toml_at_the_scan_root_is_applied(tmp_path: Path) -> None:
    assessment = scanned(estate_with(tmp_path, TOML.read_text(encoding="utf-8")))
    statuses = {(entry.control or entry.finding): entry.status for entry in assessment.exceptions}
    assert statuses == {"rate_limit": ExceptionStatus.ACTIVE, "availability": ExceptionStatus.EXPIRED,
                        "SECRET-001": ExceptionStatus.ACTIVE}
    accepted = {f.id for f in assessment.findings if f.accepted is not None}
    assert {"RATE-001", "RATE-002", "SECRET-001"} <= accepted
    assert assessment.score_excluding_accepted is not None
    assert assessment.score_excluding_accepted > assessment.score
    settings = next(record for record in assessment.inputs if record.path == "riskscan.toml")
    assert (settings.status.value, settings.message) == ("skipped", "settings: its [[exceptions]] are this scan's "
                                                                    "accepted risks")


def test_config_names_a_settings_file_elsewhere_and_no_toml_means_no_exceptions(tmp_path: Path) -> None:
    root = estate_with(tmp_path)
    assert scanned(root).exceptions == ()
    assert len(scanned(root, config=TOML).exceptions) == 3


def test_a_toml_without_exceptions_is_fine(tmp_path: Path) -> None:
    assert scanned(estate_with(tmp_path, "[scan]\nnote = 'nothing accepted'\n")).exceptions == ()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[[exceptions]]\ncontrol = 'rate_limit'\nreason = 'r'\nexpires = 2099-01-01\n",
         "riskscan.toml:1: exception 1: 'owner' must be a non-empty text"),
        ("[[exceptions]]\ncontrol = 'rate_limit'\nowner = 'o'\nreason = 'r'\nexpires = 2099-01-01\n\n"
         "[[exceptions]]\ncontrol = 'waf'\nowner = 'o'\nreason = 'r'\nexpires = 2099-01-01\n",
         "riskscan.toml:7: exception 2: 'control' must be one of the catalogue's ids"),
        ("[[exceptions]]\nfinding = 'RATE-2'\nowner = 'o'\nreason = 'r'\nexpires = 2099-01-01\n",
         "riskscan.toml:1: exception 1: 'finding' must be a finding id such as RATE-002"),
        ("[[exceptions]]\ncontrol = 'auth'\nowner = 'o'\nreason = 'r'\nexpires = 2099-01-01T10:00:00Z\n",
         "riskscan.toml:1: exception 1: 'expires' must be a date such as 2027-03-31"),
        ("[[exceptions]]\ncontrol = 'auth'\nowner = 'o'\nreason = 'r'\nexpires = 2099-01-01\nticket = 5\n",
         "riskscan.toml:1: exception 1: unknown field 'ticket'"),
        ("exceptions = [{control = 'auth', owner = 'o', reason = 'r'}]\n",
         "riskscan.toml: exception 1: 'expires' must be a date such as 2027-03-31"),
        ("exceptions = 'everything'\n", "riskscan.toml: 'exceptions' must be an array of tables ([[exceptions]])"),
        (f"[[exceptions]]\ncontrol = 'auth'\nowner = \"{SECRET}\nexpires = 2099-01-01\n",
         "riskscan.toml:3: not valid TOML (Illegal character"),
        (f"[[exceptions]]\ncontrol = 'auth'\nowner = {SECRET}\n", "riskscan.toml:3: not valid TOML (Invalid value)"),
    ],
)
def test_a_bad_entry_is_one_line_naming_the_file_and_line(text: str, message: str) -> None:
    with pytest.raises(UsageError) as raised:
        parse_config_exceptions(text, Path("riskscan.toml"), CONTROL_IDS)
    assert str(raised.value).startswith(message)
    assert "\n" not in str(raised.value) and SECRET not in str(raised.value)


def test_exceptions_wins_over_the_toml_and_the_cli_says_so(tmp_path: Path) -> None:
    root = estate_with(tmp_path, TOML.read_text(encoding="utf-8"))
    only_auth = tmp_path / "accepted.yaml"
    only_auth.write_text("exceptions:\n  - {control: auth, owner: o, reason: r, expires: 2099-01-01}\n",
                         encoding="utf-8")
    assert exceptions_conflict(only_auth, (root,)) == (
        "--exceptions accepted.yaml wins: the [[exceptions]] of riskscan.toml are not read (give one or the other)")
    assert exceptions_conflict(None, (root,)) is None
    assert [e.control for e in scanned(root, exceptions=only_auth).exceptions] == ["auth"]
    result = run(str(root), "--exceptions", str(only_auth), "-o", str(tmp_path / "report.json"))
    assert result.returncode in (0, 1), result.stderr
    assert "riskscan: warning: --exceptions accepted.yaml wins: the [[exceptions]] of riskscan.toml are not read" \
        in result.stderr


def test_a_bad_toml_exits_2_with_one_line_before_scanning(tmp_path: Path) -> None:
    root = estate_with(tmp_path, f"[[exceptions]]\ncontrol = 'auth'\nowner = 'o'\nreason = \"{SECRET}\"\n")
    result = run(str(root), "-o", str(tmp_path / "report.json"))
    assert result.returncode == 2
    assert result.stderr.strip() == "riskscan: error: riskscan.toml:1: exception 1: 'expires' must be a date such as 2027-03-31"
    assert not (tmp_path / "report.json").exists()
    missing = run(str(root), "--config", str(tmp_path / "nowhere.toml"))
    assert (missing.returncode, missing.stderr.strip()) == (2, "riskscan: error: nowhere.toml: --config names no readable file")


def test_expiry_is_compared_as_a_date() -> None:
    entries = parse_config_exceptions(TOML.read_text(encoding="utf-8"), TOML, CONTROL_IDS)
    assert entries[1].expires == date(2020, 1, 31)
