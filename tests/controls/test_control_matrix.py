"""The control status matrix: every control present, absent, partial and not observable.

Each cell runs the public controls entry point (`evaluate_controls`, as the pipeline does) over a small
estate of Harbor Assurance's claims and policies API (tests/controls/matrix_access.py and
matrix_gateway.py; each estate's docstring says what it shows) and checks what a user reads for that
control:

- present: status pass, the evidence the pass rests on cited, no finding of the control;
- absent: status fail, the finding codes and severities, evidence with a file and a line or pointer;
- partial: status partial, the findings that make it so, and (when the control is in place on some
  endpoints) which endpoints pass and which do not;
- not observable: status unknown, no score, evidence not observable, no finding, and the coverage and
  limitations naming the input kind that would show the control: never a pass.

Test ids read as the table: `auth-present`, `auth-absent`, ... `credential_stuffing-not_observable`.
"""

from __future__ import annotations

from typing import Any

import pytest

from riskscan.controls import evaluate_controls
from riskscan.controls.catalogue import default_catalogue
from riskscan.model import ControlResult, ControlStatus, EvidenceStrength, Finding, Severity
from tests.controls.matrix_estates import ABSENT, CELLS, NOT_OBSERVABLE, PARTIAL, PRESENT, STATES, Cell
from tests.controls import matrix_access, matrix_gateway

ESTATES = (matrix_access, matrix_gateway)  # importing them registers their cells in CELLS


def evaluated(cell: Cell) -> tuple[ControlResult, list[Finding]]:
    """The cell's control result and that control's findings, as the controls stage reports them."""
    evaluation = evaluate_controls(cell.estate())
    result = next(result for result in evaluation.controls if result.id == cell.control)
    return result, [finding for finding in evaluation.findings if finding.control == cell.control]


def cells(state: str) -> list[Any]:
    """The cells of one state, each with its id (`auth-present`)."""
    return [pytest.param(cell, id=cell.id) for cell in CELLS if cell.state == state]


def test_every_control_has_all_four_cells() -> None:
    """The matrix is complete: every catalogue control, every state, once."""
    table = {(cell.control, cell.state) for cell in CELLS}
    expected = {(control.id, state) for control in default_catalogue().controls for state in STATES}
    assert sorted(expected - table) == [] and len(CELLS) == len(table) == len(expected)


@pytest.mark.parametrize("cell", cells(PRESENT))
def test_present(cell: Cell) -> None:
    result, findings = evaluated(cell)
    assert (result.status, findings) == (ControlStatus.PASS, []), cell.why
    assert result.score is not None and result.score >= 90
    assert result.evidence_strength is not EvidenceStrength.NOT_OBSERVABLE
    assert any(item.path == cell.evidence for item in result.evidence), "a pass cites what it rests on"
    assert all(endpoint.status is ControlStatus.PASS for endpoint in result.endpoints)


@pytest.mark.parametrize("cell", cells(ABSENT))
def test_absent(cell: Cell) -> None:
    result, findings = evaluated(cell)
    assert result.status is ControlStatus.FAIL, f"{cell.why} scored {result.score}: {result.summary}"
    assert result.score is not None and result.score < 50
    assert {(finding.code, finding.severity) for finding in findings} == cell.findings
    assert_cited(findings, cell.evidence)


@pytest.mark.parametrize("cell", cells(PARTIAL))
def test_partial(cell: Cell) -> None:
    result, findings = evaluated(cell)
    assert result.status is ControlStatus.PARTIAL, f"{cell.why} scored {result.score}: {result.summary}"
    assert result.score is not None and 50 <= result.score < 90
    assert {(finding.code, finding.severity) for finding in findings} == cell.findings
    assert_cited(findings, cell.evidence)
    verdicts = {endpoint.key: endpoint.status for endpoint in result.endpoints}
    flagged = {key for finding in findings for key in finding.endpoints}
    if cell.some:  # in place on the endpoints no finding names, missing on the others
        assert flagged and set(verdicts) - flagged
        assert all(verdicts[key] is ControlStatus.PASS for key in set(verdicts) - flagged), verdicts
    else:  # a weakness everywhere, of medium or low severity
        assert all(finding.severity in (Severity.MEDIUM, Severity.LOW) for finding in findings)
        assert ControlStatus.PASS not in verdicts.values()


def assert_cited(findings: list[Finding], path: str) -> None:
    """Every finding cites places a reader can open (a line, a pointer or log line numbers), one of
    them in `path`."""
    for finding in findings:
        assert finding.evidence and all(item.line or item.pointer or item.sample_lines
                                        for item in finding.evidence), finding.id
    assert any(item.path == path for finding in findings for item in finding.evidence)


@pytest.mark.parametrize("cell", cells(NOT_OBSERVABLE))
def test_not_observable(cell: Cell) -> None:
    result, findings = evaluated(cell)
    assert (result.status, result.score, findings) == (ControlStatus.UNKNOWN, None, []), cell.why
    assert result.evidence_strength is EvidenceStrength.NOT_OBSERVABLE and result.endpoints == ()
    assert result.coverage is not None and cell.missing in result.coverage.missing_inputs
    assert any(cell.limitation in text for text in result.limitations), result.limitations
    assert cell.limitation in result.summary


def test_planted_secrets_reach_no_result() -> None:
    """The credentials planted in the secrets-in-clear config are cited by place, never by value."""
    cell = next(cell for cell in CELLS if cell.id == "secrets_hygiene-absent")
    text = evaluate_controls(cell.estate()).model_dump_json()
    assert "/routes/0/plugins/openid-connect/client_secret" in text
    assert not [value for value in matrix_gateway.PLANTED if value in text]
