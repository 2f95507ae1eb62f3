"""Matching concrete paths to spec templates (segment trie) and to APISIX route uris."""

from __future__ import annotations

import time
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from riskscan.inventory.gateway_patterns import RouteIndex, compile_uri
from riskscan.inventory.templates import TemplateMatcher
from riskscan.model import GatewayRoute


def claims_matcher() -> TemplateMatcher[str]:
    matcher = TemplateMatcher[str]()
    for method, template in [
        ("GET", "/v2/claims"),
        ("GET", "/v2/claims/search"),
        ("GET", "/v2/claims/{claimId}"),
        ("DELETE", "/v2/claims/{claimId}"),
        ("GET", "/v2/claims/{claimId}/notes"),
        ("GET", "/v2/claims/search/saved"),
        ("GET", "/files/{name}.json"),
        ("POST", "/v1/claims/{id}:cancel"),
        ("*", "/internal/health"),
    ]:
        matcher.add(method, template, f"{method} {template}")
    return matcher


@pytest.mark.parametrize(
    ("method", "path", "expected"),
    [
        ("GET", "/v2/claims/search", "GET /v2/claims/search"),
        ("GET", "/v2/claims/123", "GET /v2/claims/{claimId}"),
        ("DELETE", "/v2/claims/123", "DELETE /v2/claims/{claimId}"),
        # the literal `search` branch has no `notes` child: the walk backtracks to `{claimId}`
        ("GET", "/v2/claims/search/notes", "GET /v2/claims/{claimId}/notes"),
        # no DELETE on the literal: the parameter template takes it
        ("DELETE", "/v2/claims/search", "DELETE /v2/claims/{claimId}"),
        ("GET", "/v2/claims/", "GET /v2/claims"),
        ("GET", "//v2//claims/CLM-1/", "GET /v2/claims/{claimId}"),
        ("HEAD", "/v2/claims/CLM-1", "GET /v2/claims/{claimId}"),
        ("GET", "/files/report.json", "GET /files/{name}.json"),
        ("POST", "/v1/claims/CLM-1:cancel", "POST /v1/claims/{id}:cancel"),
        ("PATCH", "/internal/health", "* /internal/health"),
        ("GET", "/v2/claims/CLM%2D1", "GET /v2/claims/{claimId}"),
        ("GET", "/v2/claims/sea%72ch", "GET /v2/claims/search"),
    ],
)
def test_paths_match_the_most_specific_template(method: str, path: str, expected: str) -> None:
    assert claims_matcher().match(method, path) == [expected]


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/v2/claims/123"),  # path known, method not
        ("GET", "/v2/claims/123/notes/4"),  # deeper than any template
        ("GET", "/files/report.xml"),  # partial segment does not fit
        ("GET", "/wp-login.php"),
    ],
)
def test_unknown_paths_and_methods_do_not_match(method: str, path: str) -> None:
    assert claims_matcher().match(method, path) == []


def test_a_template_reached_by_several_paths_names_the_same_target() -> None:
    matcher = TemplateMatcher[str]()
    matcher.add("GET", "/v1/policies/{policyId}", "getPolicy")
    matcher.add("GET", "/partner/v1/policies/{policyId}", "getPolicy")
    assert matcher.match("GET", "/partner/v1/policies/pol-1") == ["getPolicy"]
    assert matcher.match("GET", "/v1/policies/pol-1") == ["getPolicy"]


def test_longest_prefix_reuses_the_spec_parameter_names() -> None:
    prefix = claims_matcher().longest_prefix("/v2/claims/123/notes/4/attachments")
    assert prefix is not None
    assert prefix.segments == ("v2", "claims", "{claimId}", "notes")


def test_longest_prefix_needs_a_literal_segment() -> None:
    matcher = TemplateMatcher[str]()
    matcher.add("GET", "/{tenant}/orders", "tenant orders")
    assert matcher.longest_prefix("/wp-admin/setup.php") is None


def test_several_parameters_in_one_segment_match_in_linear_time() -> None:
    """A hostile 20,000-dash segment once backtracked for hours against `{year}-{month}-{day}.csv`."""
    matcher = TemplateMatcher[str]()
    matcher.add("GET", "/reports/{year}-{month}-{day}.csv", "daily report")
    matcher.add("GET", "/reports/{name}", "report")
    assert matcher.match("GET", "/reports/2026-11-10.csv") == ["daily report"]
    assert matcher.match("GET", "/reports/a-b-.csv") == ["report"]  # every parameter takes a character
    started = time.process_time()
    assert matcher.match("GET", "/reports/" + "-" * 20_000) == ["report"]
    assert matcher.longest_prefix("/reports/" + "-" * 20_000 + "/x") is not None
    assert time.process_time() - started < 1.0


_LITERAL = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-_.", min_size=1, max_size=8)
_NAME = st.from_regex(r"[a-z][A-Za-z0-9]{0,6}", fullmatch=True)
_VALUE = st.text(alphabet="abcdefXYZ0123456789-_.~", min_size=1, max_size=12)


@st.composite
def _template_and_path(draw: st.DrawFn) -> tuple[str, str]:
    count = draw(st.integers(min_value=1, max_value=6))
    template: list[str] = []
    concrete: list[str] = []
    for _ in range(count):
        if draw(st.booleans()):
            literal = draw(_LITERAL)
            template.append(literal)
            concrete.append(literal)
        else:
            template.append("{" + draw(_NAME) + "}")
            concrete.append(draw(_VALUE))
    return "/" + "/".join(template), "/" + "/".join(concrete)


@given(_template_and_path())
def test_a_path_built_from_a_template_matches_it(pair: tuple[str, str]) -> None:
    template, path = pair
    matcher = TemplateMatcher[str]()
    matcher.add("GET", template, template)
    assert matcher.match("GET", path) == [template]


@given(_template_and_path(), _LITERAL)
def test_literals_beat_parameters(pair: tuple[str, str], literal: str) -> None:
    template, path = pair
    matcher = TemplateMatcher[str]()
    matcher.add("GET", template + "/{any}", "param")
    matcher.add("GET", template + "/" + literal, "literal")
    assert matcher.match("GET", f"{path}/{literal}") == ["literal"]


# --------------------------------------------------------------------------- APISIX uri patterns


@pytest.mark.parametrize(
    ("uri", "path", "expected"),
    [
        ("/v2/claims", "/v2/claims", True),
        ("/v2/claims", "/v2/claims/1", False),
        ("/v2/claims/*", "/v2/claims/", True),
        ("/v2/claims/*", "/v2/claims/1/notes", True),
        ("/v2/claims/*", "/v2/claims", False),
        ("/v2/claim*", "/v2/claims-archive/1", True),
        ("/v2/claims/:id", "/v2/claims/CLM-1", True),
        ("/v2/claims/:id", "/v2/claims/CLM-1/notes", False),
        ("/v2/claims/:id/*path", "/v2/claims/CLM-1/notes/2", True),
        ("/files/*path", "/files/a/b.json", True),
    ],
)
def test_apisix_uri_patterns(uri: str, path: str, expected: bool) -> None:
    assert compile_uri(uri).matches(path) is expected


def test_a_route_uri_becomes_a_template_for_shadow_endpoints() -> None:
    assert compile_uri("/v2/claims/:id").template == "/v2/claims/{id}"
    assert compile_uri("/internal/*").template == "/internal/*"


def test_the_gateway_uses_the_most_specific_route(make: Any) -> None:
    broad = make.route("catch-all", "/v2/*")
    claims = make.route("claims", "/v2/claims/*", methods=("GET",))
    sandbox = make.route("claims-sandbox", "/v2/claims/*", conditions=("http_x_env == sandbox",))
    index = RouteIndex([broad, claims, sandbox])

    def ids(routes: list[GatewayRoute]) -> list[str]:
        return [route.route_id for route in routes]

    assert ids(index.match("GET", None, "/v2/claims/1")) == ["claims", "claims-sandbox"]
    # POST is not on `claims`: the sandbox route takes some requests, the catch-all the rest
    assert ids(index.match("POST", None, "/v2/claims/1")) == ["claims-sandbox", "catch-all"]
    assert ids(index.match("GET", None, "/v2/orders/1")) == ["catch-all"]
    assert index.match("GET", None, "/v3/orders/1") == []


def test_route_hosts_limit_which_requests_a_route_serves(make: Any) -> None:
    route = make.route("partners", "/v2/*", hosts=("*.harbor-assurance.example",))
    index = RouteIndex([route])
    assert index.match("GET", "api.harbor-assurance.example", "/v2/x") == [route]
    assert index.match("GET", None, "/v2/x") == [route]
    assert index.match("GET", "evil.example", "/v2/x") == []
