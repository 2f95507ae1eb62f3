"""Reader for GraphQL schemas: SDL files (`.graphql`, `.graphqls`, `.gql`) and introspection results.

A GraphQL API is one HTTP endpoint, `POST /graphql`, whatever its operations. Each field of the
query and mutation root types becomes a `SpecOperation` on that one method and path, told apart by
`operation_id` (`query.claim`, `mutation.fileClaim`) and by its evidence line, so the inventory merges
them into one documented endpoint whose evidence lists the operations: a gateway route or traffic to
`/graphql` is then documented, not a shadow API. Field arguments are kept as body parameters (names
and type names only). Subscription fields are not listed (they travel over WebSocket or SSE, not as
a POST): a warning counts them. `@deprecated` fields are not marked deprecated, because the endpoint
they share is not.

The path: `/graphql` unless the schema names another. In SDL a comment line
`# riskscan: graphql-path /api/graphql` does (GraphQL tools ignore comments); in an introspection
result, a top-level `"x-riskscan-graphql-path": "/api/graphql"`. `GET /graphql` is not added: the
GraphQL over HTTP specification lets servers refuse GET, so documenting it would invent an orphan.

Authentication: a GraphQL schema cannot declare any (servers check credentials in their HTTP layer or
resolvers), so operations say `declares_auth=False`: unknown, not "none" (see `AuthPosture.is_known`).

SDL is parsed with graphql-core (syntax only: a schema split over files still reads, root types named
by a `schema { query: Root }` definition or extension are followed). Introspection JSON is walked as
the GraphQL specification's `__Schema` defines it, via the shared loader for line numbers.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from riskscan.errors import SourceError
from riskscan.model import ApiSpec, Evidence, Parameter, ParameterLocation, SourceKind, SpecOperation
from riskscan.sources.specs.openapi_refs import kept_identifier
from riskscan.sources.specs.openapi_servers import join_path
from riskscan.sources.structured import StructuredDocument, join_pointer, load_text, parse_structured_text

if TYPE_CHECKING:
    from riskscan.sources import ReadContext

__all__ = ["DEFAULT_PATH", "GraphQlError", "GraphQlReader", "looks_like_schema"]

DEFAULT_PATH = "/graphql"
"""Where a GraphQL API is served unless its schema says otherwise (the convention of every server)."""

_ROOTS = ("query", "mutation")
_SDL_START = re.compile(r'(?:extend|type|schema|interface|input|enum|union|scalar|directive)\b|"')
_SDL_ROOT = re.compile(
    r"^[ \t]*(?:(?:extend[ \t]+)?type[ \t]+(?:Query|Mutation|Subscription)\b|extend[ \t]+type[ \t]+\w"
    r"|(?:extend[ \t]+)?schema[ \t]*(?:@\w+[ \t]*(?:\([^)]*\))?[ \t]*)*\{)",
    re.MULTILINE,
)
_INTROSPECTION = re.compile(r'^\{\s*(?:"data"\s*:\s*\{\s*)?"__schema"\s*:\s*\{')
_INTROSPECTION_ANYWHERE = re.compile(r'"__schema"\s*:\s*\{\s*"(?:queryType|description|types)"')
_PATH_COMMENT = re.compile(
    r"^[ \t]*#[ \t]*riskscan:[ \t]*graphql-path[ \t]+(/\S{0,200})[ \t]*$", re.MULTILINE
)
_PATH_KEY = "x-riskscan-graphql-path"
_ARGUMENT = re.compile(r"[_A-Za-z][_0-9A-Za-z]{0,79}")


def looks_like_schema(head: bytes) -> bool:
    """True for an introspection result, or SDL that starts like one and defines or extends a root."""
    text = head.decode("utf-8", "replace").lstrip("\ufeff \t\r\n")
    if text.startswith("{"):
        return bool(_INTROSPECTION.match(text) or _INTROSPECTION_ANYWHERE.search(text))
    significant = next((line.strip() for line in text.splitlines() if line.strip()[:1] not in ("", "#")), "")
    return bool(_SDL_START.match(significant)) and bool(_SDL_ROOT.search(text))


class GraphQlReader:
    """Reads GraphQL SDL and introspection results into `ApiSpec`s with one endpoint."""

    kind = SourceKind.GRAPHQL
    title = "GraphQL schemas: SDL (.graphql, .graphqls, .gql) or introspection JSON"
    summary = ("POST /graphql (or the path a riskscan comment names) as a documented endpoint with every query "
               "and mutation as an operation; authentication unknown, since a schema cannot declare it")

    def sniff(self, path: Path, head: bytes) -> bool:
        """True when the head shows a GraphQL schema (see `looks_like_schema`)."""
        return looks_like_schema(head)

    def read(self, path: Path, context: ReadContext) -> ApiSpec:
        """Read one schema file; raise `GraphQlError` naming the file (and line) when it is unusable."""
        shown = context.relative_path(path)
        try:
            text = load_text(path, context)
            if text.lstrip("\ufeff \t\r\n").startswith("{"):
                return _read_introspection(parse_structured_text(text, path, shown), shown)
        except SourceError as error:
            raise GraphQlError(error.problem, path=error.path, line=error.line) from None
        return _read_sdl(text, shown)


class GraphQlError(SourceError):
    """A file that claims to be a GraphQL schema but cannot be read as one."""


# --------------------------------------------------------------------------- SDL


def _read_sdl(text: str, shown: str) -> ApiSpec:
    """An SDL document's query and mutation fields as operations on one endpoint (parsed by
    graphql-core, imported here: its import costs a fifth of a second that no other scan needs)."""
    from riskscan.sources.specs.graphql_sdl import SdlError, root_fields

    try:
        fields, subscriptions = root_fields(text, _ROOTS)
    except SdlError as error:
        raise GraphQlError(f"broken GraphQL schema: {error.problem}", path=shown, line=error.line) from None
    found = [_Field(root, name, arguments, line) for root, name, arguments, line in fields]
    return _spec(shown, "graphql sdl", found, subscriptions, _sdl_path(text))


def _sdl_path(text: str) -> str:
    """The path a `# riskscan: graphql-path /x` comment names, else `/graphql`."""
    found = _PATH_COMMENT.search(text)
    return join_path("", found.group(1)) if found else DEFAULT_PATH


# --------------------------------------------------------------------------- introspection


def _read_introspection(document: StructuredDocument, shown: str) -> ApiSpec:
    """An introspection result (`{"data": {"__schema": ...}}` or `{"__schema": ...}`) as operations."""
    schema, base = _introspected_schema(document, shown)
    types = {
        entry["name"]: index
        for index, entry in enumerate(schema["types"])
        if isinstance(entry, dict) and isinstance(entry.get("name"), str)
    }
    found: list[_Field] = []
    warnings: list[str] = []
    counts: dict[str, int] = {}
    for root in (*_ROOTS, "subscription"):
        root_type = schema.get(f"{root}Type")
        type_name = root_type.get("name") if isinstance(root_type, dict) else None
        if not isinstance(type_name, str):
            continue
        if type_name not in types:
            warnings.append(f"{shown}: the {root} root type is not among the schema's types")
            continue
        pointer = join_pointer(join_pointer(base, "types"), types[type_name])
        fields = list(_introspected_fields(schema["types"][types[type_name]], pointer))
        counts[root] = len(fields)
        if root in _ROOTS:
            found += [
                _Field(root, name, arguments, document.line_of(f"{at}/name"), at)
                for name, arguments, at in fields
            ]
    path = _json_path(document.data)
    return _spec(shown, "graphql introspection", found, counts.get("subscription", 0), path, warnings)


def _introspected_schema(document: StructuredDocument, shown: str) -> tuple[dict[str, Any], str]:
    """The `__schema` object and its JSON pointer; an error when there is none with a `types` list."""
    data = document.data
    is_wrapped = isinstance(data, dict) and isinstance(data.get("data"), dict)
    base = "/data/__schema" if is_wrapped else "/__schema"
    holder = data.get("data") if is_wrapped else data
    schema = holder.get("__schema") if isinstance(holder, dict) else None
    if not isinstance(schema, dict) or not isinstance(schema.get("types"), list):
        problem = "broken GraphQL introspection result: no '__schema' object with a 'types' list"
        raise GraphQlError(problem, path=shown, line=document.line_of(base))
    return schema, base


def _introspected_fields(
    root: dict[str, Any], pointer: str
) -> Iterator[tuple[str, list[tuple[str, str | None, bool]], str]]:
    """(name, arguments, pointer) of each field of an introspected root type; malformed ones skipped."""
    fields = root.get("fields")
    for index, field in enumerate(fields if isinstance(fields, list) else ()):
        if not isinstance(field, dict) or not isinstance(field.get("name"), str):
            continue
        arguments = field.get("args")
        kept = [
            (argument["name"], *_introspected_type(argument.get("type")))
            for argument in (arguments if isinstance(arguments, list) else ())
            if isinstance(argument, dict) and isinstance(argument.get("name"), str)
        ]
        yield field["name"], kept, join_pointer(join_pointer(pointer, "fields"), index)


def _introspected_type(reference: object) -> tuple[str | None, bool]:
    """(named type, required) of an introspection type reference, wrappers unwrapped."""
    required = isinstance(reference, dict) and reference.get("kind") == "NON_NULL"
    for _ in range(32):  # wrappers nest a few levels in practice; the loader bounds depth anyway
        if not isinstance(reference, dict):
            return None, required
        if reference.get("kind") not in ("NON_NULL", "LIST"):
            name = reference.get("name")
            return (name if isinstance(name, str) else None), required
        reference = reference.get("ofType")
    return None, required


def _json_path(data: Any) -> str:
    """The path a top-level `x-riskscan-graphql-path` names, else `/graphql`."""
    named = data.get(_PATH_KEY) if isinstance(data, dict) else None
    return join_path("", named) if isinstance(named, str) and named.startswith("/") else DEFAULT_PATH


# --------------------------------------------------------------------------- shared


@dataclass(frozen=True)
class _Field:
    """A query or mutation field found in the schema: what its operation is made of."""

    root: str  # "query" or "mutation"
    name: str
    arguments: list[tuple[str, str | None, bool]]  # (name, named type, required)
    line: int | None
    pointer: str | None = None


def _operation(field: _Field, path: str, shown: str, summary: str) -> SpecOperation:
    """One root field as an operation of `POST <path>`; its authentication is unknown."""
    label = f"POST {path} {field.root} {field.name}"
    return SpecOperation(
        method="POST",
        path=path,
        operation_id=kept_identifier(f"{field.root}.{field.name}"),
        summary=summary,
        parameters=tuple(
            Parameter(name=name, location=ParameterLocation.BODY, required=required, schema_type=type_name)
            for name, type_name, required in field.arguments
            if _ARGUMENT.fullmatch(name)
        ),
        declares_auth=False,
        evidence=Evidence(path=shown, line=field.line, pointer=field.pointer, excerpt=label[:200]),
    )


def _spec(
    shown: str,
    spec_format: str,
    fields: list[_Field],
    subscriptions: int,
    path: str,
    warnings: Iterable[str] = (),
) -> ApiSpec:
    """The `ApiSpec`: an operation per field, each summarised as the API it belongs to."""
    queries = sum(1 for field in fields if field.root == "query")
    mutations = len(fields) - queries
    counted = f"{_counted(queries, 'query', 'queries')}, {_counted(mutations, 'mutation', 'mutations')}"
    summary = f"GraphQL API: {counted}"
    notes = list(warnings)
    if subscriptions:
        listed = f"{subscriptions} subscription fields not listed (they are not sent as POST {path})"
        notes.append(f"{shown}: {listed}")
    if not fields:
        notes.append(f"{shown}: no query or mutation fields: nothing to assess in this schema")
    return ApiSpec(
        path=shown,
        title=f"GraphQL schema {Path(shown).name}",
        version="",
        spec_format=spec_format,
        operations=tuple(_operation(field, path, shown, summary) for field in fields),
        warnings=tuple(notes),
    )


def _counted(count: int, one: str, many: str) -> str:
    """`1 query`, `4 queries`."""
    return f"{count} {one if count == 1 else many}"
