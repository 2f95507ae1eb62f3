"""Matching concrete request paths to path templates with a segment trie.

A `TemplateMatcher` holds thousands of templates (`/v2/claims/{claimId}`, `/files/{name}.json`,
`/v1/{id}:cancel`) in a trie keyed by path segment, so matching a path costs a few dictionary look-ups
per segment instead of one regex per template. At every level a literal segment beats a partial
segment (`{name}.json`), which beats a bare `{param}`; when the preferred branch leads nowhere the
walk backtracks, so `/v2/claims/search` finds the literal template and `/v2/claims/123` the
`{claimId}` one.

Matching is tolerant of what servers tolerate: a trailing slash, repeated slashes and percent-encoded
characters (decoded for matching only; callers keep the path as they saw it). `HEAD` matches `GET`
when no `HEAD` is declared, and a template registered for method `*` accepts any method.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Generic, TypeVar
from urllib.parse import unquote

__all__ = ["ANY_METHOD", "PrefixMatch", "TemplateMatcher", "is_placeholder", "split_path"]

ANY_METHOD = "*"

T = TypeVar("T")

_PLACEHOLDER = re.compile(r"^\{[^{}/]+\}$")
_PARAM_IN_SEGMENT = re.compile(r"\{[^{}/]+\}")


def is_placeholder(segment: str) -> bool:
    """True when a whole path segment is a template parameter such as `{claimId}`."""
    return segment.startswith("{") and _PLACEHOLDER.match(segment) is not None


def split_path(path: str) -> list[str]:
    """Split a path into its non-empty segments, percent-decoded (for matching only).

    `/v2/claims/` and `/v2//claims` give the same segments as `/v2/claims`; `/` gives none.
    """
    if "%" in path:
        path = unquote(path)
    segments = path.strip("/").split("/")
    if "" in segments:
        segments = [segment for segment in segments if segment]
    return segments


def _split_template(template: str) -> list[str]:
    """Split a template without percent-decoding (braces must survive as written)."""
    return [segment for segment in template.split("/") if segment]


def _segment_pieces(segment: str) -> tuple[str, ...]:
    """The literal text around the parameters of a partial segment: `{name}.json` -> `("", ".json")`."""
    return tuple(_PARAM_IN_SEGMENT.split(segment))


def _fills(pieces: tuple[str, ...], segment: str) -> bool:
    """True when each parameter between the literal `pieces` takes at least one character of `segment`.

    Placing each inner literal at its earliest position leaves the most room for the rest, so one left
    to right pass decides; in linear time, unlike a regex of lazy groups, which backtracks for
    minutes on a long hostile segment such as 2,000 dashes against `{year}-{month}-{day}.csv`.
    """
    first, *inner, last = pieces
    if not segment.startswith(first):
        return False
    position = len(first)
    for literal in inner:
        found = segment.find(literal, position + 1)
        if found < 0:
            return False
        position = found + len(literal)
    return len(segment) - len(last) > position and segment.endswith(last)


class _Node(Generic[T]):
    """One trie level: literal children, partial-segment children, one parameter child, a leaf."""

    __slots__ = ("fallback", "is_fork", "label", "literals", "methods", "param", "partials")

    def __init__(self, label: str) -> None:
        self.label = label  # the template segment as first registered, e.g. "{claimId}"
        self.literals: dict[str, _Node[T]] = {}
        self.partials: list[tuple[tuple[str, ...], _Node[T]]] = []
        self.param: _Node[T] | None = None
        self.methods: dict[str, list[T]] | None = None
        # Precomputed for the greedy walk: where a literal miss goes when there are no partials,
        # and whether taking a literal here leaves an alternative to backtrack to.
        self.fallback: _Node[T] | None = None
        self.is_fork = False

    def child_for(self, segment: str) -> _Node[T]:
        """The child for one template segment, created on first use."""
        child = self._child_for(segment)
        self.is_fork = self.param is not None or bool(self.partials)
        self.fallback = None if self.partials else self.param
        return child

    def _child_for(self, segment: str) -> _Node[T]:
        if is_placeholder(segment):
            if self.param is None:
                self.param = _Node(segment)
            return self.param
        if _PARAM_IN_SEGMENT.search(segment):
            for _, node in self.partials:
                if node.label == segment:
                    return node
            node = _Node[T](segment)
            self.partials.append((_segment_pieces(segment), node))
            return node
        child = self.literals.get(segment)
        if child is None:
            child = self.literals[segment] = _Node(segment)
        return child

    def candidates(self, segment: str) -> Iterator[_Node[T]]:
        """Children that accept a concrete segment, most specific first."""
        child = self.literals.get(segment)
        if child is not None:
            yield child
        for pieces, node in self.partials:
            if _fills(pieces, segment):
                yield node
        if self.param is not None:
            yield self.param


def _pick_method(methods: dict[str, list[T]], method: str) -> list[T] | None:
    found = methods.get(method)
    if found is None and method == "HEAD":
        found = methods.get("GET")
    if found is None:
        found = methods.get(ANY_METHOD)
    return found


@dataclass(frozen=True, slots=True)
class PrefixMatch:
    """The longest known template prefix of a path: its template segments and how many it consumed."""

    segments: tuple[str, ...]
    literal_count: int


class TemplateMatcher(Generic[T]):
    """A segment trie of path templates; each (method, template) maps to one or more targets."""

    def __init__(self) -> None:
        self._root: _Node[T] = _Node("")
        self._count = 0

    def __len__(self) -> int:
        return self._count

    def add(self, method: str, template: str, target: T) -> None:
        """Register `target` for `method` (upper case, or `*`) on `template`."""
        node = self._root
        for segment in _split_template(template):
            node = node.child_for(segment)
        if node.methods is None:
            node.methods = {}
        node.methods.setdefault(method.upper(), []).append(target)
        self._count += 1

    def match(self, method: str, path: str) -> list[T]:
        """Targets of the most specific template that matches `method` and `path`, or `[]` (shared list)."""
        method = method.upper()
        if "%" in path:
            path = unquote(path)
        found = _walk_greedy(self._root, path, method)
        if found is _BACKTRACK:
            found = _walk(self._root, split_path(path), 0, method)
        return found if found else []

    def match_any_method(self, path: str) -> dict[str, list[T]]:
        """Targets by method of the most specific template matching `path`, whatever the method."""
        found = _walk_leaf(self._root, split_path(path), 0)
        return dict(found) if found is not None else {}

    def longest_prefix(self, path: str) -> PrefixMatch | None:
        """The deepest run of leading segments of `path` that some template starts with.

        Used by folding to reuse a spec's own parameter names: `/v2/claims/123/notes` has the prefix
        `v2/claims/{claimId}` when `/v2/claims/{claimId}` is a template.
        """
        best = _deepest(self._root, split_path(path), 0, (), 0)
        if best is None or not best.segments:
            return None
        return best


_BACKTRACK: list[Any] = []  # sentinel: the greedy walk missed after passing a fork


def _walk_greedy(root: _Node[T], path: str, method: str) -> list[T] | None:
    """The common case, without recursion: follow the literal child, else the parameter child.

    This visits the same first branch the full search would, so a hit is the right answer. A miss
    is final only when no fork (a literal with a parameter or partial sibling, or partials) was
    passed; otherwise the caller runs the backtracking `_walk`.
    """
    node = root
    forked = False
    for segment in path.split("/"):
        if segment:
            child = node.literals.get(segment)
            if child is None:
                child = node.fallback
                if child is None:
                    if not node.partials:
                        return _BACKTRACK if forked else None
                    forked = True  # conservatively: another partial or the parameter may also fit
                    child = _first_partial(node, segment)
                    if child is None:
                        return _BACKTRACK
            elif node.is_fork:
                forked = True
            node = child
    if node.methods is not None:
        found = _pick_method(node.methods, method)
        if found is not None:
            return found
    return _BACKTRACK if forked else None


def _first_partial(node: _Node[T], segment: str) -> _Node[T] | None:
    for pieces, child in node.partials:
        if _fills(pieces, segment):
            return child
    return node.param


def _walk(node: _Node[T], segments: list[str], index: int, method: str) -> list[T] | None:
    if index == len(segments):
        return _pick_method(node.methods, method) if node.methods is not None else None
    segment = segments[index]
    literal = node.literals.get(segment)
    if literal is not None:
        found = _walk(literal, segments, index + 1, method)
        if found is not None:
            return found
    for pieces, child in node.partials:
        if _fills(pieces, segment):
            found = _walk(child, segments, index + 1, method)
            if found is not None:
                return found
    if node.param is not None:
        return _walk(node.param, segments, index + 1, method)
    return None


def _walk_leaf(node: _Node[T], segments: list[str], index: int) -> dict[str, list[T]] | None:
    if index == len(segments):
        return node.methods
    for child in node.candidates(segments[index]):
        found = _walk_leaf(child, segments, index + 1)
        if found is not None:
            return found
    return None


def _deepest(
    node: _Node[T], segments: list[str], index: int, taken: tuple[str, ...], literals: int
) -> PrefixMatch | None:
    """Depth-first search for the longest template prefix that includes at least one literal."""
    best = PrefixMatch(taken, literals) if literals else None
    if index == len(segments):
        return best
    segment = segments[index]
    literal_child = node.literals.get(segment)
    for child in node.candidates(segment):
        is_literal = child is literal_child
        found = _deepest(child, segments, index + 1, (*taken, child.label), literals + is_literal)
        if found is not None and (best is None or len(found.segments) > len(best.segments)):
            best = found
    return best
