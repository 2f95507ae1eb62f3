"""Recognising an APISIX standalone file (YAML or JSON) and loading it, remembering where nodes start.

PyYAML's `safe_load` forgets positions, so this module composes the node graph with a `SafeLoader`
and builds the data itself, recording the 1-based line of every node near the top of the document
under its JSON pointer (`/routes/3/plugins/limit-count`). Building the data ourselves also lets us
refuse hostile input cleanly: alias "billion laughs" expansion is bounded by a node budget, recursive
aliases and absurd nesting are errors, never hangs or tracebacks.

JSON files are parsed with the `json` module (PyYAML rejects some valid JSON, such as tab indentation);
their line map is taken from a best-effort YAML composition and is empty when that fails.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeAlias

import yaml

__all__ = [
    "ConfigValue",
    "LoadError",
    "LoadedDocument",
    "load_document",
    "looks_like_json",
    "looks_like_standalone",
    "pointer_join",
    "resource_keys",
    "top_level_keys",
]

ConfigValue: TypeAlias = "dict[str, ConfigValue] | list[ConfigValue] | str | int | float | bool | None"
"""Plain JSON-like data as read from the file."""

_MAX_DEPTH = 64  # APISIX documents are shallow; deeper nesting is hostile or broken
_LINE_DEPTH = 6  # record lines down to /routes/3/plugins/limit-count/<field>/<item>
_BASE_NODE_BUDGET = 100_000
# The pure-Python loader on purpose: libyaml's (CSafeLoader) composes nested nodes by C recursion and
# crashes the interpreter on hostile nesting, where this one raises a RecursionError we can report.
_LOADER = yaml.SafeLoader
_NODES_PER_CHAR = 4  # generous: legitimate anchors repeat a few blocks, bombs repeat millions


class LoadError(Exception):
    """The text is not a loadable document; `line` is 1-based when known. Never carries input values."""

    def __init__(self, problem: str, line: int | None = None) -> None:
        super().__init__(problem)
        self.problem = problem
        self.line = line


@dataclass(frozen=True)
class LoadedDocument:
    """The document's data and the first line of each node, keyed by JSON pointer ("" is the root)."""

    data: ConfigValue
    lines: dict[str, int] = field(default_factory=dict)

    def line_of(self, pointer: str) -> int | None:
        """The 1-based line where the node at `pointer` starts, or None when unknown."""
        return self.lines.get(pointer)


def pointer_join(base: str, token: str | int) -> str:
    """Append one reference token to a JSON pointer, escaping `~` and `/` as RFC 6901 requires."""
    text = str(token).replace("~", "~0").replace("/", "~1")
    return f"{base}/{text}"


def load_document(text: str, *, is_json: bool) -> LoadedDocument:
    """Parse `text` as JSON or YAML; raise `LoadError` (with a line when known) when it cannot be read."""
    if is_json:
        return _load_json(text)
    builder = _Builder(text)
    data = builder.build()
    return LoadedDocument(data=data, lines=builder.lines)


def _load_json(text: str) -> LoadedDocument:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise LoadError(f"malformed JSON: {error.msg}", line=error.lineno) from None
    except RecursionError:
        raise LoadError("JSON nesting is too deep") from None
    try:
        # Only positions are wanted here, so tabs (legal JSON whitespace, illegal YAML indentation)
        # may become spaces: line numbers stay the same.
        builder = _Builder(text.replace("\t", " "))
        builder.build()
        lines = builder.lines
    except LoadError:
        lines = {}
    return LoadedDocument(data=_plain(data, 0), lines=lines)


def _plain(value: object, depth: int) -> ConfigValue:
    """JSON data as `ConfigValue` (json.loads already gives these types; this checks depth and keys)."""
    if depth > _MAX_DEPTH:
        raise LoadError("nesting is too deep")
    if isinstance(value, dict):
        return {str(key): _plain(item, depth + 1) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item, depth + 1) for item in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


class _Builder:
    """Composes one YAML document and turns its node graph into plain data with a line map."""

    def __init__(self, text: str) -> None:
        self._loader = _LOADER(text)
        self._budget = _BASE_NODE_BUDGET + _NODES_PER_CHAR * len(text)
        self._open: set[int] = set()  # nodes being built: meeting one again means a recursive alias
        self.lines: dict[str, int] = {}

    def build(self) -> ConfigValue:
        """The document's data; an empty document is None."""
        try:
            node = self._loader.get_single_node()
            if node is None:
                return None
            return self._value(node, "", 0)
        except yaml.MarkedYAMLError as error:
            mark = error.problem_mark or error.context_mark
            line = mark.line + 1 if mark is not None else None
            raise LoadError(f"malformed YAML: {error.problem or error.context}", line=line) from None
        except yaml.YAMLError as error:
            raise LoadError(f"malformed YAML: {type(error).__name__}") from None
        except RecursionError:
            raise LoadError("YAML nesting is too deep") from None
        finally:
            self._loader.dispose()

    def _value(self, node: yaml.Node, pointer: str, depth: int) -> ConfigValue:
        self._budget -= 1
        if self._budget < 0:
            raise LoadError("too many nodes after alias expansion (YAML alias bomb?)")
        if depth > _MAX_DEPTH:
            raise LoadError("nesting is too deep", line=node.start_mark.line + 1)
        if depth <= _LINE_DEPTH:
            self.lines.setdefault(pointer, node.start_mark.line + 1)
        if isinstance(node, yaml.ScalarNode):
            return _scalar(self._loader.construct_object(node, deep=False))
        if id(node) in self._open:
            raise LoadError("recursive YAML alias", line=node.start_mark.line + 1)
        self._open.add(id(node))
        try:
            if isinstance(node, yaml.MappingNode):
                return self._mapping(node, pointer, depth)
            if isinstance(node, yaml.SequenceNode):
                return [
                    self._value(item, pointer_join(pointer, index), depth + 1)
                    for index, item in enumerate(node.value)
                ]
            return None
        finally:
            self._open.discard(id(node))

    def _mapping(self, node: yaml.MappingNode, pointer: str, depth: int) -> dict[str, ConfigValue]:
        self._loader.flatten_mapping(node)  # resolves `<<: *anchor` merge keys in place
        result: dict[str, ConfigValue] = {}
        for key_node, value_node in node.value:
            key = self._value(key_node, pointer, depth + 1) if isinstance(key_node, yaml.ScalarNode) else None
            name = "" if key is None else str(key)
            child = pointer_join(pointer, name)
            if depth + 1 <= _LINE_DEPTH:
                # A mapping entry starts where its key does, not where a block value begins.
                self.lines.setdefault(child, key_node.start_mark.line + 1)
            result[name] = self._value(value_node, child, depth + 1)
        return result


def _scalar(value: object) -> ConfigValue:
    """A constructed YAML scalar as plain data: timestamps, binary and the like become text."""
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, bytes):
        return "<binary>"
    return str(value)


# --------------------------------------------------------------------------- recognising a standalone file

# Top-level keys of a standalone file (resources APISIX reads from it).
_RESOURCE_KEYS = frozenset(
    {
        "routes",
        "services",
        "upstreams",
        "plugin_configs",
        "global_rules",
        "consumers",
        "consumer_groups",
        "ssls",
        "stream_routes",
        "plugin_metadata",
        "protos",
        "secrets",
    }
)
# Top-level keys that show a file is something else: APISIX's own conf/config.yaml, an OpenAPI or
# AsyncAPI document (the APISIX Dashboard exports routes as OpenAPI), Kubernetes, Envoy, and Kong
# declarative config (which shares `services`, `routes`, `upstreams`, `consumers` with APISIX).
_FOREIGN_KEYS = frozenset(
    {
        "apisix",
        "deployment",
        "nginx_config",
        "plugin_attr",
        "etcd",
        "openapi",
        "swagger",
        "asyncapi",
        "apiVersion",
        "kind",
        "static_resources",
        "_format_version",
        "_transform",
        "_info",
        "_workspace",
        "_konnect",
        "ca_certificates",
        "certificates",
        "targets",
        "vaults",
        "keyauth_credentials",
        "basicauth_credentials",
        "jwt_secrets",
        "hmacauth_credentials",
        "oauth2_credentials",
        "acls",
    }
)
# Kong routes match on `paths`; APISIX routes on `uri`/`uris`.
_KONG_PATHS = re.compile(r"^\s*(?:-\s+)?[\"']?paths[\"']?\s*:", re.MULTILINE)
_APISIX_URI = re.compile(r"^\s*(?:-\s+)?[\"']?uris?[\"']?\s*:", re.MULTILINE)


def resource_keys() -> frozenset[str]:
    """The top-level keys of a standalone file: the resource lists APISIX reads from it."""
    return _RESOURCE_KEYS


def looks_like_standalone(path: Path, head: bytes) -> bool:
    """True for an APISIX standalone file: resource lists at the top level, or the `#END` marker.

    False for APISIX's `conf/config.yaml`, OpenAPI documents (including Dashboard exports),
    Kubernetes manifests and other gateways' configs, whose top-level keys give them away.
    """
    text = head.decode("utf-8", errors="replace")
    keys = top_level_keys(text)
    if keys.keys() & _FOREIGN_KEYS:
        return False
    if _KONG_PATHS.search(text) and not _APISIX_URI.search(text):
        return False
    if any(is_list for name, is_list in keys.items() if name in _RESOURCE_KEYS):
        return True
    if looks_like_json(text) or not _has_end_marker(path, text):
        return False
    return set(keys) <= _RESOURCE_KEYS | {"plugins"}


def _has_end_marker(path: Path, head: str) -> bool:
    """True when the file ends with `#END` (looking at its last bytes when the head is partial)."""
    if head.rstrip().endswith("#END"):
        return True
    if path.suffix == ".gz":
        return False
    try:
        with path.open("rb") as handle:
            handle.seek(max(0, path.stat().st_size - 64))
            tail = handle.read()
    except OSError:
        return False
    return tail.decode("utf-8", errors="replace").rstrip().endswith("#END")


_YAML_TOP_KEY = re.compile(r"""^(?:"([^"]*)"|'([^']*)'|([A-Za-z_$][\w.$-]*))[ \t]*:(?:[ \t]+(.*))?$""")


def looks_like_json(text: str) -> bool:
    """True when the text is a JSON object: its first significant character is `{`."""
    return text.lstrip("\ufeff \t\r\n").startswith("{")


def top_level_keys(text: str) -> dict[str, bool]:
    """The top-level keys visible in a (possibly truncated) document head, each mapped to whether its
    value is a sequence. Works without parsing, so a head cut mid-file still tells its shape."""
    text = text.lstrip("\ufeff")
    return _json_top_level_keys(text) if looks_like_json(text) else _yaml_top_level_keys(text)


def _yaml_top_level_keys(text: str) -> dict[str, bool]:
    lines = text.splitlines()
    keys: dict[str, bool] = {}
    for index, line in enumerate(lines):
        if not line or line[0] in " \t#-%.[{":
            continue  # indented, a comment, a document marker or a flow collection
        match = _YAML_TOP_KEY.match(line.rstrip())
        if match is None:
            continue
        name = next(group for group in match.groups()[:3] if group is not None)
        value = (match.group(4) or "").split(" #")[0].strip()
        keys[name] = value.startswith("[") if value else _next_line_is_item(lines, index + 1)
    return keys


def _next_line_is_item(lines: list[str], start: int) -> bool:
    for line in lines[start : start + 50]:
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        return stripped == "-" or stripped.startswith("- ")
    return False


def _json_top_level_keys(text: str) -> dict[str, bool]:
    """Keys of the outermost JSON object, scanning characters (the head may end mid-document)."""
    keys: dict[str, bool] = {}
    depth = 0
    position = 0
    last_string: str | None = None
    while position < len(text):
        char = text[position]
        if char == '"':
            end = _string_end(text, position)
            last_string = text[position + 1 : end]
            position = end + 1
            continue
        if char in "{[":
            depth += 1
        elif char in "}]":
            depth -= 1
        elif char == ":" and depth == 1 and last_string is not None:
            rest = text[position + 1 :].lstrip()
            keys[last_string] = rest.startswith("[")
        if not char.isspace():
            last_string = None
        position += 1
    return keys


def _string_end(text: str, start: int) -> int:
    position = start + 1
    while position < len(text):
        if text[position] == "\\":
            position += 2
            continue
        if text[position] == '"':
            return position
        position += 1
    return len(text)
