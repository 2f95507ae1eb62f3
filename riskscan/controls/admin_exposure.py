"""Gateway management APIs open to the network (OWASP API5:2023, judged under function authorization).

A gateway's Admin API configures every route, plugin and credential it holds: whoever reaches it owns
the gateway. The runtime configs show it (kong.conf `admin_listen`, APISIX config.yaml
`deployment.admin`): reachable from the network with nothing asking who calls (Kong's open-source
Admin API over plain HTTP, APISIX with `admin_key_required: false`) or with a publicly known default
key is critical; reachable from the network behind TLS only or an admin key alone is high. Estate-wide
findings (no endpoints), each citing the setting's place; the configs checked are the pass's evidence.
"""

from __future__ import annotations

from dataclasses import replace

from riskscan.controls.by_reference import by_reference_fields
from riskscan.controls.catalogue import Control
from riskscan.controls.outcome import ControlOutcome, FindingDraft, draft_finding
from riskscan.model import AdminExposureKind, Evidence, EvidenceStrength, Inventory

__all__ = ["with_admin_exposure"]

_ADMIN_SETTINGS = frozenset({"admin_listen", "admin_gui_listen", "enforce_rbac", "allow_admin", "admin_key_required",
                             "enable_admin", "role"})
_CODES = {
    AdminExposureKind.UNAUTHENTICATED: "FUNC_ADMIN_API_UNAUTHENTICATED",
    AdminExposureKind.DEFAULT_KEY: "FUNC_ADMIN_DEFAULT_KEY",
    AdminExposureKind.NETWORK: "FUNC_ADMIN_API_NETWORK",
}


def admin_drafts(inventory: Inventory, control: Control) -> list[FindingDraft]:
    """One estate-wide finding per kind of exposure, listing each place."""
    drafts = []
    for kind, code in _CODES.items():
        found = [item for item in inventory.admin_exposures if item.kind is kind]
        if found:
            gateways = ", ".join(sorted({item.gateway for item in found}))
            files = ", ".join(sorted({item.evidence.path for item in found}))
            drafts.append(draft_finding(control, code, (), [item.evidence for item in found],
                                        places=len(found), gateways=gateways, files=files))
    return drafts


def with_admin_exposure(outcome: ControlOutcome, inventory: Inventory, control: Control) -> ControlOutcome:
    """The endpoint verdict with the Admin API's: its findings added, the runtime configs checked cited
    (enforced: the gateway's own settings). Without a runtime config the outcome is unchanged."""
    if not inventory.admin_checked:
        return outcome
    checked = tuple(Evidence(path=path, note="checked for an Admin API reachable from the network")
                    for path in inventory.admin_checked)
    strengths = dict(outcome.strengths)
    strengths.update(dict.fromkeys(inventory.admin_checked, EvidenceStrength.ENFORCED))
    judged = outcome.applicable is not None
    lead = outcome.summary if judged else "No endpoint's authorization could be judged."
    referenced = by_reference_fields(inventory, _ADMIN_SETTINGS)
    limitations = [control.limitation("admin_by_reference", **referenced)] if referenced else []
    return replace(outcome, applicable=outcome.applicable or (),
                   summary=f"{lead} {_admin_sentence(inventory, referenced is not None)}",
                   drafts=outcome.drafts + tuple(admin_drafts(inventory, control)),
                   evidence=outcome.evidence + checked, strengths=strengths,
                   limitations=(*outcome.limitations, *limitations))


def _admin_sentence(inventory: Inventory, has_unknowns: bool) -> str:
    exposed = len(inventory.admin_exposures)
    files = ", ".join(inventory.admin_checked)
    if not exposed and has_unknowns:
        return (f"The gateway runtime configs read ({files}) show no Admin API on the network, but set"
                " where it listens, or whether it asks who calls, by reference.")
    if not exposed:
        return f"The gateway runtime configs read ({files}) keep the Admin API off the network."
    return f"The gateway runtime configs read ({files}) open the Admin API at {exposed} place(s)."
