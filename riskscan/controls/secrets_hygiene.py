"""Secrets hygiene (OWASP API8:2023): credentials written in clear in gateway configs, and credentials
sent in URLs as traffic shows them.

Every gateway reader (APISIX, Kong decK and Admin API exports, nginx, Envoy, Traefik, Kubernetes
manifests, AWS API Gateway exports and templates), and the kubeconfig and Kustomize readers, records
every credential written as a literal rather than an environment or
secret-manager reference (config fields, headers, Kubernetes Secret objects, credentials in logger and
exporter URLs: `sources/gateways/url_credentials`), by place only (file, line, JSON pointer): the value
never enters the model, so no finding can show it. That finding is estate-wide (no endpoints), judged on the
config files (`enforced`). Traffic keeps the names of query-string keys per endpoint, never their
values: an endpoint whose requests carried a credential-named key (`api_key`, `access_token`: the
catalogue's `url_secret_keys`) leaks it to every log on the way (`observed`). Unknown when neither a
checked config nor traffic was given; with traffic alone nothing shows where credentials are kept, so
the control is unknown unless the URLs already show a leak (then never better than partial).
"""

from __future__ import annotations

from riskscan.controls.catalogue import Control, render
from riskscan.controls.outcome import (
    ControlOutcome,
    FindingDraft,
    draft_finding,
    plural,
    reachable_endpoints,
    short_of_core,
    unknown_outcome,
)
from riskscan.model import Endpoint, Evidence, EvidenceStrength, Inventory

__all__ = ["evaluate_secrets_hygiene"]


def evaluate_secrets_hygiene(inventory: Inventory, control: Control) -> ControlOutcome:
    """Judge the checked gateway configs and the query keys traffic carried."""
    if not inventory.secrets_checked and not inventory.has_traffic:
        return unknown_outcome(control, "not_checked" if inventory.has_gateway else "no_gateway")
    places = inventory.clear_secrets
    fields = {
        "places": plural(len(places), "credential"),
        "files": ", ".join(sorted({item.path for item in places})),
        "checked": ", ".join(inventory.secrets_checked) or "none",
    }
    drafts = [_clear_draft(control, places, fields)] if places else []
    secret_keys = control.words("url_secret_keys")
    in_urls = [e for e in reachable_endpoints(inventory) if _url_secrets(e, secret_keys)]
    if in_urls:
        keys = sorted({key for e in in_urls for key in _url_secrets(e, secret_keys)})
        requests = sum(count for e in in_urls for key, count in (e.traffic.query_keys.items() if e.traffic else ())
                       if key.lower() in secret_keys)
        evidence = [item for e in in_urls for item in (e.traffic.evidence if e.traffic else ())]
        drafts.append(draft_finding(control, "SECRET_IN_URL", in_urls, evidence,
                                    keys=", ".join(keys), requests=f"{requests:,}"))
    with_traffic = [e for e in reachable_endpoints(inventory) if e.traffic is not None]
    summary = render(control.summary, fields | {"in_urls": len({e.key for e in in_urls}),
                                                "with_traffic": len({e.key for e in with_traffic})},
                     where=f"{control.id} summary")
    strengths = dict.fromkeys(inventory.secrets_checked, EvidenceStrength.ENFORCED)
    strengths.update(dict.fromkeys((e.key for e in with_traffic), EvidenceStrength.OBSERVED))
    outcome = ControlOutcome(
        control=control, applicable=tuple(sorted({e.key for e in with_traffic})), summary=summary,
        drafts=tuple(drafts),
        limitations=tuple(control.limitation(key) for key in ("other_files",)
                          + _unchecked(inventory)),
        evidence=tuple(Evidence(path=path, note="checked for credentials written in clear")
                       for path in inventory.secrets_checked),
        # Config files and endpoints: the clear-secret finding is estate-wide, the URL one per endpoint.
        strengths=strengths,
    )
    # Traffic shows credentials in URLs, never where they are kept: without a checked config no pass.
    unchecked = _unchecked(inventory)
    return short_of_core(outcome, unchecked[0]) if unchecked else outcome


def _clear_draft(control: Control, places: tuple[Evidence, ...], fields: dict[str, str]) -> FindingDraft:
    """The estate-wide finding listing every place a credential is written in clear."""
    return draft_finding(control, "SECRET_IN_CLEAR", (), places, **fields)


def _unchecked(inventory: Inventory) -> tuple[str, ...]:
    """Why no config was checked, when none was: none given, or none a reader could check."""
    if inventory.secrets_checked:
        return ()
    return ("not_checked",) if inventory.has_gateway else ("no_gateway",)


def _url_secrets(endpoint: Endpoint, secret_keys: frozenset[str]) -> list[str]:
    """The credential-named query keys the endpoint's traffic carried (names only)."""
    if endpoint.traffic is None:
        return []
    return [key for key in endpoint.traffic.query_keys if key.lower() in secret_keys]
