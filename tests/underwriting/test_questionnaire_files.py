"""Questionnaire files: the shipped ones validate, a broker's own form works without code, and a bad form
is one line naming the file, the line and the problem."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from riskscan.cli import app
from riskscan.errors import UsageError
from riskscan.model import Assessment
from riskscan.model.questionnaires import AnswerState
from riskscan.underwriting.questionnaire_schema import parse_questionnaire
from riskscan.underwriting.questionnaires import answer_questionnaire, select_questionnaires

from .conftest import FIXTURES

BROKER_FORM = FIXTURES / "broker-carrier-form.yaml"

HEAD = "id: f\ntitle: F\nversion: '1'\nsections:\n  - id: s\n    title: S\n    questions:\n"


def question(body: str) -> str:
    return HEAD + "\n".join("      " + line for line in body.strip("\n").splitlines()) + "\n"


BAD_FORMS = [
    pytest.param(
        question("- id: q\n  text: T\n  answer: yes_no\n  rule: {kind: controls_in_place, controls: [auht]}"),
        11,
        "unknown control 'auht'",
        id="unknown-control",
    ),
    pytest.param(
        question("- id: q\n  text: T\n  answer: number\n  rule: {kind: inventory_metric, metric: api_count}"),
        11,
        "metric",
        id="unknown-metric",
    ),
    pytest.param(
        question("- id: q\n  text: T\n  answer: yes_no\n  rule: {kind: no_findings, codes: [AUTH_NOPE]}"),
        11,
        "unknown finding code 'AUTH_NOPE'",
        id="unknown-code",
    ),
    pytest.param(
        question(
            "- id: q\n  text: T\n  answer: choice\n  bands:\n    - {label: a, from: 0, to: 10}\n"
            "    - {label: b, from: 12}\n  rule: {kind: inventory_metric, metric: endpoint_count}"
        ),
        8,
        "bands do not cover the range: 'b' starts at 12, expected 11",
        id="band-gap",
    ),
    pytest.param(
        question(
            "- id: q\n  text: T\n  answer: choice\n  bands:\n    - {label: a, from: 1, to: 10}\n"
            "    - {label: b, from: 11}\n  rule: {kind: inventory_metric, metric: endpoint_count}"
        ),
        8,
        "the first starts at 1, not 0",
        id="band-start",
    ),
    pytest.param(
        question(
            "- id: q\n  text: T\n  answer: yes_no\n  attestation: required\n"
            "- id: q\n  text: U\n  answer: yes_no\n  attestation: required"
        ),
        12,
        "duplicate question id 'q'",
        id="duplicate-id",
    ),
    pytest.param(
        question("- id: q\n  text: T\n  answer: yes_no"),
        8,
        "give exactly one of 'rule' and 'attestation: required'",
        id="no-rule",
    ),
    pytest.param(
        question(
            "- id: q\n  text: T\n  answer: percentage\n  rule: {kind: inventory_metric, metric: shadow_count}"
        ),
        8,
        "not a percentage",
        id="wrong-unit",
    ),
    pytest.param(
        question(
            "- id: q\n  text: T\n  answer: yes_no\n  rule: {kind: inventory_metric, metric: shadow_count}"
        ),
        8,
        "needs a 'yes_when' threshold",
        id="no-threshold",
    ),
    pytest.param("id: f\ntitle: F\nversion: '1'\nsections: [\n", 1, "not valid YAML", id="truncated"),
    pytest.param(
        "id: f\ntitle: F\nversion: 1\nsections: 5\n",
        4,
        "sections: Input should be a valid tuple",
        id="wrong-type",
    ),
    pytest.param(
        "a: &a [x,x,x,x,x,x,x,x,x]\n"
        + "".join(
            f"{chr(98 + i)}: &{chr(98 + i)} [" + ",".join([f"*{chr(97 + i)}"] * 9) + "]\n" for i in range(8)
        ),
        1,
        "alias bomb",
        id="alias-bomb",
    ),
]


@pytest.mark.parametrize(("text", "line", "problem"), BAD_FORMS)
def test_a_bad_form_is_one_line_naming_file_line_and_problem(text: str, line: int, problem: str) -> None:
    with pytest.raises(UsageError) as caught:
        parse_questionnaire(text, Path("carrier.yaml"))
    message = str(caught.value)
    assert "\n" not in message and problem in message
    if "YAML" not in problem and "alias" not in problem:
        assert message.startswith(f"carrier.yaml:{line}: ")


def test_a_brokers_own_form_is_answered_without_code(demo: Assessment) -> None:
    loaded = select_questionnaires([str(BROKER_FORM)])[0]
    assert (loaded.form.id, loaded.form.version, loaded.source) == (
        "acme-carrier-api-form",
        "2027.1",
        "broker-carrier-form.yaml",
    )
    result = answer_questionnaire(loaded, demo)
    by_id = {a.question: a for a in result.answers}
    assert by_id["q1"].value == "20-99"
    assert by_id["q2"].state is AnswerState.PARTIAL
    assert (by_id["q3"].value, by_id["q3"].state) == ("no", AnswerState.CONTRADICTED)
    assert by_id["q4"].state is AnswerState.ATTESTATION_REQUIRED


def test_an_unknown_questionnaire_id_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="no such questionnaire"):
        select_questionnaires(["acme-form"])


def test_the_listing_names_every_shipped_questionnaire() -> None:
    result = CliRunner().invoke(app, ["questionnaires"])
    assert result.exit_code == 0
    assert "api-security-supplement" in result.stdout and "32 questions" in result.stdout
    assert "open-insurance-partner-api.yaml" in result.stdout and "cyber-application-api" in result.stdout


def test_a_bad_form_given_to_scan_exits_2_before_inputs_are_read(tmp_path: Path) -> None:
    form = tmp_path / "carrier.yaml"
    form.write_text(str(BAD_FORMS[0].values[0]), encoding="utf-8")
    result = CliRunner().invoke(
        app, ["scan", str(tmp_path / "missing"), "--no-db", "--questionnaire", str(form)]
    )
    assert result.exit_code == 2
    assert "carrier.yaml:11:" in result.stderr and "unknown control 'auht'" in result.stderr


def test_the_worked_example_in_the_docs_answers_as_the_docs_say(demo: Assessment, tmp_path: Path) -> None:
    docs = (FIXTURES.parents[2] / "docs" / "questionnaires.md").read_text(encoding="utf-8")
    example = docs.split("## Worked example", 1)[1].split("```yaml\n", 1)[1].split("```", 1)[0]
    form = tmp_path / "acme.yaml"
    form.write_text(example, encoding="utf-8")
    by_id = {a.question: a for a in answer_questionnaire(select_questionnaires([str(form)])[0], demo).answers}
    assert (by_id["q1"].value, by_id["q1"].state) == ("20-99", AnswerState.VERIFIED)
    assert (by_id["q2"].value, by_id["q2"].endpoint_count) == ("partial", 22)
    assert (by_id["q3"].value, by_id["q3"].state, by_id["q3"].endpoint_count) == (
        "no",
        AnswerState.CONTRADICTED,
        7,
    )
    assert by_id["q4"].state is AnswerState.ATTESTATION_REQUIRED
