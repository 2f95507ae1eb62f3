"""Object-property exposure and data minimization (OWASP API3:2023).

The inventory classifies each documented endpoint's fields and parameters into data classes (pci,
pii, phi, credentials, financial: `inventory/data_classes.yaml`). This control judges what that data
is exposed to: credentials returned in responses, sensitive classes served to anonymous callers or
behind weak authentication, personal data carried in URLs (which land in access logs, proxies and
browser histories), payment card data (PCI DSS scope) and write bodies that accept properties their
schema does not name (mass assignment). Specs declare schemas, so every result is `declared`; without
a spec showing schemas the control is unknown.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from riskscan.controls.auth import is_anonymous
from riskscan.controls.catalogue import Control
from riskscan.controls.outcome import (
    ControlOutcome,
    FindingDraft,
    draft_finding,
    key_count,
    known_outcome,
    reachable_endpoints,
    unknown_outcome,
)
from riskscan.model import (
    DataClass,
    Endpoint,
    Evidence,
    EvidenceStrength,
    FieldLocation,
    Inventory,
    SensitiveField,
)

__all__ = ["evaluate_data_exposure"]

_SENSITIVE = frozenset({DataClass.PCI, DataClass.PHI, DataClass.CREDENTIALS, DataClass.FINANCIAL})
_EXPLICIT_OPEN = "additionalProperties: true"


def evaluate_data_exposure(inventory: Inventory, control: Control) -> ControlOutcome:
    """Judge the data classes of every reachable endpoint whose schemas a spec shows, or whose responses
    a capture (HAR) showed."""
    judged = [e for e in reachable_endpoints(inventory) if e.has_schemas or _was_captured(e)]
    if not judged:
        return unknown_outcome(control, "no_schemas" if inventory.has_specs else "no_specs")
    groups: dict[str, list[Endpoint]] = {
        "DATA_CREDENTIALS_RETURNED": _carrying(judged, {DataClass.CREDENTIALS}, FieldLocation.RESPONSE),
        "DATA_ANONYMOUS": [e for e in judged if e.auth.is_known and is_anonymous(e) and e.data_classes],
        "DATA_WEAK_AUTH": [e for e in judged if _weakly_guarded(e) and set(e.data_classes) & _SENSITIVE],
        "DATA_IN_URL": _carrying(judged, set(DataClass), FieldLocation.URL),
        "DATA_CARD": _carrying(judged, {DataClass.PCI}, None),
        "DATA_OPEN_BODY_EXPLICIT": [e for e in judged if e.open_body and e.open_body.note == _EXPLICIT_OPEN],
        "DATA_OPEN_BODY": [e for e in judged if e.open_body and e.open_body.note != _EXPLICIT_OPEN],
    }
    drafts = [
        draft_finding(control, code, group, _evidence(group, code),
                      classes=_classes(group), fields=_fields(group))
        for code, group in groups.items()
        if group
    ]
    carrying = [e for e in judged if e.data_classes]
    return known_outcome(
        control, judged, drafts,
        strength=lambda e: EvidenceStrength.OBSERVED if _was_captured(e) else EvidenceStrength.DECLARED,
        limitations=[control.limitation(key) for key in ("names_only", "backend")],
        evidence=_unflagged_evidence(judged, drafts),
        carrying=key_count(carrying), classes=_classes(carrying) or "none",
        open_bodies=key_count(e for e in judged if e.open_body),
    )


def _unflagged_evidence(judged: Sequence[Endpoint], drafts: Sequence[FindingDraft]) -> list[Evidence]:
    """What a pass rests on: where each endpoint no finding names is documented, and the fields that
    show the sensitive data it carries (guarded well enough: a pass citing nothing asks for trust)."""
    flagged = {key for draft in drafts for key in draft.endpoints}
    return [item for e in judged if e.key not in flagged for item in (*e.evidence[:1], *_field_evidence(e))]


def _was_captured(endpoint: Endpoint) -> bool:
    """True when traffic showed the endpoint's response bodies (their field names, from a HAR)."""
    return endpoint.traffic is not None and bool(endpoint.traffic.response_fields)


def _carrying(
    endpoints: Iterable[Endpoint], classes: set[DataClass], where: FieldLocation | None
) -> list[Endpoint]:
    """Endpoints with a field of one of `classes` at `where` (anywhere when None)."""
    def found(f: SensitiveField) -> bool:
        return f.data_class in classes and (where is None or f.location is where)

    return [e for e in endpoints if any(found(f) for f in e.sensitive_fields)]


def _weakly_guarded(endpoint: Endpoint) -> bool:
    """Authenticated, but not with a per-caller mechanism (static keys, passwords, opaque tokens)."""
    return endpoint.auth.is_known and not is_anonymous(endpoint) and not endpoint.auth.effective.is_strong


def _classes(endpoints: Sequence[Endpoint]) -> str:
    found = {data_class for e in endpoints for data_class in e.data_classes}
    return ", ".join(data_class.value for data_class in DataClass if data_class in found)


def _fields(endpoints: Sequence[Endpoint]) -> str:
    """`cardNumber (pci), email (pii)`: a few of the fields that show the classes, never values."""
    names = dict.fromkeys(f"{f.name} ({f.data_class.value})" for e in endpoints for f in e.sensitive_fields)
    shown = list(names)[:6]
    return ", ".join(shown) + (f" and {len(names) - 6} more" if len(names) > 6 else "")


_EVIDENCE: dict[str, Callable[[Endpoint], Iterable[Evidence]]] = {
    "DATA_OPEN_BODY_EXPLICIT": lambda e: [e.open_body] if e.open_body else [],
    "DATA_OPEN_BODY": lambda e: [e.open_body] if e.open_body else [],
    "DATA_ANONYMOUS": lambda e: [*e.auth.evidence, *(f.evidence for f in e.sensitive_fields)],
    "DATA_WEAK_AUTH": lambda e: [*e.auth.evidence, *(f.evidence for f in e.sensitive_fields)],
}


def _evidence(endpoints: Sequence[Endpoint], code: str) -> list[Evidence]:
    """The schema nodes that show the cause: the fields, or the open body, and the auth for exposure."""
    pick = _EVIDENCE.get(code, _field_evidence)
    return [item for e in endpoints for item in pick(e)]


def _field_evidence(endpoint: Endpoint) -> list[Evidence]:
    return [f.evidence for f in endpoint.sensitive_fields]
