"""TLS versions of API Gateway custom domains in CloudFormation and SAM templates: one setting per domain
from its security policy (or API Gateway's documented default), citing the template line and naming the
APIs mapped onto it; a policy set by an intrinsic, or one riskscan does not know, is warned about and not
judged; a template without a custom domain shows no TLS setting."""

from __future__ import annotations

from pathlib import Path

from riskscan.model import GatewayConfig, TlsSetting
from riskscan.sources import ReadContext
from riskscan.sources.gateways.aws import AwsApiGatewayReader

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "aws"
DOMAINS = FIXTURES / "domains"


def read(path: Path) -> GatewayConfig:
    return AwsApiGatewayReader().read(path, ReadContext(root=path.parent, allowed_roots=(path.parent,))).gateway


def settings(path: Path) -> tuple[TlsSetting, ...]:
    found = read(path).tls_settings
    assert found is not None
    return found


def test_rest_domain_on_tls_1_0_accepts_legacy_tls_and_names_the_mapped_api() -> None:
    [setting] = settings(DOMAINS / "rest-domain-tls10.yaml")
    assert setting.allows_legacy and not setting.is_default
    assert setting.protocols == ("TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3")
    evidence = setting.evidence
    assert (evidence.path, evidence.line) == ("rest-domain-tls10.yaml", 48)
    assert evidence.pointer == "/Resources/ClaimsDomain/Properties/SecurityPolicy"
    assert evidence.note == "security policy TLS_1_0 of domain resource ClaimsDomain; serves ClaimsApi"


def test_base_path_mapping_may_name_the_domain_by_its_literal_name() -> None:
    [setting] = settings(DOMAINS / "rest-domain-tls12.yaml")
    assert not setting.allows_legacy and setting.protocols == ("TLSv1.2", "TLSv1.3")
    assert "serves ClaimsApi" in (setting.evidence.note or "")


def test_sam_domains_written_and_left_to_the_documented_default() -> None:
    written, defaulted = settings(DOMAINS / "sam-http-api-domain.yaml")
    assert (written.evidence.pointer, written.evidence.line) == (
        "/Resources/QuotesApi/Properties/Domain/SecurityPolicy", 17)
    assert not written.is_default and "serves QuotesApi" in (written.evidence.note or "")
    # No SecurityPolicy on a REST API's domain: API Gateway's default for a new custom domain (TLS_1_2),
    # cited on the Domain block, but one created before that default accepts TLS 1.0: it depends.
    assert defaulted.is_default and not defaulted.allows_legacy
    assert "before API Gateway made TLS_1_2 the default" in (defaulted.depends_on_version or "")
    assert (defaulted.evidence.pointer, defaulted.evidence.line) == ("/Resources/PartnerApi/Properties/Domain", 36)
    assert "sets no SecurityPolicy" in (defaulted.evidence.note or "")


def test_intrinsic_and_unknown_policies_are_warned_about_and_not_judged() -> None:
    config = read(DOMAINS / "v2-domains-unjudged.yaml")
    assert config.tls_settings is None  # no domain could be judged: nothing is claimed about TLS
    intrinsic, unknown = config.warnings
    assert intrinsic.startswith("domain resource NotifyDomain: its SecurityPolicy is set by an intrinsic")
    assert "/Resources/NotifyDomain/Properties/DomainNameConfigurations/0/SecurityPolicy" in intrinsic
    assert "security policy 'TLS_1_3'" in unknown and "not one riskscan knows" in unknown


def test_templates_without_a_custom_domain_show_no_tls_setting() -> None:
    assert read(FIXTURES / "sam-template.yaml").tls_settings is None
    assert read(FIXTURES / "cfn-http-api-v2.yaml").tls_settings is None


def test_known_policy_whose_versions_are_not_in_the_table_is_not_guessed(tmp_path: Path) -> None:
    path = tmp_path / "edge.yaml"
    path.write_text(
        "Resources:\n"
        "  Api:\n    Type: AWS::ApiGateway::RestApi\n    Properties: {Name: edge}\n"
        "  Edge:\n    Type: AWS::ApiGateway::DomainName\n    Properties:\n"
        "      DomainName: edge.harbor.example\n      SecurityPolicy: SecurityPolicy_TLS12_2018_EDGE\n"
        "  V2:\n    Type: AWS::ApiGatewayV2::DomainName\n    Properties:\n      DomainName: v2.harbor.example\n"
        "  Map:\n    Type: AWS::ApiGatewayV2::ApiMapping\n    Properties: {DomainName: !Ref V2, ApiId: !Ref Api}\n"
    )
    config = read(path)
    # The V2 domain without DomainNameConfigurations takes the documented default; the edge one is warned.
    [setting] = config.tls_settings or ()
    assert setting.is_default and setting.evidence.pointer == "/Resources/V2"
    assert "serves Api" in (setting.evidence.note or "")
    assert any("SecurityPolicy_TLS12_2018_EDGE" in w and "does not know" in w for w in config.warnings)

