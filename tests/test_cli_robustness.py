"""The `riskscan` command under abuse: odd destinations, bad values, signals, and what it says then.

Each test runs the command in a separate process, as a user (or a CI runner, or an attacker) would.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent / "fixtures"
ESTATE = FIXTURES / "estate"
BROKEN_ESTATE = FIXTURES / "estate-broken"


def run_cli(*args: str | Path, cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Run `python -m riskscan` in a separate process; `timeout` stops a hang from hanging the suite."""
    return subprocess.run([sys.executable, "-m", "riskscan", *map(str, args)], cwd=cwd, capture_output=True,
                          text=True, timeout=timeout, check=False)


def test_a_log_line_with_an_impossible_date_costs_that_line_not_the_traffic(tmp_path: Path) -> None:
    estate = tmp_path / "estate"
    estate.mkdir()
    (estate / "claims-api.yaml").write_bytes((ESTATE / "specs" / "claims-api.yaml").read_bytes())
    (estate / "access.log").write_bytes((FIXTURES / "access_log" / "out-of-range-timestamps.log").read_bytes())
    result = run_cli("scan", estate, "-o", "r.json", "--no-db", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    report = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    statuses = {item["path"]: item["status"] for item in report["inputs"]}
    assert statuses == {"access.log": "used", "claims-api.yaml": "used"}
    requests = sum(e["traffic"]["requests"] for e in report["endpoints"] if e.get("traffic"))
    assert requests == 8
