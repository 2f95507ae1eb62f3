"""Walking a parsed config for credentials written in clear, by place: the walk several readers share.

Each reader says what a field holds (`Judge`: the field's name, its value, and the name of the field
that holds it, e.g. `users` inside `basicAuth`); the walk gives the JSON pointer of each field judged a
credential, in document order, never the value. A credential field is not walked into. The walk stops
at `MAX_PLACES` places and past `max_depth` levels, so a hostile file costs a bounded walk.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from itertools import islice

from riskscan.sources.structured import escape_pointer_token

__all__ = ["MAX_PLACES", "Judge", "NodePlaces", "credential_places"]

MAX_PLACES = 200
"""Places kept per file: enough to name every credential of a real config."""

Judge = Callable[[str, object, str], str | None]
"""(field name, value, owner field name) -> what credential it holds in clear, or None."""
NodePlaces = Callable[[Mapping[object, object], str], Iterator[tuple[str, str]]]
"""Places a whole object shows (an AWS::ApiGateway::ApiKey resource), before its fields are judged."""


def credential_places(data: object, judge: Judge, max_depth: int,
                      node_places: NodePlaces | None = None) -> list[tuple[str, str]]:
    """(JSON pointer, what it is) of every credential `judge` finds, in document order."""
    return list(islice(_walk(data, "", "", 0, judge, max_depth, node_places), MAX_PLACES))


def _walk(node: object, pointer: str, owner: str, depth: int, judge: Judge, max_depth: int,
          node_places: NodePlaces | None) -> Iterator[tuple[str, str]]:
    if depth > max_depth:
        return
    if isinstance(node, list):
        for index, value in enumerate(node):
            yield from _walk(value, f"{pointer}/{index}", owner, depth + 1, judge, max_depth, node_places)
        return
    if not isinstance(node, dict):
        return
    if node_places is not None:
        yield from node_places(node, pointer)
    for key, value in node.items():
        name = str(key)
        child = f"{pointer}/{escape_pointer_token(name)}"
        what = judge(name, value, owner)
        if what is not None:
            yield child, what
        elif isinstance(value, (dict, list)):
            yield from _walk(value, child, name, depth + 1, judge, max_depth, node_places)
