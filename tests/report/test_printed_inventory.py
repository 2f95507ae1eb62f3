"""The PDF at estate scale: past `MAX_PRINTED_ENDPOINTS` rows the inventory table keeps the endpoints
that weigh most (failing, then shadow, zombie and orphan, then those with findings ...), still sorted by
path, and says how many were left out and where they are; the appendix names at most
`MAX_PRINTED_SKIPPED` skipped files and counts the rest by suffix. The HTML lists everything."""

from __future__ import annotations

import re

from riskscan.model import (
    Assessment,
    ControlStatus,
    Endpoint,
    EndpointControlResult,
    EvidenceStrength,
    InputFile,
    InputStatus,
    Lifecycle,
)
from riskscan.report.html_report import render_html
from riskscan.report.inventory_view import build_endpoint_rows, printed_inventory
from riskscan.report.view import MAX_PRINTED_SKIPPED

ROW_PATH = re.compile(r'<td class="path"><b class="mono">[A-Z]+</b> <span class="mono">([^<]+)</span>')


def estate(insurer_assessment: Assessment, count: int) -> tuple[Assessment, str, str]:
    """`count` documented endpoints besides the fixture's, one shadow and one judged failing among them."""
    template = next(e for e in insurer_assessment.inventory.endpoints if e.lifecycle is Lifecycle.DOCUMENTED)
    added = tuple(template.model_copy(update={"path": f"/v9/bulk/items-{index:05d}", "traffic": None,
                                              "method": "GET"})
                  for index in range(count))
    shadow = added[count // 2].model_copy(update={"lifecycle": Lifecycle.SHADOW})
    failing = added[count // 3]
    endpoints: tuple[Endpoint, ...] = tuple(shadow if e is added[count // 2] else e for e in added)
    inventory = insurer_assessment.inventory.model_copy(update={"endpoints": endpoints})
    controls = tuple(c.model_copy(update={"endpoints": (EndpointControlResult(
        key=failing.key, status=ControlStatus.FAIL, evidence_strength=EvidenceStrength.ENFORCED,
        findings=("RATE-001",)),)}) if c.id == "rate_limit" else c for c in insurer_assessment.controls)
    return (insurer_assessment.model_copy(update={"inventory": inventory, "controls": controls}),
            shadow.path, failing.path)


def printed_paths(page: str) -> list[str]:
    return ROW_PATH.findall(page.split('id="inventory"', 1)[1])


def test_a_large_inventory_prints_the_endpoints_that_weigh_most(insurer_assessment: Assessment) -> None:
    assessment, shadow, failing = estate(insurer_assessment, 520)
    page = render_html(assessment, medium="print")
    paths = printed_paths(page)
    assert len(paths) == 500
    assert shadow in paths and failing in paths
    assert paths == sorted(paths)  # still sorted by path
    note = " ".join(re.sub(r"<[^>]+>", " ", page.split('class="cut-note"', 1)[1].split("</p>", 1)[0]).split())
    assert note.startswith("> 500 of 520 endpoints are listed here")
    assert "The other 20 (20 documented) are in the HTML and JSON reports" in note


def test_the_html_lists_every_endpoint_and_says_nothing_was_left_out(insurer_assessment: Assessment) -> None:
    assessment, _, _ = estate(insurer_assessment, 520)
    page = render_html(assessment, medium="screen")
    assert len(printed_paths(page)) == 520
    assert 'class="cut-note"' not in page


def test_an_inventory_that_fits_is_printed_whole(insurer_assessment: Assessment) -> None:
    page = render_html(insurer_assessment, medium="print")
    assert len(printed_paths(page)) == len(insurer_assessment.inventory.endpoints)
    assert 'class="cut-note"' not in page


def test_rank_failing_then_unreviewed_lifecycles_then_findings(insurer_assessment: Assessment) -> None:
    rows = build_endpoint_rows(insurer_assessment)
    printed = printed_inventory(rows, limit=3)
    assert len(printed.rows) == 3 and printed.left_out == len(rows) - 3
    failing = [row for row in rows if any(v.css == "verdict-fail" for v in row.verdicts)]
    unreviewed = [row for row in rows if row.lifecycle in ("shadow", "zombie", "orphan")]
    expected = (failing + [row for row in unreviewed if row not in failing])[:3]
    assert {(row.method, row.path) for row in printed.rows} == {(row.method, row.path) for row in expected}
    assert sum(int(part.split()[0].replace(",", "")) for part in printed.left_out_by_lifecycle.split(", ")) == (
        printed.left_out)


def test_the_pdf_appendix_counts_skipped_files_past_the_first_by_suffix(insurer_assessment: Assessment) -> None:
    """A folder of source code given with the estate: thousands of skipped files are counted, not listed."""
    skipped = tuple(InputFile(path=f"src/module_{index:04d}{'.py' if index % 4 else '.md'}",
                              status=InputStatus.SKIPPED, message="not a kind riskscan reads")
                    for index in range(1200))
    kept = tuple(item for item in insurer_assessment.inputs if item.status is not InputStatus.SKIPPED)
    assessment = insurer_assessment.model_copy(update={"inputs": kept + skipped})
    printed = render_html(assessment, medium="print").split('id="inputs"', 1)[1]
    assert printed.count("src/module_") == MAX_PRINTED_SKIPPED
    assert "1,000 more: 750 .py, 250 .md (the HTML and JSON reports" in " ".join(printed.split())
    assert render_html(assessment, medium="screen").split('id="inputs"', 1)[1].count("src/module_") == 1200
