"""The `riskscan` command end to end, as a user runs it: exit codes, outputs, errors, history."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parent / "fixtures"
ESTATE = FIXTURES / "estate"
BROKEN_ESTATE = FIXTURES / "estate-broken"


def run_cli(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run `python -m riskscan` in a separate process, as a user would."""
    return subprocess.run(
        [sys.executable, "-m", "riskscan", *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300, check=False)


@pytest.fixture(scope="module")
def estate_scan(tmp_path_factory: pytest.TempPathFactory) -> tuple[subprocess.CompletedProcess[str], Path]:
    """One scan of the fixture estate into JSON, HTML and PDF, shared by the tests that read it."""
    out = tmp_path_factory.mktemp("estate-scan")
    result = run_cli(
        "scan", ESTATE, "-o", out / "report.json", "-o", out / "report.html", "-o", out / "report.pdf",
        "--db", out / "history.db", cwd=out,
    )
    return result, out


def endpoints_by_key(report: dict[str, object]) -> dict[str, dict[str, object]]:
    endpoints = report["endpoints"]
    assert isinstance(endpoints, list)
    return {f"{e['method']} {e['path']}": e for e in endpoints}


def test_scan_writes_every_requested_format(estate_scan: tuple[subprocess.CompletedProcess[str], Path]) -> None:
    result, out = estate_scan
    assert result.returncode == 0, result.stderr
    assert (out / "report.pdf").read_bytes().startswith(b"%PDF")
    assert "<html" in (out / "report.html").read_text(encoding="utf-8").lower()
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert report["schema_version"] == "1.6"
    assert "Grade" in result.stderr and "wrote" in result.stderr


def test_scan_classifies_the_estate(estate_scan: tuple[subprocess.CompletedProcess[str], Path]) -> None:
    _, out = estate_scan
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    endpoints = endpoints_by_key(report)
    legacy = endpoints["GET /v1/legacy/claims/{claimId}"]
    assert legacy["lifecycle"] == "zombie"
    # The legacy route has no auth plugin: only the spec's declaration stands, unverified.
    assert legacy["auth"]["effective"] == "oauth2"
    assert legacy["auth"]["enforced_by"].startswith("spec")
    claim = endpoints["GET /v1/claims/{claimId}"]
    assert claim["lifecycle"] == "documented"
    assert claim["auth"]["effective"] == "oidc"
    assert claim["rate_limit"]["enforced"] is True
    assert claim["traffic"]["requests"] >= 40
    shadows = [key for key, e in endpoints.items() if e["lifecycle"] == "shadow"]
    assert any(key.startswith("GET /v1/partners/{") and key.endswith("/statements") for key in shadows)
    assert any("/internal/export" in key for key in shadows)
    assert not any("wp-login" in key or ".env" in key for key in endpoints)


def test_inputs_are_all_reported(estate_scan: tuple[subprocess.CompletedProcess[str], Path]) -> None:
    _, out = estate_scan
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    kinds = {item["path"]: (item["kind"], item["status"]) for item in report["inputs"]}
    assert kinds["specs/claims-api.yaml"] == ("openapi", "used")
    assert kinds["gateway/apisix.yaml"] == ("apisix", "used")
    assert kinds["logs/access.log"] == ("access_log", "used")


def test_a_broken_file_is_reported_and_skipped(tmp_path: Path) -> None:
    result = run_cli("scan", BROKEN_ESTATE, "-o", tmp_path / "r.json", "--no-db", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "broken-spec.yaml" in result.stderr
    assert "Traceback" not in result.stderr
    report = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    status = {item["path"]: item for item in report["inputs"]}
    assert status["broken-spec.yaml"]["status"] == "failed"
    assert "broken-spec.yaml" in status["broken-spec.yaml"]["message"]
    assert status["notes.txt"]["status"] == "skipped"
    assert status["good-spec.yaml"]["status"] == "used"


def test_strict_stops_at_a_broken_file_with_one_line_and_no_output(tmp_path: Path) -> None:
    result = run_cli("scan", BROKEN_ESTATE, "--strict", "-o", tmp_path / "r.pdf", "--no-db", cwd=tmp_path)
    assert result.returncode == 2
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("riskscan: error: broken-spec.yaml")
    assert not (tmp_path / "r.pdf").exists()
    assert not list(tmp_path.iterdir())


def test_fail_on_turns_findings_into_exit_1(tmp_path: Path) -> None:
    result = run_cli("scan", ESTATE, "--fail-on", "high", "--no-db", cwd=tmp_path)
    assert result.returncode == 1, result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("scan", "no/such/folder"), "no/such/folder: no such file or folder"),
        (("scan", str(ESTATE), "-o", "report.docx"), "report.docx"),
        (("scan", str(BROKEN_ESTATE / "notes.txt")), "no input of a kind riskscan reads (see riskscan sources)"),
        (("scan", str(BROKEN_ESTATE / "broken-spec.yaml")), "nothing could be read: broken-spec.yaml:8: malformed"),
        (("scan", str(ESTATE), "--format", "pdf"), "--format needs an --output"),
        (("scan", str(ESTATE), "-o", "r.json", "-o", "./r.json"), "./r.json is given twice as an output"),
        (("scan", str(ESTATE), "-o", "-", "-o", "-"), "only one output can go to stdout"),
        (("scan", str(ESTATE), "-o", "r.json", "-o", "r.html", "-f", "json", "-f", "html", "-f", "pdf"),
         "give --format once or once per --output"),
        (("scan", str(ESTATE), "-o", "missing/r.json"), "missing/r.json: folder missing does not exist"),
    ],
)
def test_usage_and_input_errors_exit_2_with_one_line(tmp_path: Path, args: tuple[str, ...], message: str) -> None:
    result = run_cli(*args, "--no-db", cwd=tmp_path)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert len([line for line in result.stderr.splitlines() if line.strip()]) == 1
    assert not list(tmp_path.iterdir())  # checked before the scan: nothing was written


def test_names_with_brackets_are_shown_as_they_are(tmp_path: Path) -> None:
    # Rich would read "[red]" as markup and "[/x]" as a closing tag (an internal error).
    estate = tmp_path / "estate"
    estate.mkdir()
    (estate / "good-spec.yaml").write_bytes((BROKEN_ESTATE / "good-spec.yaml").read_bytes())
    (estate / "[red]broken.yaml").write_bytes((BROKEN_ESTATE / "broken-spec.yaml").read_bytes())
    (tmp_path / "[").mkdir()
    result = run_cli("scan", estate, "-o", "[/x].json", "--no-db", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "failed [red]broken.yaml" in result.stderr
    assert "wrote [/x].json" in result.stderr


def test_a_path_given_twice_is_one_root(tmp_path: Path) -> None:
    result = run_cli("scan", ESTATE, ESTATE, "-o", "r.json", "--no-db", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))["roots"] == ["estate"]


def test_json_to_stdout(tmp_path: Path) -> None:
    result = run_cli("scan", ESTATE, "-o", "-", "--format", "json", "--no-db", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["endpoints"]


def test_history_lists_every_scan(tmp_path: Path) -> None:
    db = tmp_path / "h.db"
    for _ in range(2):
        assert run_cli("scan", ESTATE, "--db", db, cwd=tmp_path).returncode == 0
    listing = run_cli("history", "--db", db, cwd=tmp_path)
    assert listing.returncode == 0
    with sqlite3.connect(db) as conn:
        assert conn.execute("select count(*) from scans").fetchone() == (2,)
        endpoints = conn.execute("select count(*) from endpoints where scan_id = 2").fetchone()[0]
    assert endpoints > 5
    assert "estate" in listing.stdout


def test_a_history_database_in_a_missing_folder_fails_before_the_scan(tmp_path: Path) -> None:
    result = run_cli("scan", ESTATE, "-o", "r.json", "--db", "missing/h.db", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip() == "riskscan: error: missing/h.db: folder missing does not exist"
    assert not (tmp_path / "r.json").exists()


def test_history_without_a_database_says_so(tmp_path: Path) -> None:
    listing = run_cli("history", "--db", tmp_path / "none.db", cwd=tmp_path)
    assert listing.returncode == 0
    assert "no scans recorded yet" in listing.stdout


def test_unreadable_paths_of_a_spec_are_in_the_inputs_appendix(tmp_path: Path) -> None:
    spec = FIXTURES / "openapi" / "missing-path-files"
    result = run_cli("scan", spec, "-o", tmp_path / "r.json", "-o", tmp_path / "r.html", "--no-db", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    inputs = {item["path"]: item for item in json.loads((tmp_path / "r.json").read_text())["inputs"]}
    expected = "2 of 3 paths could not be read (first: root.yaml:11: $ref 'paths/policy.yaml' names a file"
    assert inputs["root.yaml"]["status"] == "used"
    assert inputs["root.yaml"]["message"].startswith(expected)
    appendix = (tmp_path / "r.html").read_text(encoding="utf-8").split('id="inputs"')[1]
    assert expected.replace("'", "&#39;") in appendix or expected in appendix


def test_the_cover_names_the_organization_and_the_parties(tmp_path: Path) -> None:
    result = run_cli("scan", ESTATE, "-o", "r.json", "-o", "r.html", "--no-db", "--org", "  Acme Mutual  ",
                     "--prepared-for", "Northwind Underwriting", "--prepared-by", "Contoso Brokers", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    report = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert report["engagement"] == {"organization": "Acme Mutual", "prepared_for": "Northwind Underwriting",
                                    "prepared_by": "Contoso Brokers"}
    page = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert '<p class="cover-roots">Acme Mutual</p>' in page
    assert "Prepared for <strong>Northwind Underwriting</strong> · Prepared by <strong>Contoso Brokers</strong>" in page
    assert "<title>API risk assessment: Acme Mutual (" in page


def test_without_an_organization_the_cover_names_the_folders(tmp_path: Path) -> None:
    result = run_cli("scan", ESTATE, "-o", "r.json", "-o", "r.html", "--no-db", "--org", " ", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    report = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert report["engagement"] == {"organization": None, "prepared_for": None, "prepared_by": None}
    page = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert '<p class="cover-roots">estate</p>' in page and "Prepared for" not in page
