"""Web content is not API inventory: pages, downloads, media and assets are counted apart.

The classifier is a table (`riskscan/inventory/web_content.yaml`); the inventory asks it only about
traffic that matched no spec template and no gateway route, so an API returning a file stays an
endpoint. Checked on the classifier alone, on model objects, on a log fixture read by the access-log
reader, and on a real server log from the shared corpus (skipped when absent).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from riskscan.inventory import build_inventory
from riskscan.inventory.web_content import parse_rules, web_content_class
from riskscan.model import Lifecycle, TrafficSample, WebContentClass
from riskscan.sources import ReadContext, make_client_hasher
from riskscan.sources.traffic.access_log import AccessLogReader

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "access_log"


def _read(path: Path) -> TrafficSample:
    context = ReadContext(root=path.parent, client_id=make_client_hasher(b"test-salt"))
    return AccessLogReader().read(path, context)


# --------------------------------------------------------------------------- the classifier


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("/blog/geekery/xvfb-firefox.html", WebContentClass.DOCUMENT),
        ("/files/rubygems615/java-ssl-debug-last-request.txt", WebContentClass.DOCUMENT),
        ("/misc/recipes/Baked%20Spaghetti.DOC", WebContentClass.DOCUMENT),
        ("/media/intro.mpg", WebContentClass.MEDIA),
        ("/files/logstash/logstash-1.3.2-monolithic.jar", WebContentClass.ARCHIVE),
        ("/files/xdotool/xdotool-2.20101014.3063.tar.gz", WebContentClass.ARCHIVE),
        ("/files/lumberjack/lumberjack-0.3.0.exe", WebContentClass.EXECUTABLE),
        ("/files/pcapinject.c", WebContentClass.SOURCE),
        ("/img/cursor.xbm", WebContentClass.ASSET),
        ("/favicon.ico", WebContentClass.ASSET),
        ("/static/app.js", WebContentClass.ASSET),
        ("/robots.txt", WebContentClass.SITE),
        ("/sitemap.xml", WebContentClass.SITE),
        ("/.well-known/acme-challenge/Jx8bq2LkV7tP", WebContentClass.SITE),
    ],
)
def test_pages_downloads_media_and_assets_are_web_content(path: str, kind: WebContentClass) -> None:
    assert web_content_class(path) is kind


@pytest.mark.parametrize(
    "path",
    [
        "/v2/claims/123",
        "/api/v1/config.json",  # JSON and XML are what APIs answer in
        "/api/v1/rates/2024.xml",
        "/internal/export/claims-2026-11-10.csv",  # a data export is an API, not a page
        "/wp-login.php",  # server-side scripts are endpoints (or probes), never pages
        "/cgi-bin/status.cgi",
        "/.env",  # a dot-file has no extension: scanners probe for it
        "/docs/",
        "/presentations/logstash-preso-1.0",
        "/.well-known/openid-configuration",  # describes an API
        "/.well-known/acme-challenge/",
    ],
)
def test_api_formats_scripts_and_folders_are_not_web_content(path: str) -> None:
    assert web_content_class(path) is None


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("- html\n", "expected a mapping at the top"),
        ("extensions: {pages: [html]}\n", "'pages' is not a web content class"),
        ("extensions: {document: html}\n", "'document' is not a web content class with a list"),
        ("extensions: {document: [html], asset: [HTML]}\n", "'html' is listed twice"),
        ("prefixes: {site: [/.well-known/acme-challenge]}\n", "every prefix must end in '/'"),
    ],
)
def test_a_malformed_table_is_refused_with_one_line(text: str, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        parse_rules(text)


# --------------------------------------------------------------------------- in the inventory


def test_unmatched_web_content_is_counted_apart_not_listed(make: Any) -> None:
    traffic = make.log(
        make.hit("GET", "/blog/post.html", requests=3),
        make.hit("GET", "/files/tool-1.0.tar.gz"),
        make.hit("HEAD", "/files/tool-1.0.tar.gz"),
        make.hit("GET", "/v2/orders/9000"),
    )
    inventory = build_inventory([], [], [traffic])
    assert [endpoint.key for endpoint in inventory.endpoints] == ["GET /v2/orders/{id}"]
    assert inventory.web_content.requests == 5
    assert inventory.web_content.distinct_paths == 2
    assert inventory.web_content.requests_by_class == {WebContentClass.DOCUMENT: 3, WebContentClass.ARCHIVE: 2}


def test_a_file_under_a_spec_template_stays_a_documented_endpoint(make: Any) -> None:
    spec = make.spec(
        "specs/claims-api.yaml", "Claims", "2", make.op("GET", "/v2/claims/{claimId}/documents/{docId}.pdf")
    )
    traffic = make.log(make.hit("GET", "/v2/claims/123/documents/D-9.pdf"))
    inventory = build_inventory([spec], [], [traffic])
    [document] = inventory.endpoints
    assert document.lifecycle is Lifecycle.DOCUMENTED and document.traffic is not None
    assert inventory.web_content.requests == 0


@pytest.mark.parametrize("uri", ["/downloads/*", "/downloads/agent.jar"])
def test_a_file_a_gateway_route_serves_stays_an_endpoint(make: Any, uri: str) -> None:
    gateway = make.gateway(make.route("downloads", uri))
    traffic = make.log(make.hit("GET", "/downloads/agent.jar"))
    inventory = build_inventory([], [gateway], [traffic])
    called = [endpoint for endpoint in inventory.endpoints if endpoint.traffic is not None]
    assert [endpoint.path for endpoint in called] == ["/downloads/agent.jar"]
    assert inventory.web_content.requests == 0


def test_a_catch_all_route_does_not_make_pages_endpoints(make: Any) -> None:
    gateway = make.gateway(make.route("site", "/*"))
    traffic = make.log(make.hit("GET", "/about/team.html"), make.hit("GET", "/v2/orders/1"))
    inventory = build_inventory([], [gateway], [traffic])
    assert "GET /about/team.html" not in {endpoint.key for endpoint in inventory.endpoints}
    assert inventory.web_content.requests_by_class == {WebContentClass.DOCUMENT: 1}


def test_a_page_that_only_answered_404_is_web_content_not_a_probe(make: Any) -> None:
    gone = {"status": {"4xx": 1}, "not_found": 1}
    traffic = make.log(make.hit("GET", "/old/rates.html", **gone), make.hit("GET", "/wp-login.php", **gone))
    inventory = build_inventory([], [], [traffic])
    assert inventory.endpoints == ()
    assert (inventory.unmatched_404_paths, inventory.web_content.requests) == (1, 1)


def test_pages_do_not_crowd_api_siblings_into_a_parameter(make: Any) -> None:
    pages = [make.hit("GET", f"/portal/help/topic-{letter}.html") for letter in "abcdefghijklmnopqrstuvwxy"]
    traffic = make.log(*pages, make.hit("GET", "/portal/help/search"), make.hit("GET", "/portal/help/contact"))
    keys = {endpoint.key for endpoint in build_inventory([], [], [traffic]).endpoints}
    assert keys == {"GET /portal/help/search", "GET /portal/help/contact"}


# --------------------------------------------------------------------------- read from a log


def test_a_website_beside_an_api_leaves_only_api_endpoints(make: Any) -> None:
    spec = make.spec(
        "specs/quotes.yaml",
        "Quotes",
        "1",
        make.op("GET", "/api/v1/quotes/{quoteId}"),
        make.op("GET", "/api/v1/quotes/{quoteId}/documents/{docId}.pdf"),
    )
    inventory = build_inventory([spec], [], [_read(FIXTURES / "website-beside-api.log")])
    keys = {endpoint.key: endpoint.lifecycle for endpoint in inventory.endpoints}
    assert keys == {
        "GET /": Lifecycle.SHADOW,
        "GET /api/v1/quotes/{quoteId}": Lifecycle.DOCUMENTED,
        "GET /api/v1/quotes/{quoteId}/documents/{docId}.pdf": Lifecycle.DOCUMENTED,
        "POST /api/v1/quotes": Lifecycle.SHADOW,
        "GET /api/v1/export/claims.csv": Lifecycle.SHADOW,
        "GET /api/v1/config.json": Lifecycle.SHADOW,
        "GET /api/v1/rates/2024.xml": Lifecycle.SHADOW,  # a year in a file name is not an id
    }
    web = inventory.web_content
    assert (web.requests, web.distinct_paths, inventory.unmatched_404_paths) == (36, 17, 2)
    assert web.requests_by_class == {
        WebContentClass.DOCUMENT: 12,
        WebContentClass.MEDIA: 2,
        WebContentClass.ARCHIVE: 4,
        WebContentClass.EXECUTABLE: 2,
        WebContentClass.ASSET: 10,
        WebContentClass.SITE: 6,
    }
    assert "jane.doe" not in inventory.model_dump_json()


def test_a_real_website_log_lists_no_page_or_download_as_an_api(corpus_dir: Path) -> None:
    log = corpus_dir / "traffic" / "apache" / "apache_logs"
    if not log.is_file():
        pytest.skip(f"the corpus has no Apache log at {log}")
    inventory = build_inventory([], [], [_read(log)])
    listed = [endpoint.path for endpoint in inventory.endpoints if web_content_class(endpoint.path) is not None]
    assert listed == []
    # The semicomplete.com log of May 2015 is mostly a website: images, pages, jars and an .exe.
    web = inventory.web_content
    assert web.requests > len(inventory.endpoints) * 10
    for kind in (WebContentClass.DOCUMENT, WebContentClass.ASSET, WebContentClass.ARCHIVE,
                 WebContentClass.EXECUTABLE, WebContentClass.SITE):
        assert web.requests_by_class.get(kind, 0) > 0, kind
    keys = {endpoint.key for endpoint in inventory.endpoints}
    assert "GET /presentations/logstash-monitorama-2013" in keys  # a year inside a name is not an id
    assert "GET /blog/tags/{param}" in keys and "GET /blog/geekery/{param}" in keys  # sibling folders alike


def test_a_scan_reports_web_content_in_the_json_summary_and_on_the_terminal(tmp_path: Path) -> None:
    shutil.copy(FIXTURES / "website-beside-api.log", tmp_path / "access.log")
    result = subprocess.run(
        [sys.executable, "-m", "riskscan", "scan", "access.log", "-o", "r.json", "-o", "r.html", "--no-db"],
        cwd=tmp_path, capture_output=True, text=True, timeout=300, check=False,
    )
    assert result.returncode == 0, result.stderr
    # No spec this time: the quote's PDF matches no template, so it counts as a document too.
    assert "web content, not endpoints: 37 requests to 18 paths" in result.stderr
    report = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert report["summary"]["web_content"] == {
        "requests": 37,
        "distinct_paths": 18,
        "by_class": {"document": 13, "media": 2, "archive": 4, "executable": 2, "source": 0, "asset": 10,
                     "site": 6},
    }
    assert not [e["path"] for e in report["endpoints"] if web_content_class(e["path"]) is not None]
    for output in ("r.json", "r.html"):
        assert "jane.doe" not in (tmp_path / output).read_text(encoding="utf-8")
