"""Credentials Kubernetes manifests hold in clear, recorded by place: the values are never read.

- A `kind: Secret` object with non-empty `data` or `stringData`: base64 is an encoding, not
  encryption, so a Secret committed with its manifests is a credential in clear. It is recorded by the
  object's pointer (`/items/2/data`) and line; its name and values are never decoded nor kept. A Secret whose
  every value is a template (`{{ .Values.password }}`, `${PASSWORD}`) holds references, not secrets.
- On a routing object (Ingress, HTTPRoute, Gateway): an annotation whose value is a URL carrying a
  credential (`auth-url: https://user:pass@auth.internal/`, `url_credentials`), a header set in a
  snippet annotation with a literal credential (`proxy_set_header Authorization "Basic ..."`), and in
  its spec a header filter setting a credential header to a literal value (Gateway API
  `RequestHeaderModifier`), or any URL carrying one.
- A Traefik `Middleware` resource whose spec writes a credential as a file provider middleware would
  (`traefik_secrets`: basicAuth `users` listed inline, a credential header set to a literal, a
  forwardAuth address carrying a password).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from riskscan.model import Evidence
from riskscan.sources.gateways.kubernetes_objects import KubeObject, text
from riskscan.sources.gateways.traefik_secrets import clear_secret_pointers
from riskscan.sources.gateways.url_credentials import is_credential_header, is_reference, url_credential
from riskscan.sources.structured import StructuredDocument

__all__ = ["middleware_secrets", "routing_object_secrets", "secret_objects_in_clear"]

_SNIPPET_HEADER = re.compile(
    r"""(?:proxy_set_header|add_header|more_set_input_headers|more_set_headers)\s+["']?([A-Za-z0-9_-]+)"""
    r"""(?::\s*|["']?\s+["']?)([^"';\s][^"';]*)"""
)
_MAX_SECRETS = 200
_TRAEFIK_GROUPS = ("traefik.io/", "traefik.containo.us/")
_MAX_DEPTH = 32


def secret_objects_in_clear(documents: list[StructuredDocument], shown: str) -> list[Evidence]:
    """Each Secret object holding a literal value in `data` or `stringData`, by its place."""
    found: list[Evidence] = []
    for document in documents:
        for pointer, item in _objects(document.data):
            field = next((name for name in ("data", "stringData") if _holds_literal(item.get(name))), None)
            if text(item.get("kind")) == "Secret" and field is not None:
                # Place only: not even the Secret's name, which annotations such as `auth-secret` use.
                found.append(Evidence(
                    path=shown, line=document.line_of(f"{pointer}/{field}"), pointer=f"{pointer}/{field}",
                    note="a Kubernetes Secret object with its data in the manifest"
                         " (base64 is not encryption)"))
    return found[:_MAX_SECRETS]


def routing_object_secrets(item: KubeObject) -> list[Evidence]:
    """Credentials an Ingress, HTTPRoute or Gateway writes in its annotations or spec, by place."""
    found: list[Evidence] = []
    for name, value in item.annotations.items():
        if not isinstance(value, str):
            continue
        what = url_credential(value) or _snippet_credential(value)
        if what is not None:
            pointer = "/metadata/annotations/" + str(name).replace("~", "~0").replace("/", "~1")
            found.append(item.evidence(pointer, f"{item.label} annotation", f"{what} in an annotation"))
    for pointer, what in _spec_secrets(item.spec, "/spec", 0):
        found.append(item.evidence(pointer, item.label, what))
    return found[:_MAX_SECRETS]


def middleware_secrets(item: KubeObject) -> list[Evidence]:
    """Credentials a Traefik Middleware resource writes in its spec, by place (none for other objects)."""
    if item.kind != "Middleware" or not item.api_version.startswith(_TRAEFIK_GROUPS):
        return []
    return [item.evidence(f"/spec{pointer}", item.label, f"{what} in a Traefik Middleware")
            for pointer, what in clear_secret_pointers(item.spec)][:_MAX_SECRETS]


def _objects(data: object) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """A document's object, or a List's items, with their pointers inside the document."""
    if not isinstance(data, dict):
        return
    items = data.get("items")
    if text(data.get("kind")).endswith("List") and isinstance(items, list):
        yield from ((f"/items/{index}", item) for index, item in enumerate(items) if isinstance(item, dict))
    else:
        yield "", data


def _holds_literal(values: object) -> bool:
    """A non-empty mapping with at least one value written out (not a template or reference)."""
    return isinstance(values, dict) and any(
        isinstance(value, str) and value.strip() and not _is_template(value) for value in values.values())


def _is_template(value: str) -> bool:
    return "{{" in value or is_reference(value)


def _snippet_credential(snippet: str) -> str | None:
    """A credential header a snippet annotation sets to a literal value, named by the header."""
    for match in _SNIPPET_HEADER.finditer(snippet):
        name, value = match.group(1), match.group(2).strip()
        if is_credential_header(name) and value and not value.startswith("$"):
            return f"{name.lower()} header set in clear"
    return None


def _spec_secrets(node: object, pointer: str, depth: int) -> Iterator[tuple[str, str]]:
    """Header filters setting a credential header to a literal, and URLs carrying a credential."""
    if depth > _MAX_DEPTH:
        return
    if isinstance(node, list):
        for index, value in enumerate(node):
            yield from _spec_secrets(value, f"{pointer}/{index}", depth + 1)
        return
    if not isinstance(node, dict):
        return
    name, value = node.get("name"), node.get("value")
    if isinstance(name, str) and isinstance(value, str) and is_credential_header(name) \
            and value.strip() and not _is_template(value):
        yield f"{pointer}/value", f"{name.lower()} header set in clear"
    for key, child in node.items():
        place = f"{pointer}/{str(key).replace('~', '~0').replace('/', '~1')}"
        what = url_credential(child) if isinstance(child, str) else None
        if what is not None:
            yield place, what
        elif isinstance(child, (dict, list)):
            yield from _spec_secrets(child, place, depth + 1)
