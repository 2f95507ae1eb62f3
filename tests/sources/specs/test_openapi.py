"""The OpenAPI/Swagger reader: paths with server prefixes, parameters, security, $refs, hostile files."""

from __future__ import annotations

import gzip
import socket
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from riskscan.errors import SourceError
from riskscan.model import ApiSpec, AuthKind, ParameterLocation, SpecOperation
from riskscan.sources import ReadContext, detect_kind, read_head
from riskscan.sources.specs.openapi import OpenApiError, OpenApiReader
from riskscan.sources.outline import top_level_scalars
from riskscan.sources.structured import load_structured

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "openapi"
READER = OpenApiReader()


def read(name: str, root: Path = FIXTURES, max_bytes: int = 50 * 1024 * 1024) -> ApiSpec:
    """Read a fixture with the fixture folder (or `root`) as scan root."""
    return READER.read(root / name, ReadContext(root=root, max_bytes=max_bytes))


def operation(spec: ApiSpec, method: str, path: str) -> SpecOperation:
    """The one operation with this method and full path."""
    found = [op for op in spec.operations if op.method == method and op.path == path]
    assert len(found) == 1, [(op.method, op.path) for op in spec.operations]
    return found[0]


def kinds(op: SpecOperation) -> list[list[AuthKind]]:
    """The operation's security alternatives as lists of kinds."""
    return [[requirement.kind for requirement in alternative] for alternative in op.security]


# --------------------------------------------------------------------------- sniffing


@pytest.mark.parametrize(
    "head",
    [
        b"openapi: 3.0.3\ninfo: {}\n",
        b"# comment\n---\nopenapi: '3.1.0'\n",
        b'\xef\xbb\xbfswagger: "2.0"\n',
        b'{\n  "info": {"title": "x", "openapi": "9"},\n  "openapi": "3.1.0"\n}',
        b'{"swagger":"2.0","paths":{}}',
        "openapi: 3.0.0\n".encode("utf-16"),
    ],
)
def test_sniff_claims_openapi_3_and_swagger_2(head: bytes) -> None:
    assert READER.sniff(Path("spec.txt"), head)


@pytest.mark.parametrize(
    "head",
    [
        b"routes:\n  - uri: /openapi\n",
        b"info:\n  openapi: 3.0.0\n",  # not top level
        b'{"info": {"openapi": "3.0.0"}}',
        b"# openapi: 3.0.0\n",
        b"openapi: true\n",  # a feature switch in some service's config, not a spec version
        b"openapi:\n  enabled: true\n",
    ],
)
def test_sniff_refuses_other_documents(head: bytes) -> None:
    assert not READER.sniff(Path("spec.yaml"), head)


@pytest.mark.parametrize("name", ["generate-specs.sh", "README.md"])
def test_a_file_that_only_shows_a_spec_in_its_text_is_not_claimed(name: str) -> None:
    """A heredoc or a code block puts `openapi: 3.x` at column 0 of a file that is no spec: it was
    claimed and failed as malformed YAML (a `--strict` scan of a repository stopped on its README)."""
    path = FIXTURES / "not-specs" / name
    assert not READER.sniff(path, read_head(path))
    assert detect_kind(path, read_head(path)) is None


@pytest.mark.parametrize(
    ("text", "version"),
    [('swagger: "1.2"\n', "Swagger version '1.2'"), ("openapi: 2.0\n", "OpenAPI version '2.0'"),
     ("openapi: 4.0.0\npaths: {}\n", "OpenAPI version '4.0.0'")],
)
def test_a_spec_of_a_version_riskscan_does_not_read_is_claimed_and_failed_with_that_reason(
    tmp_path: Path, text: str, version: str
) -> None:
    # Claimed rather than skipped: "not a spec" would hide from the user why the file was left out.
    (tmp_path / "old.yaml").write_text(text)
    assert READER.sniff(tmp_path / "old.yaml", read_head(tmp_path / "old.yaml"))
    with pytest.raises(OpenApiError, match=f"old.yaml:1: unsupported {version}"):
        read("old.yaml", root=tmp_path)


def test_every_good_fixture_sniffs_as_openapi() -> None:
    for name in ["oas30-claims.yaml", "oas30-quotes.json", "bom-openapi.yaml", "split/root.yaml"]:
        assert READER.sniff(FIXTURES / name, read_head(FIXTURES / name)), name
    assert not READER.sniff(
        FIXTURES / "split/paths/claims.yaml", read_head(FIXTURES / "split/paths/claims.yaml")
    )


def test_top_level_scalars_reads_yaml_and_json_heads() -> None:
    assert top_level_scalars(b"openapi: 3.0.3\ninfo:\n  title: x\npaths: {}\n") == {"openapi": "3.0.3"}
    assert top_level_scalars(b'{"a": {"b": "c"}, "swagger": "2.0", "n": 1') == {"swagger": "2.0", "n": "1"}


# --------------------------------------------------------------------------- structured loading


@pytest.mark.parametrize(
    ("name", "pointer", "line"),
    [
        ("oas30-claims.yaml", "", 1),
        ("oas30-claims.yaml", "/paths/~1status/get", 75),
        ("oas30-claims.yaml", "/paths/~1claims/get/parameters/1", 23),
        ("oas30-claims.yaml", "/paths/~1claims/get/responses/200", 27),
        ("oas30-claims.yaml", "/paths/~1status/get/no/such/node", 75),  # nearest existing ancestor
        ("oas30-quotes.json", "/paths/~1quotes~1{quoteId}/get/parameters/0", 18),
        ("oas30-quotes.json", "/components/securitySchemes", 25),
    ],
)
def test_structured_documents_know_the_line_of_a_pointer(name: str, pointer: str, line: int) -> None:
    document = load_structured(FIXTURES / name, ReadContext(root=FIXTURES))
    assert document.line_of(pointer) == line


# --------------------------------------------------------------------------- OpenAPI 3.0


def test_oas30_operations_carry_server_prefix_host_and_alternate_servers() -> None:
    spec = read("oas30-claims.yaml")
    assert (spec.title, spec.version, spec.spec_format) == (
        "Harbor Assurance Claims API",
        "2.1.0",
        "openapi 3.0.3",
    )
    paths = [(op.method, op.path) for op in spec.operations]
    assert paths == [
        ("GET", "/v2/claims"),
        ("POST", "/v2/claims"),
        ("GET", "/v2/claims/{claimId}"),  # trailing slash dropped
        ("PATCH", "/v2/claims/{claimId}"),
        ("GET", "/v2/legacy/claims/{claimId}"),  # double slash folded
        ("GET", "/v2/status"),
    ]
    claims = operation(spec, "GET", "/v2/claims")
    assert claims.host == "api.harbor-assurance.example"
    # the EU server shares the first prefix, so only the sandbox adds an alternate path
    assert claims.alternate_paths == ("/sandbox/v2/claims",)


def test_evidence_points_at_the_operation_line_with_a_json_pointer() -> None:
    op = operation(read("oas30-claims.yaml"), "GET", "/v2/claims/{claimId}")
    assert op.evidence.path == "oas30-claims.yaml"
    assert op.evidence.line == 48
    assert op.evidence.pointer == "/paths/~1claims~1{claimId}~1/get"
    assert op.evidence.excerpt == "get /claims/{claimId}/ (getClaim)"


def test_path_level_parameters_merge_and_operation_overrides_them() -> None:
    spec = read("oas30-claims.yaml")
    get = operation(spec, "GET", "/v2/claims/{claimId}")
    patch = operation(spec, "PATCH", "/v2/claims/{claimId}")
    assert [(p.name, p.location, p.required, p.schema_type) for p in get.parameters] == [
        ("claimId", ParameterLocation.PATH, True, "string"),
        ("X-Partner-Id", ParameterLocation.HEADER, False, "string"),
    ]
    partner = next(p for p in patch.parameters if p.name == "X-Partner-Id")
    assert (partner.required, partner.schema_type) == (True, "integer")
    assert get.parameters[0].schema_format == "uuid"


def test_ref_parameters_are_resolved_and_examples_are_not_kept() -> None:
    op = operation(read("oas30-claims.yaml"), "GET", "/v2/claims")
    page = op.parameters[0]
    assert (page.name, page.location, page.schema_type, page.schema_format) == (
        "pageSize",
        ParameterLocation.QUERY,
        "integer",
        "int32",
    )
    dumped = read("oas30-claims.yaml").model_dump_json()
    for planted in ["4111", "sk_live_4eC39HqLyjWDarjtT1zdp7dc", "api-team@"]:
        assert planted not in dumped


def test_operation_security_overrides_root_and_empty_list_allows_anonymous() -> None:
    spec = read("oas30-claims.yaml")
    listing = operation(spec, "GET", "/v2/claims")
    submit = operation(spec, "POST", "/v2/claims")
    status = operation(spec, "GET", "/v2/status")
    assert kinds(listing) == [[AuthKind.OAUTH2]]
    assert listing.security[0][0].scopes == ("claims:read",)
    assert submit.security[0][0].scopes == ("claims:write",)
    assert status.security == ((),)


def test_deprecated_flag_operation_id_and_redacted_summary() -> None:
    spec = read("oas30-claims.yaml")
    legacy = operation(spec, "GET", "/v2/legacy/claims/{claimId}")
    assert legacy.deprecated and legacy.operation_id == "getLegacyClaim"
    assert not operation(spec, "GET", "/v2/claims").deprecated
    submit = operation(spec, "POST", "/v2/claims")
    assert submit.summary is not None and "sk_live" not in submit.summary
    long_summary = operation(spec, "GET", "/v2/claims").summary
    assert long_summary is not None and len(long_summary) <= 120


def test_json_spec_gets_lines_and_api_key_location() -> None:
    spec = read("oas30-quotes.json")
    create = operation(spec, "POST", "/v1/quotes")
    assert (create.evidence.line, create.evidence.pointer) == (7, "/paths/~1quotes/post")
    assert create.security[0][0].location == "header:X-API-Key"
    assert operation(spec, "GET", "/v1/quotes/{quoteId}").security == ()  # none declared


def test_byte_order_mark_is_tolerated() -> None:
    assert [op.path for op in read("bom-openapi.yaml").operations] == ["/ping"]


# --------------------------------------------------------------------------- servers


def test_server_variables_take_their_defaults_even_in_scheme_and_host() -> None:
    spec = read("server-variables.yaml")
    listing = operation(spec, "GET", "/documents/v3/policies/{policyId}/documents")
    assert listing.host == "eu.docs.harbor-assurance.example"
    assert listing.alternate_paths == ()  # the sandbox server has the same prefix
    assert listing.alternate_hosts == ("sandbox.harbor-assurance.example",)  # every server's host


def test_a_server_host_left_a_placeholder_is_no_host() -> None:
    """A variable whose default is itself a placeholder (`{your-agent-url}`), or a host written as
    `<your-region>...`: no request names such a host, so the endpoint stands for any host."""
    spec = read("placeholder-server-host.yaml")
    completion = operation(spec, "POST", "/api/v1/chat/completions")
    assert completion.host is None
    assert completion.alternate_hosts == ()


def test_path_item_and_operation_servers_override_root_servers() -> None:
    spec = read("server-variables.yaml")
    upload = operation(spec, "POST", "/files/uploads")
    assert upload.host == "upload.harbor-assurance.example"
    replace = operation(spec, "PUT", "/legacy-upload/uploads")
    assert replace.host is None


def test_relative_server_url_is_a_path_prefix() -> None:
    spec = read("oas31-security-alternatives.yaml")
    assert spec.operations[0].path == "/coverage/v1/verifications"
    assert spec.operations[0].host is None


# --------------------------------------------------------------------------- Swagger 2.0


def test_swagger2_host_and_base_path() -> None:
    spec = read("swagger2-basepath.yaml")
    assert spec.spec_format == "swagger 2.0"
    register = operation(spec, "POST", "/onboarding/v1/brokers")
    assert register.host == "brokers.harbor-assurance.example"  # default port dropped


def test_swagger2_body_and_form_parameters() -> None:
    spec = read("swagger2-basepath.yaml")
    register = operation(spec, "POST", "/onboarding/v1/brokers")
    assert [(p.name, p.location, p.schema_type) for p in register.parameters] == [
        ("broker", ParameterLocation.BODY, "object")
    ]
    upload = operation(spec, "PUT", "/onboarding/v1/brokers/{brokerId}/licence")
    assert [(p.name, p.location) for p in upload.parameters] == [
        ("brokerId", ParameterLocation.PATH),
        ("licence", ParameterLocation.FORM),
        ("expires", ParameterLocation.FORM),
    ]
    assert upload.parameters[2].schema_format == "date"
    assert "2030" not in spec.model_dump_json()  # defaults are not kept


def test_swagger2_security_definitions() -> None:
    spec = read("swagger2-basepath.yaml")
    assert kinds(operation(spec, "POST", "/onboarding/v1/brokers")) == [[AuthKind.OAUTH2]]
    assert kinds(operation(spec, "PUT", "/onboarding/v1/brokers/{brokerId}/licence")) == [[AuthKind.BASIC]]
    key = operation(spec, "GET", "/onboarding/v1/brokers/{brokerId}/licence").security[0][0]
    assert (key.kind, key.location) == (AuthKind.API_KEY, "query:api_key")



def test_a_sigv4_scheme_is_a_signed_request_not_a_static_key() -> None:
    """`x-amazon-apigateway-authtype: awsSigv4` on an apiKey scheme: requests signed with IAM
    credentials, judged as the API Gateway reader judges them (it read as a static API key)."""
    spec = read("aws-service-sigv4.json")
    assert len(spec.operations) == 2
    for op in spec.operations:
        [[requirement]] = op.security
        assert (requirement.kind, requirement.scheme) == (AuthKind.OAUTH2, "hmac")
        assert requirement.location == "header:Authorization (AWS SigV4 signature)"


# --------------------------------------------------------------------------- OpenAPI 3.1 security


def test_security_alternatives_with_anonymous_option() -> None:
    op = operation(read("oas31-security-alternatives.yaml"), "POST", "/coverage/v1/verifications")
    assert kinds(op) == [[AuthKind.API_KEY], []]
    assert op.security[0][0].location == "header:X-Broker-Key"


def test_every_scheme_type_resolves_to_its_kind() -> None:
    spec = read("oas31-security-alternatives.yaml")
    verification = operation(spec, "GET", "/coverage/v1/verifications/{verificationId}")
    assert kinds(verification) == [[AuthKind.OIDC], [AuthKind.OAUTH2, AuthKind.MTLS]]
    assert verification.security[0][0].scopes == ("openid", "coverage", "session:write")
    admin = operation(spec, "GET", "/coverage/v1/admin/keys")
    # digest is another per-user credential scheme without a token issuer: weak like basic
    assert kinds(admin) == [[AuthKind.BASIC], [AuthKind.BASIC], [AuthKind.BEARER]]
    assert [alternative[0].scheme for alternative in admin.security] == [
        "adminBasic",
        "adminDigest",
        "adminBearer",
    ]


def test_oas31_type_arrays_give_the_non_null_type() -> None:
    op = operation(
        read("oas31-security-alternatives.yaml"), "GET", "/coverage/v1/verifications/{verificationId}"
    )
    assert (op.parameters[0].schema_type, op.parameters[0].required) == ("string", True)


def test_undefined_scheme_is_a_warning_and_never_becomes_anonymous() -> None:
    spec = read("oas31-security-alternatives.yaml")
    audit = operation(spec, "GET", "/coverage/v1/admin/audit")
    assert kinds(audit) == [[AuthKind.BEARER]]  # the undefined alternative is dropped, not ()
    webhook = operation(spec, "POST", "/coverage/v1/webhooks/register")
    assert kinds(webhook) == [[AuthKind.OAUTH2]]
    assert any("undefined scheme 'auditorKey'" in warning for warning in spec.warnings)
    assert any("undefined scheme 'legacyToken'" in warning for warning in spec.warnings)


# --------------------------------------------------------------------------- $refs


def test_split_spec_resolves_relative_refs_and_lists_the_files() -> None:
    spec = read("split/root.yaml")
    assert [(op.method, op.path) for op in spec.operations] == [
        ("GET", "/v2/claims/{claimId}"),
        ("DELETE", "/v2/claims/{claimId}"),
        ("POST", "/v2/claims/{claimId}/documents"),
        ("GET", "/v2/health"),
    ]
    assert set(spec.referenced_files) == {
        "split/paths/claims.yaml",
        "split/common/parameters.yaml",
        "split/common/security.yaml",
        "split/schemas/Claim.json",
    }
    assert spec.warnings == ()


def test_split_spec_operations_cite_the_file_they_are_written_in() -> None:
    spec = read("split/root.yaml")
    withdraw = operation(spec, "DELETE", "/v2/claims/{claimId}")
    assert (withdraw.evidence.path, withdraw.evidence.line, withdraw.evidence.pointer) == (
        "split/paths/claims.yaml",
        13,
        "/delete",
    )
    assert withdraw.evidence.note == "referenced from split/root.yaml"
    assert withdraw.deprecated
    assert [(p.name, p.schema_format) for p in withdraw.parameters] == [("claimId", "uuid"), ("reason", None)]
    assert kinds(withdraw) == [[AuthKind.OAUTH2]]  # scheme itself is in another file


def test_refs_outside_the_allowed_roots_are_refused() -> None:
    spec = read("ref-outside-root.yaml")
    assert [op.path for op in spec.operations] == ["/secrets", "/ok"]  # the estate's claims are not pulled in
    assert spec.referenced_files == ()
    assert spec.warnings[0].startswith("1 of 3 paths could not be read (first: ref-outside-root.yaml:6: $ref")
    outside = [warning for warning in spec.warnings[1:] if "outside the scanned folders" in warning]
    assert len(outside) == 3


def test_allowed_roots_widen_what_refs_may_open() -> None:
    context = ReadContext(root=FIXTURES, allowed_roots=(FIXTURES.parent,))
    spec = READER.read(FIXTURES / "ref-outside-root.yaml", context)
    assert "/claims" in [op.path for op in spec.operations]
    assert any("claims-api.yaml" in name for name in spec.referenced_files)


def test_remote_refs_are_never_fetched(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("the reader tried to open a network connection")

    monkeypatch.setattr(socket, "socket", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket, "getaddrinfo", no_network)
    spec = read("remote-ref.yaml")
    assert [op.path for op in spec.operations] == ["/claims"]
    assert operation(spec, "GET", "/claims").security == ()  # its only scheme was remote
    assert spec.warnings[0].startswith("1 of 2 paths could not be read (first: remote-ref.yaml:6: remote $ref")
    remote = [warning for warning in spec.warnings[1:] if "not fetched" in warning]
    assert len(remote) == 4
    assert all("hunter2" not in warning for warning in spec.warnings)


def test_circular_refs_terminate_with_warnings() -> None:
    spec = read("circular-refs.yaml")
    listing = operation(spec, "GET", "/policies")
    assert [p.name for p in listing.parameters] == ["limit"]
    assert listing.parameters[0].schema_type is None  # its schema is a self-reference
    assert len(spec.operations) == 1
    assert sum("circular $ref" in warning for warning in spec.warnings) >= 3


def test_shared_subschemas_are_walked_once_so_later_fields_are_still_read() -> None:
    """8 recipient types x 12 tab types share one `Tab` and one `PropertyMetadata`: walked once per
    reference, they spent the node budget before the sender's fields were reached."""
    spec = read("shared-subschemas.yaml")
    envelope = operation(spec, "GET", "/restapi/v2.1/accounts/{accountId}/envelopes/{envelopeId}")
    names = {field.name for field in envelope.fields or ()}
    assert {"userName", "email", "ipAddress"} <= names
    assert {"signers", "witnesses", "signHereTabs", "declineTabs", "tabLabelMetadata", "rights"} <= names
    email = next(field for field in envelope.fields or () if field.name == "email")
    assert email.schema_format == "email"
    assert email.evidence.pointer == "/components/schemas/UserInfo/properties/email"


def test_a_schema_shared_by_operations_is_made_into_fields_once_per_spec() -> None:
    """Every operation reaching `Quote` gets the very same fields, not new ones built and validated
    again for each (a third of the reading time of specs like DocuSign's, OpenAI's and Okta's)."""
    spec = read("rate-limits-and-paging.yaml")
    quotes, claim = operation(spec, "GET", "/v1/quotes"), operation(spec, "GET", "/v1/claims/{claimId}")
    pointer = "/components/schemas/Quote/properties/id"
    [in_quotes] = [field for field in quotes.fields or () if field.evidence.pointer == pointer]
    [in_claim] = [field for field in claim.fields or () if field.evidence.pointer == pointer]
    assert in_quotes is in_claim and in_quotes.name == "id"


def test_a_reused_yaml_anchor_names_its_newest_node() -> None:
    """YAML lets an anchor be defined again (aliases then refer to the newest node); PyYAML refuses it,
    and the spec failed as 'malformed YAML: found duplicate anchor'."""
    spec = read("reused-anchors.yaml")
    assert [op.operation_id for op in spec.operations] == ["createRun", "modifyRun"]
    data = load_structured(FIXTURES / "reused-anchors.yaml", ReadContext(root=FIXTURES)).data
    properties = data["paths"]["/threads/{threadId}/runs/{runId}"]["patch"]["requestBody"]["content"][
        "application/json"]["schema"]["properties"]
    assert properties["top_p"]["description"] == properties["temperature"]["description"]
    assert properties["top_p"]["description"].startswith("Sampling temperature for the rest of the run")


def test_a_plain_equals_sign_is_text_not_a_yaml_error() -> None:
    spec = read("equals-sign-scalar.yaml")
    assert [op.path for op in spec.operations] == ["/api/v2/triggers"]
    data = load_structured(FIXTURES / "equals-sign-scalar.yaml", ReadContext(root=FIXTURES)).data
    schema = data["paths"]["/triggers"]["post"]["requestBody"]["content"]["application/json"]
    assert schema["schema"]["properties"]["operator"]["enum"][0] == "="
    assert schema["example"]["conditions"][0]["operator"] == "="


def test_a_query_or_fragment_in_a_path_key_is_not_part_of_the_path() -> None:
    spec = read("path-keys-with-query-or-fragment.yaml")
    paths = [(op.operation_id, op.method, op.path) for op in spec.operations]
    assert paths == [
        ("listRides", "GET", "/v1/rides"), ("getRide", "GET", "/v1/rides/{rideId}"),
        ("SendMessage", "POST", "/v1"), ("DeleteQueue", "POST", "/v1"), ("ListQueues", "POST", "/v1"),
    ]
    assert [op.evidence.excerpt for op in spec.operations][2:] == [
        "post /?Action=SendMessage (SendMessage)", "post /?Action=DeleteQueue (DeleteQueue)",
        "post /#X-Amz-Target=Queues.ListQueues (ListQueues)",
    ]


def test_unresolvable_refs_are_warnings_not_failures() -> None:
    spec = read("unresolvable-ref.yaml")
    listing = operation(spec, "GET", "/claims")
    assert [p.name for p in listing.parameters] == ["status"]
    assert kinds(listing) == [[AuthKind.OAUTH2]]
    assert spec.warnings == (
        "1 of 2 paths could not be read"
        " (first: unresolvable-ref.yaml:19: $ref '#/components/pathItems/Nowhere' does not resolve)",
        "unresolvable-ref.yaml:10: $ref '#/components/parameters/Missing' does not resolve",
        "unresolvable-ref.yaml:11: $ref './no-such-file.yaml#/Page' names a file that does not exist",
        "unresolvable-ref.yaml:16: security requirement names undefined scheme 'ghostScheme'",
        "unresolvable-ref.yaml:19: $ref '#/components/pathItems/Nowhere' does not resolve",
    )


def test_refs_naming_impossible_files_are_warnings_not_crashes(tmp_path: Path) -> None:
    # A NUL byte (`%00`) or a 300-character name makes the OS refuse the path outright.
    long_name = "x" * 300
    (tmp_path / "spec.yaml").write_text(
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n"
        "      parameters:\n        - $ref: 'other%00.yaml#/p'\n"
        f"        - $ref: '{long_name}.yaml#/p'\n"
        f"      responses:\n        '200': {{$ref: '{long_name}.yaml#/r'}}\n"
    )
    spec = read("spec.yaml", root=tmp_path)
    assert [op.path for op in spec.operations] == ["/a"]
    assert spec.warnings[0] == "spec.yaml:7: $ref 'other%00.yaml#/p' does not name a usable file; not opened"
    assert "names a file that does not exist" in spec.warnings[1]


# --------------------------------------------------------------------------- broken and hostile files


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("malformed.yaml", "broken/malformed.yaml:8: malformed YAML: while parsing a flow mapping"),
        ("truncated.json", "broken/truncated.json:8: malformed JSON:"),
        ("paths-is-a-list.yaml", "broken/paths-is-a-list.yaml:5: broken OpenAPI spec: 'paths' is a list, not"),
        ("no-paths.yaml", "broken/no-paths.yaml:1: broken OpenAPI spec: no 'paths' section (Swagger 2.0"),
        ("unsupported-version.json", "broken/unsupported-version.json:1: unsupported Swagger version '1.2'"),
        ("top-level-list.yaml", "broken/top-level-list.yaml:1: broken OpenAPI spec: top level is a list, not"),
        ("oas30-no-paths.yaml", "broken/oas30-no-paths.yaml:1: broken OpenAPI spec: no 'paths' section"),
        ("paths-null.yaml", "broken/paths-null.yaml:5: broken OpenAPI spec: 'paths' is empty, not a mapping"),
        (
            "oas31-nothing-described.yaml",
            "broken/oas31-nothing-described.yaml:1: broken OpenAPI spec: no 'paths', 'components' or 'webhooks'",
        ),
        (
            "all-path-files-missing.yaml",
            "broken/all-path-files-missing.yaml:6: broken OpenAPI spec: no operation could be read: 2 of 2 paths"
            " could not be read (first: broken/all-path-files-missing.yaml:7: $ref 'paths/claims.yaml' names a"
            " file that does not exist)",
        ),
        ("alias-bomb.yaml", "broken/alias-bomb.yaml:9: refused YAML: aliases expand to over"),
        ("recursive-alias.yaml", "broken/recursive-alias.yaml:4: refused YAML: an alias refers to the node"),
        ("not-utf8.yaml", "broken/not-utf8.yaml: not UTF-8 text"),
        ("two-documents.yaml", "broken/two-documents.yaml:4: malformed YAML: expected a single document"),
    ],
)
def test_broken_file_gives_one_line_error_naming_it(name: str, message: str) -> None:
    with pytest.raises(OpenApiError) as caught:
        read(f"broken/{name}")
    text = str(caught.value)
    assert text.startswith(message)
    assert "\n" not in text and len(text) < 400


def test_path_items_in_missing_files_are_counted_and_the_reason_given() -> None:
    spec = read("missing-path-files/root.yaml")
    assert [(op.method, op.path) for op in spec.operations] == [
        ("GET", "/v1/policies"),
        ("POST", "/v1/policies"),
    ]
    assert spec.warnings[0] == (
        "2 of 3 paths could not be read (first: missing-path-files/root.yaml:11:"
        " $ref 'paths/policy.yaml' names a file that does not exist)"
    )
    assert "missing-path-files/root.yaml:13: $ref 'paths/endorsements.yaml' names a file" in spec.warnings[2]


def test_operations_that_cannot_be_read_are_counted(tmp_path: Path) -> None:
    (tmp_path / "spec.yaml").write_text(
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n"
        "    get: {$ref: 'ops.yaml#/list'}\n    put: [not, an, operation]\n    post: {responses: {}}\n"
    )
    spec = read("spec.yaml", root=tmp_path)
    assert [op.method for op in spec.operations] == ["POST"]
    assert spec.warnings[0] == (
        "2 operations could not be read"
        " (first: spec.yaml:5: $ref 'ops.yaml#/list' names a file that does not exist)"
    )


def test_every_reference_to_a_missing_file_is_named(tmp_path: Path) -> None:
    (tmp_path / "spec.yaml").write_text(
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n"
        "  /a: {$ref: 'items.yaml#/a'}\n  /b: {$ref: 'items.yaml#/b'}\n  /c: {get: {responses: {}}}\n"
    )
    spec = read("spec.yaml", root=tmp_path)
    assert spec.warnings[0].startswith("2 of 3 paths could not be read")
    assert [warning.split(":")[1] for warning in spec.warnings[1:]] == ["4", "5"]


def test_an_openapi_31_document_with_only_webhooks_is_a_spec_without_endpoints() -> None:
    spec = read("oas31-webhooks-only.yaml")
    assert spec.operations == ()
    assert spec.warnings == (
        "oas31-webhooks-only.yaml:2: no 'paths' section (only components or webhooks): no endpoints to assess",
    )


def test_empty_paths_are_valid_and_said_to_hold_no_operations() -> None:
    spec = read("oas30-empty-paths.yaml")
    assert spec.operations == ()
    assert spec.warnings == (
        "oas30-empty-paths.yaml:5: 'paths' declares no operations: nothing to assess in this spec",
    )


@pytest.mark.parametrize(
    ("name", "line"),
    [("deep-nesting.yaml", 4), ("deep-nesting.json", 1)],
)
def test_deep_nesting_is_refused_naming_file_and_line(name: str, line: int) -> None:
    # Whichever guard trips first (ours at 200 levels, libyaml's own since PyYAML 6.0.4, Python's
    # recursion limit), the user is told the same thing: this file, this line, nested too deeply.
    with pytest.raises(OpenApiError) as caught:
        read(f"broken/{name}")
    text = str(caught.value)
    assert text.startswith(f"broken/{name}:{line}: ")
    assert "nested too deeply" in text
    assert "\n" not in text and len(text) < 200


@pytest.mark.parametrize(
    ("depth", "is_refused"),
    [(200, False), (201, True), (999, True), (1001, True), (5000, True)],
)
@pytest.mark.parametrize("style", ["flow-yaml", "block-yaml", "flow-mapping-yaml", "json"])
def test_nesting_is_refused_past_200_levels_in_yaml_and_json(
    tmp_path: Path, depth: int, is_refused: bool, style: str
) -> None:
    # libyaml 0.2.6 refuses past 1000 levels on its own; 200 < depth <= 1000 reaches only our guard.
    inner = depth - 1  # the spec's top-level mapping is the first level
    texts = {
        "flow-yaml": "openapi: 3.0.0\npaths: {}\nx: " + "[" * inner + "]" * inner + "\n",
        "block-yaml": "openapi: 3.0.0\npaths: {}\nx:\n" + "".join(
            "  " * level + "-\n" for level in range(inner - 1)
        ) + "  " * (inner - 1) + "- end\n",
        "flow-mapping-yaml": "openapi: 3.0.0\npaths: {}\nx: " + "{a: " * inner + "1" + "}" * inner + "\n",
        "json": '{"openapi": "3.0.0", "paths": {}, "x": ' + "[" * inner + "]" * inner + "}",
    }
    name = "spec.json" if style == "json" else "spec.yaml"
    (tmp_path / name).write_text(texts[style])
    if not is_refused:
        assert read(name, root=tmp_path).operations == ()
        return
    with pytest.raises(OpenApiError) as caught:
        read(name, root=tmp_path)
    assert str(caught.value).startswith(f"{name}:")
    assert "nested too deeply" in str(caught.value)


DEPTH = 1_000_000
DEEP_NESTING = {
    "flow.yaml": "openapi: 3.0.0\npaths: {}\nx: " + "[" * DEPTH + "]" * DEPTH,
    "block.yaml": "openapi: 3.0.0\npaths: {}\nx:\n  " + "- " * DEPTH + "deep\n",
    "flow.json": '{"openapi": "3.0.0", "paths": {}, "x": ' + "[" * DEPTH + "]" * DEPTH + "}",
}


@pytest.mark.parametrize("name", sorted(DEEP_NESTING))
def test_two_megabytes_of_nesting_is_refused_without_crashing(tmp_path: Path, name: str) -> None:
    # libyaml's own composer would overflow the C stack here and kill the process.
    (tmp_path / name).write_text(DEEP_NESTING[name])
    with pytest.raises(SourceError, match="nested"):
        read(name, root=tmp_path)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("openapi: 3.0.0\npaths: {}\nx: !!float abc\n", "malformed YAML: a value does not fit its type"),
        ("openapi: 3.0.0\npaths: {}\nx: !!bool maybe\n", "malformed YAML: a value does not fit its type"),
        (
            "openapi: 3.0.0\npaths: {}\nx: " + "9" * 5000 + "\n",
            "malformed YAML: a value does not fit its type",
        ),
        (
            '{"openapi": "3.0.0", "paths": {}, "x": ' + "9" * 5000 + "}",
            "malformed JSON: a number is too long",
        ),
        (
            "openapi: 3.0.0\npaths: {}\nx: !!python/object:os.system {}\n",
            "malformed YAML: could not determine",
        ),
    ],
)
def test_values_that_do_not_fit_their_type_are_source_errors(tmp_path: Path, text: str, message: str) -> None:
    (tmp_path / "spec.yaml").write_text(text)
    with pytest.raises(OpenApiError, match=message):
        read("spec.yaml", root=tmp_path)


def test_files_over_the_size_limit_are_refused() -> None:
    with pytest.raises(SourceError, match=r"oas30-claims.yaml: file is \d+ bytes, over the 100-byte limit"):
        read("oas30-claims.yaml", max_bytes=100)


def test_referenced_file_over_the_limit_is_a_warning(tmp_path: Path) -> None:
    (tmp_path / "root.yaml").write_text(
        "openapi: 3.0.0\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    $ref: big.yaml\n"
        "  /b:\n    get: {responses: {}}\n"
    )
    (tmp_path / "big.yaml").write_text("get: {responses: {}}\n" + "x-pad: " + "a" * 400 + "\n")
    spec = read("root.yaml", root=tmp_path, max_bytes=300)
    assert [op.path for op in spec.operations] == ["/b"]
    assert spec.warnings[0].startswith("1 of 2 paths could not be read")
    assert "over the 300-byte limit" in spec.warnings[0]


SPEC_LIKE = st.lists(
    st.sampled_from(
        [
            "openapi: 3.0.0\n",
            "swagger: '2.0'\n",
            "paths:\n",
            "  /a/{id}:\n",
            "    get: {security: [{}]}\n",
            "    $ref: '#/paths'\n",
            "    parameters: [{$ref: x.yaml}]\n",
            "servers: [{url: '{v}://h/{p}'}]\n",
            "x: &a [*a]\n",
            "  - [\n",
            '{"openapi": "3.1.0", "paths": {',
            "\t: ]\n",
        ]
    ),
    max_size=8,
).map("".join)


@settings(max_examples=200, deadline=None)
@given(text=st.one_of(SPEC_LIKE, st.text(max_size=200)))
def test_any_input_gives_a_spec_or_a_source_error(text: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "spec.yaml"
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        READER.sniff(path, read_head(path))
        try:
            READER.read(path, ReadContext(root=Path(folder)))
        except SourceError as error:
            assert "\n" not in str(error)


# --------------------------------------------------------------------------- the real-world corpus


def test_every_corpus_spec_reads(corpus_dir: Path) -> None:
    context = ReadContext(root=corpus_dir)
    read_count = 0
    for path in sorted(corpus_dir.rglob("*")):
        if path.is_file() and READER.sniff(path, read_head(path)):
            spec = READER.read(path, context)
            assert spec.path == context.relative_path(path)
            read_count += 1
    assert read_count >= 15


def test_corpus_keycloak_paths_carry_the_admin_prefix(corpus_dir: Path) -> None:
    spec = read("openapi/keycloak/keycloak-admin-23.0.6.yml", root=corpus_dir)
    assert len(spec.operations) == 316
    assert all(op.path.startswith("/admin/realms") for op in spec.operations)
    assert all(op.host == "keycloak.example.com" for op in spec.operations)
    assert all(kinds(op) == [[AuthKind.BEARER]] for op in spec.operations)


def test_corpus_petstore_separate_resolves_its_relative_refs(corpus_dir: Path) -> None:
    spec = read("openapi/oai-examples/v2.0/json/petstore-separate/spec/swagger.json", root=corpus_dir)
    base = "openapi/oai-examples/v2.0/json/petstore-separate"
    assert set(spec.referenced_files) == {
        f"{base}/spec/parameters.json",
        f"{base}/spec/Pet.json",
        f"{base}/spec/NewPet.json",
        f"{base}/common/Error.json",
    }
    find_pets = operation(spec, "GET", "/api/pets")
    assert [p.name for p in find_pets.parameters] == ["tags", "limit"]
    assert spec.warnings == ()


def test_corpus_server_prefixes(corpus_dir: Path) -> None:
    expectations = {
        "openapi/openbanking-uk/account-info-openapi.yaml": "/open-banking/v4.0/aisp/",
        "openapi/berlin-group/psd2-api_1.3.8_2020-12-14v2.yaml": "/psd2/v1/",
        "openapi/oai-examples/v3.0/uspto.yaml": "/ds-api",
        "openapi/box/openapi-v2025.0.json": "/2.0/",
    }
    for name, prefix in expectations.items():
        spec = read(name, root=corpus_dir)
        assert spec.operations and all(op.path.startswith(prefix) for op in spec.operations), name


def test_corpus_remote_security_scheme_is_not_fetched(corpus_dir: Path) -> None:
    spec = read("openapi/oai-schema-tests/v3.1/security-scheme-object-examples.yaml", root=corpus_dir)
    assert spec.operations == ()
    assert any("not fetched" in warning for warning in spec.warnings)


def test_corpus_deprecated_operations(corpus_dir: Path) -> None:
    spec = read("openapi/adyen/RecurringService-v68.json", root=corpus_dir)
    assert sum(op.deprecated for op in spec.operations) == 2
    assert kinds(spec.operations[0]) == [[AuthKind.BASIC], [AuthKind.API_KEY]]


def test_a_gzipped_spec_is_read_like_the_plain_one(tmp_path: Path) -> None:
    plain = FIXTURES / "oas30-claims.yaml"
    packed = tmp_path / "oas30-claims.yaml.gz"
    packed.write_bytes(gzip.compress(plain.read_bytes()))
    context = ReadContext(root=tmp_path)
    unpacked = OpenApiReader().read(packed, context)
    original = OpenApiReader().read(plain, ReadContext(root=FIXTURES))
    assert [(op.method, op.path) for op in unpacked.operations] == [(op.method, op.path) for op in original.operations]
    assert OpenApiReader().sniff(packed, read_head(packed))


def test_a_gzip_bomb_spec_is_refused_in_one_line(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.yaml.gz"
    bomb.write_bytes(gzip.compress(b"openapi: 3.0.0\n" + b"#" * 5_000_000))
    with pytest.raises(OpenApiError, match=r"bomb.yaml.gz: over the 100000-byte limit once unpacked"):
        OpenApiReader().read(bomb, ReadContext(root=tmp_path, max_bytes=100_000))


def test_oas31_path_items_from_components_mutual_tls_and_webhooks_that_are_no_endpoints() -> None:
    spec = read("oas31-path-items-webhooks-mtls.yaml")
    assert [(op.method, op.path, op.operation_id) for op in spec.operations] == [
        ("GET", "/v1/treaties/{treatyId}", "getTreaty"),
        ("DELETE", "/v1/treaties/{treatyId}", "cancelTreaty"),
        ("GET", "/v1/treaties", "listTreaties"),
    ]  # treatyBoundEvent is a request the API sends to subscribers, not one it serves
    treaty = operation(spec, "GET", "/v1/treaties/{treatyId}")
    assert [(p.name, p.location) for p in treaty.parameters] == [("treatyId", ParameterLocation.PATH)]
    assert treaty.evidence.pointer == "/components/pathItems/Treaty/get"
    assert operation(spec, "DELETE", "/v1/treaties/{treatyId}").deprecated
    assert {(op.host, op.alternate_hosts) for op in spec.operations} == {
        ("treaties.example-re.com", ("treaties-dr.example-re.com",))
    }
    assert all(kinds(op) == [[AuthKind.MTLS]] for op in spec.operations)
