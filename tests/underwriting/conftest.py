"""Assessments for the underwriting tests: a clean estate built from model types, changed one cause at a
time, and the demo estate scanned for real.

`clean_assessment()` is Harbor Assurance's partner API after a good quarter: two documented endpoints
behind OIDC and rate limits, one carrying personal data, every control passing, no findings, and specs,
gateway and traffic all given. Each coverage rule test adds exactly the cause its rule looks for.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from riskscan.controls.catalogue import default_catalogue
from riskscan.model import (
    AcceptedRisk,
    Assessment,
    AuthKind,
    AuthPosture,
    ControlResult,
    ControlStatus,
    DataClass,
    Endpoint,
    EndpointControlResult,
    Evidence,
    EvidenceStrength,
    Finding,
    Grade,
    GradeBasis,
    Inventory,
    Lifecycle,
    RateLimitPosture,
    Severity,
    SightingSource,
    TrafficStats,
)
from riskscan.pipeline import ScanOptions, scan

REPO_ROOT = Path(__file__).resolve().parents[2]
DEMO = REPO_ROOT / "examples" / "northwind-mutual"
SCANNED_AT = datetime(2026, 11, 24, 9, 30, tzinfo=UTC)
GATEWAY_FILE = "gateway/apisix.yaml"

OIDC = AuthPosture(effective=AuthKind.OIDC, declared=(AuthKind.OAUTH2,), enforced_by="gateway:partners",
                   evidence=(Evidence(path=GATEWAY_FILE, line=12, pointer="/routes/0"),))
LIMITED = RateLimitPosture(enforced=True, by=("limit-count by consumer (600/60s)",))


def endpoint(method: str, path: str, **changes: Any) -> Endpoint:
    """A documented, routed and called endpoint behind OIDC and a rate limit, with `changes` applied."""
    fields: dict[str, Any] = {
        "method": method, "path": path, "sources": (SightingSource.SPEC, SightingSource.GATEWAY),
        "lifecycle": Lifecycle.DOCUMENTED, "lifecycle_reason": "in specs/harbor.yaml, routed by partners",
        "auth": OIDC, "rate_limit": LIMITED, "is_logged": True, "loggers": ("http-logger",),
        "evidence": (Evidence(path="specs/harbor.yaml", line=20, pointer=f"/paths/{path}"),),
    }
    return Endpoint(**{**fields, **changes})


def finding(finding_id: str, control: str, severity: Severity, *keys: str, **changes: Any) -> Finding:
    """A finding with one piece of gateway evidence, as a control would raise it."""
    fields: dict[str, Any] = {
        "id": finding_id, "control": control, "severity": severity, "title": f"{control} weakness",
        "detail": "Detail.", "endpoints": keys,
        "evidence": (Evidence(path=GATEWAY_FILE, line=40 + len(finding_id), note=f"{finding_id} evidence"),),
    }
    return Finding(**{**fields, **changes})


def control(control_id: str, status: ControlStatus = ControlStatus.PASS, score: int | None = 100,
            endpoints: tuple[EndpointControlResult, ...] = ()) -> ControlResult:
    """A control result; unknown ones have no score and rest on nothing observable."""
    unknown = status is ControlStatus.UNKNOWN
    return ControlResult(
        id=control_id, name=control_id.replace("_", " "), score=None if unknown else score, status=status,
        summary="Summary.", weight=1,
        evidence_strength=EvidenceStrength.NOT_OBSERVABLE if unknown else EvidenceStrength.ENFORCED,
        endpoints=endpoints,
    )


CLEAN_ENDPOINTS = (
    endpoint("GET", "/v2/claims/{claimId}"),
    endpoint("GET", "/v2/customers/{customerId}", data_classes=(DataClass.PII,), has_schemas=True),
)


def clean_assessment(**changes: Any) -> Assessment:
    """Harbor Assurance with every control passing and no findings; `changes` replace fields, and
    `endpoints`, `controls` (by id) are merged into the clean ones."""
    extra_endpoints = changes.pop("endpoints", ())
    replaced = {c.id: c for c in changes.pop("controls", ())}
    controls = tuple(replaced.get(c.id, control(c.id)) for c in default_catalogue().controls)
    flags = ("has_specs", "has_gateway", "has_traffic")
    inventory_flags = {key: changes.pop(key) for key in flags if key in changes}
    inventory = Inventory(endpoints=(*CLEAN_ENDPOINTS, *extra_endpoints),
                          **{"has_specs": True, "has_gateway": True, "has_traffic": True, **inventory_flags})
    fields: dict[str, Any] = {
        "schema_version": "1.5", "tool_version": "0.1.0", "scanned_at": SCANNED_AT, "roots": ("harbor",),
        "inputs": (), "inventory": inventory, "controls": controls, "findings": (), "score": 100,
        "grade": Grade.A,
        "basis": GradeBasis(evidence_strength=EvidenceStrength.ENFORCED, statement="enforced",
                            controls_by_strength={EvidenceStrength.ENFORCED: len(controls)}, method="m"),
    }
    return Assessment(**{**fields, **changes})


def walk_traffic(hours: float, objects: int = 400, sequential: bool = True) -> TrafficStats:
    """Traffic where one client walked `objects` ids over `hours`."""
    start = datetime(2026, 11, 10, tzinfo=UTC)
    end = datetime.fromtimestamp(start.timestamp() + hours * 3600, tz=UTC)
    return TrafficStats(requests=objects + 50, clients=4, status_classes={"2xx": objects + 50},
                        first_seen=start, last_seen=end, distinct_paths=objects, max_paths_per_client=objects,
                        is_walk_sequential=sequential, busiest_requests=objects, busiest_window=(start, end),
                        evidence=(Evidence(path="logs/access.log", count=objects, sample_lines=(3, 9)),))


def accepted() -> AcceptedRisk:
    return AcceptedRisk(owner="Head of Partner Integration", reason="Compensated by the WAF (RISK-112)",
                        expires=date(2027, 3, 31), evidence=Evidence(path="exceptions.yaml", line=3))


@pytest.fixture(scope="session")
def demo_assessment() -> Assessment:
    """The bundled demo estate (Northwind Mutual behind APISIX), scanned for real, once."""
    return scan(ScanOptions(paths=(DEMO,), clock=lambda: SCANNED_AT))


# Real scans of small estates, shared by the questionnaire tests (a scan per session).
FIXTURES = REPO_ROOT / "tests" / "fixtures" / "questionnaires"
QUESTIONNAIRE_SCAN_TIME = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def scan_estate(path: Path = REPO_ROOT / "tests" / "fixtures" / "estate", **options: object) -> Assessment:
    """A scan of `path` at a fixed time, with any further `ScanOptions` fields."""
    return scan(ScanOptions(paths=(path,), clock=lambda: QUESTIONNAIRE_SCAN_TIME, **options))  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def demo() -> Assessment:
    """The demo estate (examples/northwind-mutual): gateway, specs and two weeks of traffic."""
    return scan_estate(DEMO)


@pytest.fixture(scope="session")
def spec_only() -> Assessment:
    """One spec and nothing else: most controls cannot be judged."""
    return scan_estate(REPO_ROOT / "tests" / "fixtures" / "spec-only")


# The exposure tests: the small insurer estate scanned, and controls set by hand on it.
TEST_FIXTURES = REPO_ROOT / "tests" / "fixtures"
ESTATE = TEST_FIXTURES / "estate"


@pytest.fixture(scope="session")
def estate_assessment() -> Assessment:
    """The small insurer estate of tests/fixtures/estate (specs, APISIX config, access logs), scanned."""
    return scan_estate(ESTATE)


def with_control(assessment: Assessment, control_id: str, status: ControlStatus,
                 severities: tuple[Severity, ...] = ()) -> Assessment:
    """`assessment` with one control's status set and its findings replaced by ones of `severities`."""
    score = {ControlStatus.PASS: 100, ControlStatus.PARTIAL: 70, ControlStatus.FAIL: 20}.get(status)
    strength = EvidenceStrength.ENFORCED if score is not None else EvidenceStrength.NOT_OBSERVABLE
    result = ControlResult(id=control_id, name=control_id, score=score, status=status,
                           summary="set by the test", weight=1.0, evidence_strength=strength)
    controls = tuple(c for c in assessment.controls if c.id != control_id) + (result,)
    prefix = control_id[:4].upper()
    findings = tuple(f for f in assessment.findings if f.control != control_id) + tuple(
        Finding(id=f"{prefix}-{900 + n}", control=control_id, severity=severity, title="t", detail="d",
                endpoints=(f"GET /v2/things/{{id{n}}}",))
        for n, severity in enumerate(severities))
    return assessment.model_copy(update={"controls": controls, "findings": findings})


def all_controls(assessment: Assessment, status: ControlStatus) -> Assessment:
    """`assessment` with every control at `status` and no findings: a clean (or blind) baseline."""
    for control in assessment.controls:
        assessment = with_control(assessment, control.id, status)
    return assessment


@pytest.fixture(scope="session")
def demo_pdf_pages() -> tuple[Assessment, list[str]]:
    """The demo estate with a $5M limit, 2M records and $800M revenue, rendered to PDF once: the scan
    and each page's text (whitespace collapsed), shared by the tests that read the demo's PDF."""
    import io

    from pypdf import PdfReader

    from riskscan.report import RENDERERS

    assessment = scan_estate(DEMO, limit=5_000_000, records=2_000_000, revenue=800_000_000)
    reader = PdfReader(io.BytesIO(RENDERERS["pdf"].render(assessment)))
    return assessment, [" ".join((page.extract_text() or "").split()) for page in reader.pages]
