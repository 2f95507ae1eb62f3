"""Real public files nobody here wrote (../shared/corpus) scan without a traceback or a leak.

Every file must end up used, skipped or failed with a one-line reason; nothing may crash the scan.
Skipped when the corpus is absent.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

CORPUS_SECRETS = [
    "edd1c9f034335f136f87ad84b625c8f1",  # APISIX admin key (apisix-docker config.yaml)
    "4054f7cf07e344346cd3f287985e76a2",  # APISIX viewer key
    "my_basic_password",  # Kong consumer basic-auth password
    "my_jwt_secret",  # Kong consumer JWT secret
    "83.149.9.216",  # a client address in the Apache log
]


@pytest.fixture(scope="module")
def corpus_scan(
    corpus_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[subprocess.CompletedProcess[str], Path]:
    corpus = corpus_dir
    out = tmp_path_factory.mktemp("corpus")
    result = subprocess.run(
        [sys.executable, "-m", "riskscan", "scan", str(corpus), "-o", str(out / "r.json"),
         "-o", str(out / "r.html"), "--no-db"],
        cwd=out, capture_output=True, text=True, timeout=600, check=False)
    return result, out


def test_the_whole_corpus_scans_without_a_traceback(corpus_scan: tuple[subprocess.CompletedProcess[str], Path]) -> None:
    result, out = corpus_scan
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    report = json.loads((out / "r.json").read_text(encoding="utf-8"))
    statuses = {item["path"]: item["status"] for item in report["inputs"]}
    assert statuses["openapi/keycloak/keycloak-admin-23.0.6.yml"] == "used"
    assert statuses["gateway/apisix/apisix-standalone.yaml"] == "used"
    assert statuses["traffic/apache/apache_logs"] == "used"
    for item in report["inputs"]:
        if item["status"] == "failed":
            assert item["message"] and "\n" not in item["message"]
    assert len(report["endpoints"]) > 300


@pytest.mark.parametrize("secret", CORPUS_SECRETS)
def test_no_corpus_secret_reaches_an_output(corpus_scan: tuple[subprocess.CompletedProcess[str], Path], secret: str) -> None:
    result, out = corpus_scan
    for text in (result.stderr, (out / "r.json").read_text(), (out / "r.html").read_text()):
        assert secret not in text
