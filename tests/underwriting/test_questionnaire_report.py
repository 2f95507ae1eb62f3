"""The HTML and PDF questionnaires section: readiness per questionnaire, every answer with its state in
words and a mark, the evidence cited, attested answers beside them and misrepresentation risks first."""

from __future__ import annotations

import re

import pytest

from riskscan.model import Assessment
from riskscan.report.html_report import render_html
from riskscan.report.questionnaire_view import build_questionnaires_view

from .conftest import FIXTURES, REPO_ROOT, scan_estate


@pytest.fixture(scope="module")
def attested_page() -> str:
    assessment = scan_estate(
        REPO_ROOT / "examples" / "northwind-mutual", attestations=FIXTURES / "attest-conflicting.yaml"
    )
    return render_html(assessment, medium="print")


def test_each_questionnaire_has_a_readiness_line(demo: Assessment) -> None:
    page = render_html(demo)
    assert page.count("Readiness ") == 3
    assert re.search(r"Readiness \d+%</strong>: \d+ of 32 answers verified from evidence", page)


def test_states_are_words_and_marks_with_the_rule_and_evidence(demo: Assessment) -> None:
    page = render_html(demo)
    for words in ("verified", "partial", "contradicted", "attestation required"):
        assert f"</span>{words}</span>" in page
    assert "Rule: controls in place: rate_limit" in page
    assert "findings RATE-001, RATE-002" in page


def test_misrepresentation_risks_lead_the_section(attested_page: str) -> None:
    section = attested_page.split('id="questionnaires"', 1)[1]
    risks = section.index("Misrepresentation risks: attested answers the evidence does not support")
    assert risks < section.index("Readiness ")
    assert "Dana Reyes, CISO attested &#39;yes&#39; on 2026-11-20" in section
    assert "Attested: yes, attested by Sam Okafor, IT manager on 2026-11-21" in section


def test_planted_secrets_in_an_attestation_never_reach_the_page(attested_page: str) -> None:
    assert "hunter2-planted-secret" not in attested_page and "c2VjcmV0dG9rZW5" not in attested_page


def test_no_questionnaire_no_section(demo: Assessment) -> None:
    bare = demo.model_copy(update={"questionnaires": None})
    assert build_questionnaires_view(bare.questionnaires) is None
    assert 'id="questionnaires"' not in render_html(bare)
