"""Kubernetes objects as read from manifest files: what the Ingress and Gateway API readers share.

A manifest file holds one or more YAML documents (or one JSON document); a document is one object or
a `kind: List` (also `IngressList`, `HTTPRouteList` ...) whose `items` are objects. `collect_objects`
turns them into `KubeObject`s that remember their document and place, so evidence can name the line.
`Secret` and `ConfigMap` objects are counted and dropped there: their data never enters an object (only
`kubernetes_secrets` looks at them, for credentials in clear, keeping places and never values).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from riskscan.model import Evidence
from riskscan.redaction import redact
from riskscan.sources.structured import StructuredDocument

__all__ = [
    "DATA_KINDS",
    "KubeObject",
    "Warn",
    "collect_objects",
    "mapping",
    "mappings",
    "text",
]

DATA_KINDS = frozenset({"Secret", "ConfigMap"})
"""Objects whose data may hold credentials: never read into objects, only counted."""

_MAX_EXCERPT = 200

Warn = Callable[[str], None]


@dataclass(frozen=True)
class KubeObject:
    """One Kubernetes object: its kind, name, namespace and body, and where it sits in its file."""

    kind: str
    api_version: str
    name: str
    namespace: str
    body: Mapping[str, Any]
    document: StructuredDocument
    pointer: str  # inside its document: "" for a whole document, "/items/3" for a List item
    shown: str  # the file as shown to users

    @property
    def label(self) -> str:
        """`Ingress default/api`, as warnings and excerpts name the object."""
        return redact(f"{self.kind} {self.namespace}/{self.name}")

    @property
    def spec(self) -> Mapping[str, Any]:
        return mapping(self.body.get("spec"))

    @property
    def annotations(self) -> Mapping[str, Any]:
        return mapping(mapping(self.body.get("metadata")).get("annotations"))

    def line(self, sub: str = "") -> int | None:
        """The 1-based line of a node below this object (`/spec/rules/0`), counted in the whole file."""
        return self.document.line_of(self.pointer + sub)

    def evidence(self, sub: str = "", excerpt: str | None = None, note: str | None = None) -> Evidence:
        """Evidence for a node below this object: file, line and pointer inside the object's document."""
        short = redact(excerpt)[:_MAX_EXCERPT] if excerpt else None
        return Evidence(path=self.shown, line=self.line(sub), pointer=(self.pointer + sub) or None,
                        excerpt=short, note=note)


def collect_objects(
    documents: list[StructuredDocument], shown: str, warn: Warn
) -> tuple[list[KubeObject], int]:
    """Every object of every document (List items unpacked), and how many Secrets and ConfigMaps were
    dropped unread. A document or item that is not an object costs itself, with a warning."""
    found: list[KubeObject] = []
    dropped = 0
    for number, document in enumerate(documents, start=1):
        data = document.data
        if not isinstance(data, dict):
            warn(f"document {number} (line {document.line_of('')}) is not a Kubernetes object: skipped")
            continue
        kind = text(data.get("kind"))
        items = data.get("items")
        entries = (
            [(f"/items/{index}", item) for index, item in enumerate(items)]
            if kind.endswith("List") and isinstance(items, list)
            else [("", data)]
        )
        for pointer, item in entries:
            made = _object(item, document, pointer, shown)
            if made is None:
                warn(f"document {number} (line {document.line_of(pointer)}) has no kind: skipped")
            elif made.kind in DATA_KINDS:
                dropped += 1
            else:
                found.append(made)
    return found, dropped


def _object(item: object, document: StructuredDocument, pointer: str, shown: str) -> KubeObject | None:
    if not isinstance(item, dict) or not text(item.get("kind")):
        return None
    metadata = mapping(item.get("metadata"))
    return KubeObject(
        kind=text(item.get("kind")),
        api_version=text(item.get("apiVersion")),
        name=text(metadata.get("name")) or "(unnamed)",
        namespace=text(metadata.get("namespace")) or "default",
        body=item,
        document=document,
        pointer=pointer,
        shown=shown,
    )


def text(value: object) -> str:
    """A scalar as text (`80` -> "80"); "" for containers, booleans' YAML spelling aside."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)):
        return str(value).strip()
    return ""


def mapping(value: object) -> Mapping[str, Any]:
    """The value when it is a mapping, else an empty one (a wrong type costs only that field)."""
    return value if isinstance(value, dict) else {}


def mappings(value: object) -> list[Mapping[str, Any]]:
    """The mapping entries of a list (other entries skipped); [] when it is no list."""
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []
