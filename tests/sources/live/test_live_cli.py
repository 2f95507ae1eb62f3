"""`riskscan scan --apisix-admin/--kong-admin/--spec-url` end to end, in a separate process, against the
test's own server on 127.0.0.1: the endpoints found, and the key in no output (JSON, HTML, stdout,
stderr, the SQLite history)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from riskscan.pipeline import ScanOptions, scan

from .conftest import FIXTURES, KEY, RecordedServer, send, serve_apisix

ESTATE_LOG = FIXTURES / "access_log"


def run_cli(*args: str | Path, cwd: Path, key: str | None = KEY) -> subprocess.CompletedProcess[str]:
    env = {name: value for name, value in os.environ.items() if name != "RISKSCAN_ADMIN_KEY"}
    if key is not None:
        env["HARBOR_APISIX_KEY"] = key
    return subprocess.run(
        [sys.executable, "-m", "riskscan", *map(str, args)],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=300, check=False,
    )


def serve_spec(server: RecordedServer) -> None:
    spec = FIXTURES / "live" / "spec" / "claims-openapi.yaml"
    server.behaviours["/openapi.yaml"] = lambda handler, _: send(
        handler, 200, spec.read_bytes(), "application/yaml"
    )
    server.public.add("/openapi.yaml")


def test_scan_pulls_admin_api_and_spec_and_the_key_reaches_no_output(
    server: RecordedServer, tmp_path: Path
) -> None:
    serve_apisix(server)
    serve_spec(server)
    result = run_cli(
        "scan", "--apisix-admin", server.url, "--spec-url", f"{server.url}/openapi.yaml",
        "--admin-key-env", "HARBOR_APISIX_KEY",
        "-o", tmp_path / "report.json", "-o", tmp_path / "report.html",
        "--db", tmp_path / "history.db", "--verbose", "--debug", cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads((tmp_path / "report.json").read_text())
    endpoints = {f"{e['method']} {e['path']}": e for e in report["endpoints"]}
    # the spec documents GET/POST /v2/claims; the gateway routes them: documented, with the gateway's auth
    assert endpoints["POST /v2/claims"]["lifecycle"] == "documented"
    assert endpoints["POST /v2/claims"]["auth"]["effective"] == "oidc"
    assert {i["kind"] for i in report["inputs"]} == {"apisix", "openapi"}
    produced = [result.stdout, result.stderr, (tmp_path / "report.json").read_text(),
                (tmp_path / "report.html").read_text()]
    produced.append((tmp_path / "history.db").read_bytes().decode("latin-1"))
    for text in produced:
        assert KEY not in text


def test_a_refused_key_is_one_line_and_exit_2(server: RecordedServer, tmp_path: Path) -> None:
    serve_apisix(server)
    result = run_cli("scan", "--apisix-admin", server.url, "--admin-key-env", "HARBOR_APISIX_KEY", "--no-db",
                     cwd=tmp_path, key="PLANTED-WRONG-ADMIN-KEY")
    assert result.returncode == 2
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("riskscan: error: ")
    assert line.endswith("refused the key from $HARBOR_APISIX_KEY (HTTP 401)")
    assert "PLANTED-WRONG-ADMIN-KEY" not in result.stdout + result.stderr


def test_insecure_warns(server: RecordedServer, tmp_path: Path) -> None:
    serve_spec(server)
    result = run_cli(
        "scan", "--spec-url", f"{server.url}/openapi.yaml", "--insecure", "--no-db", cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert "riskscan: warning: --insecure: TLS certificates of live sources are not verified" in result.stderr


def test_a_key_given_on_the_command_line_is_not_an_option(tmp_path: Path) -> None:
    result = run_cli(
        "scan", "--apisix-admin", "http://127.0.0.1:9", "--admin-key", "PLANTED-CLI-KEY", "--no-db",
        cwd=tmp_path,
    )
    assert result.returncode == 2 and "No such option" in result.stderr


def test_files_alone_never_touch_the_network(monkeypatch: pytest.MonkeyPatch) -> None:
    import riskscan.sources.live as live

    def refuse(*_: object) -> None:
        raise AssertionError("a scan of files pulled from the network")

    monkeypatch.setattr(live, "pull_sources", refuse)
    monkeypatch.setattr(httpx, "Client", refuse)
    assessment = scan(ScanOptions(paths=(FIXTURES / "apisix-admin" / "v3-estate",)))
    assert assessment.inventory.endpoints
