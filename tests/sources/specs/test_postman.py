"""The Postman collection reader: requests as documented endpoints, their declared auth, hostile files."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from riskscan.model import ApiSpec, AuthKind, ParameterLocation, SourceKind, SpecOperation
from riskscan.sources import ReadContext, detect_kind, read_head
from riskscan.sources.specs.postman import PostmanError, PostmanReader
from riskscan.sources.specs.postman_urls import request_url

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "postman"
READER = PostmanReader()
PLANTED = [
    "eyJhbGciOiJIUzI1NiJ9",
    "PLANTED-oauth-client-secret-7f3a9",
    "sk_live_PLANTEDpartnerKey0123456789",
    "PLANTED-response-token-991",
    "jane.doe@example.com",
    "PLANTED-body-password-55",
    "PLANTED-basic-pass-31",
    "PLANTED-bearer-v20-token",
    "PLANTED-header-key-123",
    "PLANTED-digest-pass",
    "PLANTED-ticket",
    "CLM-20231104-0042",
    "PLANTED-env-token-abc",
]


def read(name: str) -> ApiSpec:
    return READER.read(FIXTURES / name, ReadContext(root=FIXTURES))


def operation(spec: ApiSpec, method: str, path: str) -> SpecOperation:
    found = [op for op in spec.operations if op.method == method and op.path == path]
    assert len(found) == 1, [(op.method, op.path) for op in spec.operations]
    return found[0]


def kinds(op: SpecOperation) -> list[list[AuthKind]]:
    return [[requirement.kind for requirement in alternative] for alternative in op.security]


def test_collections_are_detected_by_content_and_environments_are_not() -> None:
    for name in (
        "claims-v21-inherited-auth.postman_collection.json",
        "v20-object-auth-and-headers.postman_collection.json",
    ):
        path = FIXTURES / name
        assert detect_kind(path, read_head(path)) is SourceKind.POSTMAN
    environment = FIXTURES / "staging.postman_environment.json"
    assert detect_kind(environment, read_head(environment)) is None


@pytest.mark.parametrize(
    "head",
    [
        b'{"_postman_variable_scope": "environment", "_postman_id": "x", "item": []}',
        b"item: []\n_postman_id: 1\n",
        b"[1, 2]",
        b'{"info": {"name": "notes"}, "items": []}',
    ],
)
def test_sniff_refuses_what_is_no_collection(head: bytes) -> None:
    assert not READER.sniff(Path("x.json"), head)


def test_nested_folders_give_full_paths_with_the_base_url_resolved() -> None:
    spec = read("claims-v21-inherited-auth.postman_collection.json")
    assert (spec.title, spec.version) == ("Claims Partner API", "2.3.0")
    assert spec.spec_format == "postman collection v2.1"
    assert [(op.method, op.path) for op in spec.operations] == [
        ("GET", "/v2/claims"),
        ("GET", "/v2/claims/{claimId}"),
        ("POST", "/v2/claims/{claimId}/documents"),
        ("POST", "/v2/sandbox/quotes"),
        ("GET", "/v2/status"),
        ("GET", "/v2/exports/daily"),
    ]
    assert {op.host for op in spec.operations} == {"api.example-insurer.com"}


def test_path_variables_become_parameters_and_query_names_are_kept_without_values() -> None:
    spec = read("claims-v21-inherited-auth.postman_collection.json")
    listing = operation(spec, "GET", "/v2/claims")
    assert [(p.name, p.location) for p in listing.parameters] == [
        ("status", ParameterLocation.QUERY),
        ("page", ParameterLocation.QUERY),
    ]
    # `{{claimId}}` has a sample value in the collection: the template keeps the parameter, not the id.
    upload = operation(spec, "POST", "/v2/claims/{claimId}/documents")
    assert [(p.name, p.location, p.required) for p in upload.parameters] == [
        ("claimId", ParameterLocation.PATH, True)
    ]


def test_auth_is_inherited_from_collection_and_folder_and_overridden_per_request() -> None:
    spec = read("claims-v21-inherited-auth.postman_collection.json")
    claims = operation(spec, "GET", "/v2/claims/{claimId}")
    assert kinds(claims) == [[AuthKind.OAUTH2]]
    assert claims.security[0][0].scopes == ("claims:read", "claims:write")
    quote = operation(spec, "POST", "/v2/sandbox/quotes")
    assert kinds(quote) == [[AuthKind.API_KEY]]
    assert quote.security[0][0].location == "header:X-Partner-Key"
    assert operation(spec, "GET", "/v2/status").security == ((),)  # noauth: anonymous by declaration
    assert kinds(operation(spec, "GET", "/v2/exports/daily")) == [[AuthKind.BASIC]]


def test_version_2_0_objects_headers_and_bare_url_requests() -> None:
    spec = read("v20-object-auth-and-headers.postman_collection.json")
    assert (spec.version, spec.spec_format) == ("1.4.0", "postman collection v2.0")
    assert kinds(operation(spec, "GET", "/policies/{policyId}")) == [[AuthKind.BEARER]]
    assert operation(spec, "GET", "/policies/{policyId}").host == "policies.example-insurer.com"
    renew = operation(spec, "POST", "/policies/{policyId}/renewals")  # method written in lower case
    assert kinds(renew) == [[AuthKind.API_KEY]] and renew.security[0][0].location == "header:X-Api-Key"
    health = operation(spec, "GET", "/health")
    assert health.security == () and health.declares_auth  # no auth anywhere: declares none
    reindex = operation(spec, "PUT", "/admin/reindex")
    assert (reindex.host, kinds(reindex)) == (None, [[AuthKind.BASIC]])  # digest: a per-user password


def test_unresolved_host_unknown_auth_and_bad_entries_cost_only_themselves() -> None:
    spec = read("unresolved-host-unknown-scheme.postman_collection.json")
    assert [(op.method, op.host, op.path) for op in spec.operations] == [
        ("POST", None, "/ops/reindex/{tenant}"),
        ("GET", None, "/tenants/{tenant}/users"),
    ]
    reindex = operation(spec, "POST", "/ops/reindex/{tenant}")
    assert reindex.security == () and not reindex.declares_auth  # an auth type riskscan cannot judge
    assert len(spec.warnings) == 6
    assert any("auth type 'kerberos-custom' is not one riskscan knows" in w for w in spec.warnings)
    assert any(w.endswith("a request has no usable URL; skipped") for w in spec.warnings)


def test_evidence_names_the_request_line_and_pointer() -> None:
    spec = read("claims-v21-inherited-auth.postman_collection.json")
    evidence = operation(spec, "GET", "/v2/claims/{claimId}").evidence
    assert evidence.path == "claims-v21-inherited-auth.postman_collection.json"
    assert (evidence.line, evidence.pointer) == (40, "/item/0/item/1")
    assert evidence.excerpt == "GET /v2/claims/{claimId} (Get claim)"
    text = (FIXTURES / "claims-v21-inherited-auth.postman_collection.json").read_text().splitlines()
    assert '"name": "Get claim"' in text[evidence.line]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("truncated.postman_collection.json", "broken/truncated.postman_collection.json:1: malformed JSON"),
        ("item-not-a-list.postman_collection.json", ":3: broken Postman collection: no 'item' list"),
        ("v1-format.postman_collection.json", ":2: broken Postman collection: Postman collection format v1"),
        ("no-request-readable.postman_collection.json", ":3: broken Postman collection: no request could be"),
    ],
)
def test_broken_collections_fail_with_one_line_naming_file_and_problem(name: str, message: str) -> None:
    with pytest.raises(PostmanError) as raised:
        READER.read(FIXTURES / "broken" / name, ReadContext(root=FIXTURES))
    assert message in str(raised.value) and "\n" not in str(raised.value)


def test_secrets_in_auth_variables_bodies_and_examples_are_never_kept() -> None:
    dumped = "".join(
        read(name).model_dump_json()
        for name in (
            "claims-v21-inherited-auth.postman_collection.json",
            "v20-object-auth-and-headers.postman_collection.json",
            "unresolved-host-unknown-scheme.postman_collection.json",
        )
    )
    for secret in PLANTED:
        assert secret not in dumped


def test_a_collection_scans_end_to_end_without_leaking(tmp_path: Path) -> None:
    estate = tmp_path / "estate"
    shutil.copytree(FIXTURES, estate)
    out = tmp_path / "r.json"
    result = subprocess.run(
        [sys.executable, "-m", "riskscan", "scan", str(estate), "-o", str(out)],
        cwd=tmp_path, capture_output=True, text=True, timeout=300, check=False,
    )
    assert result.returncode == 0, result.stderr
    written = out.read_text() + result.stdout + result.stderr
    report = json.loads(out.read_text())
    keys = {f"{e['method']} {e['path']}" for e in report["endpoints"]}
    assert {"GET /v2/claims/{claimId}", "POST /policies/{policyId}/renewals"} <= keys
    for secret in PLANTED:
        assert secret not in written


_LITERAL = st.from_regex(r"[a-z][a-z-]{0,10}", fullmatch=True)
_PARAMETER = st.from_regex(r"[a-z][A-Za-z0-9_]{0,10}", fullmatch=True)


@given(
    segments=st.lists(st.tuples(st.booleans(), st.one_of(_LITERAL, _PARAMETER)), max_size=6),
    secret=st.from_regex(r"sk_live_[A-Za-z0-9]{16,24}", fullmatch=True),
)
def test_url_templates_keep_literals_and_never_a_variable_value_that_is_no_word(
    segments: list[tuple[bool, str]], secret: str
) -> None:
    path = "/".join(f":{name}" if is_param else name for is_param, name in segments)
    raw = f"{{{{baseUrl}}}}/{path}/{{{{key}}}}"
    url = request_url(raw, {"baseUrl": "https://api.example.com/v1", "key": secret})
    assert url is not None and url.host == "api.example.com"
    expected = "".join(f"/{{{name}}}" if is_param else f"/{name}" for is_param, name in segments)
    assert url.path == f"/v1{expected}/{{key}}"
    names = [p.name for p in url.parameters]
    assert names == list(dict.fromkeys([name for is_param, name in segments if is_param] + ["key"]))


@pytest.mark.parametrize(
    ("raw", "variables", "host", "path"),
    [
        ("{{baseUrl}}claims/:id", {}, None, "/claims/{id}"),  # base URL written without its slash
        ("{{baseUrl}}claims", {"baseUrl": "https://api.example.com/v2/"}, "api.example.com", "/v2/claims"),
        ("{{host}}.example.com/x", {}, None, "/x"),
        ("{{scheme}}://{{host}}:443/x", {"scheme": "https", "host": "{{region}}.example.com", "region": "eu"},
         "eu.example.com", "/x"),
        ("https://user:PLANTED-pass@api.example.com/x?token=PLANTED-q#frag", {}, "api.example.com", "/x"),
        ("{{a}}/x", {"a": "{{b}}", "b": "{{a}}"}, None, "/x"),  # a loop of variables stops
    ],
)
def test_request_urls_resolve_to_a_host_and_template(
    raw: str, variables: dict[str, str], host: str | None, path: str
) -> None:
    url = request_url(raw, variables)
    assert url is not None and (url.host, url.path) == (host, path)
    assert "PLANTED" not in repr(url)
