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
import yaml

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


def _claims_a_spec_version(path: Path) -> bool:
    """True when the file parses (first YAML/JSON document) to a mapping with a top-level version key.

    An oracle independent of riskscan's sniffing: the whole file is parsed, wherever the key is.
    """
    try:
        document = next(yaml.safe_load_all(path.read_text(encoding="utf-8-sig")), None)
    except (yaml.YAMLError, UnicodeDecodeError, ValueError):
        return False
    return isinstance(document, dict) and any(
        isinstance(document.get(key), (str, int, float)) for key in ("openapi", "swagger")
    )


def test_every_corpus_file_with_a_top_level_spec_version_is_read_or_failed_never_skipped(
    corpus_scan: tuple[subprocess.CompletedProcess[str], Path],
) -> None:
    _, out = corpus_scan
    corpus = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"
    report = json.loads((out / "r.json").read_text(encoding="utf-8"))
    statuses = {item["path"]: item for item in report["inputs"]}
    claimed = [
        path.relative_to(corpus).as_posix()
        for path in sorted(corpus.rglob("*"))
        if path.suffix in {".yaml", ".yml", ".json"} and _claims_a_spec_version(path)
    ]
    assert len(claimed) >= 17
    for name in claimed:
        item = statuses[name]
        assert item["status"] in ("used", "failed"), name
        assert item["kind"] in ("openapi", "aws_api_gateway"), name  # an API Gateway export is a spec too
        if item["status"] == "failed":
            assert item["message"], name
