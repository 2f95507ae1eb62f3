"""The cipher suites an nginx config accepts from clients: every `ssl_ciphers` written, wherever it sits.

`ssl_ciphers` takes one OpenSSL cipher string (ngx_http_ssl_module; the stream module's directive is the
same). Where none is written nginx's default, `HIGH:!aNULL:!MD5`, applies: not judged, since what HIGH
holds depends on the OpenSSL build (the transport_security limitation says so). Client-side directives
(`proxy_ssl_ciphers`, `grpc_ssl_ciphers`) concern the backends and are not read here.
"""

from __future__ import annotations

from collections.abc import Callable

from riskscan.model import CipherSetting, Evidence
from riskscan.sources.gateways.nginx_tree import Directive
from riskscan.sources.gateways.tls_ciphers import cipher_setting

__all__ = ["cipher_settings"]

Evidencer = Callable[[Directive, str, str | None], Evidence]


def cipher_settings(directives: tuple[Directive, ...], evidence: Evidencer,
                    warn: Callable[[str], None]) -> tuple[CipherSetting, ...]:
    """Every `ssl_ciphers` of the config and its includes, in file order."""
    found: list[CipherSetting] = []
    stack = list(reversed(directives))
    while stack:
        directive = stack.pop()
        if directive.name == "ssl_ciphers" and not any("${" in arg for arg in directive.args):  # a template's
            excerpt = f"ssl_ciphers {' '.join(directive.args)}"
            setting = cipher_setting(directive.args, evidence(directive, excerpt, "cipher suites accepted"),
                                     warn=warn)
            found += [setting] if setting is not None else []
        stack.extend(reversed(directive.block or ()))
    return tuple(found)
