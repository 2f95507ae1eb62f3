"""Secrets hygiene (OWASP API8:2023): credentials written in clear in gateway configs.

A gateway reader that checks (APISIX) records every credential field written as a literal rather than
an environment or secret-manager reference, by place only (file, line, JSON pointer): the value never
enters the model, so no finding can show it. The control is estate-wide: one finding listing every
place, which takes fixed points off (`estate_penalty`). Without a config whose reader checks secrets
the control is unknown. Evidence: the gateway configuration (`enforced`).
"""

from __future__ import annotations

from riskscan.controls.catalogue import Control, render
from riskscan.controls.outcome import ControlOutcome, FindingDraft, plural, unknown_outcome
from riskscan.model import Evidence, EvidenceStrength, Inventory

__all__ = ["evaluate_secrets_hygiene"]


def evaluate_secrets_hygiene(inventory: Inventory, control: Control) -> ControlOutcome:
    """Judge the gateway configs whose reader checks for credentials written in clear."""
    if not inventory.has_gateway:
        return unknown_outcome(control, "no_gateway")
    if not inventory.secrets_checked:
        return unknown_outcome(control, "not_checked")
    places = inventory.clear_secrets
    files = sorted({item.path for item in places})
    fields = {
        "places": plural(len(places), "credential"),
        "files": ", ".join(files),
        "checked": ", ".join(inventory.secrets_checked),
    }
    drafts = []
    if places:
        template = control.template("SECRET_IN_CLEAR")
        where = f"{control.id} finding SECRET_IN_CLEAR"
        drafts.append(FindingDraft(
            control=control.id, code=template.code, severity=template.severity,
            title=render(template.title, fields, where=where),
            detail=render(template.detail, fields, where=where),
            endpoints=(), evidence=places, owasp=template.owasp, remediation=template.remediation,
        ))
    summary = render(control.summary, fields | {"count": len(places)}, where=f"{control.id} summary")
    return ControlOutcome(
        control=control, applicable=(), summary=summary, drafts=tuple(drafts),
        limitations=tuple(control.limitation(key) for key in ("other_files", "logs")),
        evidence=tuple(Evidence(path=path, note="checked for credentials written in clear")
                       for path in inventory.secrets_checked),
        # An estate-wide control judges config files, not endpoints: its evidence counts are files.
        strengths=dict.fromkeys(inventory.secrets_checked, EvidenceStrength.ENFORCED),
    )
