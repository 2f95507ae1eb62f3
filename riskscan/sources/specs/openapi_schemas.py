"""The data an operation carries: property names of its request body and successful responses.

Walks the request body (OpenAPI 3 `requestBody.content.*.schema`, Swagger 2.0 the `in: body`
parameter's schema, form parameters) and every 2xx response (`content.*.schema`, Swagger `schema`),
following `$ref`s through the reader's resolver into `properties`, `items`, `allOf`/`anyOf`/`oneOf`
and schema-valued `additionalProperties`. Only property names and formats are kept, never examples,
defaults, enums or descriptions: the inventory classifies them into data classes. Budgets per
operation (nodes visited, fields kept, depth) bound hostile specs; a schema reached twice on one path
(a recursive `Node.children`) is not walked again.

It also says whether a write body lets through properties it does not name (mass assignment): an
object schema at the top of the body whose `additionalProperties` is not `false` (JSON Schema allows
any property unless told otherwise).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from riskscan.model import Evidence, FieldLocation, SchemaField
from riskscan.sources.specs.openapi_refs import Located, RefResolver, kept_identifier, kept_text

__all__ = ["MAX_FIELDS", "OperationData", "operation_data"]

MAX_NODES = 4000
"""Schema nodes visited per operation: far beyond real schemas, small enough for a hostile one."""
MAX_FIELDS = 400
"""Distinct fields kept per operation."""
MAX_DEPTH = 16
"""Nesting followed below a body or response schema."""

_COMBINERS = ("allOf", "anyOf", "oneOf")
_WRITE_METHODS = frozenset({"post", "put", "patch"})


@dataclass(frozen=True)
class OperationData:
    """The fields an operation's schemas name, and where its write body stays open."""

    fields: tuple[SchemaField, ...]
    open_body: Evidence | None


@dataclass
class _Walk:
    refs: RefResolver
    shown: Callable[[Path], str]  # a document's path as users see it (relative to the scan root)
    fields: dict[tuple[str, FieldLocation], SchemaField] = field(default_factory=dict)
    nodes: int = 0
    paths: dict[Path, str] = field(default_factory=dict)  # shown paths, worked out once per document
    seen: dict[FieldLocation, set[tuple[Path, str]]] = field(default_factory=dict)  # schema nodes walked
    made: dict[tuple[Path, str, FieldLocation], SchemaField] = field(default_factory=dict)  # see `schema_field`

    def evidence(self, located: Located, note: str | None = None) -> Evidence:
        document = located.document.path
        if document not in self.paths:
            self.paths[document] = self.shown(document)
        path = self.paths[document]
        return Evidence(path=path, line=located.line, pointer=located.pointer or None, note=note)

    def schema_field(self, name: str, prop: Located, location: FieldLocation) -> SchemaField:
        """The field a property declares, made once per spec: every operation that reaches a shared
        schema (an `Address`, a `Customer`) reaches the same property, line and bounds."""
        key = (prop.document.path, prop.pointer, location)
        made = self.made.get(key)
        if made is None or made.name != name:
            made = self.made[key] = SchemaField(
                name=name, location=location, schema_format=_format(prop), evidence=self.evidence(prop),
                is_constrained=_is_constrained(self, prop) if location is FieldLocation.REQUEST else None)
        return made


def operation_data(
    method: str,
    operation: Located,
    refs: RefResolver,
    shown: Callable[[Path], str],
    made: dict[tuple[Path, str, FieldLocation], SchemaField] | None = None,
) -> OperationData:
    """Fields and open write body of one operation (see the module docstring). `shown` gives a
    document's path as users see it; `made`, shared by the operations of one spec, keeps the fields
    made so far, so that a schema many operations share is not made into fields again for each."""
    walk = _Walk(refs, shown, made=made if made is not None else {})
    bodies = list(_request_schemas(operation))
    for schema in bodies:
        _walk_schema(walk, schema, FieldLocation.REQUEST)
    for schema in _response_schemas(operation):
        _walk_schema(walk, schema, FieldLocation.RESPONSE)
    open_body = None
    if method.lower() in _WRITE_METHODS:
        open_body = next((found for schema in bodies if (found := _open_object(walk, schema))), None)
    return OperationData(tuple(walk.fields.values()), open_body)


def _request_schemas(operation: Located) -> list[Located]:
    """OpenAPI 3 request body schemas, or the Swagger 2.0 body parameter's schema."""
    found = _media_schemas(operation.child("requestBody"))
    parameters = operation.child("parameters")
    if isinstance(parameters.node, list):
        for index, parameter in enumerate(parameters.node):
            if isinstance(parameter, dict) and parameter.get("in") == "body":
                found.append(parameters.child(index).child("schema"))
    return found


def _response_schemas(operation: Located) -> list[Located]:
    """The schemas of every 2xx (and `2XX`) response."""
    responses = operation.child("responses")
    if not isinstance(responses.node, dict):
        return []
    found: list[Located] = []
    for status in responses.node:
        if str(status).upper().startswith("2"):
            response = responses.child(status)
            found.extend(_media_schemas(response))
            if isinstance(response.node, dict) and "schema" in response.node:  # Swagger 2.0
                found.append(response.child("schema"))
    return found


def _media_schemas(holder: Located) -> list[Located]:
    """`content.<media type>.schema` of a request body or response (the holder may be a `$ref`)."""
    if not isinstance(holder.node, dict):
        return []
    content = holder.child("content")
    if not isinstance(content.node, dict):
        return []
    return [content.child(media).child("schema") for media in content.node]


def _walk_schema(walk: _Walk, start: Located, location: FieldLocation) -> None:
    """Record every property name under `start`, within the budgets.

    Breadth first, each schema node once per location and operation: real specs share subschemas
    (an `Address` under a dozen properties, a `Link` under every resource), and walking one again
    would only find the names it gave the first time, while spending the node budget that the
    fields not reached yet need. Breadth first, a node is first reached at its least depth, so the
    depth budget cuts no more than it must.
    """
    queue: deque[tuple[Located, int]] = deque([(start, 0)])
    seen = walk.seen.setdefault(location, set())
    while queue and walk.nodes < MAX_NODES and len(walk.fields) < MAX_FIELDS:
        located, depth = queue.popleft()
        resolved = walk.refs.resolve(located) if located.node is not None else None
        if resolved is None or not isinstance(resolved.node, dict) or depth > MAX_DEPTH:
            continue
        identity = (resolved.document.path, resolved.pointer)
        if identity in seen:  # shared, or recursive: its names are recorded already
            continue
        seen.add(identity)
        walk.nodes += 1
        queue.extend((child, depth + 1) for child in _children(walk, resolved, location))


def _children(walk: _Walk, schema: Located, location: FieldLocation) -> list[Located]:
    """Record the schema's properties; return the subschemas to walk next."""
    node = schema.node
    children: list[Located] = []
    properties = schema.child("properties")
    if isinstance(properties.node, dict):
        for name in properties.node:
            if len(walk.fields) >= MAX_FIELDS:
                break
            prop = properties.child(name)
            kept = kept_identifier(name) if isinstance(name, str) else None
            if kept is not None and (kept, location) not in walk.fields:
                walk.fields[(kept, location)] = walk.schema_field(kept, prop, location)
            children.append(prop)
    if isinstance(node.get("items"), dict):
        children.append(schema.child("items"))
    if isinstance(node.get("additionalProperties"), dict):
        children.append(schema.child("additionalProperties"))
    for combiner in _COMBINERS:
        if isinstance(node.get(combiner), list):
            children.extend(schema.child(combiner).child(index) for index in range(len(node[combiner])))
    return children


_STRING_BOUNDS = ("maxLength", "pattern", "enum", "const", "format")
_NUMBER_BOUNDS = ("maximum", "exclusiveMaximum", "enum", "const")


def _is_constrained(walk: _Walk, prop: Located) -> bool | None:
    """Whether a scalar property's schema bounds what it accepts: strings by length, pattern, enum or
    format; numbers by a maximum or enum; booleans always. None for objects, arrays and unknowns."""
    resolved = walk.refs.resolve(prop) if isinstance(prop.node, dict) else None
    node = resolved.node if resolved is not None else None
    if not isinstance(node, dict):
        return None
    kind = node.get("type")
    if isinstance(kind, list):  # OpenAPI 3.1: ["string", "null"]
        kind = next((item for item in kind if item != "null"), None)
    if kind == "boolean" or "enum" in node or "const" in node:
        return True
    if kind == "string":
        return any(key in node for key in _STRING_BOUNDS)
    if kind in ("integer", "number"):
        return any(key in node for key in _NUMBER_BOUNDS)
    return None


def _format(prop: Located) -> str | None:
    """A property's `format`, when it states one directly (a `$ref`'d property is classified by name)."""
    node = prop.node
    value = node.get("format") if isinstance(node, dict) else None
    return kept_text(value, 40) if isinstance(value, str) else None


def _open_object(walk: _Walk, schema: Located) -> Evidence | None:
    """Evidence when the body's top object schema does not close `additionalProperties`."""
    resolved = walk.refs.resolve(schema) if schema.node is not None else None
    if resolved is None or not isinstance(resolved.node, dict):
        return None
    node = resolved.node
    is_object = node.get("type") == "object" or isinstance(node.get("properties"), dict)
    if not is_object or any(key in node for key in _COMBINERS):  # combined schemas: cannot tell
        return None
    additional = node.get("additionalProperties")
    if additional is False:
        return None
    if isinstance(additional, dict) and additional:  # extra properties must match a schema: constrained
        return None
    note = ("additionalProperties: true" if additional is not None
            else "additionalProperties not set to false: JSON Schema accepts any property")
    return walk.evidence(resolved, note)
