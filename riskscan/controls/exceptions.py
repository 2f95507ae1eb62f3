"""Accepted risks: the `--exceptions FILE.yaml` a risk owner signs (or the `[[exceptions]]` of a
`riskscan.toml`, see `riskscan.config`), applied to a scan's findings.

```yaml
exceptions:
  - control: rate_limit            # or  finding: RATE-002  (an id of this scan)
    endpoints: ["POST /v2/brokers/applications"]   # optional: without it, every endpoint
    owner: Head of Partner Integration
    reason: Throttled by the WAF in front of the gateway (ticket RISK-112)
    expires: 2027-03-31
```

An entry accepts a finding of its control (or the finding with its id) when it names every endpoint
of that finding, or no endpoints at all. Accepted findings stay in every output, marked with owner
and expiry; the assessment's score and grade still count them, and a second score and grade leave
them out. An entry past its expiry date (compared with the scan's date) counts as absent and is
reported as expired; one naming only some endpoints of a finding leaves it standing (partial); one
matching nothing is reported as unmatched. A malformed entry stops the scan with one line naming the
file, the line and the problem: an exception silently ignored would misstate what was accepted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from riskscan.errors import UsageError
from riskscan.model import AcceptedRisk, Evidence, ExceptionStatus, Finding, RiskException
from riskscan.sources.structured import StructuredDocument, parse_structured_text
from riskscan.user_files import read_user_file

__all__ = ["ExceptionEntry", "apply_exceptions", "load_exceptions", "parse_exceptions", "validate_entry"]

_MAX_BYTES = 4 * 1024 * 1024
_MAX_ENTRIES = 10_000
_FINDING_ID = re.compile(r"^[A-Z][A-Z0-9]{1,7}-\d{3,}$")
_KEY = re.compile(r"^(\*|[A-Z]+) /\S*$")
_FIELDS = frozenset({"control", "finding", "endpoints", "owner", "reason", "expires"})


@dataclass(frozen=True)
class ExceptionEntry:
    """One validated entry of the exceptions file."""

    control: str | None
    finding: str | None
    endpoints: tuple[str, ...]
    owner: str
    reason: str
    expires: date
    evidence: Evidence

    def names(self, finding: Finding) -> bool:
        """True when this entry is about `finding` (its control or its id), whatever its endpoints."""
        return finding.id == self.finding if self.finding else finding.control == self.control

    def covers(self, finding: Finding) -> bool:
        """True when this entry names every endpoint of `finding` (or no endpoints at all)."""
        if not self.endpoints:
            return True
        return bool(finding.endpoints) and set(finding.endpoints) <= set(self.endpoints)


def load_exceptions(path: Path, control_ids: frozenset[str]) -> tuple[ExceptionEntry, ...]:
    """Read and validate the exceptions file; `UsageError` with one line naming the problem."""
    return parse_exceptions(read_user_file(path, "exceptions file", _MAX_BYTES), path, control_ids)


def parse_exceptions(text: str, path: Path, control_ids: frozenset[str]) -> tuple[ExceptionEntry, ...]:
    """Validate the exceptions text read from `path` (see the module docstring for the format)."""
    try:
        document = parse_structured_text(text, path, path.name)
    except Exception as error:  # the loader's own errors carry the file and line already
        raise UsageError(f"{path.name}: not valid YAML or JSON ({_reason(error)})") from None
    data = document.data
    entries = data.get("exceptions") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise UsageError(f"{path.name}:1: expected a top-level 'exceptions' list")
    if len(entries) > _MAX_ENTRIES:
        raise UsageError(f"{path.name}: more than {_MAX_ENTRIES} exceptions")
    return tuple(_entry(document, index, entry, control_ids) for index, entry in enumerate(entries))


def _entry(document: StructuredDocument, index: int, raw: Any, control_ids: frozenset[str]) -> ExceptionEntry:
    line = document.line_of(f"/exceptions/{index}")
    return validate_entry(raw, index, document.path.name, line, control_ids)


def validate_entry(
    raw: Any, index: int, file_name: str, line: int | None, control_ids: frozenset[str]
) -> ExceptionEntry:
    """Entry `index` (from 0) of an exceptions list read from `file_name` (YAML, JSON or the
    `[[exceptions]]` of riskscan.toml), or `UsageError`: one line naming the file, line and problem."""
    pointer = f"/exceptions/{index}"
    where = f"{file_name}:{line}" if line is not None else file_name

    def fail(problem: str) -> UsageError:
        return UsageError(f"{where}: exception {index + 1}: {problem}")

    if not isinstance(raw, dict):
        raise fail("must be a mapping with owner, reason, expires and a control or a finding")
    unknown = sorted(str(key) for key in raw if key not in _FIELDS)
    if unknown:
        raise fail(f"unknown field {unknown[0]!r} (allowed: {', '.join(sorted(_FIELDS))})")
    control, finding = raw.get("control"), raw.get("finding")
    if (control is None) == (finding is None):
        raise fail("give exactly one of 'control' and 'finding'")
    if control is not None and control not in control_ids:
        raise fail(f"'control' must be one of the catalogue's ids ({', '.join(sorted(control_ids))})")
    if finding is not None and not (isinstance(finding, str) and _FINDING_ID.match(finding)):
        raise fail("'finding' must be a finding id such as RATE-002")
    endpoints = raw.get("endpoints", [])
    if not isinstance(endpoints, list) or not all(isinstance(e, str) and _KEY.match(e) for e in endpoints):
        raise fail("'endpoints' must be a list of endpoints written as 'GET /v2/claims/{claimId}'")
    expires = _date(raw.get("expires"))
    if expires is None:
        raise fail("'expires' must be a date such as 2027-03-31")
    texts = {name: raw.get(name) for name in ("owner", "reason")}
    for name, value in texts.items():
        if not isinstance(value, str) or not value.strip():
            raise fail(f"'{name}' must be a non-empty text")
    return ExceptionEntry(
        control=control, finding=finding, endpoints=tuple(endpoints), owner=str(texts["owner"]).strip(),
        reason=str(texts["reason"]).strip(), expires=expires,
        evidence=Evidence(path=file_name, line=line, pointer=pointer),
    )


def apply_exceptions(
    findings: tuple[Finding, ...], entries: tuple[ExceptionEntry, ...], today: date
) -> tuple[tuple[Finding, ...], tuple[RiskException, ...]]:
    """Mark the findings active entries accept; say what became of every entry."""
    accepted: dict[str, AcceptedRisk] = {}
    outcomes = []
    for entry in entries:
        named = [f for f in findings if entry.names(f)]
        covered = [f for f in named if entry.covers(f)]
        status = _status(entry, named, covered, today)
        if status is ExceptionStatus.ACTIVE:
            risk = AcceptedRisk(owner=entry.owner, reason=entry.reason, expires=entry.expires,
                                evidence=entry.evidence)
            for finding in covered:
                accepted.setdefault(finding.id, risk)
        outcomes.append(RiskException(
            control=entry.control, finding=entry.finding, endpoints=entry.endpoints, owner=entry.owner,
            reason=entry.reason, expires=entry.expires, status=status,
            findings=tuple(f.id for f in (covered or named)), evidence=entry.evidence,
        ))
    marked = tuple(f.model_copy(update={"accepted": accepted[f.id]}) if f.id in accepted else f
                   for f in findings)
    return marked, tuple(outcomes)


def _status(
    entry: ExceptionEntry, named: list[Finding], covered: list[Finding], today: date
) -> ExceptionStatus:
    if entry.expires < today:
        return ExceptionStatus.EXPIRED
    if covered:
        return ExceptionStatus.ACTIVE
    return ExceptionStatus.PARTIAL if named else ExceptionStatus.UNMATCHED


def _date(value: object) -> date | None:
    """A YAML or TOML date, or text in ISO form (the safe loader keeps timestamps as text); a date
    with a time of day (a TOML datetime) is not an expiry date."""
    if isinstance(value, datetime):
        return None
    if isinstance(value, date):
        return value
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def _reason(error: Exception) -> str:
    """The loader's one-line reason, without the file name it repeats."""
    text = str(error).splitlines()[0] if str(error) else type(error).__name__
    return text.split(": ", 1)[-1][:120]
