"""Credentials Kubernetes manifests hold in clear, recorded by place: the values are never read.

- A `kind: Secret` object with non-empty `data` or `stringData`: base64 is an encoding, not
  encryption, so a Secret committed with its manifests is a credential in clear. It is recorded by the
  object's pointer (`/items/2/data`) and line; its name and values are never decoded nor kept. A Secret whose
  every value is a template (`{{ .Values.password }}`, `${PASSWORD}`) holds references, not secrets.
- A `kind: ConfigMap` whose `data` holds a credential-named key (`DB_PASSWORD`, `api-token`) with a
  literal value, or a URL carrying a credential: ConfigMaps are not secret (anyone who can read the
  namespace's configuration reads them). Recorded by the key's pointer (`/data/DB_PASSWORD`); so is
  each credential a Traefik static configuration file held in a ConfigMap (`traefik.yml`) writes.
- In any other object's pod templates (Deployment, StatefulSet, Job, a CRD's): a container `env` entry
  of a credential-named variable with a literal `value` (as opposed to `valueFrom.secretKeyRef`), or
  one whose value is a URL carrying a credential. Recorded by the value's pointer.
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
from riskscan.sources.gateways.traefik_static import static_file_secrets
from riskscan.sources.gateways.url_credentials import is_credential_header, is_reference, url_credential
from riskscan.sources.structured import StructuredDocument, escape_pointer_token

__all__ = ["config_map_secrets", "credential_in_value", "document_objects", "middleware_secrets", "pod_containers",
           "routing_object_secrets", "secret_objects_in_clear", "workload_secrets"]

_SNIPPET_HEADER = re.compile(
    r"""(?:proxy_set_header|add_header|more_set_input_headers|more_set_headers)\s+["']?([A-Za-z0-9_-]+)"""
    r"""(?::\s*|["']?\s+["']?)([^"';\s][^"';]*)"""
)
_MAX_SECRETS = 200
_TRAEFIK_GROUPS = ("traefik.io/", "traefik.containo.us/")
# In a Middleware resource these name the Kubernetes Secret holding the users: a reference, not a value.
_SECRET_REFERENCES = ("/basicAuth/secret", "/digestAuth/secret")
_MAX_DEPTH = 32
# Words in a variable or key name that say it holds a credential, and what credential that is.
_CREDENTIAL_WORDS = (("password", "password"), ("passwd", "password"), ("private_key", "private key"),
                     ("privatekey", "private key"), ("apikey", "API key"), ("api_key", "API key"),
                     ("secret", "secret"), ("token", "token"), ("credential", "credential"))
# Name endings that make a credential-named variable hold something about the credential, not it.
_ABOUT_CREDENTIAL = ("_file", "_path", "_dir", "_name", "_url", "_uri", "_endpoint", "_ttl", "_expiry",
                     "_lifetime", "_timeout", "_header", "_length", "_enabled", "_type", "_algorithm", "_id",
                     "_policy", "_mode", "_format", "_issuer", "_audience", "_scope", "_scopes", "_version",
                     "_prefix")
_CONTAINER_LISTS = frozenset({"containers", "initContainers", "ephemeralContainers"})


def secret_objects_in_clear(documents: list[StructuredDocument], shown: str) -> list[Evidence]:
    """Each Secret object holding a literal value in `data` or `stringData`, by its place."""
    found: list[Evidence] = []
    for document in documents:
        for pointer, item in document_objects(document.data):
            field = next((name for name in ("data", "stringData") if _holds_literal(item.get(name))), None)
            if text(item.get("kind")) == "Secret" and field is not None:
                # Place only: not even the Secret's name, which annotations such as `auth-secret` use.
                found.append(Evidence(
                    path=shown, line=document.line_of(f"{pointer}/{field}"), pointer=f"{pointer}/{field}",
                    note="a Kubernetes Secret object with its data in the manifest"
                         " (base64 is not encryption)"))
    return found[:_MAX_SECRETS]


def config_map_secrets(documents: list[StructuredDocument], shown: str) -> list[Evidence]:
    """Each credential-named key of a ConfigMap's `data` with a literal value, by its pointer."""
    found: list[Evidence] = []
    for document in documents:
        for pointer, item in document_objects(document.data):
            data = item.get("data")
            if text(item.get("kind")) != "ConfigMap" or not isinstance(data, dict):
                continue
            for key, value in data.items():
                place = f"{pointer}/data/{escape_pointer_token(str(key))}"
                what = credential_in_value(str(key), value)
                if what is not None:
                    found.append(Evidence(path=shown, line=document.line_of(place), pointer=place,
                                          note=f"{what} in a ConfigMap (ConfigMaps are not secret)"))
                found += [Evidence(path=shown, line=document.line_of(place), pointer=place,
                                   note=f"{what} at {inner} of the Traefik static configuration in a ConfigMap"
                                        " (ConfigMaps are not secret)")
                          for inner, what in static_file_secrets(str(key), value)]
    return found[:_MAX_SECRETS]


def workload_secrets(item: KubeObject) -> list[Evidence]:
    """Credentials the containers of an object's pod templates are given in clear in `env`, by place."""
    found: list[Evidence] = []
    for pointer, container in pod_containers(item):
        env = container.get("env")
        for index, entry in enumerate(env if isinstance(env, list) else []):
            if not isinstance(entry, dict) or "valueFrom" in entry:
                continue
            what = credential_in_value(text(entry.get("name")), entry.get("value"))
            if what is not None:
                found.append(item.evidence(f"{pointer}/env/{index}/value", f"{item.label} container env",
                                           f"{what} set in clear in a container's env (not a secretKeyRef)"))
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
            for pointer, what in clear_secret_pointers(item.spec)
            if not pointer.endswith(_SECRET_REFERENCES)][:_MAX_SECRETS]


def document_objects(data: object) -> Iterator[tuple[str, Mapping[str, Any]]]:
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


def pod_containers(item: KubeObject) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """The containers (init and ephemeral ones too) of every pod template of an object, wherever it keeps
    them (a Deployment's `spec.template`, a CronJob's `spec.jobTemplate`, a CRD's), with their pointers
    below the object (`/spec/template/spec/containers/0`)."""
    return _containers(item.spec, "/spec", 0)


def _containers(node: object, pointer: str, depth: int) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """The containers of every pod template below `node`, wherever the object keeps them."""
    if depth > _MAX_DEPTH or not isinstance(node, dict):
        return
    for key, child in node.items():
        place = f"{pointer}/{escape_pointer_token(str(key))}"
        if key in _CONTAINER_LISTS and isinstance(child, list):
            yield from ((f"{place}/{index}", value) for index, value in enumerate(child)
                        if isinstance(value, dict))
        elif isinstance(child, dict):
            yield from _containers(child, place, depth + 1)


def credential_in_value(name: str, value: object) -> str | None:
    """What credential a variable or key holds in clear: a URL carrying one, or a literal value under
    a credential-named key (not a path, a number or a switch); None otherwise."""
    if not isinstance(value, str) or not value.strip() or _is_template(value) or value.startswith("$("):
        return None
    if "://" in value:
        return url_credential(value)  # a URL is judged by what it carries, whatever its name
    lowered = name.lower().replace("-", "_").replace(".", "_")
    kind = next((what for word, what in _CREDENTIAL_WORDS if word in lowered), None)
    if kind is None or lowered.endswith(_ABOUT_CREDENTIAL) or value.startswith("/"):
        return None
    return None if value.strip().lower() in ("true", "false") or value.strip().isdigit() else kind


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
