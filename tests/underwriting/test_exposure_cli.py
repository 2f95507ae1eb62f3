"""The exposure options on the command line: figures in the JSON, bad values one line and exit 2."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped]
import pytest

from riskscan.report.json_report import SCHEMA_PATH

from .conftest import ESTATE, TEST_FIXTURES as FIXTURES


def run_scan(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    """`riskscan scan` of the fixture estate in its own process, as a user runs it."""
    return subprocess.run([sys.executable, "-m", "riskscan", "scan", str(ESTATE), "--no-db", *map(str, args)],
                          cwd=cwd, capture_output=True, text=True, timeout=300, check=False)


def report(tmp_path: Path, *args: str) -> dict[str, Any]:
    result = run_scan("-o", "r.json", *args, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    loaded: dict[str, Any] = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    return loaded


def test_the_json_carries_the_exposure_with_the_inputs_given(tmp_path: Path) -> None:
    document = report(tmp_path, "--records", "2M", "--revenue", "250M", "--industry", "Insurance",
                      "--limit", "5,000,000", "--seed", "7")
    jsonschema.Draft202012Validator(json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))).validate(document)
    exposure = document["exposure"]
    assert exposure["inputs"] == {"records": 2_000_000, "revenue_usd": 250_000_000.0, "industry": "insurance",
                                  "limit_usd": 5_000_000.0, "seed": 7, "trials": 50_000, "assumed": []}
    assert [s["id"] for s in exposure["scenarios"]] == ["bola_data_theft", "account_takeover",
                                                        "api_denial_of_service", "third_party_api_compromise",
                                                        "shadow_api_breach"]
    assert exposure["limit"]["limit_usd"] == 5_000_000
    assert "indicative" in exposure["headline"]
    # The evidence that moved a scenario is the scan's own: findings of this report, by id.
    finding_ids = {finding["id"] for finding in document["findings"]}
    cited = {fid for s in exposure["scenarios"] for a in s["adjustments"] for fid in a["findings"]}
    assert cited and cited <= finding_ids


def test_the_same_seed_gives_the_same_figures_and_the_defaults_assumed_are_said(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first, second = report(tmp_path / "a")["exposure"], report(tmp_path / "b")["exposure"]
    assert first == second
    assert len(first["inputs"]["assumed"]) == 4 and first["limit"] is None


@pytest.mark.parametrize(("args", "problem"), [
    (("--limit", "lots"), "--limit must be a number such as 250000"),
    (("--limit", "0"), "--limit must be a positive amount in USD"),
    (("--revenue", "-5M"), "--revenue must be a number"),
    (("--revenue", "9" * 400), "--revenue is too large"),
    (("--revenue", "1e20"), "--revenue must be a number"),
    (("--records", "2.5"), "--records must be a whole number of records"),
    (("--records", "999B"), "--records must be a whole number of records from 1 to 100,000,000,000"),
    (("--exposure-scenarios", FIXTURES / "exposure" / "missing.yaml"), "missing.yaml: cannot read the"),
])
def test_a_bad_value_is_one_line_and_exit_2(tmp_path: Path, args: tuple[str, ...], problem: str) -> None:
    result = run_scan(*args, cwd=tmp_path)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and problem in lines[0], result.stderr


@pytest.mark.parametrize(("args", "problem"), [
    (("--industry", "bank"), "'bank' is not one of 'fintech', 'health', 'saas'"),
    (("--seed", "-1"), "--seed"),
])
def test_typer_refuses_a_value_outside_its_set(tmp_path: Path, args: tuple[str, ...], problem: str) -> None:
    result = run_scan(*args, cwd=tmp_path)
    unboxed = " ".join(re.sub(r"[\u2500-\u257f]", " ", result.stderr).split())  # typer draws a box
    assert result.returncode == 2 and problem in unboxed, unboxed


def test_a_brokers_scenario_file_replaces_the_shipped_one(tmp_path: Path) -> None:
    document = report(tmp_path, "--exposure-scenarios", str(FIXTURES / "exposure" / "one-scenario.yaml"))
    assert [s["id"] for s in document["exposure"]["scenarios"]] == ["partner_scraping"]
