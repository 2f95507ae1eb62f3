"""The JSON report: a stable, documented contract that validates against the committed schema."""

from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped]
import pytest

from riskscan.model import Assessment, Evidence, Finding, Severity, SourceKind
from riskscan.report.json_report import SCHEMA_PATH, assessment_document, render_json

from .conftest import build_empty_assessment, build_insurer_assessment

GOLDEN = Path(__file__).parent / "golden" / "assessment.json"
DOCS = Path(__file__).resolve().parents[2] / "docs" / "json-output.md"


def _validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)


def _odd_assessment() -> Assessment:
    """Edge cases: naive time, unicode, markup-like text, a finding naming an unknown endpoint."""
    base = build_insurer_assessment()
    finding = Finding(id="ORG-001", control="LOG", severity=Severity.INFO, title="Ünïcode <b>title</b> \"q\"",
                      detail="Organization-wide, no endpoint.", evidence=(Evidence(path="ø/å.yaml"),))
    stray = Finding(id="INV-009", control="INV", severity=Severity.LOW, title="Stray", detail="d",
                    endpoints=("GET /not/in/inventory", "GET /not/in/inventory"))
    return base.model_copy(update={"scanned_at": datetime(2026, 1, 2, 3, 4, 5),
                                   "findings": (*base.findings, finding, stray)})


ASSESSMENTS = {
    "insurer": build_insurer_assessment,
    "empty": build_empty_assessment,
    "odd": _odd_assessment,
}


def _document(assessment: Assessment) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(render_json(assessment))
    return loaded


@pytest.mark.parametrize("name", sorted(ASSESSMENTS))
def test_every_output_validates_against_the_committed_schema(name: str) -> None:
    errors = sorted(_validator().iter_errors(_document(ASSESSMENTS[name]())), key=str)
    assert not errors, [f"{list(e.absolute_path)}: {e.message}" for e in errors[:5]]


def test_matches_the_golden_file(insurer_assessment: Assessment) -> None:
    rendered = render_json(insurer_assessment).decode("utf-8")
    if os.environ.get("RISKSCAN_UPDATE_GOLDEN") == "1":
        GOLDEN.write_text(rendered, encoding="utf-8")
    assert GOLDEN.read_text(encoding="utf-8") == rendered, "rerun with RISKSCAN_UPDATE_GOLDEN=1 if intended"


def test_output_is_deterministic_sorted_utf8_with_trailing_newline(insurer_assessment: Assessment) -> None:
    first = render_json(insurer_assessment)
    assert first == render_json(insurer_assessment.model_copy())
    text = first.decode("utf-8")
    assert text.endswith("}\n") and not text.endswith("\n\n")
    assert text.startswith('{\n  "basis"')  # keys sorted, indent 2
    assert "Ünïcode" in _odd_assessment_text()  # not \u-escaped


def _odd_assessment_text() -> str:
    return render_json(_odd_assessment()).decode("utf-8")


def test_summary_counts_what_the_arrays_hold(insurer_assessment: Assessment) -> None:
    document = _document(insurer_assessment)
    summary = document["summary"]
    assert summary["endpoints"] == len(document["endpoints"]) == 8
    assert summary["by_lifecycle"] == {"documented": 4, "shadow": 2, "zombie": 1, "orphan": 1}
    assert summary["unauthenticated"] == 2
    assert summary["unthrottled"] == 3  # the orphan's rate limit is unknown, not absent
    assert summary["findings_by_severity"] == {"critical": 1, "high": 1, "medium": 2, "low": 1, "info": 0}
    assert summary["inputs"] == {"used": 6, "skipped": 1, "failed": 1}
    assert (summary["score"], summary["grade"]) == (document["score"], document["grade"]) == (61, "C")
    assert document["tool"] == {"name": "riskscan", "version": "0.1.0"}


def test_endpoints_carry_their_finding_ids_and_postures(insurer_assessment: Assessment) -> None:
    endpoints = {f"{e['method']} {e['path']}": e for e in _document(insurer_assessment)["endpoints"]}
    export = endpoints["GET /internal/export/{file}"]
    assert export["findings"] == ["AUTH-001", "INV-001", "RATE-001"]
    assert export["auth"] == {"effective": "none", "known": True, "declared": [], "enforced_by": None,
                              "allows_anonymous": True}
    assert export["logging"] == {"logged": False, "loggers": [], "monitors": ["prometheus"]}
    assert endpoints["POST /v2/brokers"]["traffic"] is None
    assert endpoints["POST /v2/brokers"]["logging"] == {"logged": None, "loggers": [], "monitors": []}
    zombie = endpoints["GET /v1/policies/{policyId}"]
    assert zombie["superseded_by"] == "GET /v2/policies/{policyId}"
    assert zombie["traffic"]["first_seen"] == "2026-11-16T00:00:04+01:00"
    assert endpoints["POST /v2/quotes"]["findings"] == []


def test_arrays_are_sorted_by_stable_keys(insurer_assessment: Assessment) -> None:
    document = _document(insurer_assessment)
    paths = [(e["path"], e["method"]) for e in document["endpoints"]]
    assert paths == sorted(paths)
    assert [f["id"] for f in document["findings"]] == ["AUTH-001", "BOLA-001", "INV-001", "RATE-001", "RATE-002"]
    assert [c["id"] for c in document["controls"]] == sorted(c["id"] for c in document["controls"])
    assert [i["path"] for i in document["inputs"]] == sorted(i["path"] for i in document["inputs"])


def test_naive_times_are_written_as_utc() -> None:
    assert _document(_odd_assessment())["scanned_at"] == "2026-01-02T03:04:05+00:00"


def test_findings_are_copied_as_given_and_org_wide_ones_name_no_endpoint() -> None:
    findings = {f["id"]: f for f in assessment_document(_odd_assessment())["findings"]}
    assert findings["INV-009"]["endpoints"] == ["GET /not/in/inventory", "GET /not/in/inventory"]
    assert findings["ORG-001"]["endpoints"] == []
    assert findings["ORG-001"]["evidence"][0]["path"] == "ø/å.yaml"


def test_schema_rejects_unknown_fields(insurer_assessment: Assessment) -> None:
    document = _document(insurer_assessment)
    document["endpoints"][0]["surprise"] = 1
    assert not _validator().is_valid(document)


def test_docs_describe_every_schema_field() -> None:
    docs = DOCS.read_text(encoding="utf-8")
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    names: set[str] = set()

    def collect(node: Any) -> None:
        if isinstance(node, dict):
            names.update(node.get("properties", {}))
            for value in node.values():
                collect(value)
        elif isinstance(node, list):
            for value in node:
                collect(value)

    collect(schema)
    missing = sorted(name for name in names if f"`{name}`" not in docs)
    assert not missing, f"docs/json-output.md does not describe {missing}"


def test_the_schema_admits_every_input_kind_riskscan_reads() -> None:
    # A kind missing here makes every JSON report of an estate with such a file fail validation.
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    kinds = schema["$defs"]["input"]["properties"]["kind"]["enum"]
    assert set(kinds) == {kind.value for kind in SourceKind} | {None}
