"""Matrix estates for the controls the gateway and the estate as a whole show: monitoring, inventory
hygiene, secrets hygiene, third-party upstreams, transport security, availability and misconfiguration."""

from __future__ import annotations

from pathlib import Path

from riskscan.inventory import build_inventory
from riskscan.model import (
    ClientTransport,
    CorsPolicy,
    Endpoint,
    Evidence,
    InputFamily,
    Inventory,
    Lifecycle,
    Severity,
    SightingSource,
    TlsSetting,
    Upstream,
)
from riskscan.sources import ReadContext
from riskscan.sources.gateways.apisix import ApisixReader
from tests.controls.conftest import CLAIMS_UPSTREAM, GATEWAY, LOG, make_endpoint, no_auth, route_evidence
from tests.controls.matrix_estates import (
    ABSENT,
    NOT_OBSERVABLE,
    PARTIAL,
    PRESENT,
    called_claims,
    cell,
    claims,
    estate,
    logs_only,
    policy,
    spec_claims,
    specs_only,
    week_of_calls,
)

HIGH, MEDIUM, LOW = Severity.HIGH, Severity.MEDIUM, Severity.LOW


def upstream(*hosts: str, line: int, **fields: object) -> Upstream:
    """An upstream of the claims gateway (two internal nodes, health checks and timeouts by default)."""
    values: dict[str, object] = {"hosts": hosts or CLAIMS_UPSTREAM.hosts, "nodes": len(hosts) or 2,
                                 "scheme": "https", "has_health_checks": True, "has_timeouts": True}
    where = Evidence(path=GATEWAY, line=line, pointer=f"/upstreams/{line}")
    return Upstream(evidence=where, **(values | fields))  # type: ignore[arg-type]


def gateway_and_specs(*endpoints: Endpoint) -> Inventory:
    return estate(*endpoints, has_traffic=False)


def specs_and_logs(*endpoints: Endpoint) -> Inventory:
    return estate(*endpoints, has_gateway=False)


# --- monitoring -------------------------------------------------------------------------------------

@cell("monitoring", PRESENT)
def monitoring_present() -> Inventory:
    """Every route logs (http-logger), exports metrics (prometheus) and tags requests (request-id)."""
    return gateway_and_specs(*claims(), policy())


@cell("monitoring", ABSENT, ("LOG_UNLOGGED", MEDIUM), ("LOG_NO_METRICS", MEDIUM), ("LOG_NO_CORRELATION", LOW))
def monitoring_absent() -> Inventory:
    """No logger, metrics or correlation plugin on any route or global rule: requests leave no record."""
    return gateway_and_specs(*claims(loggers=(), monitors=(), is_logged=False),
                             policy(loggers=(), monitors=(), is_logged=False))


@cell("monitoring", PARTIAL, ("LOG_NO_CORRELATION", LOW))
def monitoring_partial() -> Inventory:
    """A low weakness: every route is logged and metered, but none carries a correlation id."""
    return gateway_and_specs(*claims(monitors=("prometheus",)), policy(monitors=("prometheus",)))


@cell("monitoring", NOT_OBSERVABLE, missing=InputFamily.GATEWAYS, limitation="No gateway routing config was given")
def monitoring_not_observable() -> Inventory:
    """Specs and access logs, no gateway config: some requests were logged, not that every route is."""
    return specs_and_logs(*(e.model_copy(update={"is_logged": None, "loggers": (), "monitors": (),
                                                 "route_ids": ()}) for e in claims(traffic=week_of_calls())))


# --- inventory_hygiene ------------------------------------------------------------------------------

def shadow_export(**fields: object) -> Endpoint:
    """Routed and called, in no spec."""
    defaults: dict[str, object] = {
        "sources": (SightingSource.GATEWAY, SightingSource.TRAFFIC), "lifecycle": Lifecycle.SHADOW,
        "lifecycle_reason": "routed and called, in no spec", "traffic": week_of_calls(35, 21)}
    return make_endpoint("GET", "/v2/exports/claims", route_id="claims-export", line=60,
                         **(defaults | fields))


@cell("inventory_hygiene", PRESENT)
def inventory_hygiene_present() -> Inventory:
    """Every routed and called endpoint is documented and current."""
    return estate(*claims(traffic=week_of_calls()), policy(traffic=week_of_calls(900, 11)))


@cell("inventory_hygiene", ABSENT, ("INV_ZOMBIE", HIGH), ("INV_SHADOW_ANONYMOUS", HIGH))
def inventory_hygiene_absent() -> Inventory:
    """A superseded v1 policy API still called, and an undocumented anonymous export beside it."""
    zombie = make_endpoint(
        "GET", "/v1/policies/{policyId}", route_id="policies-v1", line=80, lifecycle=Lifecycle.ZOMBIE,
        lifecycle_reason="superseded by GET /v2/policies/{policyId}", deprecated=True,
        superseded_by="GET /v2/policies/{policyId}", traffic=week_of_calls(120, 31))
    return estate(zombie, shadow_export(auth=no_auth(route_evidence("claims-export", 60))))


@cell("inventory_hygiene", PARTIAL, ("INV_SHADOW", MEDIUM), some=True)
def inventory_hygiene_partial() -> Inventory:
    """Some endpoints: claims and policies documented; an authenticated claims export in no spec."""
    return estate(*claims(traffic=week_of_calls()), policy(traffic=week_of_calls(900, 11)), shadow_export())


@cell("inventory_hygiene", NOT_OBSERVABLE, missing=InputFamily.GATEWAYS, limitation="Only specs were given")
def inventory_hygiene_not_observable() -> Inventory:
    """Specs alone: nothing to compare them with, so shadow and zombie endpoints cannot be found."""
    return specs_only(*spec_claims())


# --- secrets_hygiene --------------------------------------------------------------------------------

SECRETS = Path(__file__).resolve().parents[1] / "fixtures" / "apisix" / "secrets"
IN_CLEAR, FROM_ENV = "claims-oidc-secret-in-clear.yaml", "claims-oidc-secret-from-env.yaml"
PLANTED = ("HARBOR-PLANTED-OIDC-SECRET-41c7e2", "HARBOR-PLANTED-PARTNER-KEY-9d20b4")


def read_gateway(name: str) -> Inventory:
    """The inventory of one APISIX file, read by the real reader: where credentials sit in a config is
    shown only by reading it."""
    return build_inventory([], [ApisixReader().read(SECRETS / name, ReadContext(root=SECRETS))], [])


@cell("secrets_hygiene", PRESENT, evidence=FROM_ENV)
def secrets_hygiene_present() -> Inventory:
    """The gateway config was checked: the OIDC client secret and the partner key are $env:// and
    $secret:// references."""
    return read_gateway(FROM_ENV)


@cell("secrets_hygiene", ABSENT, ("SECRET_IN_CLEAR", HIGH), evidence=IN_CLEAR)
def secrets_hygiene_absent() -> Inventory:
    """The OIDC client secret and a partner's API key are written in clear in the gateway config."""
    return read_gateway(IN_CLEAR)


@cell("secrets_hygiene", PARTIAL, ("SECRET_IN_URL", HIGH), evidence=LOG, some=True)
def secrets_hygiene_partial() -> Inventory:
    """Some endpoints: the config keeps no secret in clear, but one partner sends its API key in the
    query string to the policy endpoint, and the access log has it on every line."""
    leaked = week_of_calls(900, 11, query_keys={"api_key": 310})
    return estate(*claims(traffic=week_of_calls()), policy(traffic=leaked), secrets_checked=(GATEWAY,))


@cell("secrets_hygiene", NOT_OBSERVABLE, missing=InputFamily.GATEWAYS,
      limitation="No gateway config was given")
def secrets_hygiene_not_observable() -> Inventory:
    """Specs alone: where the gateway keeps its credentials is not shown."""
    return specs_only(*spec_claims())


# --- third_party ------------------------------------------------------------------------------------

PARTNER_TPA = "claims.tpa-partner.example"


@cell("third_party", PRESENT)
def third_party_present() -> Inventory:
    """Every route sends requests to the insurer's own internal nodes."""
    return gateway_and_specs(*claims(), policy())


@cell("third_party", ABSENT, ("UPSTREAM_THIRD_PARTY", MEDIUM))
def third_party_absent() -> Inventory:
    """The whole claims API is proxied to a third-party administrator's service."""
    return gateway_and_specs(*claims(upstreams=(upstream(PARTNER_TPA, line=5, nodes=2),)))


@cell("third_party", PARTIAL, ("UPSTREAM_THIRD_PARTY", MEDIUM), some=True)
def third_party_partial() -> Inventory:
    """Some endpoints: claims stay in house; policies are served by the broker platform's API."""
    broker = upstream("policies.broker-platform.example", line=7)
    return gateway_and_specs(*claims(), policy(upstreams=(broker,)))


@cell("third_party", NOT_OBSERVABLE, missing=InputFamily.GATEWAYS, limitation="where requests go")
def third_party_not_observable() -> Inventory:
    """Specs and access logs, no gateway config: where requests are forwarded is not shown."""
    return specs_and_logs(*called_claims())


# --- transport_security -----------------------------------------------------------------------------

def listener(is_plain: bool) -> tuple[ClientTransport, ...]:
    """The listener the routes are served on: plain HTTP, or TLS."""
    where = Evidence(path=GATEWAY, line=2, pointer="/listeners/0")
    return (ClientTransport(is_plain=is_plain, evidence=where),)


MODERN = TlsSetting(protocols=("TLSv1.2", "TLSv1.3"), allows_legacy=False,
                    evidence=Evidence(path=GATEWAY, line=4, pointer="/listeners/0/ssl_protocols"))


@cell("transport_security", PRESENT)
def transport_security_present() -> Inventory:
    """HTTPS-only listeners, TLS 1.2 and 1.3 named, and https to every backend."""
    return estate(*claims(client_transport=listener(False)), policy(client_transport=listener(False)),
                  has_traffic=False, tls_settings=(MODERN,), tls_checked=(GATEWAY,))


@cell("transport_security", ABSENT, ("TLS_PLAIN_CLIENT", HIGH))
def transport_security_absent() -> Inventory:
    """The claims API is served to clients on a plain-HTTP listener with no redirect."""
    return estate(*claims(client_transport=listener(True)), has_traffic=False, tls_checked=(GATEWAY,))


@cell("transport_security", PARTIAL, ("TLS_PLAIN_UPSTREAM", MEDIUM), some=True)
def transport_security_partial() -> Inventory:
    """Some endpoints: clients reach everything over HTTPS, but the policies backend is spoken to in
    plain HTTP (APISIX's default scheme)."""
    plain = upstream("policies-1.svc.harbor.internal", "policies-2.svc.harbor.internal", line=9, scheme=None)
    return estate(*claims(client_transport=listener(False)),
                  policy(client_transport=listener(False), upstreams=(plain,)),
                  has_traffic=False, tls_settings=(MODERN,), tls_checked=(GATEWAY,))


@cell("transport_security", NOT_OBSERVABLE, missing=InputFamily.GATEWAYS,
      limitation="No spec or gateway config")
def transport_security_not_observable() -> Inventory:
    """Access logs alone: they do not say how requests travelled."""
    return logs_only(*called_claims())


# --- availability -----------------------------------------------------------------------------------

@cell("availability", PRESENT)
def availability_present() -> Inventory:
    """Two nodes with active health checks and timeouts behind every route."""
    return gateway_and_specs(*claims(), policy())


@cell("availability", ABSENT, ("AVAIL_SINGLE_NODE", MEDIUM))
def availability_absent() -> Inventory:
    """Every route depends on one backend node with no circuit breaker."""
    single = upstream("claims-1.svc.harbor.internal", line=3)
    return gateway_and_specs(*claims(upstreams=(single,)), policy(upstreams=(single,)))


@cell("availability", PARTIAL, ("AVAIL_NO_TIMEOUTS", LOW))
def availability_partial() -> Inventory:
    """A low weakness: redundant, health-checked nodes, but no upstream sets a timeout."""
    slow = upstream(line=3, has_timeouts=False)
    return gateway_and_specs(*claims(upstreams=(slow,)), policy(upstreams=(slow,)))


@cell("availability", NOT_OBSERVABLE, missing=InputFamily.GATEWAYS, limitation="backend redundancy")
def availability_not_observable() -> Inventory:
    """Specs and access logs, no gateway config: how many nodes serve each endpoint is not shown."""
    return specs_and_logs(*called_claims())


# --- misconfiguration -------------------------------------------------------------------------------

def cors(any_origin: bool, credentials: bool) -> tuple[CorsPolicy, ...]:
    return (CorsPolicy(allows_any_origin=any_origin, allows_credentials=credentials,
                       evidence=Evidence(path=GATEWAY, line=24, pointer="/routes/claims-prod/plugins/cors")),)


@cell("misconfiguration", PRESENT)
def misconfiguration_present() -> Inventory:
    """CORS names the portal's origin only, and the week's traffic has no burst of server errors."""
    return estate(*claims(cors=cors(False, True), traffic=week_of_calls()))


@cell("misconfiguration", ABSENT, ("MISC_CORS_CREDENTIALS", HIGH))
def misconfiguration_absent() -> Inventory:
    """CORS allows any origin with credentials on the claims routes: any web page can act as the customer."""
    return estate(*claims(cors=cors(True, True), traffic=week_of_calls()))


@cell("misconfiguration", PARTIAL, ("MISC_CORS_ANY_ORIGIN", LOW))
def misconfiguration_partial() -> Inventory:
    """A low weakness: CORS allows any origin, without credentials (APISIX's default)."""
    return estate(*claims(cors=cors(True, False), traffic=week_of_calls()))


@cell("misconfiguration", NOT_OBSERVABLE, missing=InputFamily.TRAFFIC, limitation="Neither a gateway config")
def misconfiguration_not_observable() -> Inventory:
    """Specs alone: neither CORS policies nor error rates are shown."""
    return specs_only(*spec_claims())
