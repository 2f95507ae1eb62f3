"""The JSON report: riskscan's versioned, machine-readable contract.

The document's shape is described by `assessment.schema.json` beside this module and documented in
`docs/json-output.md`. Output is deterministic for a given `Assessment`: object keys are sorted,
arrays are sorted by stable keys (endpoints by path, method and host; findings, controls and inputs by
id or path), text is UTF-8 with an indent of two and a trailing newline. Nothing here reads inputs,
scores or reads the clock: it only lays out what the assessment already holds.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from riskscan.model import (
    Assessment,
    AuthKind,
    ControlResult,
    Endpoint,
    Evidence,
    EvidenceCoverage,
    EvidenceStrength,
    Exposure,
    Finding,
    GradeBasis,
    InputFile,
    InputStatus,
    Lifecycle,
    RiskException,
    Severity,
    TrafficStats,
    WebContent,
    WebContentClass,
)
from riskscan.redaction import CONTROL_CHARACTERS
from riskscan.report.ciphers_json import ciphers_document
from riskscan.report.coverage_json import coverage_gaps_document, premium_document
from riskscan.report.questionnaire_json import questionnaires_document

__all__ = ["SCHEMA_PATH", "JsonRenderer", "assessment_document", "finding_ids_by_endpoint", "render_json"]

SCHEMA_PATH = Path(__file__).resolve().parent / "assessment.schema.json"
"""The committed JSON Schema (draft 2020-12) every JSON report validates against."""

TOOL_NAME = "riskscan"

Document = dict[str, Any]


class JsonRenderer:
    """Renders an `Assessment` as the JSON document of `assessment.schema.json`."""

    name = "json"
    suffixes: tuple[str, ...] = (".json",)
    media_type = "application/json"
    is_binary = False

    def render(self, assessment: Assessment) -> bytes:
        """The JSON report as UTF-8 bytes."""
        return render_json(assessment)


def render_json(assessment: Assessment) -> bytes:
    """Serialize `assessment` deterministically: sorted keys, indent 2, trailing newline."""
    text = json.dumps(assessment_document(assessment), indent=2, sort_keys=True, ensure_ascii=False)
    # Second line of defence behind the model's gate: bidi, separator and C1 characters travel escaped,
    # so that no viewer of the file shows text reordered or broken (json.dumps escapes only C0).
    text = CONTROL_CHARACTERS.sub(lambda found: f"\\u{ord(found[0]):04x}", text)
    return (text + "\n").encode("utf-8")


def assessment_document(assessment: Assessment) -> Document:
    """The JSON report as plain Python data (dicts, lists, strings, numbers, None)."""
    findings_by_key = finding_ids_by_endpoint(assessment.findings)
    endpoints = sorted(assessment.inventory.endpoints, key=_endpoint_order)
    return {
        "schema_version": assessment.schema_version,
        "tool": {"name": TOOL_NAME, "version": assessment.tool_version},
        "scanned_at": _timestamp(assessment.scanned_at),
        "roots": list(assessment.roots),
        "engagement": {
            "organization": assessment.engagement.organization,
            "prepared_for": assessment.engagement.prepared_for,
            "prepared_by": assessment.engagement.prepared_by,
        },
        "summary": _summary(assessment),
        "score": assessment.score,
        "grade": assessment.grade.value,
        "basis": _basis(assessment.basis),
        "inputs": [_input(item) for item in sorted(assessment.inputs, key=lambda i: i.path)],
        "endpoints": [_endpoint(e, findings_by_key.get(e.key, [])) for e in endpoints],
        "findings": [_finding(f) for f in sorted(assessment.findings, key=lambda f: f.id)],
        "controls": [_control(c) for c in sorted(assessment.controls, key=lambda c: c.id)],
        "exceptions": [_exception(entry) for entry in assessment.exceptions],
        "score_excluding_accepted": assessment.score_excluding_accepted,
        "grade_excluding_accepted": (assessment.grade_excluding_accepted.value
                                     if assessment.grade_excluding_accepted else None),
        "coverage_gaps": coverage_gaps_document(assessment.coverage, _evidence),
        "premium": premium_document(assessment.coverage),
        "questionnaires": questionnaires_document(assessment.questionnaires, _evidence),
        "exposure": _exposure(assessment.exposure),
        "tls_ciphers": ciphers_document(assessment.inventory, _evidence),
    }


def _exposure(exposure: Exposure | None) -> Document | None:
    """The loss exposure as the model holds it, with its headline sentence; null when not modelled."""
    if exposure is None:
        return None
    return {**exposure.model_dump(mode="json"), "headline": exposure.headline}


def _summary(assessment: Assessment) -> Document:
    endpoints = assessment.inventory.endpoints
    lifecycles = Counter(e.lifecycle for e in endpoints)
    severities = Counter(f.severity for f in assessment.findings)
    statuses = Counter(i.status for i in assessment.inputs)
    return {
        "score": assessment.score,
        "grade": assessment.grade.value,
        "evidence_strength": assessment.basis.evidence_strength.value,
        "endpoints": len(endpoints),
        "by_lifecycle": {lifecycle.value: lifecycles[lifecycle] for lifecycle in Lifecycle},
        "unauthenticated": sum(1 for e in endpoints if e.auth.effective is AuthKind.NONE and e.auth.is_known),
        "unthrottled": sum(1 for e in endpoints if e.rate_limit.enforced is False),
        "throttling_unknown": sum(1 for e in endpoints if e.rate_limit.enforced is None),
        "findings_by_severity": {severity.value: severities[severity] for severity in Severity},
        "inputs": {status.value: statuses[status] for status in InputStatus},
        "web_content": _web_content(assessment.inventory.web_content),
    }


def _web_content(web_content: WebContent) -> Document:
    """Requests for pages, downloads and assets set apart from the inventory, every class listed."""
    by_class = web_content.requests_by_class
    return {
        "requests": web_content.requests,
        "distinct_paths": web_content.distinct_paths,
        "by_class": {kind.value: by_class.get(kind, 0) for kind in WebContentClass},
    }


def _basis(basis: GradeBasis) -> Document:
    return {
        "evidence_strength": basis.evidence_strength.value,
        "statement": basis.statement,
        "controls_by_strength": _levels(basis.controls_by_strength),
        "unknown_controls": list(basis.unknown_controls),
        "caps": list(basis.caps),
        "method": basis.method,
        "coverage": _coverage(basis.coverage),
    }


def _levels(counts: dict[EvidenceStrength, int]) -> Document:
    """A count for every evidence level, zeros included."""
    return {level.value: counts.get(level, 0) for level in EvidenceStrength}


def _input(item: InputFile) -> Document:
    return {
        "path": item.path,
        "kind": item.kind.value if item.kind else None,
        "status": item.status.value,
        "message": item.message,
    }


def _endpoint(endpoint: Endpoint, finding_ids: list[str]) -> Document:
    auth, rate_limit = endpoint.auth, endpoint.rate_limit
    return {
        "method": endpoint.method,
        "path": endpoint.path,
        "host": endpoint.host,
        "operation_id": endpoint.operation_id,
        "api": endpoint.api,
        "sources": sorted(source.value for source in endpoint.sources),
        "lifecycle": endpoint.lifecycle.value,
        "lifecycle_reason": endpoint.lifecycle_reason,
        "deprecated": endpoint.deprecated,
        "superseded_by": endpoint.superseded_by,
        "route_ids": list(endpoint.route_ids),
        "data_classes": [data_class.value for data_class in endpoint.data_classes],
        "sensitive_fields": [
            {"name": f.name, "data_class": f.data_class.value, "location": f.location.value}
            for f in endpoint.sensitive_fields
        ],
        "auth": {
            "effective": auth.effective.value if auth.is_known else None,
            "known": auth.is_known,
            "declared": [kind.value for kind in auth.declared],
            "enforced_by": auth.enforced_by,
            "allows_anonymous": auth.allows_anonymous,
        },
        "rate_limit": {
            "enforced": rate_limit.enforced,
            "by": list(rate_limit.by),
            "keying": rate_limit.keying.value if rate_limit.keying else None,
            "declared": _evidence((rate_limit.declared,))[0] if rate_limit.declared else None,
        },
        "logging": {
            "logged": endpoint.is_logged,
            "loggers": list(endpoint.loggers),
            "monitors": list(endpoint.monitors),
        },
        "traffic": _traffic(endpoint.traffic) if endpoint.traffic else None,
        "findings": sorted(finding_ids),
        "exposure": endpoint.exposure.value,
        "exposure_reason": endpoint.exposure_reason,
        "id_guessability": _guessability(endpoint),
    }


def _guessability(endpoint: Endpoint) -> Document | None:
    """How guessable the endpoint's object ids are, and why; None when its path takes no id."""
    if endpoint.id_guessability is None:
        return None
    return {"kind": endpoint.id_guessability.value, "reason": endpoint.id_guessability_reason or ""}


def _traffic(traffic: TrafficStats) -> Document:
    document: Document = {
        "requests": traffic.requests,
        "clients": traffic.clients,
        "status_classes": dict(traffic.status_classes),
        "first_seen": _timestamp(traffic.first_seen) if traffic.first_seen else None,
        "last_seen": _timestamp(traffic.last_seen) if traffic.last_seen else None,
        "distinct_paths": traffic.distinct_paths,
        "unauthorized": traffic.unauthorized,
        "throttled": traffic.throttled,
        "peak_failed_auth_per_minute": traffic.peak_failed_auth_per_minute,
        "query_keys": dict(traffic.query_keys),
        "peak_requests_per_minute": traffic.peak_requests_per_minute,
        "peak_rate_minute": _timestamp(traffic.peak_rate_minute) if traffic.peak_rate_minute else None,
    }
    if traffic.response_fields:  # only captures with bodies (HAR) show them
        document["response_fields"] = list(traffic.response_fields)
    return document


def _finding(finding: Finding) -> Document:
    return {
        "id": finding.id,
        "control": finding.control,
        "severity": finding.severity.value,
        "title": finding.title,
        "detail": finding.detail,
        "endpoints": list(finding.endpoints),
        "evidence": _evidence(finding.evidence),
        "evidence_omitted": finding.evidence_omitted,
        "owasp": finding.owasp,
        "remediation": finding.remediation,
        "accepted": _accepted(finding),
    }


def _accepted(finding: Finding) -> Document | None:
    """Who accepted the finding as a known risk, until when and why; None when it stands."""
    risk = finding.accepted
    if risk is None:
        return None
    return {"owner": risk.owner, "reason": risk.reason, "expires": risk.expires.isoformat(),
            "evidence": _evidence((risk.evidence,))[0]}


def _exception(entry: RiskException) -> Document:
    return {
        "control": entry.control,
        "finding": entry.finding,
        "endpoints": list(entry.endpoints),
        "owner": entry.owner,
        "reason": entry.reason,
        "expires": entry.expires.isoformat(),
        "status": entry.status.value,
        "findings": list(entry.findings),
        "evidence": _evidence((entry.evidence,))[0],
    }


def _control(control: ControlResult) -> Document:
    return {
        "id": control.id,
        "name": control.name,
        "score": control.score,
        "status": control.status.value,
        "summary": control.summary,
        "weight": control.weight,
        "evidence": _evidence(control.evidence),
        "evidence_omitted": control.evidence_omitted,
        "limitations": list(control.limitations),
        "owasp": list(control.owasp),
        "evidence_strength": control.evidence_strength.value,
        "evidence_breakdown": _levels(control.evidence_breakdown),
        "endpoints": [
            {"endpoint": result.key, "status": result.status.value,
             "evidence_strength": result.evidence_strength.value, "findings": list(result.findings),
             "weight": result.weight}
            for result in control.endpoints
        ],
        "coverage": _coverage(control.coverage),
    }


def _coverage(coverage: EvidenceCoverage | None) -> Document | None:
    """How much the inputs could show; None when the assessment was built without it."""
    if coverage is None:
        return None
    traffic = coverage.traffic
    return {
        "traffic": None if traffic is None else {
            "first_seen": _timestamp(traffic.first_seen) if traffic.first_seen else None,
            "last_seen": _timestamp(traffic.last_seen) if traffic.last_seen else None,
            "days": traffic.days,
            "requests": traffic.requests,
            "documented_requests": traffic.documented_requests,
            "documented_share": traffic.documented_share,
        },
        "endpoints_judged": coverage.endpoints_judged,
        "endpoints_total": coverage.endpoints_total,
        "endpoint_share": coverage.endpoint_share,
        "routes_judged": coverage.routes_judged,
        "routes_total": coverage.routes_total,
        "route_share": coverage.route_share,
        "evidence_strength": coverage.evidence_strength.value,
        "missing_inputs": [family.value for family in coverage.missing_inputs],
    }


def _evidence(items: Iterable[Evidence]) -> list[Document]:
    return [
        {
            "path": item.path,
            "line": item.line,
            "end_line": item.end_line,
            "pointer": item.pointer,
            "excerpt": item.excerpt,
            "count": item.count,
            "sample_lines": list(item.sample_lines),
            "note": item.note,
        }
        for item in items
    ]


def finding_ids_by_endpoint(findings: Iterable[Finding]) -> dict[str, list[str]]:
    """Endpoint key ("GET /v2/x/{id}") -> ids of the findings that name it."""
    by_key: dict[str, list[str]] = {}
    for finding in findings:
        for key in dict.fromkeys(finding.endpoints):  # a finding naming a key twice counts once
            by_key.setdefault(key, []).append(finding.id)
    return by_key


def _endpoint_order(endpoint: Endpoint) -> tuple[str, str, str]:
    return (endpoint.path, endpoint.method, endpoint.host or "")


def _timestamp(moment: datetime) -> str:
    """RFC 3339 text; a naive time (none is expected) is taken to be UTC so the text stays valid."""
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).isoformat()
