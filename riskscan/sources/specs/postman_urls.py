"""Where a Postman request goes: its URL, with collection variables resolved, as a host and a template.

A request URL is a string (`{{baseUrl}}/claims/:claimId?expand=1`) or an object (`raw`, `protocol`,
`host`, `port`, `path`, `query`, `variable`); the object's parts are used when present, as Postman's
own SDK does, else its `raw`. Variables (`{{name}}`) are replaced with the collection's values in the
part before the path (`{{baseUrl}}` = `https://api.example.com/v2` gives the host and a `/v2` prefix),
up to a few levels of variables inside variables. In the path:

- `:claimId` (a Postman path variable) becomes `{claimId}`;
- a `{{name}}` segment becomes `{name}`, unless the collection gives it a value that is a plain word
  or a version (`v2`, `sandbox`): a sample id must not turn the template into one concrete path, and
  a token must never become a path segment;
- a variable that cannot be resolved before the path leaves the host unknown (environments, which
  hold most base URLs, are separate files riskscan is not given), and the path starts after it
  (also when written without its slash, `{{baseUrl}}claims`, as base URLs ending in `/` invite).

Query strings and fragments are dropped; query parameter names are kept, never their values.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from riskscan.model import Parameter, ParameterLocation
from riskscan.sources.specs.openapi_servers import join_path

__all__ = ["RequestUrl", "collection_variables", "request_url"]

_VARIABLE = re.compile(r"\{\{\s*([^{}\s]{1,120})\s*\}\}")
_WORD_VALUE = re.compile(r"v\d{1,3}(?:\.\d{1,3})?|[a-z]{1,20}", re.IGNORECASE)
_PATH_VARIABLE = re.compile(r":([A-Za-z_][A-Za-z0-9_-]{0,79})")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
_DEFAULT_PORT = re.compile(r":(?:80|443)$")
_NAME = re.compile(r"[A-Za-z0-9_.-]{1,80}")
_GLUED_PATH = re.compile(r"\{\{[^{}]*\}\}([A-Za-z_][^:]*)")
_MAX_ROUNDS = 5  # variables inside variables, resolved at most this deep
_MAX_VALUE = 2000  # longer variable values are not substituted (nobody's base URL is that long)


@dataclass(frozen=True)
class RequestUrl:
    """A request's host (None when unknown), path template and the parameters its URL declares."""

    host: str | None
    path: str
    parameters: tuple[Parameter, ...]


def collection_variables(declared: object) -> dict[str, str]:
    """The collection's `variable` list as name -> value; disabled ones and non-text values left out.

    The values are used only to resolve URLs here and are never kept anywhere else.
    """
    found: dict[str, str] = {}
    for entry in declared if isinstance(declared, list) else ():
        if not isinstance(entry, dict) or entry.get("disabled") is True:
            continue
        name = entry.get("key", entry.get("id"))
        value = entry.get("value")
        if isinstance(name, str) and isinstance(value, (str, int, float)) and not isinstance(value, bool):
            text = str(value)
            if len(text) <= _MAX_VALUE:
                found[name.strip()] = text
    return found


def request_url(url: object, variables: Mapping[str, str]) -> RequestUrl | None:
    """The host, template and URL parameters of a request's `url`; None when it has no usable URL."""
    raw = _assembled(url) if isinstance(url, dict) else url
    if not isinstance(raw, str) or not raw.strip():
        return None
    base = re.split(r"[?#]", raw.strip(), maxsplit=1)[0]
    host, path = _split(_resolve_prefix(base, variables))
    if host is None and path is None:
        return None
    segments = [_segment(segment, variables) for segment in (path or "").split("/") if segment]
    template = join_path("", "/".join(segments))
    parameters = [
        Parameter(name=name, location=ParameterLocation.PATH, required=True)
        for name in re.findall(r"\{([^{}/]+)\}", template)
    ]
    parameters += _query_parameters(url, raw)
    return RequestUrl(host=host, path=template, parameters=tuple(dict.fromkeys(parameters)))


def _assembled(url: dict[Any, Any]) -> str | None:
    """An object URL as one string: from `protocol`, `host`, `port` and `path` when given, else `raw`."""
    host, path = url.get("host"), url.get("path")
    if not isinstance(host, (list, str)) and not isinstance(path, (list, str)):
        raw = url.get("raw")  # no usable parts (absent, or of the wrong type): the raw text, if any
        return raw if isinstance(raw, str) else None
    host_text = ".".join(map(str, host)) if isinstance(host, list) else host if isinstance(host, str) else ""
    if isinstance(path, list):
        path_text = "/".join(_path_item(item) for item in path)
    else:
        path_text = path if isinstance(path, str) else ""
    protocol, port = url.get("protocol"), url.get("port")
    prefix = f"{protocol}://" if isinstance(protocol, str) and protocol and host_text else ""
    port_text = f":{port}" if isinstance(port, (str, int)) and str(port) and host_text else ""
    return f"{prefix}{host_text}{port_text}/{path_text.lstrip('/')}"


def _path_item(item: object) -> str:
    """A path list item: a string, or (collection v2.0) an object with a `value`."""
    if isinstance(item, dict):
        item = item.get("value")
    return str(item) if isinstance(item, (str, int)) else ""


def _resolve_prefix(raw: str, variables: Mapping[str, str]) -> str:
    """Variables before the path (and variables their values bring in) replaced by their values."""
    for _ in range(_MAX_ROUNDS):
        prefix_end = _authority_end(raw)
        head = _VARIABLE.sub(lambda match: variables.get(match.group(1), match.group(0)), raw[:prefix_end])
        if head == raw[:prefix_end]:
            break
        raw = head + raw[prefix_end:]
    return raw


def _authority_end(raw: str) -> int:
    """Where the scheme-and-host part of a URL ends: at the first `/` after it (0 for a bare path)."""
    if raw.startswith("/"):
        return 0
    scheme = _SCHEME.match(raw)
    start = scheme.end() if scheme else 0
    slash = raw.find("/", start)
    return len(raw) if slash < 0 else slash


def _split(raw: str) -> tuple[str | None, str | None]:
    """(host, path) of a resolved URL; the host is None when a variable still stands in it."""
    end = _authority_end(raw)
    authority, path = raw[:end], raw[end:]
    authority = _SCHEME.sub("", authority).rpartition("@")[2].strip()
    glued = _GLUED_PATH.fullmatch(authority)
    if glued:  # `{{baseUrl}}claims`: a base URL variable written without its slash, left unresolved
        return None, f"/{glued.group(1)}{path}"
    if not authority or "{{" in authority or "}}" in authority:
        return None, path or ("/" if authority else None)
    authority = authority.lower()
    return _DEFAULT_PORT.sub("", authority) or None, path


def _segment(segment: str, variables: Mapping[str, str]) -> str:
    """One path segment as a template segment (see the module docstring)."""
    path_variable = _PATH_VARIABLE.fullmatch(segment)
    if path_variable:
        return "{" + path_variable.group(1) + "}"

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        value = variables.get(name)
        if value is not None and _WORD_VALUE.fullmatch(value):
            return value
        return "{" + (name if _NAME.fullmatch(name) else "param") + "}"

    return _VARIABLE.sub(replace, segment)


def _query_parameters(url: object, raw: str) -> list[Parameter]:
    """Names of the query parameters (object `query` list, else the raw query string); never values."""
    names: list[str] = []
    query = url.get("query") if isinstance(url, dict) else None
    if isinstance(query, list):
        names = [
            entry["key"]
            for entry in query
            if isinstance(entry, dict)
            and isinstance(entry.get("key"), str)
            and entry.get("disabled") is not True
        ]
    elif "?" in raw:
        names = [pair.partition("=")[0] for pair in raw.partition("?")[2].partition("#")[0].split("&")]
    return [Parameter(name=name, location=ParameterLocation.QUERY) for name in names if _NAME.fullmatch(name)]
