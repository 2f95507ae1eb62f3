"""Loading YAML and JSON documents safely, with the line number of every mapping key.

Readers of structured inputs (OpenAPI specs, gateway configs) need the data and, for evidence and
error messages, the line each node sits on. `load_structured` returns both as a `StructuredDocument`
whose `line_of(pointer)` maps a JSON pointer to a 1-based line. Readers that also look at the text
itself (APISIX's `#END` marker) call `load_text`, then `parse_structured_text`. A file that is no file
on disk but a value held inside another input (`ReadContext.embedded_text`) is read the same way.
Kubernetes manifests hold several YAML documents separated by `---`: `load_structured_documents` returns one
`StructuredDocument` per document, with the same limits (the alias-expansion budget spans the whole
file) and lines counted from the top of the file; every other reader still refuses a second document.

Hostile input is refused with a one-line `SourceError`: files over `ReadContext.max_bytes`, YAML alias
bombs ("billion laughs": too many nodes once aliases are expanded, or an alias inside its own anchor)
and nesting deeper than `MAX_DEPTH` (reported as `TOO_DEEP` whichever guard notices it first: ours,
libyaml's own or Python's recursion limit). YAML goes through `safe_yaml` (libyaml's parser with a
small composer on top, so the limits apply as the document is built; its limits are re-exported
here); JSON goes through `json`, its lines found lazily by a light token scan.
"""

from __future__ import annotations

import json
import re
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from riskscan.errors import SourceError
from riskscan.sources.safe_yaml import (
    INTRINSIC_TAGS,
    MAX_DEPTH,
    MAX_EXPANDED_NODES,
    TOO_DEEP,
    LineIndex,
    parse_yaml,
    parse_yaml_stream,
    paused_collection,
)
from riskscan.sources.zstd_stream import ZSTD_MAGIC, ZstdStream

if TYPE_CHECKING:  # a runtime import would be circular: the registry imports the readers
    from riskscan.sources import ReadContext

__all__ = [
    "INTRINSIC_TAGS",
    "MAX_DEPTH",
    "MAX_EXPANDED_NODES",
    "TOO_DEEP",
    "StructuredDocument",
    "escape_pointer_token",
    "join_pointer",
    "load_structured",
    "load_structured_documents",
    "load_text",
    "parse_structured_documents",
    "parse_structured_text",
    "unescape_pointer_token",
]

@dataclass(frozen=True)
class StructuredDocument:
    """A parsed YAML or JSON file: its data and a way to find the line of any node in it."""

    path: Path
    data: Any
    _locate: Callable[[str], int | None] = field(repr=False, compare=False)

    def line_of(self, pointer: str) -> int | None:
        """The 1-based line of the node at a JSON pointer (`/paths/~1claims/get`), or None.

        For a mapping entry this is the line of its key; when the pointer does not resolve, the line
        of the deepest node on the way that does.
        """
        return self._locate(pointer)


def escape_pointer_token(token: str) -> str:
    """Escape one JSON pointer token (RFC 6901): `~` becomes `~0`, `/` becomes `~1`."""
    return token.replace("~", "~0").replace("/", "~1")


def join_pointer(base: str, token: str | int) -> str:
    """Append one token to a JSON pointer, escaped: `join_pointer("/paths", "/a")` is `/paths/~1a`."""
    return f"{base}/{escape_pointer_token(str(token))}"


def unescape_pointer_token(token: str) -> str:
    """Undo `escape_pointer_token`."""
    return token.replace("~1", "/").replace("~0", "~")


def load_structured(path: Path, context: ReadContext, *, intrinsics: bool = False) -> StructuredDocument:
    """Read a YAML or JSON file whole (up to `context.max_bytes`) and parse it.

    `intrinsics` accepts CloudFormation's short-form YAML tags (see `INTRINSIC_TAGS`) as the long form
    they abbreviate; other files refuse any tag outside YAML's own. Raises `SourceError` naming the
    file (relative to the scan root) and, where known, the line.
    """
    text = load_text(path, context)
    return parse_structured_text(text, path, context.relative_path(path), intrinsics=intrinsics)


def load_structured_documents(path: Path, context: ReadContext) -> list[StructuredDocument]:
    """Read a YAML file of one or more documents (`---` separated), or a JSON file, and parse it.

    Empty documents are left out; each document's `line_of` counts lines from the top of the file.
    Raises `SourceError` like `load_structured`, naming the line of the document at fault.
    """
    return parse_structured_documents(load_text(path, context), path, context.relative_path(path))


def parse_structured_documents(text: str, path: Path, shown: str) -> list[StructuredDocument]:
    """Decoded text read from `path` parsed as `load_structured_documents` does: for a reader that
    also looks at the text itself (a manifest's block scalars, `kubernetes_embedded`)."""
    if path.suffix.lower() == ".json" or text.lstrip()[:1] in ("{", "["):
        return [parse_structured_text(text, path, shown)]
    return _parse_yaml_documents(text, path, shown)


def load_text(path: Path, context: ReadContext) -> str:
    """Read a whole text file (up to `context.max_bytes`) and decode it (UTF-8, or UTF-16 with a BOM).

    For readers that look at the text itself before parsing it (APISIX's `#END` marker).
    """
    shown = context.relative_path(path)
    embedded = context.embedded_text(path)
    if embedded is not None:
        if len(embedded) > context.max_bytes:
            raise SourceError(f"over the {context.max_bytes}-byte limit", path=shown)
        return embedded
    try:
        size = path.stat().st_size
        if size > context.max_bytes:
            raise SourceError(f"file is {size} bytes, over the {context.max_bytes}-byte limit", path=shown)
        with path.open("rb") as handle:
            raw = handle.read(context.max_bytes + 1)
    except OSError as error:
        raise SourceError(
            f"cannot read file ({error.strerror or type(error).__name__})", path=shown
        ) from None
    if len(raw) > context.max_bytes:
        raise SourceError(f"file is over the {context.max_bytes}-byte limit", path=shown)
    if raw[:2] == b"\x1f\x8b":
        raw = _gunzip(raw, context.max_bytes, shown)
    elif raw[:4] == ZSTD_MAGIC:
        raw = _unzstd(raw, context.max_bytes, shown)
    return _decode(raw, shown)


def _gunzip(raw: bytes, limit: int, shown: str) -> bytes:
    """A gzipped spec or config, unpacked; refused past `limit` bytes unpacked (a gzip bomb)."""
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    try:
        text = inflater.decompress(raw, limit + 1)
    except zlib.error:
        raise SourceError("corrupt gzip data", path=shown) from None
    if len(text) > limit or inflater.unconsumed_tail:
        raise SourceError(f"over the {limit}-byte limit once unpacked", path=shown)
    if not inflater.eof:
        raise SourceError("truncated gzip data", path=shown)
    return text


def _unzstd(raw: bytes, limit: int, shown: str) -> bytes:
    """A zstd-compressed spec or config, unpacked (every frame); refused past `limit` bytes unpacked
    and when corrupt or truncated."""
    stream, out = ZstdStream(raw, lambda: b""), bytearray()
    for piece in stream:
        out += piece
        if len(out) > limit:
            raise SourceError(f"over the {limit}-byte limit once unpacked", path=shown)
    if stream.problem is not None:
        raise SourceError("corrupt or truncated zstd data", path=shown)
    return bytes(out)


def parse_structured_text(
    text: str, path: Path, shown: str, *, intrinsics: bool = False
) -> StructuredDocument:
    """Parse decoded text read from `path`: JSON when named `.json` or starting with `{`/`[`, else YAML.

    Flow-style YAML (`{a: 1}`) that is not JSON is parsed as YAML; the JSON error is reported if both fail.
    """
    stripped = text.lstrip()
    is_json_name = path.suffix.lower() == ".json" or path.name.lower().endswith(".json.gz")
    if is_json_name or stripped[:1] in ("{", "["):
        try:
            return _parse_json(text, path, shown)
        except SourceError:
            if is_json_name:
                raise
            try:
                return _parse_yaml(text, path, shown, intrinsics)
            except SourceError:
                pass
            raise
    return _parse_yaml(text, path, shown, intrinsics)


def _decode(raw: bytes, shown: str) -> str:
    """Bytes to text: UTF-8 (with or without BOM), or UTF-16 when a BOM says so."""
    try:
        if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
            return raw.decode("utf-16")
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise SourceError(f"not UTF-8 text (bad byte at offset {error.start})", path=shown) from None


# --------------------------------------------------------------------------- JSON


def _parse_json(text: str, path: Path, shown: str) -> StructuredDocument:
    """Parse JSON with the standard library; lines are indexed on first use."""
    try:
        with paused_collection():
            data = json.loads(text)
    except json.JSONDecodeError as error:
        problem = f"malformed JSON: {error.msg.removesuffix(' at')} at column {error.colno}"
        raise SourceError(problem, path=shown, line=error.lineno) from None
    except RecursionError:  # Python's own guard, near 1000 levels
        raise SourceError(f"refused JSON: {TOO_DEEP}", path=shown, line=_json_depth_line(text)) from None
    except ValueError:  # integers over Python's 4300-digit conversion limit
        raise SourceError("malformed JSON: a number is too long", path=shown) from None
    if _is_nested_too_deeply(data):  # the same limit as for YAML, so readers never meet deeper data
        raise SourceError(f"refused JSON: {TOO_DEEP}", path=shown, line=_json_depth_line(text))
    index: dict[str, int] = {}

    def locate(pointer: str) -> int | None:
        if not index:
            index.update(_index_json_lines(text))
        return _nearest_line(index, pointer)

    return StructuredDocument(path=path, data=data, _locate=locate)


# Strings (never spanning lines in valid JSON), structural characters and newlines.
_JSON_TOKEN = re.compile(r'"(?:[^"\\\n]|\\.)*"|[{}\[\],:\n]')


def _is_nested_too_deeply(data: Any) -> bool:
    """True when containers nest deeper than `MAX_DEPTH` (walked level by level, without recursion)."""
    level = [data] if isinstance(data, (dict, list)) else []
    depth = 1
    while level:
        if depth > MAX_DEPTH:
            return True
        below: list[Any] = []
        for node in level:
            children = node.values() if isinstance(node, dict) else node
            below += [child for child in children if isinstance(child, (dict, list))]
        level = below
        depth += 1
    return False


def _json_depth_line(text: str) -> int | None:
    """The line where nesting first goes deeper than `MAX_DEPTH` (for the error message)."""
    depth, line = 0, 1
    for match in _JSON_TOKEN.finditer(text):
        token = match.group()
        if token == "\n":
            line += 1
        elif token in ("{", "["):
            depth += 1
            if depth > MAX_DEPTH:
                return line
        elif token in ("}", "]"):
            depth -= 1
    return None


def _index_json_lines(text: str) -> dict[str, int]:
    """Map the pointer of every object key and container element to its line, in one pass."""
    lines: dict[str, int] = {"": 1}
    line = 1
    # Each frame: [pointer, is_object, current child pointer, array index, expecting a key]
    stack: list[list[Any]] = []
    for match in _JSON_TOKEN.finditer(text):
        token = match.group()
        first = token[0]
        if first == "\n":
            line += 1
            continue
        frame = stack[-1] if stack else None
        if first == '"' and frame is not None and frame[1] and frame[4]:
            key = json.loads(token) if "\\" in token else token[1:-1]
            frame[2] = f"{frame[0]}/{escape_pointer_token(key)}"
            lines[frame[2]] = line
            frame[4] = False
        elif first in '{["' and frame is not None and not frame[1]:
            frame[2] = f"{frame[0]}/{frame[3]}"
            lines.setdefault(frame[2], line)
        if first in "{[":
            pointer = frame[2] if frame is not None else ""
            stack.append([pointer, first == "{", pointer, 0, first == "{"])
        elif first in "}]" and stack:
            stack.pop()
        elif first == "," and frame is not None:
            frame[3] += 1
            frame[4] = frame[1]
    return lines


def _nearest_line(index: dict[str, int], pointer: str) -> int | None:
    """The line of `pointer`, or of its nearest indexed ancestor."""
    while True:
        if pointer in index:
            return index[pointer]
        if not pointer:
            return None
        pointer = pointer.rpartition("/")[0]


def _parse_yaml(text: str, path: Path, shown: str, intrinsics: bool = False) -> StructuredDocument:
    data, lines = parse_yaml(text, shown, intrinsics=intrinsics)
    return _yaml_document(path, data, lines)


def _parse_yaml_documents(text: str, path: Path, shown: str) -> list[StructuredDocument]:
    return [_yaml_document(path, data, lines, start) for data, lines, start in parse_yaml_stream(text, shown)]


def _yaml_document(path: Path, data: Any, lines: LineIndex, start: int | None = None) -> StructuredDocument:
    """A parsed document; `start` is its first line, for a document that is a bare scalar."""

    def locate(pointer: str) -> int | None:
        if start is not None and id(data) not in lines:
            return start
        return _yaml_line(data, lines, pointer)

    return StructuredDocument(path=path, data=data, _locate=locate)


def _yaml_line(data: Any, lines: LineIndex, pointer: str) -> int | None:
    """Walk `pointer` through the data; the recorded line of the last key reached."""
    node = data
    best = lines[id(node)][0] if id(node) in lines else (1 if pointer == "" else None)
    for token in pointer.split("/")[1:] if pointer else []:
        key = unescape_pointer_token(token)
        record = lines.get(id(node))
        if record is None or key not in record[1]:
            return best
        best = record[1][key]
        if isinstance(node, dict):
            node = node.get(key, node.get(_int_or_none(key)))
        elif isinstance(node, list) and key.isdigit() and int(key) < len(node):
            node = node[int(key)]
        else:
            return best
    return best


def _int_or_none(key: str) -> int | None:
    """YAML keys such as `200` are ints; pointers spell them as text."""
    return int(key) if key.isdigit() else None


def sibling_documents(
    path: Path, context: ReadContext, accepts: Callable[[Path, str], bool]
) -> Iterator[tuple[Path, StructuredDocument]]:
    """The other files of `path`'s folder, in name order, that `accepts` by their name and first 64 KiB
    of text, loaded (a folder of Admin API exports read as one config). Files outside the allowed
    roots, over the size limit, unreadable or broken are passed over: each is reported on its own
    when it is read."""
    for sibling in sorted(path.parent.iterdir()):
        if sibling == path or not sibling.is_file() or not context.is_allowed(sibling):
            continue
        try:
            if sibling.stat().st_size > context.max_bytes:
                continue
            with sibling.open("rb") as handle:
                head = handle.read(65536).decode("utf-8", errors="replace")
            if accepts(sibling, head):
                yield sibling, load_structured(sibling, context)
        except (OSError, SourceError):
            continue
