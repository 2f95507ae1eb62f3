"""Data classes and the data exposure control: what sensitive data each endpoint carries, and to whom."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from riskscan.controls import evaluate_controls
from riskscan.inventory import build_inventory
from riskscan.inventory.data_classes import default_rules, normalise, parse_rules
from riskscan.model import (
    ApiSpec,
    ControlResult,
    ControlStatus,
    DataClass,
    Endpoint,
    EvidenceStrength,
    FieldLocation,
    Finding,
    Inventory,
    Severity,
)
from riskscan.pipeline import ScanOptions, scan
from riskscan.report.json_report import render_json
from riskscan.sources import ReadContext
from riskscan.sources.specs.openapi import OpenApiReader

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "data-exposure"
PLANTED = ("4111111111111111", "HCX-PLANTED-SECRET-9f2c71", "jane.member@healthcover.example", "QQ123456C", "1980-02-29")


def read(name: str) -> ApiSpec:
    return OpenApiReader().read(FIXTURES / name, ReadContext(root=FIXTURES))


def inventory(name: str) -> Inventory:
    return build_inventory([read(name)], [], [])


def endpoint(inv: Inventory, key: str) -> Endpoint:
    return next(e for e in inv.endpoints if e.key == key)


def judged(inv: Inventory) -> tuple[ControlResult, dict[str, Finding]]:
    evaluation = evaluate_controls(inv)
    result = next(c for c in evaluation.controls if c.id == "data_exposure")
    findings = {f.title.split(":")[0]: f for f in evaluation.findings if f.control == "data_exposure"}
    return result, findings


@pytest.mark.parametrize(
    ("name", "schema_format", "expected"),
    [
        ("card_number", None, DataClass.PCI), ("cardNumber", None, DataClass.PCI), ("cvv", None, DataClass.PCI),
        ("dateOfBirth", None, DataClass.PII), ("contact", "email", DataClass.PII), ("mobilePhone", None, DataClass.PII),
        ("diagnosisCode", None, DataClass.PHI), ("iban", None, DataClass.FINANCIAL), ("payout", "iban", DataClass.FINANCIAL),
        ("clientSecret", None, DataClass.CREDENTIALS), ("cardPin", None, DataClass.CREDENTIALS),
        ("name", None, None), ("firmName", None, None), ("code", None, None), ("amount", None, None),
        ("typing", None, None), ("pinned", None, None),
    ],
)
def test_the_classifier_reads_names_and_formats(name: str, schema_format: str | None, expected: DataClass | None) -> None:
    assert default_rules().classify(name, schema_format) is expected


def test_names_are_normalised_and_a_bad_table_is_refused() -> None:
    assert normalise("Card-Number") == normalise("card_number") == normalise("cardNumber") == "cardnumber"
    with pytest.raises(ValueError):
        parse_rules("classes: {secrets: {names: [x]}}")
    with pytest.raises(ValueError, match="data_classes.yaml"):
        parse_rules("- not a mapping")


def test_the_spec_reader_keeps_field_names_and_formats_never_values() -> None:
    spec = read("customer-data.yaml")
    member = next(op for op in spec.operations if op.operation_id == "getMember")
    names = {(f.name, f.location) for f in member.fields or ()}
    # The recursive `dependants` schema is walked once; the $ref'd contact's fields are reached.
    assert {("date_of_birth", FieldLocation.RESPONSE), ("mobilePhone", FieldLocation.RESPONSE)} <= names
    assert all(f.evidence.path == "customer-data.yaml" and f.evidence.line for f in member.fields or ())
    assert not any(secret in spec.model_dump_json() for secret in PLANTED)


def test_every_endpoint_gets_its_data_classes() -> None:
    inv = inventory("customer-data.yaml")
    classes = {e.key: e.data_classes for e in inv.endpoints}
    assert classes["GET /v1/members/{memberId}"] == (DataClass.PII,)
    assert classes["POST /v1/members/{memberId}/payment-methods"] == (DataClass.PCI, DataClass.FINANCIAL)
    assert classes["GET /v1/members/{memberId}/claims"] == (DataClass.PHI,)
    assert classes["POST /v1/integrations"] == (DataClass.CREDENTIALS,)
    assert classes["GET /v1/products"] == ()
    search = endpoint(inv, "GET /v1/members/search")
    assert ("email", FieldLocation.URL) in {(f.name, f.location) for f in search.sensitive_fields}


def test_present_absent_and_partial_exposure_on_one_spec() -> None:
    result, findings = judged(inventory("customer-data.yaml"))
    severities = {title: (f.severity, f.endpoints) for title, f in findings.items()}
    assert severities["Credentials returned in responses"] == (Severity.HIGH, ("POST /v1/integrations",))
    assert severities["Sensitive data served to anonymous callers"] == (
        Severity.HIGH, ("POST /v1/members/{memberId}/payment-methods",))
    assert severities["Sensitive data in URLs"] == (Severity.MEDIUM, ("GET /v1/members/search",))
    assert severities["Write bodies that accept any property"][1] == ("POST /v1/members/{memberId}/payment-methods",)
    assert severities["Write bodies not closed to unnamed properties"] == (Severity.LOW, ("POST /v1/notes",))
    card = next(f for title, f in findings.items() if title.startswith("Payment card data carried by"))
    assert (card.severity, card.endpoints) == (Severity.MEDIUM, ("POST /v1/members/{memberId}/payment-methods",))
    assert "cardNumber (pci), cvv (pci)" in card.detail
    for finding in findings.values():
        assert finding.evidence and finding.owasp == "API3:2023" and finding.remediation
    assert result.status is not ControlStatus.UNKNOWN and result.evidence_strength is EvidenceStrength.DECLARED
    assert result.summary.startswith("5 of 7 endpoints whose schemas or captured responses show their data carry")


def test_a_spec_without_schemas_is_not_observable_and_says_why() -> None:
    result, findings = judged(inventory("no-schemas.yaml"))
    assert (result.status, result.score, findings) == (ControlStatus.UNKNOWN, None, {})
    assert "declare no request or response schemas" in result.summary


def test_without_a_spec_data_exposure_cannot_be_judged() -> None:
    result, _ = judged(Inventory(endpoints=(), has_specs=False, has_gateway=True, has_traffic=True))
    assert result.status is ControlStatus.UNKNOWN and "No API spec was given" in result.summary


def test_data_classes_reach_the_json_and_no_planted_value_does(tmp_path: Path) -> None:
    assessment = scan(ScanOptions(paths=(FIXTURES / "customer-data.yaml",)))
    document = json.loads(render_json(assessment))
    by_key = {f"{e['method']} {e['path']}": e for e in document["endpoints"]}
    assert by_key["POST /v1/members/{memberId}/payment-methods"]["data_classes"] == ["pci", "financial"]
    assert {"name": "cardNumber", "data_class": "pci", "location": "request"} in (
        by_key["POST /v1/members/{memberId}/payment-methods"]["sensitive_fields"])
    text = render_json(assessment).decode()
    assert not any(secret in text for secret in PLANTED)


def test_a_hostile_schema_is_walked_within_its_budgets(tmp_path: Path) -> None:
    deep = "{type: object, properties: {leaf: {type: string}}}"
    for level in range(60):
        deep = f"{{type: object, properties: {{level{level}: {deep}}}}}"
    wide = ", ".join(f"field{n}: {{type: string}}" for n in range(5000))
    (tmp_path / "hostile.yaml").write_text(
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n"
        f"  /deep:\n    get:\n      responses:\n        '200':\n          description: d\n"
        f"          content: {{application/json: {{schema: {deep}}}}}\n"
        f"  /wide:\n    get:\n      responses:\n        '200':\n          description: w\n"
        f"          content: {{application/json: {{schema: {{type: object, properties: {{{wide}}}}}}}}}\n",
        encoding="utf-8",
    )
    spec = OpenApiReader().read(tmp_path / "hostile.yaml", ReadContext(root=tmp_path))
    fields = {op.path: len(op.fields or ()) for op in spec.operations}
    assert 0 < fields["/deep"] <= 20 and fields["/wide"] == 400


def test_a_pass_cites_where_the_guarded_sensitive_data_is_documented() -> None:
    """Personal data behind OIDC passes, citing the operation and the fields that carry it (it cited
    nothing before: only endpoints carrying no sensitive data were cited)."""
    full = inventory("customer-data.yaml")
    member = full.model_copy(update={"endpoints": (endpoint(full, "GET /v1/members/{memberId}"),)})
    result, findings = judged(member)
    assert (result.status, findings) == (ControlStatus.PASS, {})
    assert [(item.line, item.pointer) for item in result.evidence] == [
        (9, "/paths/~1v1~1members~1{memberId}/get"),
        (122, "/components/schemas/Member/properties/firstName"),
        (123, "/components/schemas/Member/properties/date_of_birth"),
        (124, "/components/schemas/Member/properties/nationalInsuranceNumber"),
    ]
