"""The control catalogue: loads, stays in step with the evaluators, and fails loudly when it does not."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from riskscan.controls import EVALUATORS, evaluate_controls
from riskscan.controls.catalogue import (
    CatalogueError,
    check_registry,
    default_catalogue,
    load_catalogue,
    parse_catalogue,
)
from riskscan.controls.outcome import ControlOutcome, unknown_outcome
from riskscan.model import Inventory, Severity

CATALOGUE_FILE = Path(__file__).resolve().parents[2] / "riskscan" / "controls" / "catalogue.yaml"


def catalogue_data() -> dict[str, object]:
    data = yaml.safe_load(CATALOGUE_FILE.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def test_the_packaged_catalogue_matches_the_evaluators() -> None:
    catalogue = default_catalogue()
    assert [control.id for control in catalogue.controls] == list(EVALUATORS)
    check_registry(catalogue, EVALUATORS)
    for control in catalogue.controls:
        assert control.weight > 0 and control.owasp and control.findings
        assert control.description and control.remediation
        for template in control.findings:
            assert template.owasp and template.remediation and template.severity in Severity


def test_load_catalogue_reads_a_file(tmp_path: Path) -> None:
    copy = tmp_path / "mine.yaml"
    copy.write_text(CATALOGUE_FILE.read_text(encoding="utf-8"), encoding="utf-8")
    assert load_catalogue(copy) == default_catalogue()


def test_a_catalogue_entry_without_an_evaluator_raises(insurer: Inventory) -> None:
    data = catalogue_data()
    controls = data["controls"]
    assert isinstance(controls, list)
    controls.append({**controls[0], "id": "waf", "finding_prefix": "WAF", "name": "A WAF in front", "area": "waf"})
    catalogue = parse_catalogue(yaml.safe_dump(data))
    with pytest.raises(CatalogueError, match="catalogue controls without an evaluator: waf"):
        evaluate_controls(insurer, catalogue=catalogue)


def test_an_evaluator_without_a_catalogue_entry_raises(insurer: Inventory) -> None:
    def evaluate_waf(inventory: Inventory, control: object) -> ControlOutcome:
        raise AssertionError("never called")

    with pytest.raises(CatalogueError, match="evaluators without a catalogue entry: waf"):
        evaluate_controls(insurer, evaluators={**EVALUATORS, "waf": evaluate_waf})
    missing = {key: value for key, value in EVALUATORS.items() if key != "object_authorization"}
    with pytest.raises(CatalogueError, match="without an evaluator: object_authorization"):
        evaluate_controls(insurer, evaluators=missing)


def test_an_evaluator_must_be_named_after_its_control_and_area(insurer: Inventory) -> None:
    swapped = {**EVALUATORS, "rate_limit": EVALUATORS["monitoring"]}
    with pytest.raises(CatalogueError, match="control rate_limit is registered to riskscan.controls.monitoring.evaluate_monitoring"):
        evaluate_controls(insurer, evaluators=swapped)


def _edit(path: tuple[str | int, ...], value: object) -> str:
    """The packaged catalogue as YAML text, with the node at `path` set to `value`."""
    data = catalogue_data()
    node: Any = data
    for step in path[:-1]:
        node = node[step]
    node[path[-1]] = value
    return str(yaml.safe_dump(data))


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (("controls", 0, "findings", 0, "severity"), "severe", "controls.0.findings.0.severity"),
        (("controls", 0, "owasp"), ["OWASP-2"], "controls.0.owasp"),
        (("controls", 1, "id"), "auth", "control ids must be unique"),
        (("controls", 1, "finding_prefix"), "AUTH", "finding prefixes must be unique"),
        (("controls", 0, "finding_prefix"), "auth", "upper-case letters"),
        (("controls", 0, "id"), "Auth", "lower-case Python name"),
        (("controls", 0, "weight"), 0, "controls.0.weight"),
        (("scoring", "grades", "F"), 0, "grade F"),
    ],
    ids=["severity", "owasp", "duplicate-id", "duplicate-prefix", "lower-case-prefix", "capitalised-id", "zero-weight", "grade-f"],
)
def test_a_malformed_catalogue_fails_with_one_line(path: tuple[str | int, ...], value: object, message: str) -> None:
    with pytest.raises(CatalogueError) as raised:
        parse_catalogue(_edit(path, value), source="catalogue.yaml")
    assert message in str(raised.value)
    assert str(raised.value).startswith("catalogue.yaml: ")
    assert "\n" not in str(raised.value)


def test_a_catalogue_that_is_not_yaml_fails_with_one_line() -> None:
    with pytest.raises(CatalogueError, match="^catalogue.yaml: not valid YAML"):
        parse_catalogue("controls: [unclosed", source="catalogue.yaml")


def test_a_template_naming_an_unknown_field_fails_loudly(insurer: Inventory) -> None:
    text = _edit(("controls", 0, "findings", 1, "title"), "No authentication on {endpoint_count}")
    with pytest.raises(CatalogueError, match="auth finding AUTH_NONE cannot be filled"):
        evaluate_controls(insurer, catalogue=parse_catalogue(text))


def test_a_missing_parameter_or_limitation_is_named() -> None:
    control = default_catalogue().get("rate_limit")
    with pytest.raises(CatalogueError, match="rate_limit has no parameter 'burst'"):
        control.number("burst")
    with pytest.raises(CatalogueError, match="rate_limit has no limitation 'waf'"):
        unknown_outcome(control, "waf")


def test_thresholds_are_data_not_code(insurer: Inventory) -> None:
    """Raising the id-walking threshold above what the log shows removes the critical finding."""
    text = _edit(("controls", 3, "parameters", "id_walk_min_objects"), 200)
    evaluation = evaluate_controls(insurer, catalogue=parse_catalogue(text))
    assert not [f for f in evaluation.findings if f.severity is Severity.CRITICAL and f.control == "object_authorization"]
    bola = next(c for c in evaluation.controls if c.id == "object_authorization")
    assert "walking 200 or more ids" in bola.summary
