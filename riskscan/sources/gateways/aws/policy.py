"""Resource policies and endpoint types: which networks may reach an API at all.

A REST API's resource policy (`x-amazon-apigateway-policy`, a template's `Policy`, or SAM's
`Auth.ResourcePolicy`) is an IAM policy over `execute-api:Invoke`. Statements whose conditions test the
caller's address (`IpAddress`/`NotIpAddress` on `aws:SourceIp`) restrict by network
(`ip-restriction`); those testing `aws:SourceVpc`/`aws:SourceVpce` allow only traffic through given VPCs
or VPC endpoints (`vpc-restriction`). A statement applies to the routes its `Resource` patterns cover
(`execute-api:/{stage}/{method}/{path}`, `*` wildcards). A `PRIVATE` endpoint is reachable only through
VPC endpoints (`private-endpoint`); `disableExecuteApiEndpoint` leaves only custom domains.
"""

from __future__ import annotations

import fnmatch
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from riskscan.model import PluginRef
from riskscan.sources.gateways.aws.common import Place, Warn, mapping, text
from riskscan.sources.structured import join_pointer

__all__ = ["PolicyRule", "read_policy", "read_sam_policy", "rules_for"]

_IP_KEYS = frozenset({"aws:sourceip"})
_VPC_KEYS = frozenset({"aws:sourcevpc", "aws:sourcevpce"})
_MAX_POLICY_TEXT = 1 << 20


@dataclass(frozen=True)
class PolicyRule:
    """A network restriction and the `METHOD/path` patterns it covers (empty: the whole API)."""

    plugin: PluginRef
    patterns: tuple[str, ...] = ()

    def covers(self, method: str, path: str) -> bool:
        """True when the restriction applies to the route (`ANY` routes only by a `*` method)."""
        target = f"{method}{path}"
        return not self.patterns or any(fnmatch.fnmatchcase(target, pattern) for pattern in self.patterns)


def rules_for(rules: tuple[PolicyRule, ...], method: str, path: str) -> tuple[PluginRef, ...]:
    """The restrictions in force on one route."""
    return tuple(rule.plugin for rule in rules if rule.covers(method, path))


def read_policy(policy: Any, place: Place, pointer: str, warn: Warn) -> tuple[PolicyRule, ...]:
    """Network restrictions of an IAM resource policy (a mapping, or its JSON text)."""
    if isinstance(policy, str) and len(policy) < _MAX_POLICY_TEXT:
        try:
            policy = json.loads(policy)
        except ValueError:
            warn("the resource policy is not valid JSON: not read")
            return ()
    statements = mapping(policy).get("Statement")
    if isinstance(statements, dict):
        statements = [statements]
    rules: list[PolicyRule] = []
    for index, statement in enumerate(statements if isinstance(statements, list) else []):
        at = join_pointer(join_pointer(pointer, "Statement"), index)
        for name in _restrictions(mapping(statement)):
            evidence = place.evidence(at, f"resource policy statement {index}: {name}")
            plugin = PluginRef(name=name, attached_to="resource policy", evidence=evidence)
            rules.append(PolicyRule(plugin, tuple(_patterns(mapping(statement).get("Resource")))))
    return tuple(rules)


def read_sam_policy(policy: dict[str, Any], place: Place, pointer: str, warn: Warn) -> tuple[PolicyRule, ...]:
    """SAM's `Auth.ResourcePolicy` shorthand (`IpRangeWhitelist`, `SourceVpcWhitelist` ...) and its
    `CustomStatements`."""
    rules: list[PolicyRule] = []
    for key, value in policy.items():
        lowered = key.lower()
        name = (
            "ip-restriction"
            if lowered.startswith("iprange")
            else "vpc-restriction"
            if "vpc" in lowered
            else None
        )
        if name is not None and value:
            evidence = place.evidence(join_pointer(pointer, key), f"ResourcePolicy {key}")
            rules.append(PolicyRule(PluginRef(name=name, attached_to="resource policy", evidence=evidence)))
    custom = policy.get("CustomStatements")
    if custom is not None:
        statements = custom if isinstance(custom, list) else [custom]
        rules.extend(
            read_policy({"Statement": statements}, place, join_pointer(pointer, "CustomStatements"), warn)
        )
    return tuple(rules)


def _restrictions(statement: dict[str, Any]) -> Iterator[str]:
    """`ip-restriction` and/or `vpc-restriction` for the condition keys the statement tests."""
    keys = {
        str(key).lower()
        for operator in mapping(statement.get("Condition")).values()
        for key in mapping(operator)
    }
    if keys & _IP_KEYS:
        yield "ip-restriction"
    if keys & _VPC_KEYS:
        yield "vpc-restriction"


def _patterns(resources: Any) -> Iterator[str]:
    """`METHOD/path` glob patterns from `execute-api` resource ARNs; a resource we cannot read (an
    intrinsic function) covers everything, as does `execute-api:/*`."""
    for resource in resources if isinstance(resources, list) else [resources]:
        value = text(resource)
        if value is None:
            yield "*"
            continue
        tail = value.rsplit("execute-api:", 1)[-1]
        if tail.startswith("arn:") or ":" in tail:
            tail = tail.split(":")[-1]
        # `/stage/METHOD/path` (or `api-id/stage/METHOD/path` in a full ARN): the stage is any stage here
        parts = tail.lstrip("/").split("/", 2 if not value.startswith("arn:") else 3)
        if value.startswith("arn:") and len(parts) > 1:
            parts = parts[1:]
        if len(parts) < 2:
            yield "*"
            continue
        method, path = parts[1], parts[2] if len(parts) > 2 else "*"
        yield f"{method}/{path}" if method != "*" else f"*/{path}"
