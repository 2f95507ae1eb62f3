"""The JSON report's `questionnaires`: every answer with value, state, rule and evidence, readiness,
attestations and misrepresentation risks, valid against the committed schema."""

from __future__ import annotations

import json
from typing import Any

import jsonschema  # type: ignore[import-untyped]

from riskscan.model import Assessment
from riskscan.report.json_report import SCHEMA_PATH, render_json

from .conftest import FIXTURES, REPO_ROOT, scan_estate


def document(assessment: Assessment) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(render_json(assessment))
    return loaded


def attested_demo() -> Assessment:
    return scan_estate(
        REPO_ROOT / "examples" / "northwind-mutual", attestations=FIXTURES / "attest-conflicting.yaml"
    )


def test_the_questionnaires_validate_against_the_schema() -> None:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    errors = sorted(validator.iter_errors(document(attested_demo())), key=str)
    assert not errors, [f"{list(e.absolute_path)}: {e.message}" for e in errors[:5]]


def test_every_answer_carries_value_state_rule_and_evidence(demo: Assessment) -> None:
    part = document(demo)["questionnaires"]
    supplement = next(q for q in part["questionnaires"] if q["id"] == "api-security-supplement")
    assert supplement["source"] == "api-security-supplement.yaml"
    assert sum(supplement["counts"].values()) == len(supplement["answers"]) == 32
    rate = next(a for a in supplement["answers"] if a["question"] == "rate-limiting")
    assert (rate["value"], rate["state"], rate["rule"]) == (
        "partial",
        "partial",
        "controls in place: rate_limit",
    )
    assert rate["findings"] and rate["endpoints"] and rate["evidence"][0]["path"]
    assert 0 < part["readiness"] < 1 and part["misrepresentation_risks"] == []


def test_attestations_and_risks_reach_the_json_without_planted_secrets() -> None:
    text = render_json(attested_demo()).decode("utf-8")
    part = json.loads(text)["questionnaires"]
    assert part["attestation_file"] == "attest-conflicting.yaml" and len(part["attestations"]) == 3
    assert {risk["question"] for risk in part["misrepresentation_risks"]} == {"auth-everywhere", "api-count"}
    assert "hunter2-planted-secret" not in text and "c2VjcmV0dG9rZW5" not in text
