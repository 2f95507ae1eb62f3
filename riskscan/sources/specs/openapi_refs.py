"""`$ref` resolution for the OpenAPI reader: local pointers and relative files, never the network.

A `Located` value is a node together with the document and JSON pointer it sits at, so that a `$ref`
inside a referenced file resolves relative to that file, and evidence can name the right file and
line. `RefResolver` follows `$ref` chains (cycles and long chains stop with a warning), opens a
relative file only when `ReadContext.is_allowed` says it lies inside the folders given, and records
remote (`http(s)://`) references as warnings without fetching them. Problems are collected as
one-line warnings; none of them is fatal, since one bad parameter must not cost the whole spec.
`kept_text`, `kept_identifier` and `quoted` say how the spec's own text is kept and named in them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from riskscan.errors import SourceError
from riskscan.redaction import redact
from riskscan.sources.structured import (
    StructuredDocument,
    join_pointer,
    load_structured,
    unescape_pointer_token,
)

if TYPE_CHECKING:
    from riskscan.sources import ReadContext

__all__ = [
    "MAX_REF_HOPS",
    "MAX_WARNINGS",
    "Located",
    "RefResolver",
    "kept_identifier",
    "kept_text",
    "quoted",
]

MAX_REF_HOPS = 32
"""Longest `$ref` chain followed before giving up (a chain this long is a cycle in practice)."""

MAX_WARNINGS = 50
"""Warnings kept per spec; beyond this only a count is added."""

_REMOTE = re.compile(r"^(?:[A-Za-z][A-Za-z0-9+.-]*:|//)")
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_.:/-]{0,119}")


@dataclass(frozen=True)
class Located:
    """A node of a parsed document, with the document and the JSON pointer where it sits."""

    node: Any
    document: StructuredDocument
    pointer: str

    def child(self, key: str | int) -> Located:
        """The child at `key` (None when absent or when this node is not a container)."""
        node = self.node
        value: Any = None
        if isinstance(node, dict):
            value = node.get(key)
        elif isinstance(node, list) and isinstance(key, int) and 0 <= key < len(node):
            value = node[key]
        return Located(value, self.document, join_pointer(self.pointer, key))

    @property
    def line(self) -> int | None:
        """The node's 1-based line in its document, when known."""
        return self.document.line_of(self.pointer)


class RefResolver:
    """Follows `$ref`s from one root document, loading allowed relative files at most once each."""

    def __init__(self, root: StructuredDocument, context: ReadContext) -> None:
        self._root = root
        self._context = context
        # Each file opened once: its document, or why it could not be loaded.
        self._documents: dict[Path, StructuredDocument | str] = {context.resolve(root.path): root}
        self._last_problem = ""
        self._warnings: dict[str, None] = {}  # ordered set
        self._dropped = 0
        self._seen_refs: set[tuple[Path, str]] = set()  # (document, $ref) already followed or noted
        self.referenced_files: dict[str, None] = {}  # ordered set of relative paths

    @property
    def warnings(self) -> tuple[str, ...]:
        """The warnings so far, deduplicated, in the order they arose."""
        kept = tuple(self._warnings)
        return kept + ((f"... and {self._dropped} more warnings",) if self._dropped else ())

    @property
    def last_problem(self) -> str:
        """The last warning recorded: why the last `resolve` that returned None failed."""
        return self._last_problem

    def warn(self, where: Located | None, problem: str) -> str:
        """Record a one-line warning, prefixed with the file and line it concerns, and return it."""
        prefix = ""
        if where is not None:
            shown = self._context.relative_path(where.document.path)
            line = where.line
            prefix = f"{shown}:{line}: " if line is not None else f"{shown}: "
        message = " ".join(f"{prefix}{problem}".split())
        self._last_problem = message
        if message in self._warnings:
            return message
        if len(self._warnings) >= MAX_WARNINGS:
            self._dropped += 1
            return message
        self._warnings[message] = None
        return message

    def resolve(self, located: Located) -> Located | None:
        """Follow `$ref`s until a node that is not a reference; None (with a warning) if that fails."""
        seen: set[tuple[Path, str]] = set()
        while isinstance(located.node, dict) and "$ref" in located.node:
            key = (located.document.path, located.pointer)
            if key in seen or len(seen) >= MAX_REF_HOPS:
                self.warn(located, "circular $ref chain not followed")
                return None
            seen.add(key)
            target = self._follow(located)
            if target is None:
                return None
            located = target
        return located

    def note_file_ref(self, located: Located, ref: str) -> None:
        """Record the file a `$ref` points to without parsing it (used for schemas never expanded)."""
        if (located.document.path, ref) in self._seen_refs:
            return
        self._seen_refs.add((located.document.path, ref))
        if _REMOTE.match(ref):
            self.warn(located, f"remote $ref {_shown_ref(ref)} not fetched")
            return
        target = self._target_file(located, ref)
        resolve = self._context.resolve
        if target is not None and _is_file(target) and resolve(target) != resolve(self._root.path):
            self.referenced_files[self._context.relative_path(target)] = None

    def _follow(self, located: Located) -> Located | None:
        """One hop: the node a `$ref` names, in this document or a relative file."""
        ref = located.node["$ref"]
        if not isinstance(ref, str):
            self.warn(located, "$ref is not a string")
            return None
        self._seen_refs.add((located.document.path, ref))
        if _REMOTE.match(ref):
            self.warn(located, f"remote $ref {_shown_ref(ref)} not fetched")
            return None
        file_part, _, fragment = ref.partition("#")
        document = located.document
        if file_part:
            target = self._target_file(located, ref)
            loaded = self._open(located, ref, target) if target is not None else None
            if loaded is None:
                return None
            document = loaded
        return self._walk(located, ref, document, unquote(fragment))

    def _target_file(self, located: Located, ref: str) -> Path | None:
        """The file a relative `$ref` names, when it is one the reader may open (else a warning).

        None too for a `$ref` with no file part, and for names no file can have (a NUL byte).
        """
        file_part = unquote(ref.partition("#")[0])
        if not file_part:
            return None
        target = located.document.path.parent / file_part
        try:
            is_allowed = self._context.is_allowed(target)
        except (OSError, ValueError):
            self.warn(located, f"$ref {_shown_ref(ref)} does not name a usable file; not opened")
            return None
        if not is_allowed:
            self.warn(located, f"$ref {_shown_ref(ref)} points outside the scanned folders; not opened")
            return None
        return target

    def _open(self, located: Located, ref: str, target: Path) -> StructuredDocument | None:
        """The document at `target` (an allowed file), loaded once; None, with a warning at every
        reference to it, when it is missing or broken."""
        resolved = self._context.resolve(target)
        if resolved not in self._documents:
            self._documents[resolved] = self._load(target)
        document = self._documents[resolved]
        if isinstance(document, str):
            self.warn(located, f"$ref {_shown_ref(ref)} {document}")
            return None
        if document is not self._root:
            self.referenced_files[self._context.relative_path(target)] = None
        return document

    def _load(self, target: Path) -> StructuredDocument | str:
        """Parse a referenced file; for a missing or broken one, the problem (for a warning)."""
        if not _is_file(target):
            return "names a file that does not exist"
        try:
            return load_structured(target, self._context)
        except SourceError as error:
            return f"not loaded ({error})"

    def _walk(
        self, located: Located, ref: str, document: StructuredDocument, fragment: str
    ) -> Located | None:
        """The node at a fragment pointer in `document`."""
        if fragment and not fragment.startswith("/"):
            self.warn(located, f"$ref {_shown_ref(ref)} is not a JSON pointer; not resolved")
            return None
        target = Located(document.data, document, "")
        for token in fragment.split("/")[1:]:
            key = unescape_pointer_token(token)
            node = target.node
            if isinstance(node, list) and key.isdigit():
                target = target.child(int(key))
            elif isinstance(node, dict) and key not in node and key.isdigit() and int(key) in node:
                target = Located(node[int(key)], document, join_pointer(target.pointer, key))
            else:
                target = target.child(key)
            if target.node is None:
                self.warn(located, f"$ref {_shown_ref(ref)} does not resolve")
                return None
        return target


def _is_file(path: Path) -> bool:
    """`Path.is_file`, but False rather than an error for a name the system refuses (too long)."""
    try:
        return path.is_file()
    except (OSError, ValueError):
        return False


def _shown_ref(ref: str) -> str:
    """A reference as shown in a warning: redacted (URL credentials, tokens) and short."""
    shown = redact(ref)
    return f"'{shown[:117]}...'" if len(shown) > 120 else f"'{shown}'"


def kept_text(value: object, limit: int) -> str | None:
    """A spec's free text as kept: one line, redacted, at most `limit` characters (None if not text)."""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        return None
    flat = redact(" ".join(str(value).split()))
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def kept_identifier(value: object) -> str | None:
    """An operationId or scope as kept: a plain name as is (`redact` would take a long camelCase name
    for a token, `session:write` for a secret), anything else redacted like free text."""
    if isinstance(value, str) and _IDENTIFIER.fullmatch(value) and sum(map(str.isdigit, value)) <= 4:
        return value
    return kept_text(value, 120)


def quoted(value: object) -> str:
    """A name for a warning: redacted, short, quoted."""
    return f"'{kept_text(value, 60) or ''}'"
