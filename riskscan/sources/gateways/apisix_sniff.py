"""Recognising an APISIX standalone file (YAML or JSON) from its first bytes, without parsing it.

A standalone file (`conf/apisix.yaml`) lists resources at its top level (`routes`, `upstreams` ...) or
ends with APISIX's `#END` marker. Other files share its shape: APISIX's own `conf/config.yaml`, OpenAPI
documents (the APISIX Dashboard exports routes as OpenAPI), Kubernetes manifests and Kong declarative
config; their top-level keys give them away. The head may be cut mid-document, so keys are found by
scanning lines (YAML) or characters (JSON). Loading the file is `riskscan.sources.structured`'s job.
"""

from __future__ import annotations

import re
from pathlib import Path

__all__ = [
    "RESOURCE_KEYS",
    "looks_like_json",
    "looks_like_standalone",
    "top_level_keys",
]

RESOURCE_KEYS = frozenset(
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
"""The top-level keys of a standalone file: the resource lists APISIX reads from it."""

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
_KONG_PATHS = re.compile(r"^[ \t]*(?:-[ \t]+)?[\"']?paths[\"']?[ \t]*:", re.MULTILINE)
_APISIX_URI = re.compile(r"^[ \t]*(?:-[ \t]+)?[\"']?uris?[\"']?[ \t]*:", re.MULTILINE)


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
    if any(is_list for name, is_list in keys.items() if name in RESOURCE_KEYS):
        return True
    if looks_like_json(text) or not _has_end_marker(path, text):
        return False
    return set(keys) <= RESOURCE_KEYS | {"plugins"}


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
