"""The executive summary leads with what an underwriter asks first: questionnaire readiness, open coverage
gaps, the indicative premium reduction and the modelled loss against the limit, each linked to its section."""

from __future__ import annotations

import html as html_module
import re

import pytest

from riskscan.model import Assessment, GapState
from riskscan.model.exposure import format_usd
from riskscan.report import RENDERERS
from riskscan.report.underwriting_view import build_underwriting_summary

from .conftest import DEMO, FIXTURES, scan_estate


@pytest.fixture(scope="module")
def attested_demo() -> Assessment:
    """The demo estate with a conflicting attestation and a policy limit of $5M."""
    return scan_estate(DEMO, attestations=FIXTURES / "attest-conflicting.yaml", limit=5_000_000)


def summary_text(assessment: Assessment) -> str:
    page = RENDERERS["html"].render(assessment).decode("utf-8")
    section = page[page.index('id="summary"'):page.index('id="questionnaires"')]
    return html_module.unescape(" ".join(re.sub(r"<[^>]+>", " ", section).split()))


def test_the_summary_leads_with_readiness_gaps_premium_and_exposure(attested_demo: Assessment) -> None:
    view = build_underwriting_summary(attested_demo)
    assert view is not None
    assert [figure.label for figure in view.figures] == [
        "Questionnaire readiness", "Coverage gaps open", "Indicative premium reduction", "Modelled loss exposure"]
    assert [figure.anchor for figure in view.figures] == ["questionnaires", "coverage", "premium", "exposure"]
    report, coverage, exposure = attested_demo.questionnaires, attested_demo.coverage, attested_demo.exposure
    assert report is not None and coverage is not None and exposure is not None
    readiness, gaps, premium, loss = view.figures
    assert readiness.value == f"{report.readiness:.0%}" and readiness.css == "fig-bad"  # an attestation claims more
    open_gaps = [gap for gap in coverage.gaps if gap.state is GapState.OPEN]
    assert gaps.value == str(len(open_gaps)) and open_gaps
    assert premium.value == str(coverage.premium.combined)
    assert loss.value == format_usd(exposure.combined.p99_usd) and "$5M limit" in loss.note
    assert [gap.title for gap in view.top_gaps] == [gap.title for gap in open_gaps[:3]]
    assert view.misrepresentation and view.misrepresentation[0] == report.misrepresentation_risks[0].statement


def test_the_html_summary_shows_them_before_the_evidence_basis(attested_demo: Assessment) -> None:
    text = summary_text(attested_demo)
    lead = text.index("For the underwriter")
    assert lead < text.index("Evidence basis")
    assert "Misrepresentation risk: attested answers that claim more than the evidence" in text
    assert "Top coverage gaps" in text and "Endorsement to ask for" in text
    assert "indicative, industry claims, not a quote" in text
    assert attested_demo.exposure is not None and attested_demo.exposure.headline in text


def test_without_underwriting_parts_there_is_no_lead(attested_demo: Assessment) -> None:
    bare = attested_demo.model_copy(update={"questionnaires": None, "coverage": None, "exposure": None})
    assert build_underwriting_summary(bare) is None
    page = RENDERERS["html"].render(bare).decode("utf-8")
    assert "For the underwriter" not in page
