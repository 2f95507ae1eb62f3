"""APISIX route `vars` (lua-resty-expr expressions) rendered as readable, redacted conditions.

A route's `vars` narrow which requests it matches (`[["http_x_env", "==", "sandbox"]]`); a report
shows them as text (`http_x_env == sandbox`) so that a reader sees why two routes on one uri differ.
"""

from __future__ import annotations

from riskscan.redaction import REDACTED, is_secret_key, redact

__all__ = ["render_vars"]

_LOGICAL = frozenset({"AND", "OR", "!AND", "!OR"})  # lua-resty-expr combinators
_MAX_TEXT = 200


def render_vars(expression: object) -> tuple[str, ...]:
    """APISIX `vars` (lua-resty-expr) as readable conditions, one per top-level term (all must hold).

    Terms are `[var, op, value]`, `[var, "!", op, value]` or nested `["OR"|"AND"|"!OR"|"!AND", ...]`.
    Values of variables that carry credentials (`http_authorization`, `cookie_session` ...) are
    replaced by `[REDACTED]`; anything unexpected is rendered as text, never raised on.
    """
    if not isinstance(expression, list):
        return (_cut(redact(f"vars {expression}")),)
    if expression and isinstance(expression[0], str) and expression[0].upper() in _LOGICAL:
        return (_cut(_render_term(expression, 0)),)
    return tuple(_cut(_render_term(term, 0)) for term in expression)


def _render_term(term: object, depth: int) -> str:
    """One term as text; nesting past a few levels is elided."""
    if depth > 8:
        return "..."
    if not isinstance(term, list) or not term:
        return redact(str(term))
    head = term[0]
    if isinstance(head, str) and head.upper() in _LOGICAL:
        operator = head.upper()
        joined = f" {operator.lstrip('!')} ".join(_render_term(part, depth + 1) for part in term[1:])
        return f"NOT ({joined})" if operator.startswith("!") else f"({joined})"
    if isinstance(head, list):
        return "(" + " AND ".join(_render_term(part, depth + 1) for part in term) + ")"
    negated = len(term) >= 4 and term[1] == "!"
    rest = term[2:] if negated else term[1:]
    variable = str(head)
    hidden = is_secret_key(variable)
    words = [redact(variable), *(redact(str(operator)) for operator in rest[:1])]
    words += [_value_text(value, hidden) for value in rest[1:]]
    text = " ".join(words)
    return f"NOT {text}" if negated else text


def _value_text(value: object, is_secret: bool) -> str:
    """A compared value as written, or `[REDACTED]` when the variable carries a credential."""
    if isinstance(value, list):
        return "[" + ", ".join(_value_text(item, is_secret) for item in value) + "]"
    if is_secret and not isinstance(value, bool) and value is not None:
        return REDACTED
    if isinstance(value, str):
        return redact(value) if value else '""'
    return "null" if value is None else str(value).lower() if isinstance(value, bool) else str(value)


def _cut(text: str) -> str:
    """At most `_MAX_TEXT` characters."""
    return text if len(text) <= _MAX_TEXT else text[: _MAX_TEXT - 1] + "…"
