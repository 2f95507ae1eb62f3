"""Traefik's rule language: parsed by its grammar into exact alternatives, never approximated."""

from __future__ import annotations

import pytest

from riskscan.sources.gateways.traefik_rules import Alternative, RuleError, parse_rule, shown_rule


def test_and_distributes_over_or_into_alternatives() -> None:
    rule = "Host(`a.example`) && (PathPrefix(`/v1`) || Path(`/health`)) && Method(`GET`, `POST`)"
    assert parse_rule(rule) == [
        Alternative(uris=("/v1*",), hosts=("a.example",), methods=("GET", "POST")),
        Alternative(uris=("/health",), hosts=("a.example",), methods=("GET", "POST")),
    ]


@pytest.mark.parametrize(
    ("rule", "uris"),
    [
        ("Path(`/users`)", ("/users",)),
        ("PathPrefix(`/users/`)", ("/users/*",)),
        ('PathPrefix("/users")', ("/users*",)),
        ("Path(`/users/{id}`)", ("/users/:p1",)),
        ("Path(`/users/{id:[0-9]+}/orders`)", ("/users/:p1/orders",)),
        ("PathPrefix(`/users/{id:[0-9]+}`)", ("/users/:p1*",)),
        ("PathRegexp(`^/users/[0-9]+$`)", ("/users/:p1",)),
        ("Path(`/files/{rest:.*}`)", ("/files/*",)),  # exactly what lies below /files/
        ("Path(`/a`, `/b`)", ("/a", "/b")),
    ],
)
def test_path_matchers_become_the_route_patterns_they_match(rule: str, uris: tuple[str, ...]) -> None:
    [alternative] = parse_rule(rule)
    assert alternative.uris == uris


@pytest.mark.parametrize(
    ("rule", "reason"),
    [
        ("!PathPrefix(`/admin`)", "negation"),
        ("PathPrefix(`/api`) && !Method(`OPTIONS`)", "negation"),
        ("PathRegexp(`/reports/.*\\.csv`)", "regex path"),  # searched anywhere: not a prefix
        ("PathRegexp(`^/(a+)+$`)", "regex path"),
        ("Path(`/files/{name:[a-z]+\\.csv}`)", "regex path"),
        ("PathPrefix(`/a`) && Path(`/a/b`)", "two path matchers"),
        ("Path(`/users/{id}`)", None),
        ("HostSNI(`db.example`)", "not an HTTP router matcher"),
        ("foobar", "not followed by '('"),
        ("PathPrefix(`/x`", "ends too early"),
        ("PathPrefix(/x)", "cannot read"),
        ("(" * 60 + "Path(`/x`)" + ")" * 60, "nested"),
        (" || ".join(f"Path(`/p{i}`)" for i in range(70)), "alternatives"),
    ],
)
def test_rules_that_cannot_be_expressed_exactly_are_refused(rule: str, reason: str | None) -> None:
    if reason is None:
        parse_rule(rule)
        with pytest.raises(RuleError, match="v3"):
            parse_rule(rule, "v3")
        return
    with pytest.raises(RuleError, match=reason.replace("(", r"\(")):
        parse_rule(rule)


def test_hosts_and_methods_intersect_and_an_impossible_branch_is_dropped() -> None:
    rule = "(Host(`a.example`) || Host(`b.example`)) && Host(`b.example`) && Method(`GET`)"
    assert parse_rule(rule) == [Alternative(hosts=("b.example",), methods=("GET",))]
    assert parse_rule("Method(`GET`) && Method(`POST`)") == []


def test_header_query_and_client_matchers_are_conditions_without_secret_values() -> None:
    [alternative] = parse_rule(
        "Header(`X-Env`, `sandbox`) && Header(`Authorization`, `Bearer PLANTED-TOKEN`)"
        " && Query(`api_key=PLANTED-QUERY-KEY`) && ClientIP(`10.0.0.0/8`) && HostRegexp(`^.+\\.example$`)"
    )
    assert alternative.conditions == (
        "header X-Env == sandbox",
        "header Authorization == <value>",
        "query <value>",
        "client ip in 10.0.0.0/8",
        "host ~ ^.+\\.example$",
    )
    assert alternative.uris is None and alternative.hosts is None


def test_a_rule_shown_as_evidence_masks_values_under_secret_names() -> None:
    rule = ("Header(`X-Api-Key`, `PLANTED-1`) && Header(`X-Env`, `dev`) && Query(`token=PLANTED-2`)"
            ' && HeadersRegexp("Authorization", "Bearer PLANTED-3")')
    assert shown_rule(rule) == (
        "Header(`X-Api-Key`, `<value>`) && Header(`X-Env`, `dev`) && Query(`token=<value>`)"
        ' && HeadersRegexp("Authorization", "<value>")'
    )
