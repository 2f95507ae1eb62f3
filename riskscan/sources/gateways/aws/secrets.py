"""Credentials an API Gateway export or CloudFormation/SAM template holds in clear, by place.

- An `AWS::ApiGateway::ApiKey` whose `Value` is written out: the key clients send, in the template.
- A request parameter mapping that sends the backend a credential header with a static value: REST
  APIs quote static values (`integration.request.header.Authorization: "'Bearer ...'"`), HTTP APIs
  write them plain (`overwrite:header.x-api-key: ...`; a `$request...`/`$context...` mapping is not).
- A stage variable named like a credential (`password`, `apiKey`, `token` ...) with a literal value.
- Any URL carrying a credential (`url_credentials`): an integration `uri` with userinfo or `?token=`.

Intrinsic functions (`!Ref`, `!Sub`, `Fn::ImportValue`) and dynamic references
(`{{resolve:secretsmanager:...}}`, `{{resolve:ssm-secure:...}}`) are references, not values written out.
Only the place is kept (JSON pointer), never the value.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from riskscan.sources.gateways.secret_walk import credential_places
from riskscan.sources.gateways.url_credentials import is_credential_header, is_reference, url_credential

__all__ = ["clear_secret_pointers"]

_PARAMETER_MAPS = frozenset({"requestParameters", "RequestParameters", "request_parameters"})
_VARIABLE_MAPS = frozenset({"Variables", "variables", "StageVariables", "stageVariables"})
_SECRET_WORDS = ("password", "secret", "token", "apikey", "api_key", "credential")
_MAX_DEPTH = 48


def clear_secret_pointers(data: object) -> list[tuple[str, str]]:
    """(JSON pointer, what it is) of every credential written in clear, in document order."""
    return credential_places(data, _credential, _MAX_DEPTH, _api_key_value)


def _api_key_value(node: Mapping[object, object], pointer: str) -> Iterator[tuple[str, str]]:
    """An `AWS::ApiGateway::ApiKey` resource whose `Value` is written out."""
    if node.get("Type") == "AWS::ApiGateway::ApiKey":
        properties = node.get("Properties")
        value = properties.get("Value") if isinstance(properties, dict) else None
        if isinstance(value, str) and _is_literal(value):
            yield f"{pointer}/Properties/Value", "API key value written in the template"


def _credential(name: str, value: object, owner: str) -> str | None:
    """What credential the field `name` (inside `owner`) holds in clear, or None."""
    if not isinstance(value, str):
        return None
    if owner in _PARAMETER_MAPS and "header." in name:
        header, mapped = name.rpartition("header.")[2], value.strip()
        # REST (`integration.request.header.X`): static values are quoted, others are mapping expressions
        # (`method.request.header.X`); HTTP APIs (`overwrite:header.X`): mapping expressions start with `$`.
        is_static = mapped.startswith("'") if name.startswith("integration.") else not mapped.startswith("$")
        if is_credential_header(header) and is_static and _is_literal(mapped.strip("'")):
            return f"{header.lower()} header sent with a static value"
        return None
    if owner in _VARIABLE_MAPS and any(word in name.lower() for word in _SECRET_WORDS) and _is_literal(value):
        return f"stage variable {name} written in clear"
    return url_credential(value)


def _is_literal(value: str) -> bool:
    return bool(value.strip()) and "{{resolve:" not in value and not is_reference(value)
