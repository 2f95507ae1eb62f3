"""Whether a file is a Kubernetes manifest: every document an object with `apiVersion` and `kind` at
its top level, of an API a cluster serves.

A manifest is YAML (one or more `---` separated documents) or JSON (one object, often a `kind: List`).
Judged on the head of the file only: each document whose text the head holds must carry both keys at
column 0 (YAML) or in the outermost object (JSON), so an OpenAPI spec, a docker-compose file or an
APISIX file (neither key) is never taken for one. A Helm template's `{{ ... }}` action lines are passed
over here; such a file then fails to load, and is reported as the one-line failure it is. Files with
both keys that configure tools rather than declare cluster objects (a kubeconfig, a Kustomization,
kind, k3d, kubeadm or Skaffold configs, a Backstage catalog) are not manifests (kubeconfigs and
kustomizations are read by readers of their own, `kubeconfig` and `kustomization`).
"""

from __future__ import annotations

import re

from riskscan.sources.outline import top_level_scalars

__all__ = ["is_manifest"]

_DOCUMENT_MARKER = re.compile(r"^---(?:[ \t].*)?$", re.MULTILINE)
_TOP_KEY = re.compile(r"""^["']?(apiVersion|kind)["']?[ \t]*:[ \t]*["']?([^\s"'#]*)""", re.MULTILINE)
_CONTENT_LINE = re.compile(r"^(?![ \t]|#|\{\{|\.\.\.|[\r\f\v]*$).+", re.MULTILINE)
_API_VERSION = re.compile(r"(?:[a-z0-9][a-z0-9.-]*/)?v\d+(?:(?:alpha|beta)\d+)?")
# API groups of tool configurations that look like objects (their own `apiVersion` and `kind`).
_TOOL_GROUPS = ("kustomize.config.k8s.io", "config.k8s.io", "kind.x-k8s.io", "k3d.io", "kubeadm.k8s.io",
                "skaffold", "backstage.io")
_TOOL_KINDS = frozenset({("v1", "Config")})  # a kubeconfig


def is_manifest(head: bytes, is_whole: bool) -> bool:
    """True when every document the head shows is a cluster object (`is_whole`: the head is the whole
    file, so its last document is complete too)."""
    text = head.decode("utf-8", errors="ignore").lstrip("\ufeff")
    if text.lstrip()[:1] == "{":
        keys = top_level_scalars(head)
        return _is_object(keys.get("apiVersion", ""), keys.get("kind", ""))
    documents = [part for part in _DOCUMENT_MARKER.split(text) if _CONTENT_LINE.search(part)]
    if not is_whole and len(documents) > 1:
        documents = documents[:-1]  # the head may cut the last one before its keys
    return bool(documents) and all(_is_object(*_keys(document)) for document in documents)


def _keys(document: str) -> tuple[str, str]:
    """The column-0 `apiVersion` and `kind` of one YAML document ("" when absent)."""
    found: dict[str, str] = {}
    for match in _TOP_KEY.finditer(document):
        found.setdefault(match.group(1), match.group(2))
    return found.get("apiVersion", ""), found.get("kind", "")


def _is_object(api_version: str, kind: str) -> bool:
    if not kind or _API_VERSION.fullmatch(api_version) is None or (api_version, kind) in _TOOL_KINDS:
        return False
    group = api_version.rpartition("/")[0]
    return not any(group == tool or group.endswith(f".{tool}") for tool in _TOOL_GROUPS)
