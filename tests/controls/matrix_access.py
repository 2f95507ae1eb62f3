"""Matrix estates for the controls on who may call what: authentication, rate limiting, object- and
function-level authorization, credential stuffing, data exposure and input validation."""

from __future__ import annotations

from riskscan.model import (
    AuthKind,
    AuthPosture,
    DataClass,
    Endpoint,
    Evidence,
    FieldLocation,
    IdGuessability,
    InputFamily,
    Inventory,
    RateLimitKeying,
    RateLimitPosture,
    SensitiveField,
    Severity,
    TrafficStats,
)
from tests.controls.conftest import (
    GATEWAY,
    LOG,
    SPEC,
    UNLIMITED,
    gateway_auth,
    make_endpoint,
    no_auth,
    route_evidence,
)
from tests.controls.matrix_estates import (
    ABSENT,
    NOT_OBSERVABLE,
    PARTIAL,
    PRESENT,
    called_claims,
    cell,
    claims,
    documented_only,
    estate,
    logs_only,
    policy,
    spec_claims,
    specs_only,
    week_of_calls,
)

HIGH, MEDIUM, LOW, CRITICAL = Severity.HIGH, Severity.MEDIUM, Severity.LOW, Severity.CRITICAL


def anonymous(route_id: str, line: int) -> AuthPosture:
    """A route with no authentication plugin: anonymous callers get through."""
    return no_auth(route_evidence(route_id, line))


def keyed(route_id: str, line: int) -> RateLimitPosture:
    """limit-count keyed by the partner header on the route: each partner bounded by its own quota."""
    return RateLimitPosture(
        enforced=True, by=("limit-count by http_x_partner_id (600/60s)",), keying=RateLimitKeying.CLIENT,
        evidence=(Evidence(path=GATEWAY, line=line + 9, pointer=f"/routes/{route_id}/plugins/limit-count"),))


# --- auth -------------------------------------------------------------------------------------------

@cell("auth", PRESENT)
def auth_present() -> Inventory:
    """Claims and policies behind OIDC the gateway enforces (openid-connect on both routes)."""
    return estate(*claims(), policy())


@cell("auth", ABSENT, ("AUTH_NONE_SENSITIVE", HIGH))
def auth_absent() -> Inventory:
    """The claims route lets anonymous callers read claims by id and file new ones."""
    return estate(*claims(auth=anonymous("claims-prod", 14)))


@cell("auth", PARTIAL, ("AUTH_WEAK", MEDIUM), some=True)
def auth_partial() -> Inventory:
    """Some endpoints: claims behind OIDC, but policies readable with a static partner API key."""
    return estate(*claims(), policy(auth=gateway_auth(AuthKind.API_KEY, "policies-prod", 40, "key-auth")))


@cell("auth", NOT_OBSERVABLE, missing=InputFamily.GATEWAYS, limitation="Access logs alone")
def auth_not_observable() -> Inventory:
    """Access logs alone: they record calls, never the credentials that came with them."""
    return logs_only(*called_claims())


# --- rate_limit -------------------------------------------------------------------------------------

@cell("rate_limit", PRESENT)
def rate_limit_present() -> Inventory:
    """Every route has limit-count keyed by the partner header."""
    return estate(*claims(rate_limit=keyed("claims-prod", 14)), policy(rate_limit=keyed("policies-prod", 40)))


@cell("rate_limit", ABSENT, ("RATE_NONE_ANONYMOUS", HIGH))
def rate_limit_absent() -> Inventory:
    """The claims route has neither a limit nor authentication: anyone can call it as fast as it answers."""
    return estate(*claims(auth=anonymous("claims-prod", 14), rate_limit=UNLIMITED))


@cell("rate_limit", PARTIAL, ("RATE_NONE", MEDIUM), some=True)
def rate_limit_partial() -> Inventory:
    """Some endpoints: claims are limited per partner, the policies route (OIDC) has no limit."""
    return estate(*claims(rate_limit=keyed("claims-prod", 14)), policy(rate_limit=UNLIMITED))


@cell("rate_limit", NOT_OBSERVABLE, missing=InputFamily.GATEWAYS, limitation="No gateway routing config was given")
def rate_limit_not_observable() -> Inventory:
    """Access logs without a single 429 and no gateway config: no limit is shown, nor its absence."""
    return logs_only(*called_claims())


# --- object_authorization ---------------------------------------------------------------------------

@cell("object_authorization", PRESENT)
def object_authorization_present() -> Inventory:
    """Claims and policies taking ids behind OIDC, a week of traffic with no client walking ids."""
    return estate(*claims(traffic=week_of_calls()), policy(traffic=week_of_calls(900, 11)))


@cell("object_authorization", ABSENT, ("BOLA_WEAK_AUTH", HIGH))
def object_authorization_absent() -> Inventory:
    """Claims and policies by id behind a static API key only: nobody per caller to check ownership."""
    return estate(
        make_endpoint("GET", "/v2/claims/{claimId}", line=14,
                      auth=gateway_auth(AuthKind.API_KEY, "claims-prod", 14, "key-auth")),
        policy(auth=gateway_auth(AuthKind.API_KEY, "policies-prod", 40, "key-auth")))


@cell("object_authorization", PARTIAL, ("BOLA_WEAK_AUTH_UUID", MEDIUM), some=True)
def object_authorization_partial() -> Inventory:
    """Some endpoints: claims and policies behind OIDC; documents by UUID behind a static key only."""
    documents = make_endpoint(
        "GET", "/v2/documents/{documentId}", route_id="documents", line=100,
        auth=gateway_auth(AuthKind.API_KEY, "documents", 100, "key-auth"),
        id_guessability=IdGuessability.UNGUESSABLE, id_guessability_reason="documentId is declared uuid")
    return estate(*claims(), policy(), documents)


@cell("object_authorization", NOT_OBSERVABLE, missing=InputFamily.GATEWAYS, limitation="Access logs alone")
def object_authorization_not_observable() -> Inventory:
    """Access logs alone: ids are called, but what guards them is not recorded."""
    return logs_only(*called_claims())


# --- function_authorization -------------------------------------------------------------------------

def export(**fields: object) -> Endpoint:
    return make_endpoint("GET", "/internal/export", route_id="internal-export", line=60, **fields)


def admin_users(**fields: object) -> Endpoint:
    return make_endpoint("DELETE", "/admin/users/{userId}", route_id="admin", line=180, **fields)


def reindex(**fields: object) -> Endpoint:
    return make_endpoint("POST", "/ops/reindex", route_id="ops", line=200, **fields)


@cell("function_authorization", PRESENT)
def function_authorization_present() -> Inventory:
    """The internal export and the admin API require OIDC at the gateway."""
    return estate(*claims(), export(), admin_users())


@cell("function_authorization", ABSENT, ("FUNC_PRIVILEGED_ANONYMOUS", CRITICAL))
def function_authorization_absent() -> Inventory:
    """The internal export is routed with no authentication and no ip-restriction."""
    return estate(*claims(), export(auth=anonymous("internal-export", 60)))


@cell("function_authorization", PARTIAL, ("FUNC_PRIVILEGED_WEAK", HIGH), some=True)
def function_authorization_partial() -> Inventory:
    """Some endpoints: export and admin behind OIDC; the ops reindex behind a static key, no allow list."""
    weak = gateway_auth(AuthKind.API_KEY, "ops", 200, "key-auth")
    return estate(export(), admin_users(), reindex(auth=weak))


@cell("function_authorization", NOT_OBSERVABLE, missing=InputFamily.GATEWAYS,
      limitation="Access logs alone do not show authentication")
def function_authorization_not_observable() -> Inventory:
    """Access logs alone, the internal export among the calls: who may call it is not recorded."""
    return logs_only(*called_claims())


# --- credential_stuffing ----------------------------------------------------------------------------

def failures(requests: int, refused: int, worst: int, first_line: int) -> TrafficStats:
    return week_of_calls(requests, first_line, unauthorized=refused, max_failed_auth_per_client=worst,
                         status_classes={"2xx": requests - refused, "4xx": refused})


def token(**fields: object) -> Endpoint:
    return make_endpoint("POST", "/oauth2/token", route_id="token", line=220, **fields)


def login(**fields: object) -> Endpoint:
    return make_endpoint("POST", "/v1/auth/login", route_id="login", line=240, **fields)


def password_reset(**fields: object) -> Endpoint:
    return make_endpoint("POST", "/v1/auth/password-reset", route_id="password-reset", line=260, **fields)


@cell("credential_stuffing", PRESENT, evidence=LOG)
def credential_stuffing_present() -> Inventory:
    """The token and login endpoints are throttled, and their failures are the ordinary few."""
    return estate(token(traffic=failures(5000, 90, 4, 100)), login(traffic=failures(800, 20, 3, 120)))


@cell("credential_stuffing", ABSENT, ("STUFF_BURST", HIGH), evidence=LOG)
def credential_stuffing_absent() -> Inventory:
    """One client failed 640 logins in the week: password guessing, on the only login endpoint."""
    return estate(login(traffic=failures(2000, 700, 640, 140)))


@cell("credential_stuffing", PARTIAL, ("STUFF_UNTHROTTLED", MEDIUM), some=True)
def credential_stuffing_partial() -> Inventory:
    """Some endpoints: token and login are throttled, the password reset route has no limit."""
    return estate(token(), login(), password_reset(rate_limit=UNLIMITED))


@cell("credential_stuffing", NOT_OBSERVABLE, missing=InputFamily.GATEWAYS, limitation="Specs alone")
def credential_stuffing_not_observable() -> Inventory:
    """Specs alone document the token endpoint: they show neither throttling nor failures."""
    return specs_only(documented_only("POST", "/oauth2/token", 12), *spec_claims())


# --- data_exposure ----------------------------------------------------------------------------------

def spec_field(
    name: str, data_class: DataClass, where: FieldLocation, line: int, pointer: str
) -> SensitiveField:
    """A field of the claims spec that carries `data_class`, where the spec declares it."""
    return SensitiveField(name=name, data_class=data_class, location=where,
                          evidence=Evidence(path=SPEC, line=line, pointer=pointer))


def documented(route_id: str, line: int, spec_line: int, pointer: str) -> tuple[Evidence, ...]:
    """The spec operation first (what data exposure cites), then the route."""
    return (Evidence(path=SPEC, line=spec_line, pointer=pointer), route_evidence(route_id, line))


CLAIM_POINTER = "/paths/~1v2~1claims~1{claimId}/get"
CLAIM_RESPONSE = f"{CLAIM_POINTER}/responses/200/content/application~1json/schema/properties"


@cell("data_exposure", PRESENT, evidence=SPEC)
def data_exposure_present() -> Inventory:
    """Claims documented with schemas: personal data only behind OIDC, nothing in URLs, bodies closed."""
    email = spec_field("claimantEmail", DataClass.PII, FieldLocation.RESPONSE, 31,
                       f"{CLAIM_RESPONSE}/claimantEmail")
    return estate(make_endpoint("GET", "/v2/claims/{claimId}", line=14, data_classes=(DataClass.PII,),
                                sensitive_fields=(email,),
                                evidence=documented("claims-prod", 14, 27, CLAIM_POINTER)))


@cell("data_exposure", ABSENT, ("DATA_ANONYMOUS", HIGH), evidence=SPEC)
def data_exposure_absent() -> Inventory:
    """A claim's medical details are served to anonymous callers."""
    diagnosis = spec_field("diagnosisCode", DataClass.PHI, FieldLocation.RESPONSE, 35,
                           f"{CLAIM_RESPONSE}/diagnosisCode")
    return estate(make_endpoint("GET", "/v2/claims/{claimId}", line=14, data_classes=(DataClass.PHI,),
                                sensitive_fields=(diagnosis,), auth=anonymous("claims-prod", 14),
                                evidence=documented("claims-prod", 14, 27, CLAIM_POINTER)))


@cell("data_exposure", PARTIAL, ("DATA_IN_URL", MEDIUM), evidence=SPEC, some=True)
def data_exposure_partial() -> Inventory:
    """Some endpoints: claims carry no sensitive data in URLs; the policy search takes the holder's email
    as a query parameter, which every access log keeps."""
    pointer = "/paths/~1v2~1policies/get"
    email = spec_field("holderEmail", DataClass.PII, FieldLocation.URL, 66, pointer + "/parameters/0")
    search = make_endpoint("GET", "/v2/policies", route_id="policies-prod", line=40,
                           data_classes=(DataClass.PII,), sensitive_fields=(email,),
                           evidence=documented("policies-prod", 40, 64, pointer))
    return estate(*claims(evidence=documented("claims-prod", 14, 27, CLAIM_POINTER)), search)


@cell("data_exposure", NOT_OBSERVABLE, missing=InputFamily.SPECS, limitation="No API spec was given")
def data_exposure_not_observable() -> Inventory:
    """Gateway config and access logs, no spec: which fields an endpoint returns is not shown."""
    return estate(*claims(has_schemas=False, traffic=week_of_calls()), has_specs=False)


# --- input_validation -------------------------------------------------------------------------------

def writes(**fields: object) -> tuple[Endpoint, Endpoint]:
    """Filing a claim and amending a policy, both routed."""
    return (make_endpoint("POST", "/v2/claims", line=14, **fields),
            make_endpoint("PATCH", "/v2/policies/{policyId}", route_id="policies-prod", line=40, **fields))


@cell("input_validation", PRESENT)
def input_validation_present() -> Inventory:
    """Every write is checked against its schema by request-validation on its route."""
    return estate(*writes(plugins=("openid-connect", "request-validation")))


@cell("input_validation", ABSENT, ("VALID_NONE", MEDIUM))
def input_validation_absent() -> Inventory:
    """Routed writes that no spec describes and no plugin validates: whatever is sent reaches the backend."""
    return estate(*writes(request_fields=0, has_schemas=False))


@cell("input_validation", PARTIAL, ("VALID_LOOSE_SCHEMA", LOW), evidence=SPEC)
def input_validation_partial() -> Inventory:
    """A low weakness: the writes have request schemas, but the free-text description has no maxLength."""
    loose = (Evidence(path=SPEC, line=58, pointer="/components/schemas/ClaimInput/properties/description"),)
    return estate(*writes(request_fields=4, loose_request_fields=loose))


@cell("input_validation", NOT_OBSERVABLE, missing=InputFamily.SPECS, limitation="Access logs alone")
def input_validation_not_observable() -> Inventory:
    """Access logs alone: they show that claims were filed, not what the requests were checked against."""
    return logs_only(*called_claims())
