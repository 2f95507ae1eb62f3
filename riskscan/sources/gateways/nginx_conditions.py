"""nginx `if` blocks inside a location: directives that apply to some requests only.

`if ($request_method = POST) { ... }` or `if ($remote_addr !~ ^10\\.) { return 403; }` in a location
runs its block only for the requests meeting the condition, so nothing in it is in force for the whole
location: a `return 403` there refuses some callers, a `proxy_pass` there sends some requests
elsewhere. Each such block becomes a route condition (`if ($request_method = POST): limit_rate`) and a
warning, and its directives are never counted as enforced (`nginx_scope` indexes only a level's own
directives). Most access and limit directives (`limit_req`, `auth_basic`, `auth_request`, `allow`,
`deny` ...) are not allowed inside `if` at all: nginx refuses to load such a configuration
(`nginx -t`: "directive is not allowed here"), which the warning says; which directives are allowed
there is crossplane's directive table (the "if in location" context).

Only directive names, a `return`'s status code and the tested variable are shown: compared values
and arguments can be credentials (`if ($http_x_api_key != "...")`); a value is shown only when the
variable does not look like one and the value is short.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from crossplane import analyzer

from riskscan.redaction import redact
from riskscan.sources.gateways.nginx_tree import Directive

__all__ = ["if_conditions"]

_SECRET_VARIABLE = re.compile(r"auth|token|key|secret|cookie|pass|session|signature|jwt|bearer",
                              re.IGNORECASE)
_STATUS = re.compile(r"[1-5][0-9]{2}")
_MAX_SHOWN_VALUE = 40


def if_conditions(location: Directive, where: str, warn: Callable[[str], None]) -> tuple[str, ...]:
    """One condition per `if` block directly in `location`, each with a warning naming `where`."""
    conditions: list[str] = []
    for block in location.children("if"):
        test = _condition_text(block.args)
        names = list(dict.fromkeys(_shown(directive) for directive in block.block or ()))
        conditions.append(redact(f"if ({test}): {', '.join(names) or 'nothing'}")[:200])
        refused = sorted({d.name for d in block.block or () if not _is_allowed_in_if(d.name)})
        if refused:
            warn(f"{block.path}:{block.line}: {where}: {', '.join(refused)} inside `if` is not allowed by "
                 "nginx (nginx -t refuses this configuration): not counted as enforced")
        applied = [name for name in names if name.split(" ", 1)[0] not in refused]
        if applied:
            warn(f"{block.path}:{block.line}: {where}: `if ({test})` applies {', '.join(applied)} to some "
                 "requests only: read as a condition, not as enforced for the location")
    return tuple(conditions)


def _is_allowed_in_if(name: str) -> bool:
    """True when nginx accepts the directive inside `if` in a location (crossplane's context table)."""
    masks = analyzer.DIRECTIVES.get(name)
    return masks is None or any(mask & analyzer.NGX_HTTP_LIF_CONF for mask in masks)


def _shown(directive: Directive) -> str:
    """A directive inside `if` as shown: its name, and a `return`'s status code."""
    if directive.name == "return" and directive.args and _STATUS.fullmatch(directive.args[0]):
        return f"return {directive.args[0]}"
    return directive.name


def _condition_text(args: tuple[str, ...]) -> str:
    """The `if` test with its compared value hidden when the variable may carry a credential."""
    if not args:
        return "?"
    variable = args[0]
    if len(args) == 1:
        return variable
    operator, value = args[1], " ".join(args[2:])
    is_hidden = bool(_SECRET_VARIABLE.search(variable)) or len(value) > _MAX_SHOWN_VALUE
    return f"{variable} {operator} {'(value not shown)' if is_hidden else value}".strip()
