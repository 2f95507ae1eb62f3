"""Secrets hygiene on a Docker Compose file run with Traefik: one finding listing each credential in its
labels and in the Traefik container's environment by place, and no planted value (nor its base64) in
the JSON, the HTML or the log."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from riskscan.model import Assessment
from riskscan.report import RENDERERS
from tests.controls.conftest import scan_and_log

COMPOSE = Path(__file__).resolve().parents[1] / "fixtures" / "traefik" / "compose"
PLANTED = ("PLANTED-COMMAND-HMAC", "PLANTED-ENV-TOKEN", "PLANTED-LABEL-HASH", "PLANTED-LABEL-APIKEY",
           "PLANTED-LABEL-PASSWORD")


@pytest.fixture(scope="module")
def logged() -> tuple[Assessment, str]:
    return scan_and_log((COMPOSE,))


def test_the_finding_lists_every_place(logged: tuple[Assessment, str]) -> None:
    assessment, _ = logged
    finding = next(f for f in assessment.findings if f.code == "SECRET_IN_CLEAR")
    assert finding.title == "5 credentials written in clear in gateway configs"
    assert [(item.path, item.line) for item in assessment.inventory.clear_secrets] == [
        ("docker-compose.yml", line) for line in (10, 12, 27, 36, 37)]
    assert assessment.inventory.secrets_checked == ("docker-compose.yml",)


def test_no_planted_value_nor_its_base64_reaches_json_html_or_the_log(logged: tuple[Assessment, str]) -> None:
    assessment, log = logged
    encoded = [base64.b64encode(value.encode()).decode()[:12] for value in PLANTED]
    for renderer in ("json", "html"):
        text = RENDERERS[renderer].render(assessment).decode("utf-8")
        for value in (*PLANTED, *encoded):
            assert value not in text, renderer
    assert "read " in log and not any(value in log for value in (*PLANTED, *encoded))
