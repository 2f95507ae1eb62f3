"""Reader for Postman collections, format v2.0.0 and v2.1.0 (JSON, as Postman exports them).

A collection documents an API by example: every request in it (in nested folders at any depth)
becomes a `SpecOperation` with its method, its URL as a host and path template (`postman_urls`:
collection variables resolved, `:param` and unresolved `{{var}}` segments as parameters) and the
authentication Postman would send with it (`postman_auth`: request, folder and collection `auth`
inherited as Postman does, or credentials set in the request's own headers). Evidence points at the
request's line.

Never kept: auth values, variable values (beyond resolving URLs), headers' values, bodies, scripts
and saved example responses. Environment files (`_postman_variable_scope`) are not collections and
are left to no reader; format v1 collections are refused with that reason.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from riskscan.errors import SourceError
from riskscan.model import ApiSpec, Evidence, SourceKind, SpecOperation
from riskscan.sources.specs.openapi_refs import MAX_WARNINGS, kept_text
from riskscan.sources.specs.postman_auth import DeclaredAuth, declared_auth, header_auth
from riskscan.sources.specs.postman_urls import collection_variables, request_url
from riskscan.sources.structured import StructuredDocument, join_pointer, load_structured

if TYPE_CHECKING:
    from riskscan.sources import ReadContext

__all__ = ["PostmanError", "PostmanReader", "looks_like_collection"]

_SCHEMA_URL = r"https?://schema\.(?:get)?postman\.com/json/collection/v(\d+)\.(\d+)\.\d+/"
_SCHEMA = re.compile(r'"schema"\s*:\s*"' + _SCHEMA_URL)
_POSTMAN_ID = re.compile(r'"_postman_id"\s*:')
_ITEM_LIST = re.compile(r'"item"\s*:\s*\[')
_ENVIRONMENT = re.compile(r'"_postman_variable_scope"\s*:')
_METHOD = re.compile(r"[A-Za-z]{1,20}")
_SUPPORTED = ("2.0", "2.1")


def looks_like_collection(head: bytes) -> bool:
    """True for a JSON object naming a Postman collection schema, or with `_postman_id` and `item`."""
    text = head.decode("utf-8", "replace").lstrip("\ufeff \t\r\n")
    if not text.startswith("{") or _ENVIRONMENT.search(text):
        return False
    return bool(_SCHEMA.search(text)) or bool(_POSTMAN_ID.search(text) and _ITEM_LIST.search(text))


class PostmanReader:
    """Reads Postman collections v2.0 and v2.1 into `ApiSpec`s."""

    kind = SourceKind.POSTMAN
    title = "Postman collections v2.0 / v2.1 (JSON)"
    summary = ("every request in nested folders as a documented operation, collection variables resolved in "
               "base URLs, :param segments as parameters, auth inherited collection > folder > request; "
               "auth values, variables, bodies and examples never kept")

    def sniff(self, path: Path, head: bytes) -> bool:
        """True when the head shows a Postman collection (see `looks_like_collection`)."""
        return looks_like_collection(head)

    def read(self, path: Path, context: ReadContext) -> ApiSpec:
        """Read one collection; raise `PostmanError` naming the file (and line) when it is unusable."""
        try:
            document = load_structured(path, context)
        except SourceError as error:
            raise PostmanError(error.problem, path=error.path, line=error.line) from None
        return _CollectionReader(document, context.relative_path(path), context).read()


class PostmanError(SourceError):
    """A file that claims to be a Postman collection but cannot be read as one."""


@dataclass
class _CollectionReader:
    """State for reading one collection: its variables, the operations and warnings so far."""

    document: StructuredDocument
    shown: str
    context: ReadContext
    variables: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    requests: int = 0

    def read(self) -> ApiSpec:
        """The collection as an `ApiSpec`; unusable when no request at all could be read."""
        data = self.document.data
        if not isinstance(data, dict):
            raise self._broken("the top level is not a JSON object", 1)
        info = data["info"] if isinstance(data.get("info"), dict) else {}
        spec_format = self._format(info)
        if not isinstance(data.get("item"), list):
            raise self._broken("no 'item' list of requests and folders", self.document.line_of("/item"))
        self.variables = collection_variables(data.get("variable"))
        root_auth = self._auth(data.get("auth"), "/auth", None)
        operations = tuple(self._items(data["item"], "/item", root_auth))
        if self.requests and not operations:
            first = self.warnings[0] if self.warnings else "no request has a usable URL"
            raise self._broken(f"no request could be read (first: {first})", self.document.line_of("/item"))
        if not self.requests:
            self._warn("/item", "the collection holds no request: nothing to assess")
        return ApiSpec(
            path=self.shown,
            title=kept_text(info.get("name"), 120) or "",
            version=_version(info.get("version")),
            spec_format=spec_format,
            operations=operations,
            warnings=self._kept_warnings(),
        )

    def _format(self, info: dict[Any, Any]) -> str:
        """`postman collection v2.1`; a schema of another version is an error naming it."""
        schema = info.get("schema")
        found = re.match(_SCHEMA_URL, schema) if isinstance(schema, str) else None
        version = f"{found.group(1)}.{found.group(2)}" if found else "2.1"
        if version not in _SUPPORTED:
            problem = f"Postman collection format v{version} is not supported (riskscan reads v2.0 and v2.1)"
            raise self._broken(problem, self.document.line_of("/info/schema"))
        return f"postman collection v{version}"

    def _items(
        self, items: list[Any], pointer: str, inherited: DeclaredAuth | None
    ) -> Iterator[SpecOperation]:
        """Requests of one `item` list, folders walked in document order, auth inherited downward."""
        for index, item in enumerate(items):
            at = join_pointer(pointer, index)
            if not isinstance(item, dict):
                self._warn(at, "an item is not an object; skipped")
                continue
            auth = self._auth(item.get("auth"), join_pointer(at, "auth"), inherited)
            if isinstance(item.get("item"), list):
                yield from self._items(item["item"], join_pointer(at, "item"), auth)
            elif "request" in item:
                self.requests += 1
                operation = self._operation(item, at, auth)
                if operation is not None:
                    yield operation
            else:
                self._warn(at, "an item is neither a folder nor a request; skipped")

    def _auth(self, auth: object, pointer: str, inherited: DeclaredAuth | None) -> DeclaredAuth | None:
        """This level's auth, or the inherited one when it sets none (or `inherit`)."""
        declared, warning = declared_auth(auth)
        if warning is not None:
            self._warn(pointer, warning)
        return inherited if declared is None else declared

    def _operation(
        self, item: dict[str, Any], pointer: str, inherited: DeclaredAuth | None
    ) -> SpecOperation | None:
        """One request as a `SpecOperation`, or None (with a warning) when it has no usable URL."""
        request = item["request"]
        at = join_pointer(pointer, "request")
        if isinstance(request, str):  # format v2: a request may be just its URL, sent as GET
            request = {"url": request}
        if not isinstance(request, dict):
            self._warn(at, "a request is not an object or a URL; skipped")
            return None
        method = request.get("method", "GET")
        if not isinstance(method, str) or not _METHOD.fullmatch(method):
            self._warn(at, "a request has no valid method; skipped")
            return None
        url = request_url(request.get("url"), self.variables)
        if url is None:
            self._warn(at, "a request has no usable URL; skipped")
            return None
        auth = self._auth(request.get("auth"), join_pointer(at, "auth"), inherited)
        if auth is None or auth.is_anonymous:
            auth = header_auth(request.get("header")) or auth
        name = kept_text(item.get("name"), 120)
        label = f"{method.upper()} {url.path}" + (f" ({name})" if name else "")
        return SpecOperation(
            method=method.upper(),
            path=url.path,
            host=url.host,
            summary=name,
            parameters=url.parameters,
            security=auth.security if auth is not None else (),
            declares_auth=auth is None or auth.is_known,
            evidence=Evidence(
                path=self.shown,
                line=self.document.line_of(pointer),
                pointer=pointer,
                excerpt=label if len(label) <= 200 else label[:199] + "…",
            ),
        )

    def _warn(self, pointer: str, problem: str) -> None:
        line = self.document.line_of(pointer)
        self.warnings.append(f"{self.shown}:{line}: {problem}" if line else f"{self.shown}: {problem}")

    def _kept_warnings(self) -> tuple[str, ...]:
        """Warnings in order, deduplicated, at most `MAX_WARNINGS` plus a count of the rest."""
        kept = tuple(dict.fromkeys(self.warnings))
        if len(kept) <= MAX_WARNINGS:
            return kept
        return (*kept[:MAX_WARNINGS], f"{self.shown}: {len(kept) - MAX_WARNINGS} more warnings not shown")

    def _broken(self, problem: str, line: int | None) -> PostmanError:
        return PostmanError(f"broken Postman collection: {problem}", path=self.shown, line=line)


def _version(version: object) -> str:
    """`info.version`: a string, or (format v2.0) `{major, minor, patch}`."""
    if isinstance(version, dict):
        parts = [version.get(key) for key in ("major", "minor", "patch")]
        if all(isinstance(part, int) and not isinstance(part, bool) for part in parts):
            return ".".join(str(part) for part in parts)
        return ""
    return kept_text(version, 40) or ""
