"""Attestations: kept apart from the evidence's answers, checked against them, and a misrepresentation risk
raised where a person claims more than the evidence shows."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from riskscan.cli import app
from riskscan.errors import UsageError
from riskscan.model import Assessment
from riskscan.model.questionnaires import AnswerState, QuestionnaireReport
from riskscan.underwriting.attestations import load_attestations, parse_attestations
from riskscan.underwriting.questionnaires import answer_questionnaires, select_questionnaires

from .conftest import FIXTURES

FORMS = select_questionnaires(["api-security-supplement"])


def attested(assessment: Assessment, name: str) -> QuestionnaireReport:
    path = FIXTURES / name
    return answer_questionnaires(
        assessment, FORMS, load_attestations(path, [f.form for f in FORMS]), path.name
    )


def test_yes_attested_over_partial_evidence_is_a_misrepresentation_risk(demo: Assessment) -> None:
    report = attested(demo, "attest-conflicting.yaml")
    risks = {risk.question: risk for risk in report.misrepresentation_risks}
    auth = risks["auth-everywhere"]
    assert (auth.attestation.answer, auth.attestation.who) == ("yes", "Dana Reyes, CISO")
    assert (auth.evidence_value, auth.evidence_state) == ("partial", AnswerState.PARTIAL)
    assert auth.endpoint_count > 0 and auth.endpoints and {"AUTH-001", "AUTH-003"} <= set(auth.findings)
    assert "Dana Reyes, CISO attested 'yes' on 2026-11-20" in auth.statement


def test_a_band_below_the_inventorys_is_a_misrepresentation_risk(demo: Assessment) -> None:
    risks = {
        risk.question: risk for risk in attested(demo, "attest-conflicting.yaml").misrepresentation_risks
    }
    count = risks["api-count"]
    assert (count.attestation.answer, count.evidence_value) == ("0-25", "26-100")


def test_an_attestation_fills_an_attestation_question_but_never_verifies_it(demo: Assessment) -> None:
    report = attested(demo, "attest-conflicting.yaml")
    mfa = next(a for a in report.questionnaires[0].answers if a.question == "admin-mfa")
    assert mfa.state is AnswerState.ATTESTATION_REQUIRED and mfa.value is None
    assert mfa.attestation is not None and mfa.attestation.answer == "yes"
    assert "admin-mfa" not in {risk.question for risk in report.misrepresentation_risks}
    assert (
        report.questionnaires[0].counts[AnswerState.VERIFIED]
        == answer_questionnaires(demo, FORMS).questionnaires[0].counts[AnswerState.VERIFIED]
    )


def test_attestations_consistent_with_the_evidence_raise_nothing(demo: Assessment) -> None:
    report = attested(demo, "attest-consistent.yaml")
    assert report.misrepresentation_risks == ()
    assert len(report.attestations) == 3
    shown = {a.question: a.attestation for a in report.questionnaires[0].answers if a.attestation}
    assert set(shown) == {"auth-everywhere", "api-count-exact", "zombie-apis"}


def test_secrets_planted_in_a_comment_never_reach_the_model(demo: Assessment) -> None:
    text = attested(demo, "attest-conflicting.yaml").model_dump_json()
    assert "hunter2-planted-secret" not in text and "c2VjcmV0dG9rZW5" not in text


HEAD = "attestations:\n  - questionnaire: api-security-supplement\n    who: Dana\n    when: 2026-11-20\n"

BAD = [
    pytest.param(
        HEAD + "    question: nope\n    answer: 'yes'\n", "'question' must be a question id", id="question"
    ),
    pytest.param(
        HEAD + "    question: auth-everywhere\n    answer: maybe\n", "one of yes, partial, no", id="answer"
    ),
    pytest.param(HEAD + "    question: api-count\n    answer: '1-10'\n", "one of the bands", id="band"),
    pytest.param(
        HEAD + "    question: documented-share\n    answer: 140\n", "from 0 to 100", id="percentage"
    ),
    pytest.param(
        HEAD.replace("2026-11-20", "last week") + "    question: admin-mfa\n    answer: 'yes'\n",
        "'when' must be a date",
        id="date",
    ),
    pytest.param(
        HEAD + "    question: admin-mfa\n    answer: 'yes'\n    signed: true\n",
        "unknown field 'signed'",
        id="field",
    ),
    pytest.param(
        HEAD.replace("api-security-supplement", "acme") + "    question: q\n    answer: 'yes'\n",
        "'questionnaire' must be one of those answered",
        id="questionnaire",
    ),
    pytest.param(
        HEAD
        + "    question: admin-mfa\n    answer: 'yes'\n"
        + HEAD.split("\n", 1)[1]
        + "    question: admin-mfa\n    answer: 'no'\n",
        "attested twice",
        id="twice",
    ),
    pytest.param("attestations: {}\n", "expected a top-level 'attestations' list", id="shape"),
]


@pytest.mark.parametrize(("text", "problem"), BAD)
def test_a_bad_attestation_is_one_line_naming_file_line_and_problem(text: str, problem: str) -> None:
    with pytest.raises(UsageError) as caught:
        parse_attestations(text, Path("attest.yaml"), [f.form for f in FORMS])
    message = str(caught.value)
    assert message.startswith("attest.yaml:") and problem in message and "\n" not in message


def test_a_bad_attestation_file_stops_the_scan_before_inputs_are_read(tmp_path: Path) -> None:
    bad = tmp_path / "attest.yaml"
    bad.write_text(str(BAD[1].values[0]), encoding="utf-8")
    result = CliRunner().invoke(app, ["scan", str(tmp_path / "missing"), "--no-db", "--attest", str(bad)])
    assert result.exit_code == 2 and "attest.yaml:2: attestation 1: 'answer' must be" in result.stderr


def test_each_direction_of_overclaiming_is_caught_and_modesty_is_not(demo: Assessment) -> None:
    text = HEAD.replace("    who: Dana\n", "    who: Dana\n    question: zombie-apis\n    answer: 'yes'\n")
    for question, answer in (
        ("documented-share", "100"),
        ("api-count-exact", "70"),
        ("strong-auth-share", "50"),
    ):
        text += HEAD.split("\n", 1)[1] + f"    question: {question}\n    answer: {answer}\n"
    attestations = parse_attestations(text, Path("attest.yaml"), [f.form for f in FORMS])
    report = answer_questionnaires(demo, FORMS, attestations, "attest.yaml")
    flagged = {risk.question: risk for risk in report.misrepresentation_risks}
    # yes over contradicted evidence; a share above the evidence's 79.7%; but a count above the inventory's
    # (over-declaring) and a share below the evidence's claim less than the evidence, and are not flagged
    assert set(flagged) == {"zombie-apis", "documented-share"}
    assert flagged["zombie-apis"].evidence_state is AnswerState.CONTRADICTED
    assert flagged["zombie-apis"].endpoint_count == 5
