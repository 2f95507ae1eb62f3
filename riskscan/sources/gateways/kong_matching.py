"""How a Kong route matches beyond its paths: Kong's precedence among overlapping routes, and the
conditions (headers, SNIs, addresses) a request must also meet. Values of credential-bearing headers
are never shown."""

from __future__ import annotations

from collections.abc import Mapping

from riskscan.redaction import is_secret_key, redact

__all__ = ["ConfigMap", "route_conditions", "route_excerpt", "route_rank", "strings"]

_MAX_EXCERPT = 200  # characters of a condition kept

ConfigMap = Mapping[str, object]


def strings(value: object) -> tuple[str, ...]:
    """A string or list field as its strings (anything else: none)."""
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list):
        return tuple(item for item in value if isinstance(item, str))
    return ()


def route_rank(data: ConfigMap, methods: tuple[str, ...], hosts: tuple[str, ...]) -> tuple[int, ...]:
    """Kong's precedence of a route before its paths are compared (traditional_compat router, by
    descending significance): priority points (one each for methods, hosts, headers and snis set),
    plain hosts (or none) before wildcard hosts, more headers first; then `regex_priority`, which only
    regex paths use (the caller drops it for plain paths)."""
    headers = data.get("headers")
    header_count = len(headers) if isinstance(headers, dict) else 0
    points = sum(1 for is_set in (methods, hosts, header_count, strings(data.get("snis"))) if is_set)
    is_plain = not any("*" in host for host in hosts)
    priority = data.get("regex_priority", 0)
    if not isinstance(priority, int) or isinstance(priority, bool) or abs(priority) > 2**31:
        priority = 0
    return (points, int(is_plain), header_count, priority)


def route_conditions(data: ConfigMap) -> tuple[str, ...]:
    """Matching conditions beyond path, method and host: headers, SNIs, client and server addresses."""
    conditions: list[str] = []
    headers = data.get("headers")
    for name, values in sorted(headers.items()) if isinstance(headers, dict) else []:
        shown = (
            "[REDACTED]"
            if is_secret_key(str(name))
            else ", ".join(redact(value) for value in strings(values))
        )
        conditions.append(redact(f"header {name} in [{shown}]"))
    if strings(data.get("snis")):
        conditions.append(f"TLS SNI in {len(strings(data.get('snis')))} name(s)")
    for field_name, what in (("sources", "client address"), ("destinations", "server address")):
        entries = data.get(field_name)
        if isinstance(entries, list) and entries:
            conditions.append(f"{what} in {len(entries)} allowed range(s)")
    return tuple(condition[:_MAX_EXCERPT] for condition in conditions)


def route_excerpt(label: str, data: ConfigMap, methods: tuple[str, ...], hosts: tuple[str, ...]) -> str:
    """What the evidence of a route says it matches."""
    paths = ",".join(strings(data.get("paths"))) or "any"
    text = f"route {label} paths={paths} methods={','.join(methods) or 'any'}"
    return f"{text} hosts={','.join(hosts)}" if hosts else text
