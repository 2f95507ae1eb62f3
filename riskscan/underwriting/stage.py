"""The underwriting stage as the pipeline runs it: its files checked before any input is read, then each
part added to the finished controls stage in turn.

Questionnaires are answered first (attestations beside them), then the coverage gaps and the premium
roadmap, then the loss exposure; each part reads the assessment as the controls stage left it, so the
order only fixes what the JSON and the report show, not what any part concludes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from riskscan.model import Assessment, Attestation, Industry
from riskscan.underwriting.attestations import load_attestations
from riskscan.underwriting.coverage import review_coverage
from riskscan.underwriting.exposure_data import ScenarioFile, load_scenario_file
from riskscan.underwriting.questionnaire_schema import LoadedQuestionnaire
from riskscan.underwriting.questionnaires import answer_questionnaires, select_questionnaires
from riskscan.underwriting.rating_factors import RatingFactors, load_rating_factors

__all__ = ["ExposureInputs", "UnderwritingFiles", "UnderwritingRequest", "load_underwriting", "underwrite"]


@dataclass(frozen=True)
class ExposureInputs:
    """What the user told the loss model (`--revenue`, `--records`, `--industry`, `--limit`, `--seed`)."""

    revenue: float | None = None
    records: int | None = None
    industry: Industry | None = None
    limit: float | None = None
    seed: int | None = None


@dataclass(frozen=True)
class UnderwritingRequest:
    """The underwriting options of a scan: which files replace the defaults, and the exposure inputs."""

    questionnaires: tuple[str, ...] = ()  # ids or files; none: every shipped questionnaire
    attestations: Path | None = None
    rating_factors: Path | None = None
    exposure_scenarios: Path | None = None
    exposure: ExposureInputs = field(default_factory=ExposureInputs)


@dataclass(frozen=True)
class UnderwritingFiles:
    """Every underwriting file loaded and validated, before any input is read."""

    forms: tuple[LoadedQuestionnaire, ...]
    attestations: tuple[Attestation, ...]
    attestation_file: str | None
    factors: RatingFactors
    scenarios: ScenarioFile
    exposure: ExposureInputs


def load_underwriting(request: UnderwritingRequest, control_ids: frozenset[str]) -> UnderwritingFiles:
    """Load the questionnaires, attestations, rating factors and loss scenarios the request names (or the
    shipped ones); a bad file raises its one-line error before the scan reads anything."""
    forms = select_questionnaires(request.questionnaires)
    attested = (load_attestations(request.attestations, [loaded.form for loaded in forms])
                if request.attestations else ())
    return UnderwritingFiles(
        forms=forms,
        attestations=attested,
        attestation_file=request.attestations.name if request.attestations else None,
        factors=load_rating_factors(request.rating_factors),
        scenarios=load_scenario_file(request.exposure_scenarios, control_ids),
        exposure=request.exposure,
    )


def underwrite(assessment: Assessment, files: UnderwritingFiles) -> Assessment:
    """`assessment` with its questionnaires answered, coverage gaps and premium reviewed, and loss
    exposure modelled."""
    # numpy is imported by the loss model, once a scan has its controls, not when the command line starts
    from riskscan.underwriting.exposure import ExposureOptions, assess_exposure

    inputs = files.exposure
    industry = inputs.industry.value if inputs.industry is not None else None
    questionnaires = answer_questionnaires(assessment, files.forms, files.attestations, files.attestation_file)
    coverage = review_coverage(assessment, files.factors, industry=industry)
    exposure = assess_exposure(assessment, ExposureOptions(
        revenue=inputs.revenue, records=inputs.records, industry=inputs.industry, limit=inputs.limit,
        seed=inputs.seed), files.scenarios)
    return assessment.model_copy(
        update={"questionnaires": questionnaires, "coverage": coverage, "exposure": exposure})
