"""Analysis results: findings, control results, the grade's basis and the finished assessment."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated

from pydantic import Field

from riskscan.model.base import Model, RedactedEndpointKey, RedactedFilePath, RedactedText
from riskscan.model.coverage import CoverageReview
from riskscan.model.exposure import Exposure
from riskscan.model.inputs import Evidence, InputFile
from riskscan.model.inventory import Inventory
from riskscan.model.kinds import ControlStatus, EvidenceStrength, Grade, InputFamily, Severity
from riskscan.model.questionnaires import QuestionnaireReport

__all__ = [
    "AcceptedRisk",
    "Assessment",
    "ControlResult",
    "EndpointControlResult",
    "Engagement",
    "EvidenceCoverage",
    "ExceptionStatus",
    "Finding",
    "GradeBasis",
    "RiskException",
    "TrafficCoverage",
]


class AcceptedRisk(Model):
    """Who accepted a finding as a known risk, why, and until when (from the exceptions file)."""

    owner: RedactedText
    reason: RedactedText
    expires: date
    evidence: Evidence  # the exception's entry: file and line


class ExceptionStatus(StrEnum):
    """What became of one entry of the exceptions file."""

    ACTIVE = "active"  # in force: the findings it names are accepted
    EXPIRED = "expired"  # past its expiry date: counts as absent, its findings stand
    PARTIAL = "partial"  # names only some endpoints of a finding: that finding stands
    UNMATCHED = "unmatched"  # no finding of this scan matches it


class RiskException(Model):
    """One entry of the exceptions file, as applied to this scan."""

    control: str | None = None
    finding: str | None = None
    endpoints: tuple[RedactedEndpointKey, ...] = ()
    owner: RedactedText
    reason: RedactedText
    expires: date
    status: ExceptionStatus
    findings: tuple[str, ...] = ()  # the findings it accepted (active) or would have (expired, partial)
    evidence: Evidence


class Finding(Model):
    """A weakness found by a control, on zero (organization-wide) or more endpoints."""

    id: str  # stable within a scan, e.g. "AUTH-001"
    control: str  # the control id that raised it
    severity: Severity
    title: RedactedText
    detail: RedactedText
    endpoints: tuple[RedactedEndpointKey, ...] = ()  # endpoint keys, "GET /v2/x/{id}"
    evidence: tuple[Evidence, ...] = ()
    # Evidence items past the catalogue's cap (`evidence_per_finding`): counted, not listed, so that a
    # reader of a long list knows it goes on.
    evidence_omitted: Annotated[int, Field(ge=0)] = 0
    owasp: str | None = None  # e.g. "API1:2023"
    remediation: RedactedText | None = None
    accepted: AcceptedRisk | None = None  # accepted as a known risk by an exception in force
    code: str | None = None  # the catalogue's finding code (AUTH_WEAK): what questionnaire rules name


class EndpointControlResult(Model):
    """How one control judged one endpoint: what an underwriter checks when an answer is "partial"."""

    key: RedactedEndpointKey  # "GET /v2/x/{id}"
    status: ControlStatus  # pass (no finding), partial (worst finding medium or low), fail (high or critical)
    evidence_strength: EvidenceStrength  # what decided it: enforced, observed or declared
    findings: tuple[str, ...] = ()  # ids of this control's findings that name the endpoint
    weight: float = 1.0  # its weight in the control's score: exposure x data x traffic (docs/scoring.md)


class TrafficCoverage(Model):
    """The traffic a result could rest on: the window the logs span and how much of it the specs
    document (API requests only; web content is counted apart)."""

    first_seen: datetime | None = None  # None when the logs carry no timestamps
    last_seen: datetime | None = None
    days: float | None = None  # last - first, in days (one decimal)
    requests: int  # requests reaching inventoried endpoints
    documented_requests: int  # of those, requests to endpoints a spec documents
    documented_share: float | None = None  # documented_requests / requests; None without requests


class EvidenceCoverage(Model):
    """How much the inputs could show for a control, or for the whole assessment: printed beside the
    score so that a figure never claims more than the inputs behind it."""

    traffic: TrafficCoverage | None = None  # None without traffic, or for a control that cannot use it
    endpoints_judged: int  # endpoint keys judged with evidence (enforced, observed or declared)
    endpoints_total: int  # endpoint keys in the inventory
    endpoint_share: float | None = None  # judged / total; None for an empty inventory
    routes_judged: int | None = None  # gateway routes serving a judged endpoint; None without routes
    routes_total: int | None = None
    route_share: float | None = None
    evidence_strength: EvidenceStrength
    missing_inputs: tuple[InputFamily, ...] = ()  # input kinds it can use that the scan was not given


class ControlResult(Model):
    """How well one control is in place across the estate, with its evidence and limits."""

    id: str
    name: str
    score: Annotated[int, Field(ge=0, le=100)] | None  # None when status is unknown
    status: ControlStatus
    summary: RedactedText
    weight: float
    evidence: tuple[Evidence, ...] = ()
    evidence_omitted: Annotated[int, Field(ge=0)] = 0  # past the catalogue's `evidence_per_control`
    limitations: tuple[RedactedText, ...] = ()  # what the inputs cannot show
    owasp: tuple[str, ...] = ()
    # The weakest evidence carrying a material share of the endpoints judged, and the endpoint count
    # at every level; `not_observable` with no counts when the status is unknown.
    evidence_strength: EvidenceStrength
    evidence_breakdown: dict[EvidenceStrength, int] = Field(default_factory=dict)
    # Every endpoint the control judged, by key; empty when the status is unknown or the control judges
    # the estate as a whole.
    endpoints: tuple[EndpointControlResult, ...] = ()
    coverage: EvidenceCoverage | None = None  # how much the inputs could show for this control


class GradeBasis(Model):
    """What the overall score and grade rest on, in the words the report prints on its cover."""

    evidence_strength: EvidenceStrength  # the weakest evidence carrying a material share of the weight
    statement: str  # e.g. "declared in specs only: not verified by gateway configuration or traffic"
    controls_by_strength: dict[EvidenceStrength, int]  # controls per level; unknown ones are not_observable
    unknown_controls: tuple[str, ...] = ()  # ids of the controls the inputs cannot show (scored as such)
    caps: tuple[str, ...] = ()  # why the grade is below the score's band, one sentence each
    method: str  # how the score and grade are made: the short version of docs/scoring.md
    coverage: EvidenceCoverage | None = None  # how much the inputs could show for the whole assessment


class Engagement(Model):
    """Who the assessment is about and for, as the cover names them (`--org`, `--prepared-for`,
    `--prepared-by`); each None when not given, and the report falls back to the scanned folders."""

    organization: RedactedText | None = None
    prepared_for: RedactedText | None = None  # e.g. the insurer or the underwriter
    prepared_by: RedactedText | None = None  # e.g. the broker or the security team


class Assessment(Model):
    """A finished scan: everything the report formats and the history stores."""

    schema_version: str
    tool_version: str
    scanned_at: datetime
    roots: tuple[RedactedFilePath, ...]
    inputs: tuple[InputFile, ...]
    inventory: Inventory
    controls: tuple[ControlResult, ...]
    findings: tuple[Finding, ...]
    score: Annotated[int, Field(ge=0, le=100)]
    grade: Grade
    basis: GradeBasis
    # With an exceptions file: every entry's outcome, and the score and grade with accepted findings
    # left out (`score` and `grade` always count every finding).
    exceptions: tuple[RiskException, ...] = ()
    score_excluding_accepted: Annotated[int, Field(ge=0, le=100)] | None = None
    grade_excluding_accepted: Grade | None = None
    engagement: Engagement = Field(default_factory=Engagement)
    # The coverage gaps the findings open and the indicative premium effect of each fix (underwriting).
    coverage: CoverageReview | None = None
    # Insurer questionnaires answered from this evidence, attestations beside them (None: not answered).
    questionnaires: QuestionnaireReport | None = None
    exposure: Exposure | None = None  # loss exposure (Open FAIR), from riskscan.underwriting.exposure
