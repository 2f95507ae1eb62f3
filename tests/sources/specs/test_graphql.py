"""The GraphQL schema reader: one documented endpoint listing its queries and mutations, hostile files."""

from __future__ import annotations

from pathlib import Path

import pytest

from riskscan.model import ApiSpec, ParameterLocation, SourceKind
from riskscan.sources import ReadContext, detect_kind, read_head
from riskscan.sources.specs.graphql import GraphQlError, GraphQlReader

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "graphql"
READER = GraphQlReader()


def read(name: str) -> ApiSpec:
    return READER.read(FIXTURES / name, ReadContext(root=FIXTURES))


@pytest.mark.parametrize(
    "name",
    [
        "claims-schema.graphql",
        "custom-roots-and-path.graphqls",
        "extension-only.gql",
        "members-introspection.json",
        "bare-introspection-custom-path.json",
    ],
)
def test_schemas_are_detected_by_content(name: str, tmp_path: Path) -> None:
    disguised = tmp_path / "schema.txt"
    disguised.write_bytes((FIXTURES / name).read_bytes())
    assert detect_kind(disguised, read_head(disguised)) is SourceKind.GRAPHQL


@pytest.mark.parametrize(
    "head",
    [
        b"# Claims API\n\nWe use GraphQL:\n\n```graphql\ntype Query {\n  claim: Claim\n}\n```\n",
        b"query GetClaim($id: ID!) {\n  claim(id: $id) { id }\n}\n",
        b"type Claim {\n  id: ID!\n}\n",  # no root type: a part of a split schema, nothing to list
        b'{"data": {"claim": {"__typename": "Claim"}}}',
        b"openapi: 3.1.0\ninfo: {title: x, version: '1'}\npaths: {}\n",
    ],
)
def test_documents_that_are_not_schemas_are_not_taken_for_one(head: bytes) -> None:
    assert not READER.sniff(Path("x.graphql"), head)


def test_sdl_queries_and_mutations_are_operations_of_one_post_endpoint() -> None:
    spec = read("claims-schema.graphql")
    assert {(op.method, op.path, op.host) for op in spec.operations} == {("POST", "/graphql", None)}
    assert [op.operation_id for op in spec.operations] == [
        "query.claim",
        "query.claims",
        "query.policy",
        "query.policyByNumber",  # from `extend type Query`
        "mutation.fileClaim",
        "mutation.withdrawClaim",
    ]
    assert {op.summary for op in spec.operations} == {"GraphQL API: 4 queries, 2 mutations"}
    assert not any(op.deprecated for op in spec.operations)  # a deprecated field does not retire /graphql
    assert spec.warnings == (
        "claims-schema.graphql: 1 subscription fields not listed (they are not sent as POST /graphql)",
    )


def test_arguments_are_body_parameters_with_their_type_names_never_defaults() -> None:
    claims = next(op for op in read("claims-schema.graphql").operations if op.operation_id == "query.claims")
    assert [(p.name, p.location, p.required, p.schema_type) for p in claims.parameters] == [
        ("status", ParameterLocation.BODY, False, "ClaimStatus"),
        ("first", ParameterLocation.BODY, False, "Int"),
        ("after", ParameterLocation.BODY, False, "String"),
    ]


def test_evidence_names_each_field_line() -> None:
    spec = read("claims-schema.graphql")
    lines = (FIXTURES / "claims-schema.graphql").read_text().splitlines()
    for op in spec.operations:
        root, field = (op.operation_id or "").split(".")
        assert lines[(op.evidence.line or 0) - 1].strip().startswith(f"{field}(")
        assert op.evidence.excerpt == f"POST /graphql {root} {field}"


def test_a_graphql_schema_cannot_declare_auth_so_it_is_unknown_not_none() -> None:
    for op in read("claims-schema.graphql").operations:
        assert op.security == () and not op.declares_auth


def test_custom_root_names_and_the_path_comment_are_followed() -> None:
    spec = read("custom-roots-and-path.graphqls")
    assert [(op.path, op.operation_id) for op in spec.operations] == [
        ("/api/v2/graphql", "query.quotes"),
        ("/api/v2/graphql", "mutation.requestQuote"),
    ]


def test_a_schema_split_over_files_reads_its_root_extension() -> None:
    assert [op.operation_id for op in read("extension-only.gql").operations] == ["query.payouts"]


@pytest.mark.parametrize(
    ("name", "path", "pointer"),
    [
        ("members-introspection.json", "/graphql", "/data/__schema/types/0/fields/0"),
        ("bare-introspection-custom-path.json", "/members/graphql", "/__schema/types/0/fields/0"),
    ],
)
def test_introspection_results_list_the_same_operations(name: str, path: str, pointer: str) -> None:
    spec = read(name)
    assert spec.spec_format == "graphql introspection"
    assert [(op.path, op.operation_id) for op in spec.operations] == [
        (path, "query.member"),
        (path, "query.members"),
        (path, "mutation.updateMember"),
    ]
    member = spec.operations[0]
    assert member.evidence.pointer == pointer
    assert '"name": "member"' in (FIXTURES / name).read_text().splitlines()[(member.evidence.line or 0) - 1]
    assert [(p.name, p.required, p.schema_type) for p in member.parameters] == [("memberId", True, "ID")]
    assert "planted.member@example.com" not in spec.model_dump_json()  # an argument's default value


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("truncated.graphql", "broken/truncated.graphql:4: broken GraphQL schema: Syntax Error: Expected"),
        ("deeply-nested.graphql", "broken/deeply-nested.graphql"),  # line: graphql-core 3.3 gives one
        ("types-not-a-list.json", "broken/types-not-a-list.json:1: broken GraphQL introspection result: no"),
        ("syntax-error-planted.graphql", "broken/syntax-error-planted.graphql:3: broken GraphQL schema"),
    ],
)
def test_broken_schemas_fail_with_one_line_naming_file_and_problem(name: str, message: str) -> None:
    with pytest.raises(GraphQlError) as raised:
        READER.read(FIXTURES / "broken" / name, ReadContext(root=FIXTURES))
    shown = str(raised.value)
    assert shown.startswith(message) and "\n" not in shown
    if name == "deeply-nested.graphql":
        assert shown.endswith("broken GraphQL schema: nested too deeply")
    assert "PLANTED" not in shown
