"""What an Envoy file shows beyond routing: each cluster's nodes, TLS and health checking, and the CORS
policy a route is given.

- Clusters: the nodes of `load_assignment` (hosts only, ports dropped), TLS to them when the cluster
  has an `UpstreamTlsContext` transport socket (else plain), health checking when it has active
  `health_checks` or passive `outlier_detection`. Envoy bounds every request by default (5 s to
  connect, 15 s per route), so an Envoy upstream always has timeouts.
- CORS: only where the HTTP connection manager runs the `cors` filter. The policy is the route's
  (`typed_per_filter_config` for `envoy.filters.http.cors`, or the older `cors` field), else its
  virtual host's. Any origin is allowed by an `allow_origin_string_match` entry matching everything
  (`prefix: ""`, `exact: "*"`, `safe_regex` `.*`) or a v2-style `allow_origin: ["*"]`.
"""

from __future__ import annotations

from collections.abc import Callable

from riskscan.model import CorsPolicy, Evidence, Upstream

__all__ = ["CORS_FILTER", "cluster_upstream", "cors_policies"]

CORS_FILTER = "envoy.filters.http.cors"
_ANY_REGEX = frozenset({".*", ".+", "^.*$", "^.+$", "(.*)"})
Evidencer = Callable[[str, str, str | None], Evidence]


def cluster_upstream(cluster: dict[str, object], hosts: list[str], evidence: Evidence) -> Upstream:
    """One cluster's nodes (`host:port` as `_cluster_hosts` lists them), scheme and health checking."""
    socket = cluster.get("transport_socket")
    typed = socket.get("typed_config") if isinstance(socket, dict) else None
    type_url = str(typed.get("@type", "")) if isinstance(typed, dict) else ""
    named_tls = isinstance(socket, dict) and "tls" in str(socket.get("name"))
    is_tls = "UpstreamTlsContext" in type_url or named_tls
    checks = cluster.get("health_checks")
    has_checks = bool(checks) if isinstance(checks, list) else False
    has_checks = has_checks or isinstance(cluster.get("outlier_detection"), dict)
    names = [host.rpartition(":")[0] if host.count(":") == 1 else host for host in hosts]
    return Upstream(hosts=tuple(dict.fromkeys(names)), nodes=len(names), scheme="https" if is_tls else None,
                    has_health_checks=has_checks, has_timeouts=True, evidence=evidence)


def cors_policies(host: dict[str, object], route: dict[str, object], pointer: str,
                  evidence: Evidencer) -> tuple[CorsPolicy, ...]:
    """The CORS policy in force on a route whose manager runs the cors filter (none without one)."""
    host_pointer = pointer.rsplit("/routes/", 1)[0]
    for owner, at in ((route, pointer), (host, host_pointer)):
        configs = owner.get("typed_per_filter_config")
        typed = configs.get(CORS_FILTER) if isinstance(configs, dict) else None
        if isinstance(typed, dict):
            where = evidence(f"{at}/typed_per_filter_config/{CORS_FILTER}", "cors policy", None)
            return (_policy({str(k): v for k, v in typed.items()}, where),)
        legacy = owner.get("cors")
        if isinstance(legacy, dict):
            where = evidence(f"{at}/cors", "cors policy", None)
            return (_policy({str(k): v for k, v in legacy.items()}, where),)
    return ()


def _policy(config: dict[str, object], evidence: Evidence) -> CorsPolicy:
    matches = config.get("allow_origin_string_match")
    legacy = config.get("allow_origin")
    any_origin = any(_matches_all(match) for match in (matches if isinstance(matches, list) else [])) or (
        isinstance(legacy, list) and "*" in legacy)
    credentials = config.get("allow_credentials") is True
    return CorsPolicy(allows_any_origin=any_origin, allows_credentials=credentials, evidence=evidence)


def _matches_all(match: object) -> bool:
    if not isinstance(match, dict):
        return False
    regex = match.get("safe_regex")
    return (match.get("prefix") == "" or match.get("suffix") == "" or match.get("exact") == "*"
            or (isinstance(regex, dict) and regex.get("regex") in _ANY_REGEX))
