"""Reader for OpenAPI 3.0/3.1 and Swagger 2.0 documents, YAML or JSON, split over files or not.

Each operation becomes a `SpecOperation` with its full path (the first server's path prefix or the
Swagger `basePath` joined to the path template; further distinct server prefixes go to
`alternate_paths`), its merged parameters, its security alternatives resolved to `AuthKind`s and an
`Evidence` pointing at the operation's line. Example values, defaults and descriptions are never kept.

Security schemes map to kinds as follows: `apiKey` -> api_key (location `header:X-API-Key`), HTTP
`basic` -> basic, HTTP `bearer` -> bearer, any other HTTP scheme (`digest`, `negotiate`, `hoba` ...)
-> basic, because like basic it sends a per-user credential with no token issuer behind it;
`oauth2` -> oauth2, `openIdConnect` -> oidc, `mutualTLS` -> mtls; Swagger 2 `basic` -> basic.

`$ref`s are resolved by `openapi_refs.RefResolver` (local and relative files inside the scanned
folders only, remote references never fetched), and only where the reader needs them: path items,
operations, parameters, parameter schemas and security schemes. Whole schemas are never expanded.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from riskscan.errors import SourceError
from riskscan.model import (
    ApiSpec,
    AuthKind,
    AuthRequirement,
    Evidence,
    Parameter,
    ParameterLocation,
    SourceKind,
    SpecOperation,
)
from riskscan.redaction import redact, redact_path
from riskscan.sources.openapi_refs import Located, RefResolver
from riskscan.sources.structured import (
    StructuredDocument,
    escape_pointer_token,
    load_structured,
    top_level_scalars,
)

if TYPE_CHECKING:
    from riskscan.sources import ReadContext

__all__ = ["HTTP_METHODS", "OpenApiReader", "sniff_openapi_version"]

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
"""The operation keys of a path item, in the specification's order."""

_LOCATIONS = {
    "path": ParameterLocation.PATH,
    "query": ParameterLocation.QUERY,
    "header": ParameterLocation.HEADER,
    "cookie": ParameterLocation.COOKIE,
    "body": ParameterLocation.BODY,
    "formData": ParameterLocation.FORM,
}
_OTHER_SCHEME_KINDS = {
    "basic": AuthKind.BASIC,
    "oauth2": AuthKind.OAUTH2,
    "openIdConnect": AuthKind.OIDC,
    "mutualTLS": AuthKind.MTLS,
}
_SERVER_VARIABLE = re.compile(r"\{([^{}]*)\}")
_ABSOLUTE_URL = re.compile(r"^(?:[^:/?#]*:)?//([^/?#]*)([^?#]*)")
_SLASHES = re.compile(r"/{2,}")
_DOT_SEGMENT = re.compile(r"/\.(?=/|$)")
_DEFAULT_PORT = re.compile(r":(?:80|443)$")
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_.:/-]{0,119}")


def sniff_openapi_version(head: bytes) -> tuple[str, str] | None:
    """`("openapi", "3.1.0")` or `("swagger", "2.0")` when the head has that top-level key."""
    keys = top_level_scalars(head)
    for key in ("openapi", "swagger"):
        if key in keys:
            return key, keys[key]
    return None


def _is_supported(found: tuple[str, str] | None) -> bool:
    """True for OpenAPI 3.x and Swagger 2.0."""
    if found is None:
        return False
    key, version = found
    return version.startswith("3.") if key == "openapi" else version in ("2", "2.0")


class OpenApiReader:
    """Reads OpenAPI 3.0/3.1 and Swagger 2.0 specs (APISIX Dashboard exports are OpenAPI 3 too)."""

    kind = SourceKind.OPENAPI

    def sniff(self, path: Path, head: bytes) -> bool:
        """True when the file's head has a top-level `openapi: 3.x` or `swagger: "2.0"` key."""
        return _is_supported(sniff_openapi_version(head))

    def read(self, path: Path, context: ReadContext) -> ApiSpec:
        """Read the spec at `path` and every allowed file it references; see the module docstring."""
        return _SpecReader(load_structured(path, context), context).read()


@dataclass(frozen=True)
class _Base:
    """Where a spec's paths are mounted: a host (when the server URL names one) and a path prefix."""

    host: str | None
    prefix: str


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
        self._schemes: dict[str, AuthRequirement | None] = {}
        self._root_bases: list[_Base] = []

    def read(self) -> ApiSpec:
        """The whole spec as an `ApiSpec`; raises `SourceError` when the document is not one."""
        data = self._root.node
        if not isinstance(data, dict):
            raise self._error(f"top level is {_type_name(data)}, not a mapping", self._root.line)
        spec_format = self._spec_format(data)
        self._schemes = self._security_schemes()
        self._root_bases = self._swagger_bases(data) if self._is_swagger else self._root_servers()
        operations = tuple(self._operations())
        info = data.get("info")
        if not isinstance(info, dict):
            info = {}
        return ApiSpec(
            path=self._shown,
            title=_text(info.get("title"), 120) or "",
            version=_text(info.get("version"), 40) or "",
            spec_format=spec_format,
            operations=operations,
            referenced_files=tuple(self._refs.referenced_files),
            warnings=self._refs.warnings,
        )

    def _error(self, problem: str, line: int | None = None) -> SourceError:
        """A `SourceError` about the root file."""
        return SourceError(problem, path=self._shown, line=line)

    def _spec_format(self, data: dict[Any, Any]) -> str:
        """`openapi 3.1.0` or `swagger 2.0`; unsupported or missing versions are errors."""
        key = "openapi" if "openapi" in data else "swagger" if "swagger" in data else None
        if key is None:
            raise self._error("no top-level 'openapi' or 'swagger' version key", 1)
        version = _text(data[key], 20) or ""
        if not _is_supported((key, version)):
            name = "OpenAPI" if key == "openapi" else "Swagger"
            raise self._error(f"unsupported {name} version '{version}'", self._root.child(key).line)
        self._is_swagger = key == "swagger"
        self._version = version
        return f"{key} {'2.0' if self._is_swagger else version}"

    # ----------------------------------------------------------------------- paths and operations

    def _operations(self) -> Iterator[SpecOperation]:
        """Every operation of every path item, in document order."""
        paths = self._root.child("paths")
        if paths.node is None:
            if "paths" not in self._root.node and (self._is_swagger or self._version.startswith("3.0")):
                raise self._error("no 'paths' section", 1)
            return
        if not isinstance(paths.node, dict):
            raise self._error(f"'paths' is {_type_name(paths.node)}, not a mapping", paths.line)
        for template in paths.node:
            if not isinstance(template, str) or template.startswith("x-"):
                continue
            item = paths.child(template)
            if not template.startswith("/"):
                self._refs.warn(item, f"path {_quoted(template)} does not start with '/'; skipped")
                continue
            fields = self._path_item_fields(item)
            if fields is not None:
                yield from self._path_operations(template, fields)

    def _path_item_fields(self, item: Located) -> dict[str, Located] | None:
        """The path item's fields; a `$ref`'d item's fields first, local siblings overriding them."""
        if not isinstance(item.node, dict):
            self._refs.warn(item, "path item is not a mapping; skipped")
            return None
        fields: dict[str, Located] = {}
        if "$ref" in item.node:
            target = self._refs.resolve(item)
            if target is not None and isinstance(target.node, dict):
                fields.update((str(key), target.child(key)) for key in target.node)
            elif target is not None:
                self._refs.warn(item, "$ref'd path item is not a mapping; skipped")
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
                continue
            if not isinstance(operation.node, dict):
                self._refs.warn(
                    operation, f"operation {method} {_quoted(template)} is not a mapping; skipped"
                )
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
        path = _join(first.prefix, template)
        alternates = dict.fromkeys(_join(base.prefix, template) for base in others)
        alternates.pop(path, None)
        operation_id = _identifier(node.get("operationId"))
        self._note_file_refs(operation)
        return SpecOperation(
            method=method.upper(),
            path=path,
            host=first.host,
            alternate_paths=tuple(alternates),
            operation_id=operation_id,
            summary=_text(node.get("summary"), 120),
            parameters=self._parameters(shared_parameters, operation.child("parameters")),
            security=self._security(operation),
            deprecated=node.get("deprecated") is True,
            evidence=self._evidence(method, template, operation, operation_id),
        )

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
                (value, f"{pointer}/{escape_pointer_token(str(key))}")
                for key, value in items
                if isinstance(value, (dict, list))
            )

    # ----------------------------------------------------------------------- servers

    def _bases(self, own: Located, shared: Located | None) -> list[_Base]:
        """Operation servers, else path-item servers, else the root's (Swagger: host + basePath)."""
        if not self._is_swagger:
            for servers in (own, shared):
                if servers is not None and isinstance(servers.node, list) and servers.node:
                    bases = self._server_bases(servers)
                    if bases:
                        return bases
        return self._root_bases

    def _root_servers(self) -> list[_Base]:
        """The root `servers`; without any, paths are mounted at `/` of an unknown host."""
        return self._server_bases(self._root.child("servers")) or [_Base(None, "")]

    def _server_bases(self, servers: Located) -> list[_Base]:
        """Distinct bases of a `servers` list, in order."""
        if not isinstance(servers.node, list):
            if servers.node is not None:
                self._refs.warn(servers, "servers is not a list; ignored")
            return []
        bases: dict[_Base, None] = {}
        for index, server in enumerate(servers.node):
            if isinstance(server, dict) and isinstance(server.get("url"), str):
                bases[_server_base(server)] = None
            else:
                self._refs.warn(servers.child(index), "server without a url; ignored")
        return list(bases)

    def _swagger_bases(self, data: dict[Any, Any]) -> list[_Base]:
        """Swagger 2.0: `host` and `basePath`."""
        host = data.get("host")
        base_path = data.get("basePath")
        return [
            _Base(
                _host(host) if isinstance(host, str) else None,
                base_path if isinstance(base_path, str) else "",
            )
        ]

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
            self._refs.warn(target, f"parameter {_quoted(node['name'])} has no valid 'in'; ignored")
            return None
        schema_type, schema_format = self._schema_type(target)
        return Parameter(
            name=node["name"],
            location=location,
            required=node.get("required") is True or location is ParameterLocation.PATH,
            schema_type=schema_type,
            schema_format=schema_format,
        )

    def _schema_type(self, parameter: Located) -> tuple[str | None, str | None]:
        """The parameter's type and format: from `schema`, a `content` schema, or itself (Swagger)."""
        node = parameter.node
        schema: Located | None = parameter
        if "schema" in node:
            schema = self._refs.resolve(parameter.child("schema"))
        elif isinstance(node.get("content"), dict) and node["content"]:
            media = next(iter(node["content"]))
            schema = self._refs.resolve(parameter.child("content").child(media).child("schema"))
        if schema is None or not isinstance(schema.node, dict):
            return None, None
        kind = schema.node.get("type")
        if isinstance(kind, list):  # OpenAPI 3.1: ["string", "null"]
            kind = next((item for item in kind if item != "null"), None)
        schema_format = schema.node.get("format")
        return (
            kind if isinstance(kind, str) else None,
            _text(schema_format, 40) if isinstance(schema_format, str) else None,
        )

    # ----------------------------------------------------------------------- security

    def _security_schemes(self) -> dict[str, AuthRequirement | None]:
        """Scheme name -> requirement template (None: declared but unusable, already warned)."""
        if self._is_swagger:
            declared = self._root.child("securityDefinitions")
        else:
            declared = self._root.child("components").child("securitySchemes")
        if not isinstance(declared.node, dict):
            return {}
        schemes: dict[str, AuthRequirement | None] = {}
        for name in declared.node:
            target = self._refs.resolve(declared.child(name))
            schemes[str(name)] = self._scheme(str(name), target) if target is not None else None
        return schemes

    def _scheme(self, name: str, declared: Located) -> AuthRequirement | None:
        """One security scheme resolved to its kind (see the module docstring for the mapping)."""
        node = declared.node
        kind_name = node.get("type") if isinstance(node, dict) else None
        if kind_name == "apiKey":
            where, key = node.get("in"), node.get("name")
            location = f"{where}:{key}" if isinstance(where, str) and isinstance(key, str) else None
            return AuthRequirement(kind=AuthKind.API_KEY, scheme=name, location=location)
        if kind_name == "http":
            is_bearer = str(node.get("scheme", "")).strip().lower() == "bearer"
            return AuthRequirement(kind=AuthKind.BEARER if is_bearer else AuthKind.BASIC, scheme=name)
        if isinstance(kind_name, str) and kind_name in _OTHER_SCHEME_KINDS:
            return AuthRequirement(kind=_OTHER_SCHEME_KINDS[kind_name], scheme=name)
        self._refs.warn(declared, f"security scheme {_quoted(name)} has an unknown type; ignored")
        return None

    def _security(self, operation: Located) -> tuple[tuple[AuthRequirement, ...], ...]:
        """The operation's alternatives: its own `security` if present, else the root's."""
        declared = operation.child("security")
        if "security" not in operation.node:
            declared = self._root.child("security")
        if declared.node is None:
            return ()
        if not isinstance(declared.node, list):
            self._refs.warn(declared, "security is not a list; ignored")
            return ()
        if not declared.node:
            return ((),)  # `security: []`: explicitly open to anonymous callers
        alternatives: dict[tuple[AuthRequirement, ...], None] = {}
        for index in range(len(declared.node)):
            alternative = self._alternative(declared.child(index))
            if alternative is not None:
                alternatives[alternative] = None
        return tuple(alternatives)

    def _alternative(self, requirement: Located) -> tuple[AuthRequirement, ...] | None:
        """One security requirement object; `{}` is the anonymous alternative.

        An undefined scheme is skipped with a warning; an alternative left with no scheme at all is
        dropped rather than mistaken for anonymous access.
        """
        node = requirement.node
        if not isinstance(node, dict):
            self._refs.warn(requirement, "security requirement is not a mapping; ignored")
            return None
        if not node:
            return ()
        required: list[AuthRequirement] = []
        for name, scopes in node.items():
            scheme = self._schemes.get(str(name))
            if str(name) not in self._schemes:
                self._refs.warn(requirement, f"security requirement names undefined scheme {_quoted(name)}")
            if scheme is not None:
                kept = tuple(_identifier(scope) or "" for scope in scopes) if isinstance(scopes, list) else ()
                required.append(scheme.model_copy(update={"scopes": kept}))
        return tuple(required) or None


# --------------------------------------------------------------------------- helpers


def _server_base(server: dict[Any, Any]) -> _Base:
    """A server object's host and path prefix, variables replaced by their defaults."""
    variables = server.get("variables")
    if not isinstance(variables, dict):
        variables = {}

    def substitute(match: re.Match[str]) -> str:
        variable = variables.get(match.group(1))
        default = variable.get("default") if isinstance(variable, dict) else None
        return str(default) if isinstance(default, (str, int, float)) else match.group(0)

    url = _SERVER_VARIABLE.sub(substitute, server["url"]).strip()
    absolute = _ABSOLUTE_URL.match(url)
    if absolute:
        return _Base(_host(absolute.group(1)), absolute.group(2))
    return _Base(None, re.split(r"[?#]", url, maxsplit=1)[0])


def _host(netloc: str) -> str | None:
    """A URL authority without credentials or default port, lower-cased."""
    host = _DEFAULT_PORT.sub("", netloc.rpartition("@")[2].strip().lower())
    return host or None


def _join(prefix: str, template: str) -> str:
    """Server prefix + path template, with single slashes, no trailing slash, no `.` segments."""
    joined = _DOT_SEGMENT.sub("", _SLASHES.sub("/", f"/{prefix}/{template}"))
    joined = joined.rstrip("/") or "/"
    return redact_path(joined)


def _text(value: object, limit: int) -> str | None:
    """Free text as kept: one line, redacted, at most `limit` characters."""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        return None
    flat = redact(" ".join(str(value).split()))
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _identifier(value: object) -> str | None:
    """An operationId or scope as kept: a plain name as is (`redact` would take a long camelCase name
    for a token, `session:write` for a secret), anything else redacted like free text."""
    if isinstance(value, str) and _IDENTIFIER.fullmatch(value) and sum(map(str.isdigit, value)) <= 4:
        return value
    return _text(value, 120)


def _quoted(value: object) -> str:
    """A name for a warning: redacted, short, quoted."""
    return f"'{_text(value, 60) or ''}'"


def _type_name(value: object) -> str:
    """`a list`, `a string` ...: how a wrong node type is named in messages."""
    names = {list: "a list", str: "a string", int: "a number", float: "a number", bool: "a boolean"}
    return "empty" if value is None else names.get(type(value), "not a mapping")
