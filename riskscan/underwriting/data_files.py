"""Loading the underwriting data files (coverage rules, rating factors) with one-line errors.

A data file is YAML or JSON read through the safe loader (`riskscan.sources.structured`: depth and
alias-bomb limits, line numbers) and validated by a pydantic model. Every problem becomes one
`UsageError` naming the file, the line and the problem, never the offending value (a broker's file may
hold anything): `rates.yaml:12: should be greater than or equal to 0 (factors[2].effect.low)`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from riskscan.errors import SourceError, UsageError
from riskscan.sources.structured import StructuredDocument, join_pointer, parse_structured_text
from riskscan.user_files import read_user_file

__all__ = ["MAX_DATA_FILE_BYTES", "ModelT", "data_file_error", "parse_data_file", "read_data_file"]

MAX_DATA_FILE_BYTES = 4 * 1024 * 1024
"""A rating factors or rules file is a few kilobytes; anything this large is not one."""

ModelT = TypeVar("ModelT", bound=BaseModel)

_PLAIN_WORDS = (  # pydantic's words -> the words of a file a person wrote (YAML has lists, not tuples)
    ("Input should be", "should be"), ("Extra inputs are not permitted", "unknown field"),
    ("Tuple should", "list should"), ("valid tuple", "list"), (" after validation", ""),
    ("Field required", "field required"),
)


def read_data_file(path: Path, model: type[ModelT], what: str) -> tuple[ModelT, StructuredDocument]:
    """Read and validate `path` as `model`; `what` names the file's role in errors ("rating factors")."""
    return parse_data_file(read_user_file(path, f"{what} file", MAX_DATA_FILE_BYTES), path, model, what)


def parse_data_file(
    text: str, path: Path, model: type[ModelT], what: str
) -> tuple[ModelT, StructuredDocument]:
    """Validate `text` (read from `path`) as `model`, with its parsed document for line lookups."""
    try:
        document = parse_structured_text(text, path, path.name)
    except SourceError as error:  # the safe loader's own one-line reason, with its line
        where = f"{path.name}:{error.line}" if error.line else path.name
        raise UsageError(f"{where}: not valid YAML or JSON ({error.problem[:160]})") from None
    except Exception as error:  # a parser error the loader did not wrap: its type only
        raise UsageError(f"{path.name}: not valid YAML or JSON ({type(error).__name__})") from None
    if not isinstance(document.data, dict):
        raise UsageError(f"{path.name}:1: the {what} file must be a mapping at the top level")
    try:
        return model.model_validate(document.data), document
    except ValidationError as error:
        first = error.errors()[0]
        location = _in_data(document.data, tuple(first["loc"]))
        raise data_file_error(document, location, _message(first["msg"])) from None


def data_file_error(
    document: StructuredDocument, location: tuple[str | int, ...], problem: str
) -> UsageError:
    """A one-line error at the node `location` (keys and indexes from the top) of `document`."""
    pointer = ""
    for token in location:
        pointer = join_pointer(pointer, token)
    line = document.line_of(pointer) if pointer else None
    where = f"{document.path.name}:{line}" if line else document.path.name
    shown = _location_text(location)
    # The node's place goes last: "<key>: <text>" after a key such as `token` would read as a secret.
    return UsageError(f"{where}: {problem}{f' ({shown})' if shown else ''}")


def _in_data(data: object, location: tuple[str | int, ...]) -> tuple[str | int, ...]:
    """`location` without the tokens pydantic adds that are not in the file (a tagged union's tag)."""
    kept: list[str | int] = []
    node = data
    for token in location:
        if isinstance(node, dict) and token in node:
            node = node[token]
        elif isinstance(node, list) and isinstance(token, int) and 0 <= token < len(node):
            node = node[token]
        elif isinstance(node, (dict, list)):
            continue  # a union tag or a model name: no node of the file
        kept.append(token)
    return tuple(kept)


def _location_text(location: tuple[str | int, ...]) -> str:
    """`factors[2].effect.low`, the way a person reading the file finds the node."""
    text = ""
    for token in location:
        text += f"[{token}]" if isinstance(token, int) else (f".{token}" if text else str(token))
    return text


def _message(message: str) -> str:
    """Pydantic's message without its prefixes, lower-cased first letter: "must be at least 0"."""
    for prefix in ("Value error, ", "Assertion failed, "):
        message = message.removeprefix(prefix)
    for said, meant in _PLAIN_WORDS:
        message = message.replace(said, meant)
    return message[:1].lower() + message[1:]

