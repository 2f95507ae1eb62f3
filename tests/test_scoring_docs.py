"""docs/scoring.md tells the truth: its short version, weights, caps and evidence statements are the
catalogue's, so the page a broker reads cannot drift from the rules that made the grade."""

from __future__ import annotations

import re
from pathlib import Path

from riskscan.controls.basis import scoring_method
from riskscan.controls.catalogue import default_catalogue
from riskscan.inventory.exposure import default_exposure_rules
from riskscan.model import DataClass, EvidenceStrength, EndpointExposure, Grade, Severity

SCORING = (Path(__file__).resolve().parents[1] / "docs" / "scoring.md").read_text(encoding="utf-8")
CATALOGUE = default_catalogue()
RULES = CATALOGUE.scoring


def table_rows(first_cell: str) -> dict[str, list[str]]:
    """Rows of the markdown tables whose first cell matches `first_cell`, keyed by that cell."""
    rows = {}
    for line in SCORING.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if line.startswith("|") and re.fullmatch(first_cell, cells[0]):
            rows[cells[0].strip("`")] = cells[1:]
    return rows


def test_the_short_version_is_what_the_report_quotes() -> None:
    quoted = SCORING.split("## The short version", 1)[1].split("\n## ", 1)[0]
    text = " ".join(line.removeprefix(">").strip() for line in quoted.splitlines() if line.startswith(">"))
    assert text == scoring_method(CATALOGUE)


def test_the_weights_are_the_catalogue_weights() -> None:
    rows = table_rows(r"`[a-z_]+`")
    documented = {control: float(cells[0]) for control, cells in rows.items()
                  if cells[0].replace(".", "").isdigit()}
    assert documented == {control.id: control.weight for control in CATALOGUE.controls}
    assert all(rows[control.id][1] == ", ".join(control.owasp) for control in CATALOGUE.controls)


def test_the_severity_table_is_the_catalogue_scoring() -> None:
    rows = table_rows(r"critical|high|medium|low|info")
    for name, cells in rows.items():
        severity, (shortfall, penalty, cap) = Severity(name), cells[:3]
        assert float(shortfall) == RULES.severity_shortfall[severity]
        assert int(penalty) == RULES.estate_penalty[severity]
        assert int(cap) == RULES.score_caps.get(severity, 100)
    assert len(rows) == len(RULES.severity_shortfall)


def test_the_bands_caps_and_shares_are_the_catalogue_numbers() -> None:
    bands = ", ".join(f"**{grade.value}** from {minimum}" for grade, minimum in RULES.grades.items())
    assert bands in SCORING
    caps = table_rows(r"a (critical|high) finding stands|the evidence is declared.*")
    assert caps["a critical finding stands"] == [RULES.grade_caps[Severity.CRITICAL].value]
    assert caps["a high finding stands"] == [RULES.grade_caps[Severity.HIGH].value]
    assert [Grade(cells[0]) for key, cells in caps.items() if key.startswith("the evidence")] == [
        RULES.evidence_grade_caps[EvidenceStrength.DECLARED]]
    assert f"at least {RULES.material_share:.0%} of the endpoints" in SCORING
    assert f"counts as **{RULES.unknown_score}** at its full weight" in SCORING


def test_the_evidence_statements_are_the_catalogue_statements() -> None:
    rows = table_rows(r"`(enforced|observed|declared|not_observable)`")
    statements = {level: cells[0] for level, cells in rows.items() if len(cells) == 1}
    assert statements == {level.value: text for level, text in RULES.evidence_statements.items()}


def test_the_endpoint_weight_tables_are_the_catalogue_factors() -> None:
    weights = RULES.endpoint_weights
    exposure = table_rows("|".join(e.value for e in EndpointExposure))
    assert {EndpointExposure(name): float(cells[0]) for name, cells in exposure.items()} == weights.exposure
    data = table_rows("|".join(c.value for c in DataClass))
    assert {DataClass(name): float(cells[0]) for name, cells in data.items()} == weights.data_classes
    assert "1.0 (`no_data`)" in SCORING and weights.no_data == 1.0
    assert f"(`traffic_boost` is {weights.traffic_boost})" in SCORING
    assert f"traffic from at least {default_exposure_rules().public_clients} distinct clients" in SCORING
