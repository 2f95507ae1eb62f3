"""The scenario file: every default cited, a broker's own file used without code, mistakes in one line."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from riskscan.errors import UsageError
from riskscan.model import Assessment
from riskscan.underwriting.exposure import ExposureOptions, assess_exposure, load_scenarios
from riskscan.underwriting.exposure_data import DriverEffect

REPO = Path(__file__).resolve().parents[2]
BROKER = REPO / "tests" / "fixtures" / "exposure" / "one-scenario.yaml"
DOCS = REPO / "docs" / "exposure.md"
SHIPPED = {"bola_data_theft", "account_takeover", "api_denial_of_service", "third_party_api_compromise",
           "shadow_api_breach"}


def test_the_shipped_file_has_the_five_api_scenarios_each_cited() -> None:
    data = load_scenarios()
    assert {scenario.id for scenario in data.scenarios} == SHIPPED
    for scenario in data.scenarios:
        assert scenario.frequency.sources and scenario.magnitude.sources
        assert all(key in data.sources for key in [*scenario.frequency.sources, *scenario.magnitude.sources])
        assert any(d.affects is DriverEffect.FREQUENCY for d in scenario.drivers)


def test_public_figures_are_the_ones_cited() -> None:
    data = load_scenarios()
    assert "$4.88M" in data.sources["ibm_2024"] and "1.48%" in data.sources["coalition_2025"]
    assert "industry claim" in data.sources["zayo_2024"]  # an industry claim is labelled as one
    assert "one insurer's own book" in data.sources["coalition_2023"]
    # The breach magnitude's mean at the reference records is the IBM average it is calibrated to.
    bola = next(s for s in data.scenarios if s.id == "bola_data_theft")
    from riskscan.underwriting.exposure_sim import Range90

    assert Range90(bola.magnitude.low, bola.magnitude.high).mean == pytest.approx(4.88e6, rel=0.01)
    # The record scaling passes through IBM's mega-breach figures: $42M at 1M records, $375M at 50M.
    def at(records: int) -> float:
        return float(4.88e6 * (records / data.records.reference_records) ** data.records.exponent)

    assert at(1_000_000) == pytest.approx(42e6, rel=0.05) and at(50_000_000) == pytest.approx(375e6, rel=0.05)


def test_the_docs_give_every_default_figure_and_its_source() -> None:
    docs = DOCS.read_text(encoding="utf-8")
    data = load_scenarios()
    for key in data.sources:
        assert f"`{key}`" in docs, key
    figures = [f"{data.records.exponent:g}", f"{data.records.reference_records:,}",
               f"{data.revenue.default_hourly_cost_usd:,.0f}"]
    figures += [f"{factor.magnitude:.2f}" for factor in data.industries.values()]
    figures += [f"{scenario.frequency.low:g}" for scenario in data.scenarios]
    figures += [f"{scenario.magnitude.high:,.0f}" for scenario in data.scenarios
                if scenario.magnitude.unit == "usd"]
    missing = [figure for figure in figures if figure not in docs]
    assert not missing, f"docs/exposure.md does not give {missing}"


def test_a_brokers_own_file_replaces_the_scenarios_without_code(estate_assessment: Assessment) -> None:
    exposure = assess_exposure(estate_assessment, ExposureOptions(scenarios=BROKER, trials=5_000))
    assert [s.id for s in exposure.scenarios] == ["partner_scraping"]
    assert set(exposure.sources) == {"broker_book"}
    assert exposure.scenarios[0].base_frequency.high == 0.1


BROKEN = [
    ("low: 0.01", "low: 0.5", "scenarios.0.frequency: low must not exceed high", 29),
    ("- control: rate_limit", "- control: firewall", "control 'firewall' is not in the catalogue", 40),
    ("sources: [broker_book]\n    magnitude", "sources: [claims_db]\n    magnitude",
     "source 'claims_db' is cited but not defined", 32),
    ("high: 0.1", "high: 1e400", "scenarios.0.frequency.high: Input should be a finite number", 31),
    ("high: 0.1", "high: 500", "above 12 events a year", 29),
    ("high: 0.1", "high: often", "scenarios.0.frequency.high: Input should be a valid number", 31),
    ("  other: {magnitude: 1.0, basis: book average, source: broker_book}\n", "",
     "industries must give fintech, health, saas, insurance, retail, public, other", 12),
    ("unknown: 4.0}", "}", "frequency_by_status must give pass, partial, fail and unknown", 20),
    ("fail: 4.0", "fail: 400", "frequency_by_status.fail: Input should be less than or equal to 10", 21),
    ("unit: usd", "unit: hours", "a magnitude scaling with records is given in usd", 33),
    ("scales_with: records", "scales_with: vibes", "scales_with: Input should be 'records' or 'revenue'", 37),
    ("    name: Partner", "    colour: red\n    name: Partner", "scenarios.0.colour: Extra inputs", 27),
    ("  - id: partner_scraping", "  - id: Partner Scraping!", "scenarios.0.id: String should match", 26),
]


@pytest.mark.parametrize(("before", "after", "problem", "line"), BROKEN, ids=[b[2][:40] for b in BROKEN])
def test_a_broken_file_is_one_line_naming_file_line_and_problem(
        tmp_path: Path, before: str, after: str, problem: str, line: int) -> None:
    text = BROKER.read_text(encoding="utf-8")
    assert before in text
    path = tmp_path / "scenarios.yaml"
    path.write_text(text.replace(before, after, 1), encoding="utf-8")
    with pytest.raises(UsageError) as raised:
        load_scenarios(path)
    message = str(raised.value)
    assert "\n" not in message and message.startswith(f"scenarios.yaml:{line}: "), message
    assert problem in message


@pytest.mark.parametrize(("content", "problem"), [
    (b"scenarios: [\n  - id: a\n", "not valid YAML"),
    (b"\xff\xfe\x00broken", "cannot read the scenario file"),
    (b"- just\n- a list\n", "Input should be a valid dictionary"),
    (b"", "Input should be a valid dictionary"),
])
def test_a_truncated_or_wrong_file_is_refused(tmp_path: Path, content: bytes, problem: str) -> None:
    path = tmp_path / "truncated.yaml"
    path.write_bytes(content)
    with pytest.raises(UsageError, match=re.escape(problem)):
        load_scenarios(path)


def test_a_planted_secret_in_a_control_name_is_not_echoed(tmp_path: Path) -> None:
    secret = "sk_live_51HxYzQ2eZvKYlo2C0FAKEFAKEFAKE00"
    path = tmp_path / "scenarios.yaml"
    path.write_text(BROKER.read_text(encoding="utf-8").replace("control: rate_limit", f"control: {secret}"),
                    encoding="utf-8")
    with pytest.raises(UsageError) as raised:
        load_scenarios(path)
    assert secret not in str(raised.value) and "not in the catalogue" in str(raised.value)


def test_a_missing_file_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=r"^nowhere.yaml: cannot read the scenario file"):
        load_scenarios(tmp_path / "nowhere.yaml")
