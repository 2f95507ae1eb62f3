"""Model objects for inventory tests: a small insurer (Harbor Assurance) built directly, no files read.

Harbor publishes a Claims API (v2, with a superseded v1 still routed) and a Policies API behind
APISIX, with production and sandbox routes, an internal export route nobody documented, a debug route
and a disabled admin route; a week of traffic includes a partner walking claim ids, scanners probing
`/wp-login.php` and an undocumented orders API.
"""

from __future__ import annotations

import hashlib

from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from riskscan.model import (
    ApiSpec,
    AuthKind,
    AuthRequirement,
    ClientTraffic,
    Evidence,
    GatewayConfig,
    GatewayRoute,
    Parameter,
    ParameterLocation,
    PathTraffic,
    PluginRef,
    RateLimitPolicy,
    SpecOperation,
    TrafficSample,
)
from riskscan.sources.traffic.reduce import reduce_path

CLAIMS_SPEC = "specs/claims-api.yaml"
POLICIES_SPEC = "specs/policies-api.yaml"
GATEWAY = "gateway/apisix.yaml"
LOG = "logs/access.log"
HOST = "api.harbor-assurance.example"

OAUTH = AuthRequirement(kind=AuthKind.OAUTH2, scheme="partnerOAuth", scopes=("claims:read",))
API_KEY = AuthRequirement(kind=AuthKind.API_KEY, scheme="partnerKey", location="header X-Api-Key")


class Make:
    """Factories with realistic defaults; tests override what they are about."""

    @staticmethod
    def op(
        method: str,
        path: str,
        *,
        operation_id: str | None = None,
        security: tuple[tuple[AuthRequirement, ...], ...] = ((OAUTH,),),
        deprecated: bool = False,
        host: str | None = HOST,
        alternate_paths: tuple[str, ...] = (),
        line: int = 1,
        spec: str = CLAIMS_SPEC,
    ) -> SpecOperation:
        params = tuple(
            Parameter(name=segment.strip("{}"), location=ParameterLocation.PATH, required=True)
            for segment in path.split("/")
            if segment.startswith("{") and segment.endswith("}")
        )
        return SpecOperation(
            method=method,
            path=path,
            host=host,
            alternate_paths=alternate_paths,
            operation_id=operation_id,
            summary=operation_id,
            parameters=params,
            security=security,
            deprecated=deprecated,
            evidence=Evidence(
                path=spec, line=line, pointer=f"/paths/{path.replace('/', '~1')}/{method.lower()}"
            ),
        )

    @staticmethod
    def spec(path: str, title: str, version: str, *operations: SpecOperation) -> ApiSpec:
        return ApiSpec(
            path=path, title=title, version=version, spec_format="openapi 3.1.0", operations=operations
        )

    @staticmethod
    def route(
        route_id: str,
        *uris: str,
        methods: tuple[str, ...] = (),
        auth: tuple[AuthRequirement, ...] = (),
        limits: tuple[tuple[str, float, float], ...] = (),
        loggers: tuple[str, ...] = (),
        monitors: tuple[str, ...] = ("prometheus",),
        conditions: tuple[str, ...] = (),
        hosts: tuple[str, ...] = (),
        enabled: bool = True,
        line: int = 10,
    ) -> GatewayRoute:
        evidence = Evidence(path=GATEWAY, line=line, pointer=f"/routes/{route_id}")
        plugins = tuple(
            PluginRef(
                name=requirement.scheme,
                attached_to="route",
                evidence=evidence.model_copy(update={"line": line + 3}),
            )
            for requirement in auth
        )
        return GatewayRoute(
            gateway="apisix",
            route_id=route_id,
            uris=uris,
            methods=methods,
            hosts=hosts,
            conditions=conditions,
            is_enabled=enabled,
            plugins=plugins,
            auth=auth,
            rate_limits=tuple(
                RateLimitPolicy(
                    plugin="limit-count", key=key, limit=limit, window_seconds=window, evidence=evidence
                )
                for key, limit, window in limits
            ),
            loggers=loggers,
            monitors=monitors,
            evidence=evidence,
        )

    @staticmethod
    def gateway(*routes: GatewayRoute) -> GatewayConfig:
        return GatewayConfig(path=GATEWAY, gateway="apisix", routes=routes)

    @staticmethod
    def hit(
        method: str,
        path: str,
        *,
        requests: int = 1,
        status: dict[str, int] | None = None,
        not_found: int = 0,
        clients: frozenset[int] = frozenset({1}),
        host: str | None = None,
        line: int = 1,
        day: int = 9,
    ) -> PathTraffic:
        """The traffic a reader gives for `requests` requests to the concrete `path`: reduced as the
        readers reduce it, each client having called that one object."""
        reduced, number = reduce_path(path)
        keys = hashlib.blake2b(path.encode(), digest_size=8).digest()  # one object: its 8-byte key
        return PathTraffic(
            method=method,
            path=reduced,
            host=host,
            requests=requests,
            status_classes=status if status is not None else {"2xx": requests},
            clients=tuple(
                ClientTraffic(
                    client_id=client,
                    requests=max(requests // len(clients), 1),
                    object_keys=keys,
                    lowest_id=number,
                    highest_id=number,
                )
                for client in sorted(clients)
            ),
            not_found=not_found,
            first_seen=datetime(2026, 11, day, 8, 0, tzinfo=UTC),
            last_seen=datetime(2026, 11, day, 18, 0, tzinfo=UTC),
            sample_lines=(line,),
        )

    @staticmethod
    def log(*hits: PathTraffic, path: str = LOG) -> TrafficSample:
        return TrafficSample(
            path=path,
            format="combined",
            total_lines=sum(hit.requests for hit in hits),
            parsed_lines=sum(hit.requests for hit in hits),
            rejected_lines=0,
            paths=hits,
        )


@dataclass(frozen=True)
class Estate:
    """Harbor Assurance's inputs."""

    specs: tuple[ApiSpec, ...]
    gateway: GatewayConfig
    traffic: TrafficSample


def harbor_specs() -> tuple[ApiSpec, ...]:
    claims = Make.spec(
        CLAIMS_SPEC,
        "Harbor Claims API",
        "2.1.0",
        Make.op("GET", "/v2/claims", operation_id="listClaims", line=20),
        Make.op("POST", "/v2/claims", operation_id="createClaim", line=40),
        Make.op("GET", "/v2/claims/search", operation_id="searchClaims", line=60),
        Make.op("GET", "/v2/claims/{claimId}", operation_id="getClaim", line=80),
        Make.op(
            "GET", "/v2/claims/{claimId}/documents/{name}.pdf", operation_id="getClaimDocument", line=100
        ),
        Make.op("POST", "/v2/claims/{claimId}:withdraw", operation_id="withdrawClaim", line=120),
        Make.op("GET", "/v1/claims/{id}", operation_id="getClaimV1", line=140),
        Make.op("GET", "/v1/claims/{id}/status", operation_id="getClaimStatusV1", deprecated=True, line=160),
    )
    policies = Make.spec(
        POLICIES_SPEC,
        "Harbor Policies API",
        "1.4.0",
        Make.op(
            "GET",
            "/v1/policies/{policyId}",
            operation_id="getPolicy",
            security=((API_KEY,), (OAUTH,)),
            host=None,
            alternate_paths=("/partner/v1/policies/{policyId}",),
            spec=POLICIES_SPEC,
        ),
        Make.op(
            "GET",
            "/v1/policies/{policyId}/coverage",
            operation_id="verifyCoverage",
            security=((), (API_KEY,)),
            host=None,
            spec=POLICIES_SPEC,
        ),
        Make.op(
            "DELETE", "/v1/policies/{policyId}", operation_id="cancelPolicy", host=None, spec=POLICIES_SPEC
        ),
    )
    return (claims, policies)


def harbor_gateway() -> GatewayConfig:
    oidc = AuthRequirement(kind=AuthKind.OIDC, scheme="openid-connect")
    key_auth = AuthRequirement(kind=AuthKind.API_KEY, scheme="key-auth")
    return Make.gateway(
        Make.route(
            "claims-prod",
            "/v2/claims",
            "/v2/claims/*",
            methods=("GET", "POST", "HEAD"),
            auth=(oidc,),
            limits=(("http_x_partner_id", 600, 60),),
            loggers=("http-logger",),
            line=14,
        ),
        Make.route(
            "claims-sandbox",
            "/v2/claims",
            "/v2/claims/*",
            methods=("GET", "POST"),
            auth=(key_auth,),
            limits=(("http_x_partner_id", 60, 60),),
            conditions=("http_x_env == sandbox",),
            line=40,
        ),
        Make.route("legacy-claims", "/v1/claims/*", methods=("GET",), line=60),
        Make.route("policies", "/v1/policies/*", methods=("GET",), auth=(key_auth,), line=70),
        Make.route("internal-export", "/internal/export/*", loggers=(), line=80),
        Make.route("debug-vars", "/debug/vars", methods=("GET",), line=90),
        Make.route("ops", "/ops/*", line=95),
        Make.route("admin", "/admin/*", enabled=False, line=100),
    )


def harbor_traffic() -> TrafficSample:
    hit = Make.hit
    walker = frozenset({7})
    hits = [
        hit("GET", "/v2/claims", requests=40, clients=frozenset({1, 2}), line=3),
        hit("GET", "/v2/claims/", requests=2, line=4),
        hit("GET", "/v2/claims/search", requests=12, line=5),
        hit("HEAD", "/v2/claims/CLM-2026-0001", line=6),
        hit("GET", "/v2/claims/CLM-2026-0001/documents/police-report.pdf", line=7),
        hit("POST", "/v2/claims/CLM-2026-0001:withdraw", line=8),
        hit("GET", "/v2/claims/CLM-2026-0002/notes", requests=3, line=9),
        hit("GET", "/v1/claims/CLM-2025-0099", requests=1204, clients=frozenset({3}), line=10),
        hit("GET", "/v1/claims/CLM-2025-0099/status", requests=5, status={"2xx": 4, "5xx": 1}, line=11),
        hit("GET", "/v1/policies/pol-000123", requests=8, host=HOST, line=12),
        hit("GET", "/partner/v1/policies/pol-000124", requests=2, line=13),
        hit("GET", "/internal/export/2026-11-09", requests=2, clients=frozenset({9}), line=14),
        hit("GET", "/wp-login.php", requests=3, status={"4xx": 3}, not_found=3, clients=frozenset({66}), line=15),
        hit("GET", "/.env", requests=1, status={"4xx": 1}, not_found=1, clients=frozenset({66}), line=16),
    ]
    hits += [
        hit("GET", f"/v2/claims/CLM-2026-{number:04d}", requests=1, clients=walker, line=100 + number)
        for number in range(10, 35)
    ]
    hits += [hit("GET", f"/v3/orders/{number}", line=200 + number) for number in range(1, 31)]
    names = ["alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy", "mallory"]
    names += ["niaj", "olivia", "peggy", "rupert", "sybil", "trent", "victor", "walter", "yves", "zoe"]
    hits += [hit("GET", f"/brokers/{name}", line=300 + index) for index, name in enumerate(names)]
    return Make.log(*hits)


@pytest.fixture
def make() -> type[Make]:
    """The model factories."""
    return Make


@pytest.fixture
def estate() -> Estate:
    """Harbor Assurance: two specs, one APISIX config, one access log."""
    return Estate(specs=harbor_specs(), gateway=harbor_gateway(), traffic=harbor_traffic())
