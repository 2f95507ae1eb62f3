"""The exposure section of the HTML and PDF report: tables per scenario, the curve, the limit, the sources."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from riskscan.model import Assessment
from riskscan.report.exposure_view import build_exposure_view, loss_curve_svg
from riskscan.report.html_report import render_html
from riskscan.underwriting.exposure import ExposureOptions, assess_exposure

from .conftest import scan_estate

DEMO = Path(__file__).resolve().parents[2] / "examples" / "northwind-mutual"
SCENARIO_NAMES = ("BOLA data theft", "Account takeover and credential stuffing",
                  "API denial of service and business interruption", "Third-party API compromise",
                  "Shadow-API breach")


@pytest.fixture(scope="module")
def demo() -> Assessment:
    """The demo estate of the README, scanned with a policy limit and the client's figures."""
    return scan_estate(DEMO, limit=5_000_000, records=2_000_000, revenue=800_000_000)


@pytest.mark.slow
def test_the_demo_pdf_shows_the_exposure_section(demo_pdf_pages: tuple[Assessment, list[str]]) -> None:
    demo, pages = demo_pdf_pages
    start = next(i for i, text in enumerate(pages) if text.startswith("Loss exposure (indicative)"))
    section = " ".join(pages[start:start + 6])
    assert demo.exposure is not None and demo.exposure.limit is not None
    assert "Modelled annual API loss exposure (indicative)" in section
    assert "The policy limit of $5M covers" in section
    for name in SCENARIO_NAMES:
        assert name in section
    assert "Records reachable: 2,000,000" in section and "Annual revenue: $800M" in section
    assert "Sources of the default figures" in section and "Cost of a Data Breach Report 2024" in section
    assert "BOLA-001" in section  # the evidence that moved BOLA data theft, by finding id
    assert "Loss exposure (indicative)" in pages[0]  # listed in the contents on the cover


def test_the_html_draws_the_curve_with_a_line_per_scenario_and_the_limit(demo: Assessment) -> None:
    html = render_html(demo)
    svg = re.search(r"<svg[^>]*class=\"loss-curve\".*?</svg>", html, re.DOTALL)
    assert svg is not None
    assert svg.group(0).count("<polyline") == len(SCENARIO_NAMES) + 1  # and the combined line
    assert "limit $5M" in svg.group(0) and 'stroke-dasharray="5,3"' in svg.group(0)
    assert ">$10k<" in svg.group(0) and ">$1B<" in svg.group(0)  # decades on a log axis


def test_the_limit_line_sits_where_the_log_axis_puts_it(demo: Assessment) -> None:
    assert demo.exposure is not None
    svg = str(loss_curve_svg(demo.exposure))
    ticks = {label: float(x) for x, label in re.findall(r'<text x="([\d.]+)" y="[\d.]+" font-size="9.5" '
                                                       r'text-anchor="middle">([^<]+)</text>', svg)}
    limit_line = re.search(r'<line x1="([\d.]+)"[^>]*stroke-dasharray', svg)
    assert limit_line is not None
    limit_x = float(limit_line.group(1))
    expected = ticks["$1M"] + (ticks["$10M"] - ticks["$1M"]) * 0.69897  # log10(5)
    assert limit_x == pytest.approx(expected, abs=0.2)


def test_without_a_limit_no_line_is_drawn_and_the_assumptions_are_shown() -> None:
    assessment = scan_estate()
    assert assessment.exposure is not None
    view = build_exposure_view(assessment.exposure)
    assert view is not None and view.limit == ""
    assert "stroke-dasharray" not in str(view.curve_svg)
    assert any("--records" in line for line in view.assumed)
    html = render_html(assessment)
    assert "Assumed:</strong> No --records given" in html


def test_a_hostile_scenario_name_is_escaped_in_the_curve(demo: Assessment) -> None:
    assert demo.exposure is not None
    first = demo.exposure.scenarios[0].model_copy(update={"name": "<script>x</script>"})
    hostile = demo.exposure.model_copy(update={"scenarios": (first, *demo.exposure.scenarios[1:])})
    svg = str(loss_curve_svg(hostile))
    assert "<script>" not in svg and "&lt;script&gt;" in svg


def test_an_assessment_without_exposure_has_no_section(demo: Assessment) -> None:
    html = render_html(demo.model_copy(update={"exposure": None}))
    assert 'id="exposure"' not in html and "#exposure" not in html
    assert assess_exposure(demo, ExposureOptions(trials=1_000)).scenarios  # the stage itself still runs
