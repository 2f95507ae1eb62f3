"""nginx location matches as route uris: exact, prefixes, and only the regexes that are plain paths."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from riskscan.inventory.gateway_patterns import compile_uri
from riskscan.sources.gateways.nginx_locations import parse_location
from riskscan.sources.input_regex import compile_input_regex


@pytest.mark.parametrize(
    ("args", "uris"),
    [
        (("=", "/health"), ("/health",)),
        (("=/health",), ("/health",)),  # modifier written against the path
        (("/auth/",), ("/auth/*",)),  # string prefix: anything starting with /auth/
        (("/api",), ("/api*",)),  # also /apiary: nginx prefixes are strings, not segments
        (("^~", "/static/"), ("/static/*",)),
        (("~", "^/users/[0-9]+$"), ("/users/:param",)),
        (("~", r"^/users/\d+/orders/?$"), ("/users/:param/orders",)),
        (("~*", "^/users/(?<id>[^/]+)/orders$"), ("/users/:id/orders",)),
        (("~", "^/users/(?P<uid>[a-z0-9-]+)/(?P<oid>[0-9]+)$"), ("/users/:uid/:oid",)),
        (("~", "^/a/[0-9]+/(?<id>[0-9]+)/(?<id2>[0-9]+)$"), ("/a/:param/:id/:id2",)),
        (("~", "^/a/(?<id>[0-9]+)/[0-9]+/[0-9]+$"), ("/a/:id/:param/:param2",)),
        (("~", "^/api/.*"), ("/api/*",)),
        (("~", "^/api/v1/"), ("/api/v1/*",)),
        (("~", r"^/api/v1\.0$"), ("/api/v1.0",)),
        (("~", "^/x/[a-z]+(/.*)?$"), ("/x/:param", "/x/:param/*")),
    ],
)
def test_translated_matches(args: tuple[str, ...], uris: tuple[str, ...]) -> None:
    match = parse_location(args)
    assert (match.uris, match.problem) == (uris, None)


@pytest.mark.parametrize(
    ("pattern", "problem"),
    [
        (r"\.php$", "not anchored at the start of the path"),
        ("/api/", "not anchored at the start of the path"),  # matches /x/api/ too
        ("^/v1/(claims|quotes)/", "not a plain path with whole-segment wildcards"),
        ("^/users/u[0-9]+$", "not a plain path with whole-segment wildcards"),  # a wildcard inside a segment
        ("^/files/.*\\.(jpg|png)$", "not a plain path with whole-segment wildcards"),
        ("^/a/[^.]+$", "not a plain path with whole-segment wildcards"),  # [^.] also matches "/"
        (r"^/a/[\S]+$", "not a plain path with whole-segment wildcards"),
        ("^/(a+)+$", "not a plain path with whole-segment wildcards"),
        ("^/x(?=y)/", "RE2 refuses the pattern"),
        (r"^/(\w+)/\1$", "RE2 refuses the pattern"),
    ],
)
def test_other_regexes_are_not_approximated(pattern: str, problem: str) -> None:
    match = parse_location(("~", pattern))
    assert (match.uris, match.problem) == ((), problem)


def test_named_locations_are_no_uri() -> None:
    assert parse_location(("@fallback",)).uris == ()


_LITERAL = st.text(alphabet="abcxyz019-_", min_size=1, max_size=6)
_WILDCARD = st.sampled_from([r"[0-9]+", r"\d+", r"[^/]+", r"[a-z0-9-]+", r"([0-9]+)", r"(?<name>[^/]+)"])


@given(st.lists(st.one_of(_LITERAL, _WILDCARD), min_size=1, max_size=5), st.sampled_from(["$", "/?$", ""]))
def test_a_path_built_from_the_translation_matches_the_regex(segments: list[str], end: str) -> None:
    """Every translated regex: a path made from its uri (parameters filled in) matches the original."""
    pattern = "^/" + "/".join(segments) + end
    match = parse_location(("~", pattern))
    assert match.problem is None and match.uris
    uri = match.uris[0]
    path = re.sub(r":[A-Za-z_]\w*", "7", uri).rstrip("*")
    assert compile_uri(uri).matches(path)
    compiled = compile_input_regex(pattern)  # RE2, as riskscan runs every input regex
    assert compiled is not None and compiled.search(path) is not None


@pytest.mark.parametrize(("pattern", "uris"), [
    (r"^/a/[^\/]+$", ("/a/:param",)),
    (r"^/a/[^?\\/]+/b$", ("/a/:param/b",)),
    (r"^/a/[^x\]/]+$", ("/a/:param",)),
])
def test_negated_classes_naming_a_slash_escaped_or_not_are_whole_segments(pattern: str,
                                                                          uris: tuple[str, ...]) -> None:
    assert parse_location(("~", pattern)).uris == uris


def test_a_negated_class_of_thousands_of_slashes_not_repeated_is_no_wildcard() -> None:
    from riskscan.sources.gateways import nginx_locations

    assert "*?" not in nginx_locations._NEGATED  # nothing lazy before a part that matches "/" too
    match = parse_location(("~", "^/a/[^" + "/" * 30_000 + "]x$"))  # a class of one character, not repeated
    assert (match.uris, match.problem) == ((), "not a plain path with whole-segment wildcards")
