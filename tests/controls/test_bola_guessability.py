"""BOLA exposure weighed by id guessability: sequential ids on sensitive data without strong
authentication are the worst case; UUIDs lower the severity but never clear the finding."""

from __future__ import annotations

from collections.abc import Callable

from riskscan.controls import evaluate_controls
from riskscan.model import (
    AuthKind,
    AuthPosture,
    ControlResult,
    DataClass,
    Endpoint,
    Evidence,
    Finding,
    IdGuessability,
    Inventory,
    Severity,
)

EndpointFactory = Callable[..., Endpoint]
KEY = AuthPosture(effective=AuthKind.API_KEY, enforced_by="gateway:partners",
                  evidence=(Evidence(path="gateway/apisix.yaml", line=80, pointer="/routes/partners/plugins/key-auth"),))


def judged(endpoints: list[Endpoint]) -> tuple[ControlResult, dict[str, Finding]]:
    evaluation = evaluate_controls(Inventory(endpoints=tuple(endpoints), has_specs=True, has_gateway=True,
                                             has_traffic=False))
    result = next(c for c in evaluation.controls if c.id == "object_authorization")
    return result, {f.title.rsplit(" on ", 1)[0]: f for f in evaluation.findings if f.control == "object_authorization"}


def ids(kind: IdGuessability, reason: str) -> dict[str, object]:
    return {"id_guessability": kind, "id_guessability_reason": reason}


def test_sequential_ids_on_payment_data_behind_an_api_key_are_critical(endpoint: EndpointFactory) -> None:
    payments = endpoint("GET", "/v2/payments/{paymentId}", auth=KEY, data_classes=(DataClass.PCI,),
                        **ids(IdGuessability.SEQUENTIAL, "paymentId is declared integer (int64)"))
    result, findings = judged([payments])
    finding = findings["Sequential object ids on sensitive data without strong authentication"]
    assert finding.severity is Severity.CRITICAL
    assert "(pci)" in finding.detail
    assert "GET /v2/payments/{paymentId}: sequential (paymentId is declared integer (int64))" in finding.detail
    assert result.summary.endswith("1 take sequential ids, 0 UUIDs.")


def test_uuids_lower_the_severity_but_never_clear_the_finding(endpoint: EndpointFactory) -> None:
    payments = endpoint("GET", "/v2/payments/{paymentId}", auth=KEY, data_classes=(DataClass.PCI,),
                        **ids(IdGuessability.UNGUESSABLE, "paymentId is declared a UUID"))
    _, findings = judged([payments])
    finding = findings["UUID object ids without strong authentication"]
    assert finding.severity is Severity.MEDIUM
    assert "paymentId is declared a UUID" in finding.detail and "leak" in finding.detail


def test_sequential_ids_without_sensitive_data_and_unknown_ids_stay_high(endpoint: EndpointFactory) -> None:
    quotes = endpoint("GET", "/v2/quotes/{quoteId}", auth=KEY,
                      **ids(IdGuessability.SEQUENTIAL, "quoteId is declared integer"))
    notes = endpoint("GET", "/v2/notes/{noteId}", auth=KEY, data_classes=(DataClass.PII,),
                     **ids(IdGuessability.UNKNOWN, "the id's type is not declared as a number or a UUID"))
    _, findings = judged([quotes, notes])
    finding = findings["Object ids without strong authentication"]
    assert finding.severity is Severity.HIGH and finding.endpoints == ("GET /v2/notes/{noteId}",
                                                                      "GET /v2/quotes/{quoteId}")
    assert "How guessable the ids are:" in finding.detail and "sequential (quoteId is declared integer)" in finding.detail


def test_strong_authentication_with_sequential_ids_raises_no_guessability_finding(endpoint: EndpointFactory) -> None:
    claims = endpoint("GET", "/v2/claims/{claimId}", data_classes=(DataClass.PII,),
                      **ids(IdGuessability.SEQUENTIAL, "claimId is declared integer"))
    result, findings = judged([claims])
    assert findings == {}
    assert any("ownership checks" in text for text in result.limitations)
