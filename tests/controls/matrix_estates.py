"""The estates of the control status matrix (tests/controls/test_control_matrix.py), four per control.

Each estate is the smallest slice of Harbor Assurance's claims and policies API (tests/controls/
conftest.py) that still reads like a real one, built from model types as the inventory stage would
hand them over. `cell` registers an estate with what a user must see for it: the status, the finding
codes and severities, and where the evidence points. Its docstring says what the estate shows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from riskscan.model import (
    AuthKind,
    AuthPosture,
    Endpoint,
    Evidence,
    InputFamily,
    Inventory,
    Lifecycle,
    RateLimitPosture,
    Severity,
    SightingSource,
    TrafficStats,
)
from tests.controls.conftest import GATEWAY, SPEC, make_endpoint, traffic

PRESENT, ABSENT, PARTIAL, NOT_OBSERVABLE = "present", "absent", "partial", "not_observable"
STATES = (PRESENT, ABSENT, PARTIAL, NOT_OBSERVABLE)
ALL_INPUTS = {"has_specs": True, "has_gateway": True, "has_traffic": True}

Estate = Callable[[], Inventory]


@dataclass(frozen=True)
class Cell:
    """One cell of the matrix: a control, a state, the estate that shows it and what a user sees.

    `findings` are the (code, severity) pairs the control raises; `evidence` the file the cited
    evidence points into; `some` says a partial control is in place on some endpoints and missing on
    others (else it is a medium or low weakness everywhere); `missing` the input kind that would show
    a control not observable, and `limitation` words of the limitation that says so."""

    control: str
    state: str
    estate: Estate
    findings: frozenset[tuple[str, Severity]] = frozenset()
    evidence: str = GATEWAY
    some: bool = False
    missing: InputFamily | None = None
    limitation: str = ""
    why: str = ""

    @property
    def id(self) -> str:
        """The test id, as the matrix reads: `auth-present`."""
        return f"{self.control}-{self.state}"


CELLS: list[Cell] = []


def cell(
    control: str, state: str, *found: tuple[str, Severity], **expected: object
) -> Callable[[Estate], Estate]:
    """Register the decorated estate as the `state` cell of `control`, raising the `found` findings."""
    def register(estate: Estate) -> Estate:
        CELLS.append(Cell(control, state, estate, frozenset(found), why=estate.__doc__ or "",
                          **expected))  # type: ignore[arg-type]
        return estate
    return register


def estate(*endpoints: Endpoint, **inputs: object) -> Inventory:
    """An inventory of `endpoints`; every input kind given unless `inputs` says otherwise."""
    return Inventory(endpoints=endpoints, **(ALL_INPUTS | inputs))


def logged_only(method: str, path: str, seen: TrafficStats) -> Endpoint:
    """An endpoint as access logs alone show it: called, in no spec and on no route, nothing shown to
    guard, throttle or log it."""
    unshown = AuthPosture(effective=AuthKind.NONE, allows_anonymous=True)
    return Endpoint(method=method, path=path, sources=(SightingSource.TRAFFIC,), lifecycle=Lifecycle.SHADOW,
                    lifecycle_reason="called, in no spec", auth=unshown,
                    rate_limit=RateLimitPosture(enforced=None), traffic=seen, evidence=seen.evidence)


def documented_only(method: str, path: str, line: int, **fields: object) -> Endpoint:
    """An endpoint as specs alone show it: documented, OIDC declared, nothing routed or called."""
    pointer = f"/paths/{path.replace('/', '~1')}/{method.lower()}"
    defaults: dict[str, object] = {
        "sources": (SightingSource.SPEC,), "route_ids": (), "lifecycle_reason": "documented",
        "auth": AuthPosture(effective=AuthKind.OIDC, declared=(AuthKind.OIDC,),
                            enforced_by="spec (declared, not verified)",
                            evidence=(Evidence(path=SPEC, line=line),)),
        "rate_limit": RateLimitPosture(enforced=None), "loggers": (), "monitors": (), "is_logged": None,
        "upstreams": (), "cors": None, "evidence": (Evidence(path=SPEC, line=line, pointer=pointer),),
    }
    return make_endpoint(method, path, **(defaults | fields))


def claims(**fields: object) -> tuple[Endpoint, Endpoint]:
    """Reading and filing claims, on the claims-prod route, both with `fields`."""
    return (make_endpoint("GET", "/v2/claims/{claimId}", line=14, **fields),
            make_endpoint("POST", "/v2/claims", line=14, **fields))


def policy(**fields: object) -> Endpoint:
    """Reading a policy, on the policies-prod route."""
    return make_endpoint("GET", "/v2/policies/{policyId}", route_id="policies-prod", line=40, **fields)


def week_of_calls(requests: int = 400, first_line: int = 1, **stats: object) -> TrafficStats:
    """A week of ordinary calls from a dozen partners, with `stats` on top."""
    return traffic(requests, 12, 3, first_line).model_copy(update=stats)


def specs_only(*endpoints: Endpoint) -> Inventory:
    """A scan given specs and nothing else."""
    return estate(*endpoints, has_gateway=False, has_traffic=False)


def logs_only(*endpoints: Endpoint) -> Inventory:
    """A scan given access logs and nothing else."""
    return estate(*endpoints, has_specs=False, has_gateway=False)


def spec_claims() -> tuple[Endpoint, Endpoint]:
    """The claims API as its spec alone documents it."""
    return (documented_only("GET", "/v2/claims/{claimId}", 27), documented_only("POST", "/v2/claims", 52))


def called_claims() -> tuple[Endpoint, Endpoint]:
    """The claims API as a week of access logs alone shows it."""
    return (logged_only("GET", "/v2/claims/{claimId}", week_of_calls()),
            logged_only("POST", "/v2/claims", week_of_calls(80, 3)))
