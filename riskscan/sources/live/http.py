"""HTTP for live pulls: one GET with timeouts, retries, a size cap and one-line errors.

Only `riskscan.sources.live` uses it, and only when the user asked for a pull. The credential (an
Admin API key) is read from an environment variable and sent in one header; it is never part of a URL,
an error, a log line or an output. Errors name the URL as shown (`shown_url`: no credentials, no
query) and the problem, and never quote the exception's text, which could carry request details.
"""

from __future__ import annotations

import re
import ssl
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from riskscan.errors import SourceError, UsageError
from riskscan.redaction.checks import has_random_atom

__all__ = ["HttpOptions", "LiveHttp", "check_url", "shown_url"]

_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,127}")
_HEX_RUN = re.compile(r"[0-9a-f]{16,}")  # APISIX's generated admin keys are 32 lower-case hex digits
_RETRIED_STATUS = frozenset({429, 500, 502, 503, 504})
_RETRIED_ERRORS = (httpx.ConnectError, httpx.ConnectTimeout, httpx.RemoteProtocolError, httpx.ReadError)
_CHUNK = 65536
_MAX_RETRY_AFTER = 30.0  # seconds: a longer Retry-After is not waited for in full
_MIN_SCRUBBED_KEY = 4  # a shorter "key" would blank out ordinary text


@dataclass(frozen=True)
class HttpOptions:
    """How pulls talk to servers. `backoff` seconds double after each failed attempt."""

    key_env: str = "RISKSCAN_ADMIN_KEY"
    ca_bundle: Path | None = None
    insecure: bool = False
    timeout: float = 10.0
    retries: int = 3
    backoff: float = 0.5
    environ: Mapping[str, str] | None = field(default=None, repr=False)  # None: os.environ
    transport: httpx.BaseTransport | None = field(default=None, repr=False, compare=False)
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False, compare=False)

    def __post_init__(self) -> None:
        """Refuse, before anything is read, a variable name that is no name (or looks like the key
        itself, given by mistake) and a CA bundle that is not a file. Neither value is repeated."""
        name = self.key_env
        if not _ENV_NAME.fullmatch(name) or _HEX_RUN.search(name) or has_random_atom(name):
            raise UsageError("--admin-key-env takes the name of an environment variable (RISKSCAN_ADMIN_KEY);"
                             " what was given is not one (or reads like a key itself), and is not repeated")
        if self.ca_bundle is not None and not self.ca_bundle.is_file():
            raise UsageError(f"--ca-bundle {self.ca_bundle.name}: no such file")


def check_url(url: str, allow_query: bool = False) -> None:
    """Refuse a URL riskscan will not pull from: not http(s), no host, credentials in it, or (for an
    Admin API base) a query. Raises `UsageError` without repeating the URL, which may hold a secret."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError, ValueError):
        raise UsageError("a live source is not a valid URL") from None
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise UsageError(f"{shown_url(url)}: give an http:// or https:// URL with a host")
    if parsed.userinfo:
        raise UsageError(f"{shown_url(url)}: credentials in a URL are refused; put the key in the "
                         "environment variable named by --admin-key-env")
    if parsed.query and not allow_query:
        raise UsageError(f"{shown_url(url)}: give the Admin API's address without a query string")


def shown_url(url: str) -> str:
    """The URL as evidence and messages show it: scheme, host, port and path only."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError, ValueError):
        return "<invalid URL>"
    port = f":{parsed.port}" if parsed.port is not None else ""
    return f"{parsed.scheme}://{parsed.host}{port}{parsed.path}"


class LiveHttp:
    """A client for one pull: the credential header (when its variable is set), TLS, retries, cap."""

    def __init__(self, options: HttpOptions, max_bytes: int, key_header: str | None) -> None:
        import os

        environ = options.environ if options.environ is not None else os.environ
        self._options = options
        self._max_bytes = max_bytes
        self._has_key = bool(key_header and environ.get(options.key_env))
        headers = {"Accept": "application/json, application/yaml;q=0.9, */*;q=0.5"}
        self._key = environ[options.key_env] if key_header and self._has_key else ""
        if key_header and self._key:
            headers[key_header] = self._key
        self._client = httpx.Client(
            headers=headers,
            timeout=httpx.Timeout(options.timeout),
            verify=_verify(options),
            follow_redirects=False,  # a redirect could carry the key header to another host
            transport=options.transport,
        )
        self.bytes_read = 0
        self._retry_after = 0.0

    def __enter__(self) -> LiveHttp:
        return self

    def __exit__(self, *_: object) -> None:
        self._client.close()

    def get(
        self,
        url: str,
        params: Mapping[str, str | int] | None = None,
        missing_ok: bool = False,
        not_found_hint: str = "",
    ) -> str | None:
        """The body of `GET url` as text; None for a 404 when `missing_ok` (else `not_found_hint` follows
        the status). Retries connection failures, 429 and 5xx with backoff; raises `SourceError` (path:
        the shown URL) with one line otherwise."""
        shown = shown_url(url)
        attempts = self._options.retries + 1
        for attempt in range(attempts):
            is_last = attempt == attempts - 1
            try:
                status, body = self._fetch(url, params, shown)
            except _RETRIED_ERRORS as error:
                if is_last:
                    raise SourceError(_transport_problem(error, attempts), path=shown) from None
            except httpx.TimeoutException:
                problem = f"no answer within {self._options.timeout:g} s (timeout)"
                raise SourceError(problem, path=shown) from None
            except httpx.HTTPError as error:
                raise SourceError(f"request failed ({type(error).__name__})", path=shown) from None
            else:
                if status not in _RETRIED_STATUS or is_last:
                    return self._checked(status, body, shown, missing_ok, not_found_hint)
            self._options.sleep(max(self._options.backoff * (2**attempt), self._retry_after))
        raise AssertionError("unreachable")  # the last attempt returns or raises

    def _fetch(self, url: str, params: Mapping[str, str | int] | None, shown: str) -> tuple[int, bytes]:
        """Status and body, the body read in chunks and refused past the size cap."""
        self._retry_after = 0.0
        with self._client.stream("GET", url, params=params) as response:
            wait = response.headers.get("retry-after", "")
            if response.status_code in _RETRIED_STATUS and wait.isdigit():
                self._retry_after = min(float(wait), _MAX_RETRY_AFTER)  # the server's own pace, bounded
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > self._max_bytes:
                raise SourceError(_too_large(self._max_bytes), path=shown)
            body = bytearray()
            for chunk in response.iter_bytes(_CHUNK):
                body += chunk
                if len(body) > self._max_bytes:
                    raise SourceError(_too_large(self._max_bytes), path=shown)
            return response.status_code, bytes(body)

    def _checked(self, status: int, body: bytes, shown: str, missing_ok: bool, hint: str) -> str | None:
        if status in (401, 403):
            env = self._options.key_env
            problem = (f"refused the key from ${env} (HTTP {status})" if self._has_key
                       else f"asks for a key (HTTP {status}); set the environment variable {env}")
            raise SourceError(problem, path=shown)
        if status == 404 and missing_ok:
            return None
        if status == 404 and hint:
            raise SourceError(f"answered HTTP 404; {hint}", path=shown)
        if 300 <= status < 400:
            raise SourceError(f"answered a redirect (HTTP {status}), not followed so that the key stays with "
                              "this server; give the address it redirects to", path=shown)
        if not 200 <= status < 300:
            raise SourceError(f"answered HTTP {status}", path=shown)
        self.bytes_read += len(body)
        try:
            text = body.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise SourceError("answered something that is not UTF-8 text", path=shown) from None
        # A server may echo the key (a plugin configured with it, a debug page): it is gone before reading.
        return text.replace(self._key, "[REDACTED]") if len(self._key) >= _MIN_SCRUBBED_KEY else text


def _verify(options: HttpOptions) -> ssl.SSLContext | bool:
    if options.insecure:
        return False  # the CLI warns; nothing else turns verification off
    if options.ca_bundle is not None:
        try:
            return ssl.create_default_context(cafile=str(options.ca_bundle))
        except (OSError, ssl.SSLError):
            raise UsageError(f"--ca-bundle {options.ca_bundle.name}: not a readable PEM bundle") from None
    return True


def _transport_problem(error: httpx.TransportError, attempts: int) -> str:
    tries = f"after {attempts} attempts" if attempts > 1 else "on the only attempt"
    if isinstance(error, httpx.RemoteProtocolError):
        return f"the server closed the connection without an answer ({tries})"
    if "CERTIFICATE_VERIFY_FAILED" in repr(error.__context__) or "CERTIFICATE_VERIFY_FAILED" in repr(error):
        return "TLS certificate not trusted (give its CA with --ca-bundle)"
    return f"unreachable ({type(error).__name__}, {tries})"


def _too_large(limit: int) -> str:
    return f"answered more than {limit} bytes, the --max-file-mb limit; not read"
