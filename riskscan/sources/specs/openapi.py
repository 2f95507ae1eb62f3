"""Reader for OpenAPI 3.0/3.1 and Swagger 2.0 documents, YAML or JSON, split over files or not.

Each operation becomes a `SpecOperation` with its full path (the first server's path prefix or the
Swagger `basePath` joined to the path template; further distinct server prefixes go to
`alternate_paths`, the hosts of further servers to `alternate_hosts`), its merged parameters, its
security alternatives resolved to `AuthKind`s and an `Evidence` pointing at the operation's line.
Example values, defaults and descriptions are never kept. Server prefixes are `openapi_servers`'
business, security schemes `openapi_security`'s.

`$ref`s are resolved by `openapi_refs.RefResolver` (local and relative files inside the scanned
folders only, remote references never fetched), and only where the reader needs them: path items,
operations, parameters, parameter schemas and security schemes. Whole schemas are never expanded.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from riskscan.errors import SourceError
from riskscan.model import (
    ApiSpec,
    Evidence,
    FieldLocation,
    Parameter,
    ParameterLocation,
    SchemaField,
    SourceKind,
    SpecOperation,
)
from riskscan.redaction import redact_path
from riskscan.sources.specs.openapi_limits import declared_rate_limit, returns_collection
from riskscan.sources.specs.openapi_refs import Located, RefResolver, kept_identifier, kept_text, quoted
from riskscan.sources.specs.openapi_schemas import operation_data
from riskscan.sources.specs.openapi_security import SchemeTable, operation_security, security_schemes
from riskscan.sources.specs.openapi_servers import ServerBase, join_path, server_bases, swagger_bases
from riskscan.sources.specs.openapi_versions import (
    claims_spec_version,
    is_supported_version,
    required_sections,
    sniff_openapi_version,
)
from riskscan.sources.structured import StructuredDocument, join_pointer, load_structured

if TYPE_CHECKING:
    from riskscan.sources import ReadContext

__all__ = ["HTTP_METHODS", "OpenApiError", "OpenApiReader", "read_spec_document", "sniff_openapi_version"]

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_PLAIN_SCHEMES = frozenset({"http", "ws"})  # server schemes that carry requests unencrypted
"""The operation keys of a path item, in the specification's order."""
_QUERY_OR_FRAGMENT = re.compile(r"[?#]")

_LOCATIONS = {
    "path": ParameterLocation.PATH,
    "query": ParameterLocation.QUERY,
    "header": ParameterLocation.HEADER,
    "cookie": ParameterLocation.COOKIE,
    "body": ParameterLocation.BODY,
    "formData": ParameterLocation.FORM,
}


class OpenApiReader:
    """Reads OpenAPI 3.0/3.1 and Swagger 2.0 specs (APISIX Dashboard exports are OpenAPI 3 too)."""

    kind = SourceKind.OPENAPI
    title = "OpenAPI 3.0 / 3.1, Swagger 2.0 (YAML or JSON)"
    summary = ("operations with full paths (servers, basePath), parameters, security resolved to auth kinds, "
               "deprecation; local and relative $refs inside the folders given, never remote ones")

    def sniff(self, path: Path, head: bytes) -> bool:
        """True when the file's head has a top-level `openapi` or `swagger` key whose value is a version.

        Any version: a spec of a version riskscan does not read (`openapi: 4.0`) is then reported as
        failed with that reason, not skipped as if it were no spec at all.
        """
        return claims_spec_version(sniff_openapi_version(head))

    def read(self, path: Path, context: ReadContext) -> ApiSpec:
        """Read the spec at `path` and every allowed file it references; see the module docstring.

        Raises `OpenApiError` naming the file (and line, where known) when it is not a usable spec.
        """
        try:
            return _SpecReader(load_structured(path, context), context).read()
        except OpenApiError:
            raise
        except SourceError as error:  # from the shared loader: same message, this reader's type
            raise OpenApiError(error.problem, path=error.path, line=error.line) from None


def read_spec_document(document: StructuredDocument, context: ReadContext) -> ApiSpec:
    """Read an already parsed OpenAPI or Swagger document, as `OpenApiReader.read` reads a file.

    For specs fetched by `--spec-url`, and for files that hold a spec among other things (an AWS API
    Gateway export, the inline definition of a CloudFormation API). `context` names the document
    (`relative_path`) and says which relative `$ref`s may be opened. Raises `OpenApiError` when it is
    not a usable spec.
    """
    try:
        return _SpecReader(document, context).read()
    except OpenApiError:
        raise
    except SourceError as error:
        raise OpenApiError(error.problem, path=error.path, line=error.line) from None


class OpenApiError(SourceError):
    """A file that claims to be an OpenAPI or Swagger spec but cannot be read as one."""


class _SpecReader:
    """State for reading one spec: the root document, the resolver and what is shared by operations."""

    def __init__(self, document: StructuredDocument, context: ReadContext) -> None:
        self._context = context
        self._document = document
        self._shown = context.relative_path(document.path)
        self._refs = RefResolver(document, context)
        self._root = Located(document.data, document, "")
        self._is_swagger = False
        self._version = ""
        self._schemes: SchemeTable = {}
        self._root_bases: list[ServerBase] = []
        self._path_count = 0
        self._unread_paths: list[str] = []  # why each path item that could not be read failed
        self._unread_operations: list[str] = []
        self._fields: dict[tuple[Path, str, FieldLocation], SchemaField] = {}  # made once per spec

    def read(self) -> ApiSpec:
        """The whole spec as an `ApiSpec`; raises `OpenApiError` when the document is not a usable one.

        Unusable: not a mapping, no supported version, a `paths` its version does not allow, or path
        items that all fail to read (a `$ref` to a missing file ...). When only some fail, the first
        warning says how many and why.
        """
        data = self._root.node
        if not isinstance(data, dict):
            raise self._broken(f"top level is {_type_name(data)}, not a mapping", self._root.line)
        spec_format = self._spec_format(data)
        paths = self._paths()
        self._schemes = security_schemes(self._root, self._refs, is_swagger=self._is_swagger)
        self._root_bases = swagger_bases(self._root) if self._is_swagger else self._root_servers()
        operations = tuple(self._operations(paths)) if paths is not None else ()
        unread = self._unread_summary()
        if unread is not None and not operations:
            raise self._broken(f"no operation could be read: {unread}", paths.line if paths else None)
        if paths is not None and not operations:
            self._refs.warn(paths, "'paths' declares no operations: nothing to assess in this spec")
        info = data.get("info")
        if not isinstance(info, dict):
            info = {}
        return ApiSpec(
            path=self._shown,
            title=kept_text(info.get("title"), 120) or "",
            version=kept_text(info.get("version"), 40) or "",
            spec_format=spec_format,
            operations=operations,
            referenced_files=tuple(self._refs.referenced_files),
            warnings=((unread,) if unread else ()) + self._refs.warnings,
        )

    def _broken(self, problem: str, line: int | None = None) -> OpenApiError:
        """An `OpenApiError` about the root file: a spec, but not a valid one."""
        return OpenApiError(f"broken OpenAPI spec: {problem}", path=self._shown, line=line)

    def _spec_format(self, data: dict[Any, Any]) -> str:
        """`openapi 3.1.0` or `swagger 2.0`; unsupported or missing versions are errors."""
        key = "openapi" if "openapi" in data else "swagger" if "swagger" in data else None
        if key is None:
            raise self._broken("no top-level 'openapi' or 'swagger' version key", 1)
        version = kept_text(data[key], 20) or ""
        if not is_supported_version(key, version):
            name = "OpenAPI" if key == "openapi" else "Swagger"
            problem = f"unsupported {name} version '{version}' (riskscan reads Swagger 2.0 and OpenAPI 3.x)"
            raise OpenApiError(problem, path=self._shown, line=self._root.child(key).line)
        self._is_swagger = key == "swagger"
        self._version = version
        return f"{key} {'2.0' if self._is_swagger else version}"

    # ----------------------------------------------------------------------- paths and operations

    def _paths(self) -> Located | None:
        """The `paths` mapping, or None for an OpenAPI 3.1+ document without one.

        Swagger 2.0 and OpenAPI 3.0 require `paths`. From 3.1 it is optional, but a document must have
        at least one of `paths`, `components` and `webhooks`. A `paths` that is there is a mapping.
        """
        paths = self._root.child("paths")
        if "paths" in self._root.node:
            if not isinstance(paths.node, dict):
                raise self._broken(f"'paths' is {_type_name(paths.node)}, not a mapping", paths.line)
            return paths
        required = required_sections("swagger" if self._is_swagger else "openapi", self._version)
        if not self._root.node.keys() & set(required):
            name = "Swagger 2.0" if self._is_swagger else f"OpenAPI {self._version}"
            names = [f"'{section}'" for section in required]
            sections = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"
            raise self._broken(f"no {sections} section ({name} requires one)", 1)
        problem = "no 'paths' section (only components or webhooks): no endpoints to assess"
        self._refs.warn(self._root, problem)
        return None

    def _operations(self, paths: Located) -> Iterator[SpecOperation]:
        """Every operation of every path item, in document order; unreadable ones are counted."""
        for template in paths.node:
            if not isinstance(template, str) or template.startswith("x-"):
                continue
            item = paths.child(template)
            self._path_count += 1
            if not template.startswith("/"):
                self._unread_paths.append(
                    self._refs.warn(item, f"path {quoted(template)} does not start with '/'; skipped")
                )
                continue
            fields = self._path_item_fields(item)
            if fields is not None:
                yield from self._path_operations(template, fields)

    def _unread_summary(self) -> str | None:
        """`2 of 5 paths and 1 operation could not be read (first: <why>)`, or None when all were read."""
        counts = []
        if self._unread_paths:
            counts.append(f"{len(self._unread_paths)} of {self._path_count} paths")
        if self._unread_operations:
            count = len(self._unread_operations)
            counts.append(f"{count} operation{'s' if count > 1 else ''}")
        if not counts:
            return None
        first = (self._unread_paths or self._unread_operations)[0]
        return f"{' and '.join(counts)} could not be read (first: {first})"

    def _path_item_fields(self, item: Located) -> dict[str, Located] | None:
        """The path item's fields; a `$ref`'d item's fields first, local siblings overriding them."""
        if not isinstance(item.node, dict):
            self._unread_paths.append(self._refs.warn(item, "path item is not a mapping; skipped"))
            return None
        fields: dict[str, Located] = {}
        if "$ref" in item.node:
            target = self._refs.resolve(item)
            if target is None:
                self._unread_paths.append(self._refs.last_problem)
            elif isinstance(target.node, dict):
                fields.update((str(key), target.child(key)) for key in target.node)
            else:
                self._unread_paths.append(self._refs.warn(item, "$ref'd path item is not a mapping; skipped"))
        fields.update((str(key), item.child(key)) for key in item.node if key != "$ref")
        return fields

    def _path_operations(self, template: str, fields: dict[str, Located]) -> Iterator[SpecOperation]:
        """The operations of one path item."""
        shared_parameters = fields.get("parameters")
        shared_servers = fields.get("servers")
        for key, located in fields.items():
            method = key.lower()
            if method not in HTTP_METHODS:
                continue
            operation = self._refs.resolve(located)
            if operation is None:
                self._unread_operations.append(self._refs.last_problem)
                continue
            if not isinstance(operation.node, dict):
                problem = f"operation {method} {quoted(template)} is not a mapping; skipped"
                self._unread_operations.append(self._refs.warn(operation, problem))
                continue
            yield self._operation(method, template, operation, shared_parameters, shared_servers)

    def _operation(
        self,
        method: str,
        template: str,
        operation: Located,
        shared_parameters: Located | None,
        shared_servers: Located | None,
    ) -> SpecOperation:
        """One `SpecOperation`: full paths, parameters, security, evidence."""
        node = operation.node
        first, *others = self._bases(operation.child("servers"), shared_servers)
        requested = _request_path(template)
        path = join_path(first.prefix, requested)
        alternates = dict.fromkeys(join_path(base.prefix, requested) for base in others)
        alternates.pop(path, None)
        hosts = dict.fromkeys(base.host for base in others if base.host not in (None, first.host))
        operation_id = kept_identifier(node.get("operationId"))
        self._note_file_refs(operation)
        data = operation_data(method, operation, self._refs, self._context.relative_path, self._fields)
        return SpecOperation(
            method=method.upper(),
            path=path,
            host=first.host,
            alternate_paths=tuple(alternates),
            alternate_hosts=tuple(host for host in hosts if host is not None),
            operation_id=operation_id,
            summary=kept_text(node.get("summary"), 120),
            parameters=self._parameters(shared_parameters, operation.child("parameters")),
            security=operation_security(operation, self._root, self._schemes, self._refs),
            deprecated=node.get("deprecated") is True,
            evidence=self._evidence(method, template, operation, operation_id),
            fields=data.fields,
            open_body=data.open_body,
            rate_limit_declared=declared_rate_limit(operation, self._refs, self._context.relative_path),
            returns_collection=returns_collection(operation, self._refs),
            server_schemes=tuple(dict.fromkeys(base.scheme for base in (first, *others) if base.scheme)),
            plain_server=self._plain_server((first, *others)),
        )

    def _plain_server(self, bases: tuple[ServerBase, ...]) -> Evidence | None:
        """Where the first plain-HTTP (`http`, `ws`) server of these bases is declared, if any."""
        plain = next((base for base in bases if base.scheme in _PLAIN_SCHEMES and base.declared_at), None)
        if plain is None or plain.declared_at is None:
            return None
        where = plain.declared_at
        return Evidence(path=self._context.relative_path(where.document.path), line=where.line,
                        pointer=where.pointer, note=f"{plain.scheme} server: requests travel unencrypted")

    def _evidence(self, method: str, template: str, operation: Located, operation_id: str | None) -> Evidence:
        """Where the operation is declared; a note names the root spec when that is another file."""
        label = f"{method} {redact_path(template)}" + (f" ({operation_id})" if operation_id else "")
        is_root = operation.document is self._document
        return Evidence(
            path=self._context.relative_path(operation.document.path),
            line=operation.line,
            pointer=operation.pointer,
            excerpt=label if len(label) <= 200 else label[:199] + "…",
            note=None if is_root else f"referenced from {self._shown}",
        )

    def _note_file_refs(self, operation: Located) -> None:
        """Record files the operation's unexpanded parts (schemas, responses) refer to."""
        stack: list[tuple[Any, str]] = [(operation.node, operation.pointer)]
        seen: set[int] = set()
        while stack:
            node, pointer = stack.pop()
            if id(node) in seen:
                continue
            seen.add(id(node))
            if isinstance(node, dict):
                ref = node.get("$ref")
                if isinstance(ref, str) and ref[:1] != "#":
                    self._refs.note_file_ref(Located(node, operation.document, pointer), ref)
                items: Any = node.items()
            else:
                items = enumerate(node)
            stack.extend(
                (value, join_pointer(pointer, key))
                for key, value in items
                if isinstance(value, (dict, list))
            )

    # ----------------------------------------------------------------------- servers

    def _bases(self, own: Located, shared: Located | None) -> list[ServerBase]:
        """Operation servers, else path-item servers, else the root's (Swagger: host + basePath)."""
        if not self._is_swagger:
            for servers in (own, shared):
                if servers is not None and isinstance(servers.node, list) and servers.node:
                    bases = server_bases(servers, self._refs)
                    if bases:
                        return bases
        return self._root_bases

    def _root_servers(self) -> list[ServerBase]:
        """The root `servers`; without any, paths are mounted at `/` of an unknown host."""
        return server_bases(self._root.child("servers"), self._refs) or [ServerBase(None, "")]

    # ----------------------------------------------------------------------- parameters

    def _parameters(self, *lists: Located | None) -> tuple[Parameter, ...]:
        """Path-item then operation parameters; a later one replaces an earlier one by (name, in)."""
        merged: dict[tuple[str, ParameterLocation], Parameter] = {}
        for declared in lists:
            if declared is None or declared.node is None:
                continue
            if not isinstance(declared.node, list):
                self._refs.warn(declared, "parameters is not a list; ignored")
                continue
            for index in range(len(declared.node)):
                parameter = self._parameter(declared.child(index))
                if parameter is not None:
                    merged[(parameter.name, parameter.location)] = parameter
        return tuple(merged.values())

    def _parameter(self, declared: Located) -> Parameter | None:
        """One parameter, `$ref` resolved; names and types only, never examples or defaults."""
        target = self._refs.resolve(declared)
        if target is None:
            return None
        node = target.node
        if not isinstance(node, dict) or not isinstance(node.get("name"), str):
            self._refs.warn(target, "parameter without a name; ignored")
            return None
        location = _LOCATIONS.get(str(node.get("in")))
        if location is None:
            self._refs.warn(target, f"parameter {quoted(node['name'])} has no valid 'in'; ignored")
            return None
        schema = self._schema(target)
        return Parameter(
            name=node["name"],
            location=location,
            required=node.get("required") is True or location is ParameterLocation.PATH,
            **_schema_facts(schema),
        )

    def _schema(self, parameter: Located) -> dict[str, Any]:
        """The parameter's schema: `schema`, a `content` schema, or itself (Swagger); {} when none."""
        node = parameter.node
        schema: Located | None = parameter
        if "schema" in node:
            schema = self._refs.resolve(parameter.child("schema"))
        elif isinstance(node.get("content"), dict) and node["content"]:
            media = next(iter(node["content"]))
            schema = self._refs.resolve(parameter.child("content").child(media).child("schema"))
        return schema.node if schema is not None and isinstance(schema.node, dict) else {}


def _request_path(template: str) -> str:
    """The path a request for this `paths` key is sent to: the key up to a `?` or `#`.

    Path keys are paths only, but specs use a query string or a fragment to tell apart operations
    that share one (`/?Action=DescribeInstances`, `/#X-Amz-Target=ListCertificates`, as AWS's service
    descriptions and many others do, or `/rides?page={page}`): on the wire the fragment is never sent
    and the query is no part of the path, so traffic and gateway routes reach them at the path before.
    """
    return _QUERY_OR_FRAGMENT.split(template, maxsplit=1)[0]


def _schema_facts(schema: dict[str, Any]) -> dict[str, Any]:
    """A parameter schema's type, format, maximum and pattern (never its examples or defaults)."""
    kind = schema.get("type")
    if isinstance(kind, list):  # OpenAPI 3.1: ["string", "null"]
        kind = next((item for item in kind if item != "null"), None)
    schema_format, pattern, maximum = schema.get("format"), schema.get("pattern"), schema.get("maximum")
    if isinstance(maximum, bool) or not isinstance(maximum, (int, float)):
        maximum = None
    elif isinstance(maximum, int) and abs(maximum) > 2**63 or not math.isfinite(maximum):
        maximum = math.inf  # a bound no caller reaches: as good as none, and said so downstream
    return {
        "schema_type": kind if isinstance(kind, str) else None,
        "schema_format": kept_text(schema_format, 40) if isinstance(schema_format, str) else None,
        "maximum": float(maximum) if maximum is not None else None,
        "pattern": pattern[:200] if isinstance(pattern, str) else None,
    }


# --------------------------------------------------------------------------- helpers


def _type_name(value: object) -> str:
    """`a list`, `a string` ...: how a wrong node type is named in messages."""
    names = {list: "a list", str: "a string", int: "a number", float: "a number", bool: "a boolean"}
    return "empty" if value is None else names.get(type(value), "not a mapping")
