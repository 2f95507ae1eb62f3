"""Safe YAML: PyYAML with limits applied while a document is built, and the line of every node.

libyaml's parser (when PyYAML has it) with a small Python composer on top refuses nesting deeper than
`MAX_DEPTH` and alias bombs ("billion laughs": more than `MAX_EXPANDED_NODES` nodes once aliases are
expanded, or an alias inside its own anchor); a constructor notes, per mapping and sequence, its line
and the line of each key or item (`LineIndex`). CloudFormation's short-form intrinsics are accepted
only when asked, as data. Everything wrong becomes a one-line `SourceError`. `structured` builds its
documents on this.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import yaml
from yaml.composer import Composer, ComposerError
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.resolver import Resolver

from riskscan.errors import SourceError
from riskscan.redaction import redact

__all__ = [
    "INTRINSIC_TAGS",
    "MAX_DEPTH",
    "MAX_EXPANDED_NODES",
    "TOO_DEEP",
    "LineIndex",
    "parse_yaml",
    "parse_yaml_stream",
    "paused_collection",
]

MAX_DEPTH = 200
"""Deepest nesting of mappings and sequences accepted (real specs stay well under 50)."""

TOO_DEEP = f"nested too deeply (more than {MAX_DEPTH} levels)"
"""The problem reported for over-deep nesting, whichever guard noticed it (ours, libyaml's, Python's)."""

MAX_EXPANDED_NODES = 2_000_000
"""Most YAML nodes a document may hold once aliases are expanded (a 500 KB spec has ~100,000)."""


LineIndex = dict[int, tuple[int, dict[str, int]]]
"""id(mapping or sequence) -> (its line, {key or index: line})."""

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
        # An anchor used again names the newer node from there on: YAML allows it ("anchors need not
        # be unique", 1.1 and 1.2; PyYAML refuses), and real specs do it (OpenAI's reuses description
        # anchors). The composers below store the new node under the anchor, replacing the old one.
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
        self.lines: LineIndex = {}

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
# A plain `=` resolves to YAML 1.1's "value" type, which PyYAML's safe constructor cannot build: it is the
# text "=" (Zendesk's spec has `operator: =` in an example).
_LineConstructor.add_constructor("tag:yaml.org,2002:value", SafeConstructor.construct_yaml_str)


class _Loader(_LimitedComposer, _Parser, _LineConstructor, Resolver):  # type: ignore[misc]
    """libyaml (or pure-Python) parsing, limited composing, safe construction with line numbers."""

    def __init__(self, stream: str) -> None:
        _Parser.__init__(self, stream)
        _LineConstructor.__init__(self)
        Resolver.__init__(self)
        _LimitedComposer.__init__(self)


def parse_yaml(text: str, shown: str, *, intrinsics: bool = False) -> tuple[Any, LineIndex]:
    """One YAML document with the limits above, and the lines of its nodes; errors become one-line
    `SourceError`s naming `shown`."""
    loader = _IntrinsicLoader(text) if intrinsics else _Loader(text)
    with _yaml_errors(shown), paused_collection():
        try:
            data = loader.get_single_data()
        finally:
            loader.dispose()
    return data, loader.lines


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


def parse_yaml_stream(text: str, shown: str) -> list[tuple[Any, LineIndex, int]]:
    """Every non-empty YAML document of a stream: its data, the lines of its nodes and its first line.

    The alias-expansion budget (`MAX_EXPANDED_NODES`) spans the whole stream, so many documents each
    just under it cannot add up to a bomb.
    """
    loader = _Loader(text)
    documents: list[tuple[Any, LineIndex, int]] = []
    expanded = 0
    with _yaml_errors(shown), paused_collection():
        try:
            while loader.check_node():
                node = loader.get_node()
                expanded += loader.take_expanded_size(node)
                if expanded > MAX_EXPANDED_NODES:
                    problem = f"aliases expand to over {MAX_EXPANDED_NODES} nodes (an alias bomb)"
                    raise _Refused(problem, node.start_mark.line + 1)
                data = loader.construct_document(node)
                if data is not None:
                    documents.append((data, loader.lines, node.start_mark.line + 1))
        finally:
            loader.dispose()
    return documents


_pause_lock = threading.Lock()
_pauses = 0  # documents being built at this moment
_was_enabled = True  # the collector's state when the first of them started


@contextmanager
def paused_collection() -> Iterator[None]:
    """Python's cyclic garbage collector paused while a document is built, then as it was.

    Building a document allocates containers by the hundred thousand (events, nodes, dicts, lists),
    and every 700 of them set off a collection that, once the young objects survive, walks the older
    generations too: a 3 MB YAML spec took 5 s instead of 2 s, more when the heap already holds the
    scan's earlier results. Nothing built here forms a cycle to collect (reference counting frees it).
    The collector is process-wide: pauses that overlap (two threads, or one inside another) are counted,
    and the last to end restores what the first found.
    """
    global _pauses, _was_enabled
    with _pause_lock:
        if _pauses == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _pauses += 1
    try:
        yield
    finally:
        with _pause_lock:
            _pauses -= 1
            if _pauses == 0 and _was_enabled:
                gc.enable()


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
