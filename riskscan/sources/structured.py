"""Loading YAML and JSON documents safely, with the line number of every mapping key.

Readers of structured inputs (OpenAPI specs, gateway configs) need the data and, for evidence and
error messages, the line each node sits on. `load_structured` returns both as a `StructuredDocument`
whose `line_of(pointer)` maps a JSON pointer to a 1-based line. Readers that also look at the text
itself (APISIX's `#END` marker) call `load_text`, then `parse_structured_text`. Kubernetes manifests
hold several YAML documents separated by `---`: `load_structured_documents` returns one
`StructuredDocument` per document, with the same limits (the alias-expansion budget spans the whole
file) and lines counted from the top of the file; every other reader still refuses a second document.

Hostile input is refused with a one-line `SourceError`: files over `ReadContext.max_bytes`, YAML alias
bombs ("billion laughs": too many nodes once aliases are expanded, or an alias inside its own anchor)
and nesting deeper than `MAX_DEPTH` (reported as `TOO_DEEP` whichever guard notices it first: ours,
libyaml's own or Python's recursion limit). YAML goes through libyaml's parser when available with a
small Python composer on top (so the limits apply as the document is built); JSON goes through `json`,
its lines found lazily by a light token scan.
"""

from __future__ import annotations

import json
import re
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from yaml.composer import Composer, ComposerError
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.resolver import Resolver

from riskscan.errors import SourceError
from riskscan.redaction import redact

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
    "parse_structured_text",
    "unescape_pointer_token",
]

MAX_DEPTH = 200
"""Deepest nesting of mappings and sequences accepted (real specs stay well under 50)."""

TOO_DEEP = f"nested too deeply (more than {MAX_DEPTH} levels)"
"""The problem reported for over-deep nesting, whichever guard noticed it (ours, libyaml's, Python's)."""

MAX_EXPANDED_NODES = 2_000_000
"""Most YAML nodes a document may hold once aliases are expanded (a 500 KB spec has ~100,000)."""

_Lines = dict[int, tuple[int, dict[str, int]]]

try:  # libyaml's parser is about ten times faster than the pure-Python one
    from yaml._yaml import CParser as _Parser
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml.parser import Parser as _ParserBase
    from yaml.reader import Reader
    from yaml.scanner import Scanner

    class _Parser(Reader, Scanner, _ParserBase):  # type: ignore[no-redef,misc]
        """The pure-Python parser stack, with the same constructor signature as CParser."""

        def __init__(self, stream: str) -> None:
            Reader.__init__(self, stream)
            Scanner.__init__(self)
            _ParserBase.__init__(self)


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
    text = load_text(path, context)
    shown = context.relative_path(path)
    if path.suffix.lower() == ".json" or text.lstrip()[:1] in ("{", "["):
        return [parse_structured_text(text, path, shown)]
    return _parse_yaml_documents(text, path, shown)


def load_text(path: Path, context: ReadContext) -> str:
    """Read a whole text file (up to `context.max_bytes`) and decode it (UTF-8, or UTF-16 with a BOM).

    For readers that look at the text itself before parsing it (APISIX's `#END` marker).
    """
    shown = context.relative_path(path)
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


# --------------------------------------------------------------------------- YAML


class _Refused(yaml.YAMLError):  # type: ignore[misc]
    """A YAML document refused for its shape (depth, alias expansion), not its syntax."""

    def __init__(self, problem: str, line: int) -> None:
        super().__init__(problem)
        self.problem = problem
        self.line = line


class _LimitedComposer(Composer):  # type: ignore[misc]
    """PyYAML's composer, refusing nesting beyond MAX_DEPTH and alias expansion beyond the limit."""

    def __init__(self) -> None:
        super().__init__()
        self._depth = 0
        self._sizes: dict[int, int] = {}  # id(collection node) -> node count with aliases expanded

    def compose_node(self, parent: Node | None, index: object) -> Node:
        # PyYAML's Composer.compose_node with the limits added, peeking at each event only once.
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            self.get_event()
            node: Node | None = self.anchors.get(event.anchor)
            if node is None:
                raise ComposerError(None, None, "found undefined alias", event.start_mark)
            if not isinstance(node, ScalarNode) and id(node) not in self._sizes:
                raise _Refused("an alias refers to the node that contains it", event.start_mark.line + 1)
            return node
        if event.anchor is not None and event.anchor in self.anchors:
            raise ComposerError(None, None, "found duplicate anchor", event.start_mark)
        self.descend_resolver(parent, index)
        if isinstance(event, yaml.ScalarEvent):
            node = self.compose_scalar_node(event.anchor)
        else:
            self._depth += 1
            if self._depth > MAX_DEPTH:
                raise _Refused(TOO_DEEP, event.start_mark.line + 1)
            if isinstance(event, yaml.SequenceStartEvent):
                node = self.compose_sequence_node(event.anchor)
            else:
                node = self.compose_mapping_node(event.anchor)
            self._depth -= 1
            self._record_size(node)
        self.ascend_resolver()
        return node

    def take_expanded_size(self, node: Node) -> int:
        """How many nodes a composed document holds once its aliases are expanded; forgets the sizes
        counted so far (a next document's nodes may reuse the ids of this one's once freed)."""
        size = self._sizes.get(id(node), 1)
        self._sizes.clear()
        return size

    def _record_size(self, node: Node) -> None:
        """Count the node's expanded size; an alias bomb shows as a size past the limit."""
        if isinstance(node, MappingNode):
            children = [child for pair in node.value for child in pair]
        else:
            children = node.value
        size = 1 + sum(self._sizes.get(id(child), 1) for child in children)
        if size > MAX_EXPANDED_NODES:
            problem = f"aliases expand to over {MAX_EXPANDED_NODES} nodes (an alias bomb)"
            raise _Refused(problem, node.start_mark.line + 1)
        self._sizes[id(node)] = size


class _LineConstructor(SafeConstructor):  # type: ignore[misc]
    """SafeConstructor that notes, per container, its line and the line of each key or item.

    Timestamps stay strings: a spec's `2020-12-14` is text to us, not a datetime.
    """

    def __init__(self) -> None:
        super().__init__()
        self.lines: _Lines = {}

    def construct_yaml_map(self, node: MappingNode) -> Any:
        data: dict[Any, Any] = {}
        yield data
        data.update(self.construct_mapping(node))
        keys = {
            str(key.value): key.start_mark.line + 1 for key, _ in node.value if isinstance(key, ScalarNode)
        }
        self.lines[id(data)] = (node.start_mark.line + 1, keys)

    def construct_yaml_seq(self, node: SequenceNode) -> Any:
        data: list[Any] = []
        yield data
        data.extend(self.construct_sequence(node))
        items = {str(index): item.start_mark.line + 1 for index, item in enumerate(node.value)}
        self.lines[id(data)] = (node.start_mark.line + 1, items)


_LineConstructor.add_constructor("tag:yaml.org,2002:map", _LineConstructor.construct_yaml_map)
_LineConstructor.add_constructor("tag:yaml.org,2002:seq", _LineConstructor.construct_yaml_seq)
_LineConstructor.add_constructor("tag:yaml.org,2002:timestamp", SafeConstructor.construct_yaml_str)


class _Loader(_LimitedComposer, _Parser, _LineConstructor, Resolver):  # type: ignore[misc]
    """libyaml (or pure-Python) parsing, limited composing, safe construction with line numbers."""

    def __init__(self, stream: str) -> None:
        _Parser.__init__(self, stream)
        _LineConstructor.__init__(self)
        Resolver.__init__(self)
        _LimitedComposer.__init__(self)


def _parse_yaml(text: str, path: Path, shown: str, intrinsics: bool = False) -> StructuredDocument:
    """Parse one YAML document with the limits above; errors become one-line `SourceError`s."""
    loader = _IntrinsicLoader(text) if intrinsics else _Loader(text)
    with _yaml_errors(shown):
        try:
            data = loader.get_single_data()
        finally:
            loader.dispose()
    return _yaml_document(path, data, loader.lines)


INTRINSIC_TAGS = frozenset(
    {
        "Ref", "Condition", "Base64", "Cidr", "FindInMap", "GetAtt", "GetAZs", "ImportValue", "Join",
        "Select", "Split", "Sub", "Transform", "And", "Equals", "If", "Not", "Or", "Contains",
        "EachMemberEquals", "EachMemberIn", "RefAll", "ValueOf", "ValueOfAll", "ToJsonString", "Length",
    }
)
"""CloudFormation's short-form intrinsic functions (`!Ref x` for `{"Ref": "x"}`, `!Sub` for `Fn::Sub` ...).

They are kept as the data their long form is, never evaluated: a reader sees `{"Fn::GetAtt": ["Api",
"RootResourceId"]}` where the template says `!GetAtt Api.RootResourceId`.
"""


def _construct_intrinsic(loader: _LineConstructor, node: Node) -> dict[str, Any]:
    """`!Name value` as `{"Fn::Name": value}` (`Ref` and `Condition` keep their bare names)."""
    name = str(node.tag)[1:]
    key = name if name in ("Ref", "Condition") else f"Fn::{name}"
    value: Any
    if isinstance(node, ScalarNode):
        value = loader.construct_scalar(node)
        if name == "GetAtt":  # the short form joins logical id and attribute with a dot
            value = value.split(".", 1)
    elif isinstance(node, SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    return {key: value}


class _IntrinsicLoader(_Loader):
    """`_Loader` that also accepts CloudFormation's short-form intrinsic tags (`INTRINSIC_TAGS`)."""


for _tag in INTRINSIC_TAGS:
    _IntrinsicLoader.add_constructor(f"!{_tag}", _construct_intrinsic)


def _parse_yaml_documents(text: str, path: Path, shown: str) -> list[StructuredDocument]:
    """Parse every YAML document of a stream; empty ones are left out.

    The alias-expansion budget (`MAX_EXPANDED_NODES`) spans the whole stream, so many documents each
    just under it cannot add up to a bomb.
    """
    loader = _Loader(text)
    documents: list[StructuredDocument] = []
    expanded = 0
    with _yaml_errors(shown):
        try:
            while loader.check_node():
                node = loader.get_node()
                expanded += loader.take_expanded_size(node)
                if expanded > MAX_EXPANDED_NODES:
                    problem = f"aliases expand to over {MAX_EXPANDED_NODES} nodes (an alias bomb)"
                    raise _Refused(problem, node.start_mark.line + 1)
                data = loader.construct_document(node)
                if data is not None:
                    documents.append(_yaml_document(path, data, loader.lines, node.start_mark.line + 1))
        finally:
            loader.dispose()
    return documents


def _yaml_document(path: Path, data: Any, lines: _Lines, start: int | None = None) -> StructuredDocument:
    """A parsed document; `start` is its first line, for a document that is a bare scalar."""

    def locate(pointer: str) -> int | None:
        if start is not None and id(data) not in lines:
            return start
        return _yaml_line(data, lines, pointer)

    return StructuredDocument(path=path, data=data, _locate=locate)


@contextmanager
def _yaml_errors(shown: str) -> Iterator[None]:
    """Turn whatever parsing YAML raises into a one-line `SourceError` naming the file and line."""
    try:
        yield
    except _Refused as error:
        raise SourceError(f"refused YAML: {error.problem}", path=shown, line=error.line) from None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark is not None else None
        if _is_libyaml_depth_limit(error):
            raise SourceError(f"refused YAML: {TOO_DEEP}", path=shown, line=line) from None
        problem = ", ".join(part for part in (error.context, error.problem) if part) or "syntax error"
        raise SourceError(f"malformed YAML: {redact(problem)}", path=shown, line=line) from None
    except yaml.YAMLError as error:
        raise SourceError(f"refused YAML: {redact(str(error))}", path=shown) from None
    except RecursionError:
        raise SourceError(f"refused YAML: {TOO_DEEP}", path=shown) from None
    except (ValueError, TypeError, KeyError, OverflowError):  # `!!int abc`, `!!bool maybe`, 5000-digit ints
        raise SourceError("malformed YAML: a value does not fit its type", path=shown) from None


def _is_libyaml_depth_limit(error: yaml.MarkedYAMLError) -> bool:
    """True for libyaml's own nesting guard ("exceeded maximum nesting depth", libyaml 0.2.6 as bundled
    with PyYAML 6.0.4, at 1000 levels). Its scanner reads ahead of our composer, so on a deep flow
    collection it can trip before `MAX_DEPTH` is reached: the user must see the same problem either way.
    """
    return "nesting" in (error.problem or "").lower()


def _yaml_line(data: Any, lines: _Lines, pointer: str) -> int | None:
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
