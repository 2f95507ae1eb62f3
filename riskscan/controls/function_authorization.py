"""Function-level authorization (OWASP API5:2023): privileged functions and writes under read scopes.

Administrative, internal, debug and management functions are recognised by a word of their path
(the catalogue's `privileged_words`: `/admin/users`, `/internal/export`, `/actuator/env`). Each should
require strong, per-caller authentication (OAuth 2.0, OIDC, mutual TLS) or be restricted to known
networks by a plugin in force on every route serving it (`network_restriction_plugins`:
ip-restriction, nginx `allow`, allow-list annotations). Separately, a method that changes data should
not be allowed where every OAuth scope the spec names is read-only (`claims:read`). Results rest on
what shows the endpoint's authentication (`enforced` or `declared`); when nothing privileged or
read-scoped is found the control passes on what shows the endpoints' paths, and says so. The
gateway's own management API, where a runtime config (kong.conf, APISIX config.yaml) shows it reachable
from the network, is judged here too (`admin_exposure`): the most privileged function of all.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from riskscan.controls.admin_exposure import with_admin_exposure
from riskscan.controls.auth import auth_evidence, auth_is_known, describe_auth, is_anonymous
from riskscan.controls.catalogue import Control
from riskscan.controls.evidence import auth_strength
from riskscan.controls.outcome import (
    ControlOutcome,
    draft_finding,
    key_count,
    known_outcome,
    path_names_any,
    reachable_endpoints,
    short_of_core,
    unknown_outcome,
    when_nothing_judged,
)
from riskscan.model import Endpoint, Evidence, Inventory

__all__ = ["evaluate_function_authorization", "is_privileged"]

_SCOPE_WORD = re.compile(r"[A-Za-z]+")


def evaluate_function_authorization(inventory: Inventory, control: Control) -> ControlOutcome:
    """Judge privileged paths and read-scoped writes on every reachable endpoint whose auth is shown,
    and the gateways' Admin APIs where their runtime configs show them (`admin_exposure`)."""
    return with_admin_exposure(_endpoint_outcome(inventory, control), inventory, control)


def _endpoint_outcome(inventory: Inventory, control: Control) -> ControlOutcome:
    if not auth_is_known(inventory):
        return unknown_outcome(control, "no_auth_inputs")
    reachable = reachable_endpoints(inventory)
    endpoints = [e for e in reachable if e.auth.is_known]
    if not endpoints:
        return unknown_outcome(control, "not_shown" if reachable else "no_endpoints")
    words, restrictions = control.words("privileged_words"), control.words("network_restriction_plugins")
    privileged = [e for e in endpoints if is_privileged(e, words)]
    unguarded = [e for e in privileged if not _is_guarded(e, restrictions)]
    anonymous = [e for e in unguarded if is_anonymous(e)]
    weak = [e for e in unguarded if not is_anonymous(e)]
    scoped = [e for e in endpoints if e.auth.scopes and _writes(e, control.words("read_methods"))]
    read_only = [e for e in scoped if _only_reads(e.auth.scopes, control.words("read_scope_words"))]
    drafts = [
        draft_finding(control, code, group, auth_evidence(group),
                      kinds=describe_auth(e.auth.effective for e in group), scopes=_scopes(group))
        for code, group in (("FUNC_PRIVILEGED_ANONYMOUS", anonymous), ("FUNC_PRIVILEGED_WEAK", weak),
                            ("FUNC_WRITE_READ_SCOPE", read_only))
        if group
    ]
    judged = list({e.key: e for e in [*privileged, *scoped]}.values())
    outcome = known_outcome(
        control, judged, drafts, strength=auth_strength,
        limitations=_limitations(control, inventory, words, scoped, len(reachable) - len(endpoints)),
        evidence=_guard_evidence(e for e in privileged if e not in unguarded),
        privileged=key_count(privileged), guarded=key_count(privileged) - key_count(unguarded),
        unguarded=key_count(unguarded), scoped_writes=key_count(scoped), read_only=key_count(read_only),
    )
    if judged:
        return outcome
    # Nothing privileged and no scoped writes: that conclusion is only as strong as what shows the paths,
    # and specs alone seldom show administrative functions at all.
    outcome = when_nothing_judged(outcome, endpoints)
    return outcome if inventory.has_gateway or inventory.has_traffic else short_of_core(outcome, "no_reality")


def is_privileged(endpoint: Endpoint, words: frozenset[str]) -> bool:
    """True when a literal word of the path names an administrative, internal or debug function."""
    return path_names_any(endpoint, words)


def _is_guarded(endpoint: Endpoint, restrictions: frozenset[str]) -> bool:
    """Strong per-caller authentication, or a network restriction on every serving route."""
    strong = endpoint.auth.effective.is_strong and not is_anonymous(endpoint)
    return strong or bool({name.lower() for name in endpoint.plugins} & restrictions)


def _writes(endpoint: Endpoint, reads: frozenset[str]) -> bool:
    return endpoint.method.lower() not in reads


def _only_reads(scopes: Iterable[str], read_words: frozenset[str]) -> bool:
    """Every scope ends (or starts) with a reading word: `claims:read`, `read:policies`, `x.readonly`."""
    def reads(scope: str) -> bool:
        found = [word.lower() for word in _SCOPE_WORD.findall(scope)]
        return bool(found) and (found[-1] in read_words or found[0] in read_words)

    return all(reads(scope) for scope in scopes)


def _scopes(endpoints: Sequence[Endpoint]) -> str:
    names = sorted({scope for e in endpoints for scope in e.auth.scopes})
    return ", ".join(names) or "none"


def _guard_evidence(endpoints: Iterable[Endpoint]) -> list[Evidence]:
    """What guards the privileged endpoints that are guarded: their auth evidence and routes."""
    return [item for e in endpoints for item in (*e.auth.evidence, *e.evidence[:1])]


def _limitations(
    control: Control, inventory: Inventory, words: frozenset[str], scoped: Sequence[Endpoint], not_shown: int
) -> list[str]:
    limitations = [control.limitation("names", words=", ".join(sorted(words)[:8]))]
    if not scoped:
        limitations.append(control.limitation("no_scopes"))
    if not inventory.has_gateway:
        limitations.append(control.limitation("no_gateway"))
    if not_shown:
        limitations.append(control.limitation("some_not_shown", count=not_shown))
    return limitations
