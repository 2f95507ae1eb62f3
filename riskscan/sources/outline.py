"""A JSON or YAML document's top level, wherever in the file its keys are, for judging its kind.

Readers judge a file by its first `HEAD_BYTES` (`SourceReader.sniff`), but the keys that decide a
document's kind may come later: Twilio's published specs put a large `components` block before
`openapi`, an APISIX file may open with a long comment. When the head is the beginning of a JSON
object or a YAML mapping (`is_document_head`) and no reader recognised it, `detect_kind` reads the rest
of the file (up to `ReadContext.max_bytes`, gzip inflated) and `document_outline` reduces it to a small
document in the same syntax that holds only the top-level keys, each with its scalar value or a hint
of its collection's shape. The readers' own `sniff` then judges that outline as it would a head.

`top_level_scalars` reads the top-level scalar keys (`openapi: 3.0.3`) of a head or an outline: what
the readers' `sniff` looks at.

Only the top level counts: a JSON key is top-level at object depth 1 (strings and escapes honoured,
nested containers skipped without recursion), a YAML key at column 0. Files whose head is anything
else (logs) never qualify, so a 2 GB access log is never read for this.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

__all__ = ["document_outline", "is_document_head", "top_level_scalars"]

# For `top_level_scalars`: JSON strings and brackets; a key's scalar value; a column-0 YAML `key: value`.
_JSON_HEAD_TOKEN = re.compile(r'"(?:[^"\\\n]|\\.)*"|[{}\[\]]')
_JSON_HEAD_VALUE = re.compile(r'\s*:\s*("(?:[^"\\\n]|\\.)*"|[-+\w.]+)')
_YAML_HEAD_KEY = re.compile(r"""^["']?([\w$.-]+)["']?[ \t]*:[ \t]+["']?([^\s"'#,{}\[\]]+)""", re.MULTILINE)

# A column-0 YAML mapping key (`openapi:`, `"swagger": "2.0"`, `x-twilio:`), the value after it.
_YAML_KEY = re.compile(r"""^(?:"[^"\n]*"|'[^'\n]*'|[A-Za-z_$][\w.$/-]*)[ \t]*:(?:[ \t]+(.*))?$""")
# The start of every line but the first that has content at column 0 (not blank, indented or a comment).
_YAML_COLUMN0 = re.compile(r"\n(?=[^ \t\r\n#])")
_YAML_DOCUMENT_MARKER = re.compile(r"^(?:---|\.\.\.)(?:[ \t]|$)")
# Text up to and including the next bracket, whole strings skipped (escapes honoured); the group is the
# bracket, or the quote of a string that never ends. Possessive quantifiers: a text that ends with no
# bracket fails in one pass instead of backtracking (always used with `match`, never a search).
_JSON_NEXT_BRACKET = re.compile(
    r'[^"{}\[\]]*+(?:"[^"\\]*+(?:\\.[^"\\]*+)*+"[^"{}\[\]]*+)*+([{}\[\]"])', re.DOTALL
)
_JSON_STRING = re.compile(r'"[^"\\]*+(?:\\.[^"\\]*+)*+"', re.DOTALL)
_JSON_LITERAL = re.compile(r"[-+\w.]+")
_JSON_SPACE = re.compile(r"[ \t\r\n]*")


def top_level_scalars(head: bytes) -> dict[str, str]:
    """Top-level keys with a scalar value, as text, from the beginning of a YAML or JSON file.

    For content sniffing: cheap, tolerant of a truncated head and of a BOM (UTF-8 or UTF-16). YAML:
    keys at column 0 (`openapi: 3.0.3`, `"swagger": "2.0"`); JSON: keys of the outermost object.
    Collection values are skipped; the first occurrence of a key wins.
    """
    text = _decode(head)
    found: dict[str, str] = {}
    if text.lstrip()[:1] == "{":
        depth = 0
        for match in _JSON_HEAD_TOKEN.finditer(text):
            token = match.group()
            if token in ("{", "["):
                depth += 1
            elif token in ("}", "]"):
                depth -= 1
            elif depth == 1 and (value := _JSON_HEAD_VALUE.match(text, match.end())) is not None:
                found.setdefault(token[1:-1], value.group(1).strip('"'))
        return found
    for match in _YAML_HEAD_KEY.finditer(text):
        found.setdefault(match.group(1), match.group(2))
    return found


def is_document_head(head: bytes) -> bool:
    """True when the head begins a JSON object or a YAML mapping (comments and markers aside).

    A head of comments alone qualifies too (a config may open with a long licence); a log line,
    prose or a YAML list does not.
    """
    text = _decode(head)
    if text.lstrip()[:1] == "{":
        return True
    for line in text.splitlines():
        if not line.strip() or line.startswith(("#", "%")) or _YAML_DOCUMENT_MARKER.match(line):
            continue
        return _YAML_KEY.match(line.rstrip()) is not None
    return True


def document_outline(content: bytes) -> bytes | None:
    """The document's top level as a small document of the same syntax, or None when it has none.

    `content` is the file's beginning as far as the caller reads it (`detect_kind`: up to
    `ReadContext.max_bytes`, gzip inflated); a document longer than that is judged by what it holds.
    """
    text = _decode(content)
    outline = _json_outline(text) if text.lstrip()[:1] == "{" else _yaml_outline(text)
    return outline.encode("utf-8") if outline else None


def _decode(raw: bytes) -> str:
    """Bytes as text: UTF-16 when a BOM says so, else UTF-8; undecodable bytes are dropped."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16", errors="ignore").lstrip("\ufeff")
    return raw.decode("utf-8", errors="ignore").lstrip("\ufeff")


# --------------------------------------------------------------------------- YAML


def _yaml_outline(text: str) -> str:
    """Column-0 key lines; after a key with no inline value, its first content line (shows a list).

    A column-0 `- ` line is an item of a top-level list and is left out. A document marker after
    content starts a second document: the outline stops there. A last line `#END` is kept (APISIX).
    """
    kept: list[str] = []
    for start in _column0_starts(text):
        end = text.find("\n", start)
        end = len(text) if end < 0 else end
        line = text[start:end].rstrip()
        if _YAML_DOCUMENT_MARKER.match(line):
            if kept:
                break
            continue
        key = _YAML_KEY.match(line)
        if key is None:
            continue
        kept.append(line)
        if not (key.group(1) or "").split(" #")[0].strip():
            kept.extend(_first_content_line(text, end))
    if text[-256:].rstrip().endswith("\n#END"):
        kept.append("#END")
    return "\n".join(kept) + "\n" if kept else ""


def _column0_starts(text: str) -> Iterator[int]:
    """Where each line with content at column 0 starts (a search for a newline is fast in `re`)."""
    if text[:1] not in ("", " ", "\t", "\r", "\n", "#"):
        yield 0
    for match in _YAML_COLUMN0.finditer(text):
        yield match.end()


def _first_content_line(text: str, start: int) -> list[str]:
    """The first line after `start` that is neither blank nor a comment (empty list at the end)."""
    position = start
    while position < len(text):
        end = text.find("\n", position + 1)
        end = len(text) if end < 0 else end
        line = text[position:end].strip("\r\n")
        if line.strip() and not line.lstrip().startswith("#"):
            return [line.rstrip()]
        position = end
    return []


# --------------------------------------------------------------------------- JSON


def _json_outline(text: str) -> str:
    """`{"key": scalar, "list": [], "object": {}}` for the outermost object's keys, in file order.

    Stops at the object's end (so a JSON Lines file costs only its first line) or at the first thing
    that is not JSON; what was found until then is kept.
    """
    entries: dict[str, str] = {}
    position = _skip_space(text, 0) + 1  # past the opening brace
    while True:
        position = _skip_space(text, position)
        key, position = _json_string(text, position)
        if key is None:
            break
        position = _skip_space(text, position)
        if not text.startswith(":", position):
            break
        value, position = _json_value(text, _skip_space(text, position + 1))
        if value is None:
            break
        entries.setdefault(key, value)
        position = _skip_space(text, position)
        if not text.startswith(",", position):
            break
        position += 1
    if not entries:
        return ""
    return "{" + ", ".join(f"{json.dumps(key)}: {value}" for key, value in entries.items()) + "}"


def _json_value(text: str, position: int) -> tuple[str | None, int]:
    """The outline of the value at `position` (scalar as written, `[]` or `{}`) and where it ends."""
    first = text[position : position + 1]
    if first in ("[", "{"):
        end = _container_end(text, position)
        return ("[]" if first == "[" else "{}", end) if end > 0 else (None, position)
    if first == '"':
        value, end = _json_string(text, position)
        return (None, position) if value is None else (json.dumps(value), end)
    literal = _JSON_LITERAL.match(text, position)
    return (literal.group(), literal.end()) if literal else (None, position)


def _json_string(text: str, position: int) -> tuple[str | None, int]:
    """The string starting at `position`, decoded, and where it ends; None when there is none."""
    match = _JSON_STRING.match(text, position)
    if match is None:
        return None, position
    try:
        return json.loads(match.group()), match.end()
    except ValueError:  # a raw control character or a bad escape: not JSON
        return None, position


def _container_end(text: str, start: int) -> int:
    """The position just past the container opened at `start`; -1 when the text ends first."""
    depth = 0
    position = start
    while (match := _JSON_NEXT_BRACKET.match(text, position)) is not None:
        bracket = match.group(1)
        if bracket == '"':
            return -1  # a string that never ends
        depth += 1 if bracket in "{[" else -1
        position = match.end()
        if depth == 0:
            return position
    return -1  # the text ends inside the container


def _skip_space(text: str, position: int) -> int:
    return _match_end(_JSON_SPACE, text, position)


def _match_end(pattern: re.Pattern[str], text: str, position: int) -> int:
    """Where a pattern that can match the empty string stops matching from `position`."""
    match = pattern.match(text, position)
    return match.end() if match is not None else position
