"""GraphQL SDL parsed by graphql-core: the fields of a schema's root operation types.

Kept apart from the reader (`graphql`) so that graphql-core, whose import takes a fifth of a second,
is imported only when an SDL file is read.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from graphql import GraphQLSyntaxError, parse
from graphql.language import (
    DocumentNode,
    FieldDefinitionNode,
    ListTypeNode,
    NonNullTypeNode,
    ObjectTypeDefinitionNode,
    ObjectTypeExtensionNode,
    SchemaDefinitionNode,
    SchemaExtensionNode,
    TypeNode,
)

__all__ = ["SdlError", "SdlField", "root_fields"]

_MAX_TOKENS = 2_000_000  # GitHub's public schema has ~150,000; a bound on hostile files
_NESTED = "nested too deeply"  # graphql-core 3.3's own guard, or Python's recursion limit under 3.2
_DEFAULT_ROOT_NAMES = {"query": "Query", "mutation": "Mutation", "subscription": "Subscription"}

SdlField = tuple[str, str, list[tuple[str, str | None, bool]], int | None]
"""(root, field name, arguments as (name, named type, required), line of the name)."""


class SdlError(Exception):
    """Text that is not a GraphQL document: the parser's problem and line."""

    def __init__(self, problem: str, line: int | None) -> None:
        super().__init__(problem)
        self.problem = problem
        self.line = line


def root_fields(text: str, roots: Sequence[str]) -> tuple[list[SdlField], int]:
    """The fields of the `roots` operation types (`query`, `mutation`) in document order, and how many
    subscription fields there are; raises `SdlError` when the text is not a GraphQL document."""
    try:
        document = parse(text, no_location=False, max_tokens=_MAX_TOKENS)
    except GraphQLSyntaxError as error:
        line = error.locations[0].line if error.locations else None
        raise SdlError(_NESTED if "nested too deeply" in error.message else error.message, line) from None
    except RecursionError:  # graphql-core 3.2 has no depth guard of its own
        raise SdlError(_NESTED, None) from None
    names = _root_names(document)
    fields = {root: list(_root_fields(document, names[root])) for root in (*roots, "subscription")}
    found = [(root, field.name.value, _arguments(field), _line(field))
             for root in roots for field in fields[root]]
    return found, len(fields["subscription"])


def _root_names(document: DocumentNode) -> dict[str, str]:
    """Root operation type names: the defaults, unless a `schema` definition or extension names others."""
    names = dict(_DEFAULT_ROOT_NAMES)
    for definition in document.definitions:
        if isinstance(definition, (SchemaDefinitionNode, SchemaExtensionNode)):
            for operation_type in definition.operation_types or ():
                names[operation_type.operation.value] = operation_type.type.name.value
    return names


def _root_fields(document: DocumentNode, type_name: str) -> Iterator[FieldDefinitionNode]:
    """Fields of the named object type, across its definition and every extension, first one kept."""
    seen: set[str] = set()
    for definition in document.definitions:
        if not isinstance(definition, (ObjectTypeDefinitionNode, ObjectTypeExtensionNode)):
            continue
        if definition.name.value == type_name:
            for field in definition.fields or ():
                if field.name.value not in seen:
                    seen.add(field.name.value)
                    yield field


def _arguments(field: FieldDefinitionNode) -> list[tuple[str, str | None, bool]]:
    """(name, named type, required) of each argument."""
    return [
        (argument.name.value, _named_type(argument.type), isinstance(argument.type, NonNullTypeNode))
        for argument in field.arguments or ()
    ]


def _named_type(node: TypeNode) -> str | None:
    """The named type under list and non-null wrappers (`[ID!]!` -> `ID`)."""
    while isinstance(node, (ListTypeNode, NonNullTypeNode)):
        node = node.type
    name = getattr(node, "name", None)
    return name.value if name is not None else None


def _line(field: FieldDefinitionNode) -> int | None:
    """The 1-based line of a field's name (after its description, if any)."""
    return field.name.loc.start_token.line if field.name.loc is not None else None
