"""The catalogue as plain text, for `riskscan controls`: what each control checks and why it matters.

Built here rather than in `cli.py` so that the command stays thin and the text is testable without a
terminal. Everything comes from `catalogue.yaml`: the listing can never disagree with the scoring.
"""

from __future__ import annotations

import textwrap

from riskscan.controls.catalogue import Catalogue, Control

__all__ = ["catalogue_listing"]

_WIDTH = 100
_INDENT = "    "


def catalogue_listing(catalogue: Catalogue) -> str:
    """Every control in report order: id and name, weight and OWASP references, then what it checks,
    why an insurer cares and the remediation, each wrapped to 100 columns."""
    total = sum(control.weight for control in catalogue.controls)
    heading = f"{len(catalogue.controls)} controls; weights add up to {total:g} (see docs/scoring.md)."
    return "\n\n".join([heading, *(_control_text(control, total) for control in catalogue.controls)]) + "\n"


def _control_text(control: Control, total: float) -> str:
    owasp = ", ".join(control.owasp) or "none"
    facts = (
        f"weight {control.weight:g} of {total:g} · OWASP {owasp} · "
        f"findings {control.finding_prefix}-nnn ({len(control.findings)} kinds)"
    )
    lines = [f"{control.id}: {control.name}", _INDENT + facts]
    for label, text in (
        ("Checks", control.description),
        ("Why an insurer cares", control.insurer_concern),
        ("Remediation", control.remediation),
    ):
        wrapped = textwrap.fill(f"{label}: {text}", _WIDTH, initial_indent=_INDENT, subsequent_indent=_INDENT * 2)
        lines.append(wrapped)
    return "\n".join(lines)
