"""The PDF report: A4 pages with every section and figure, and no access outside the templates."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pypdf
import pytest

from riskscan.report import RENDERERS
from riskscan.report.pdf_report import LocalOnlyFetcherRefused, _local_fetcher, is_local_template_url
from riskscan.resources import report_templates_dir

from .conftest import build_insurer_assessment

A4 = (595, 842)


@pytest.fixture(scope="module")
def pdf_bytes() -> bytes:
    return RENDERERS["pdf"].render(build_insurer_assessment())


@pytest.fixture(scope="module")
def pages(pdf_bytes: bytes) -> list[str]:
    reader = pypdf.PdfReader(io.BytesIO(pdf_bytes))
    return [" ".join(page.extract_text().split()) for page in reader.pages]


def _page_with(pages: list[str], heading: str) -> int:
    return next(i for i, text in enumerate(pages) if text.startswith(heading))


def test_is_a_pdf_on_a4_pages(pdf_bytes: bytes) -> None:
    assert pdf_bytes.startswith(b"%PDF-")
    reader = pypdf.PdfReader(io.BytesIO(pdf_bytes))
    sizes = {tuple(round(float(v)) for v in page.mediabox.upper_right) for page in reader.pages}
    assert sizes <= {A4, A4[::-1]}  # portrait, and landscape for the wide inventory
    assert A4 in sizes


def test_cover_shows_title_roots_date_grade_and_score(pages: list[str]) -> None:
    cover = pages[0]
    for expected in ("API risk assessment", "northwind-estate", "24 November 2026, 09:30 UTC", "C", "61 / 100",
                     "overall score, grade C", "Contents"):
        assert expected in cover
    assert "Page 1" not in cover  # the cover has no running footer


def test_sections_start_on_their_own_pages_in_order(pages: list[str]) -> None:
    starts = [_page_with(pages, h) for h in ("Executive summary", "Controls", "Findings", "API inventory",
                                              "Appendix: inputs")]
    assert starts == sorted(starts) and starts[0] == 1


def test_pages_are_numbered(pages: list[str]) -> None:
    total = len(pages)
    for number, text in enumerate(pages[1:], start=2):
        assert f"Page {number} of {total}" in text


def test_executive_summary_has_the_key_figures(pages: list[str]) -> None:
    summary = pages[_page_with(pages, "Executive summary")]
    assert "Grade C, score 61 out of 100" in summary
    assert "4 documented, 2 shadow, 1 zombie, 1 orphan" in summary
    assert re.search(r"2 Unauthenticated", summary)
    assert re.search(r"3 Unthrottled", summary)
    assert "1 critical, 1 high, 2 medium, 1 low, 0 info" in summary
    assert "What these inputs cannot show" in summary


def test_findings_show_evidence_owasp_and_remediation(pages: list[str]) -> None:
    findings = " ".join(pages[_page_with(pages, "Findings"):_page_with(pages, "API inventory")])
    for expected in ("AUTH-001", "Endpoints reachable without authentication", "API2:2023",
                     "gateway/apisix.yaml:44-46", "412 occurrences", "BOLA-001", "API1:2023",
                     "Remediation. Check that the caller owns the object"):
        assert expected in findings


def test_inventory_and_appendix_list_endpoints_and_inputs(pages: list[str]) -> None:
    inventory = " ".join(pages[_page_with(pages, "API inventory"):_page_with(pages, "Appendix: inputs")])
    for expected in ("/v2/coverage/{policyId}/verify", "230,117", "/internal/export/{file}", "zombie", "orphan"):
        assert expected in inventory
    appendix = pages[_page_with(pages, "Appendix: inputs")]
    assert "specs/draft-payments.yaml" in appendix and "does not resolve" in appendix


def test_key_controls_list_failing_endpoints_with_their_figures(pages: list[str]) -> None:
    start = next(i for i, text in enumerate(pages) if "Endpoints behind the key controls" in text)
    detail = " ".join(pages[start:_page_with(pages, "Findings")])
    for expected in ("GET /v2/claims/{claimId}", "per IP address", "limit-count by remote_addr: 10 a minute",
                     "busiest client 240 in one minute", "above the 10 a minute configured",
                     "RATE-002: Rate limit not enforced as configured", "sequential ids",
                     "policyId is declared integer (int64)", "GET /internal/export/{file}",
                     "Authentication in force", "5 of 7 endpoints judged pass"):
        assert expected in detail, expected


def test_creation_date_is_the_scan_date_not_the_clock(pdf_bytes: bytes) -> None:
    metadata = pypdf.PdfReader(io.BytesIO(pdf_bytes)).metadata
    assert metadata is not None and metadata.creation_date is not None
    assert metadata.creation_date.astimezone(UTC) == datetime(2026, 11, 24, 9, 30, tzinfo=UTC)


def test_same_assessment_gives_the_same_pdf(pdf_bytes: bytes) -> None:
    assert RENDERERS["pdf"].render(build_insurer_assessment()) == pdf_bytes


@pytest.mark.parametrize(("url", "allowed"), [
    ("{templates_uri}/report.css", True),
    ("{templates_uri}/../pyproject.toml", False),
    ("file:///etc/passwd", False),
    ("https://fonts.example/font.woff2", False),
    ("http://169.254.169.254/latest/meta-data/", False),
    ("data:text/css,body{}", False),
    ("{templates_uri}/missing.css", False),
])
def test_only_template_files_may_be_fetched(url: str, allowed: bool) -> None:
    templates = report_templates_dir()
    url = url.replace("{templates_uri}", templates.resolve().as_uri())
    assert is_local_template_url(url, templates) is allowed


def test_the_fetcher_refuses_without_touching_the_network() -> None:
    fetcher = _local_fetcher(report_templates_dir())
    with pytest.raises(LocalOnlyFetcherRefused):
        fetcher("https://fonts.example/font.woff2")
    css = Path(report_templates_dir(), "report.css").resolve().as_uri()
    response = fetcher(css)
    try:
        assert b"@page" in (response.read() if hasattr(response, "read") else response["string"])
    finally:
        if hasattr(response, "close"):
            response.close()


def test_rendering_leaves_the_environment_as_it_was(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    RENDERERS["pdf"].render(build_insurer_assessment())
    assert "SOURCE_DATE_EPOCH" not in os.environ


# --------------------------------------------------------------------------- bundled fonts

FONTS = report_templates_dir() / "fonts"
NO_FONTS_CONFIG = """<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig><cachedir>{cache}</cachedir></fontconfig>
"""
RENDER_IN_CHILD = """
import io, json, sys
import pypdf
sys.path.insert(0, sys.argv[1])
from report.conftest import build_insurer_assessment
from riskscan.report import RENDERERS
reader = pypdf.PdfReader(io.BytesIO(RENDERERS["pdf"].render(build_insurer_assessment())))
print(json.dumps({"fonts": sorted({str(font.get_object()["/BaseFont"]).split("+", 1)[-1]
                                   for page in reader.pages for font in page["/Resources"]["/Font"].values()}),
                  "pages": [" ".join(page.extract_text().split()) for page in reader.pages]}))
"""


def _font_families(pdf_bytes: bytes) -> set[str]:
    reader = pypdf.PdfReader(io.BytesIO(pdf_bytes))
    names = {str(font.get_object()["/BaseFont"]) for page in reader.pages
             for font in page["/Resources"]["/Font"].values()}
    return {name.split("+", 1)[-1] for name in names}  # drop the subset tag, "ABCDEF+"


def test_all_pdf_text_is_set_in_the_bundled_noto_fonts(pdf_bytes: bytes) -> None:
    assert _font_families(pdf_bytes) == {"Noto-Sans", "Noto-Sans-Bold", "Noto-Sans-Italic", "Noto-Sans-Mono",
                                         "Noto-Sans-Mono-Bold"}


def test_the_fonts_ship_small_with_their_licence() -> None:
    files = sorted(path.name for path in FONTS.iterdir())
    assert files == ["NotoSans-Bold.woff2", "NotoSans-Italic.woff2", "NotoSans-Regular.woff2",
                     "NotoSansMono-Bold.woff2", "NotoSansMono-Regular.woff2", "OFL.txt", "README.md"]
    assert "SIL OPEN FONT LICENSE Version 1.1" in (FONTS / "OFL.txt").read_text(encoding="utf-8")
    assert sum(path.stat().st_size for path in FONTS.glob("*.woff2")) < 400_000
    css = (report_templates_dir() / "fonts.css").read_text(encoding="utf-8")
    assert all(f'url("fonts/{path.name}")' in css for path in FONTS.glob("*.woff2"))


@pytest.mark.slow
def test_the_pdf_is_the_same_on_a_machine_without_fonts(tmp_path: Path, pages: list[str]) -> None:
    """With fontconfig seeing no font at all, the PDF has the same fonts and the same text on each page."""
    config = tmp_path / "fonts.conf"
    config.write_text(NO_FONTS_CONFIG.format(cache=tmp_path / "cache"), encoding="utf-8")
    tests_dir = Path(__file__).resolve().parents[1]
    child = subprocess.run([sys.executable, "-c", RENDER_IN_CHILD, str(tests_dir)], capture_output=True, text=True,
                           timeout=300, env={**os.environ, "FONTCONFIG_FILE": str(config)}, check=False)
    assert child.returncode == 0, child.stderr[-2000:]
    rendered = json.loads(child.stdout)
    assert set(rendered["fonts"]) == _font_families(RENDERERS["pdf"].render(build_insurer_assessment()))
    assert rendered["pages"] == pages


def test_the_html_report_stays_one_file_without_font_urls() -> None:
    html = RENDERERS["html"].render(build_insurer_assessment()).decode("utf-8")
    assert "@font-face" not in html and "url(" not in html
    assert '"Noto Sans"' in html  # used when installed, else the system stack that follows
