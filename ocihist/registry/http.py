"""The one HTTP client: retries with Retry-After, redirect policy, per-host cap, redaction.

This package is the only place httpx is imported.
"""

from __future__ import annotations

import email.utils
import ssl
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit, urlunsplit

import httpx
import orjson

from ocihist.errors import (
    AuthError,
    BadResponse,
    ConnectError,
    NotFound,
    RateLimited,
    RegistryError,
    TLSError,
)

RETRY_STATUSES = frozenset({429, 502, 503, 504})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
MAX_REDIRECTS = 10
CONNECT_RETRIES = 1
"""A connection that cannot be set up at all (refused, unknown host, no route) is tried once
more, not `retries` times: that is a wrong address far more often than a passing fault."""
ERROR_BODY_LIMIT = 64 * 1024
USER_AGENT = "ocihist/0.1"
_RATE_HEADERS = ("ratelimit", "x-ratelimit", "docker-ratelimit", "retry-after")


def redact(url: str) -> str:
    """The URL without user info and with any query string hidden (signed URLs carry tokens)."""
    parts = urlsplit(url)
    netloc = parts.netloc.rsplit("@", 1)[-1]
    return urlunsplit((parts.scheme, netloc, parts.path, "…" if parts.query else "", ""))


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme, parts.netloc.rsplit("@", 1)[-1].lower()


@dataclass(slots=True)
class Reply:
    """A whole (size-limited) response."""

    method: str
    url: str
    status: int
    headers: Mapping[str, str]
    body: bytes
    where: str

    def error(self, what: str) -> RegistryError:
        return status_error(self.status, self.headers, self.body, where=self.where,
                            what=f"{what} ({self.method} {redact(self.url)})")


def _registry_codes(body: bytes) -> str:
    try:
        data = orjson.loads(body[:ERROR_BODY_LIMIT])
        errors = data.get("errors") if isinstance(data, dict) else None
        if isinstance(errors, list):
            texts = [f"{e.get('code', '')}: {e.get('message', '')}".strip(": ")
                     for e in errors if isinstance(e, dict)]
            return "; ".join(t for t in texts if t)[:300]
    except (orjson.JSONDecodeError, AttributeError):
        pass
    return ""


def status_error(status: int, headers: Mapping[str, str], body: bytes, *, where: str,
                 what: str) -> RegistryError:
    """The error for an unexpected status, naming the registry's own error codes."""
    detail = _registry_codes(body)
    suffix = f": {detail}" if detail else ""
    if status in (401, 403):
        return AuthError(f"{what}: access denied (HTTP {status}){suffix}", where=where,
                         status=status, hint="check the credentials and the repository name")
    if status == 404:
        return NotFound(f"{what}: not found (HTTP 404){suffix}", where=where, status=status)
    if status == 429:
        figures = ", ".join(f"{k}={v}" for k, v in headers.items()
                            if k.lower().startswith(_RATE_HEADERS))
        return RateLimited(f"{what}: rate limited by the registry (HTTP 429)"
                           + (f" [{figures}]" if figures else "") + suffix,
                           where=where, status=status, retryable=True)
    return BadResponse(f"{what}: unexpected HTTP {status}{suffix}", where=where, status=status,
                       retryable=status in RETRY_STATUSES)


def retry_after(headers: Mapping[str, str]) -> float | None:
    value = headers.get("retry-after")
    if not value:
        return None
    if value.strip().isdigit():
        return float(value.strip())
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


class Http:
    """A shared, thread-safe httpx client with ocihist's network policy."""

    def __init__(self, *, ca_cert: str | None = None, timeout: float = 30.0, retries: int = 4,
                 backoff: float = 0.5, max_wait: float = 60.0, per_host: int = 10) -> None:
        verify: ssl.SSLContext | bool = True
        if ca_cert:
            verify = ssl.create_default_context(cafile=ca_cert)
        self._client = httpx.Client(
            verify=verify, follow_redirects=False,
            headers={"User-Agent": USER_AGENT, "Accept-Encoding": "identity"},
            timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
            limits=httpx.Limits(max_connections=64, max_keepalive_connections=32))
        self.retries, self.backoff, self.max_wait = retries, backoff, max_wait
        self._per_host = per_host
        self._sems: dict[str, threading.BoundedSemaphore] = {}
        self._lock = threading.Lock()
        self.requests = 0

    def close(self) -> None:
        self._client.close()

    def _sem(self, url: str) -> threading.BoundedSemaphore:
        host = _origin(url)[1]
        with self._lock:
            return self._sems.setdefault(host, threading.BoundedSemaphore(self._per_host))

    def _send(self, method: str, url: str, headers: Mapping[str, str], auth: str | None,
              body: bytes | None, where: str) -> httpx.Response:
        """One request, following redirects by policy; the response is streaming."""
        origin = _origin(url)
        for _ in range(MAX_REDIRECTS + 1):
            hdrs = dict(headers)
            if auth is not None and _origin(url) == origin:
                hdrs["Authorization"] = auth
            request = self._client.build_request(method, url, headers=hdrs, content=body)
            try:
                response = self._client.send(request, stream=True)
            except httpx.ConnectError as exc:
                if isinstance(exc.__cause__, ssl.SSLError) or "SSL" in str(exc):
                    raise TLSError(f"TLS failure talking to {redact(url)}: {exc}",
                                   where=where) from None
                raise
            with self._lock:
                self.requests += 1
            if response.status_code not in REDIRECT_STATUSES or "location" not in response.headers:
                return response
            target = urljoin(url, response.headers["location"])
            response.close()
            if urlsplit(url).scheme == "https" and urlsplit(target).scheme != "https":
                raise BadResponse(f"refused a redirect from https to {redact(target)}",
                                  where=where)
            if response.status_code == 303:
                method, body = ("HEAD" if method == "HEAD" else "GET"), None
            url = target
        raise BadResponse(f"more than {MAX_REDIRECTS} redirects at {redact(url)}", where=where)

    def _delay(self, attempt: int, headers: Mapping[str, str] | None) -> float:
        wanted = retry_after(headers) if headers is not None else None
        return wanted if wanted is not None else self.backoff * (2 ** attempt)

    @contextmanager
    def stream(self, method: str, url: str, *, where: str, headers: Mapping[str, str] | None = None,
               auth: str | None = None) -> Iterator[httpx.Response]:
        """A streaming response after retries; the caller reads and checks the status."""
        with self._sem(url):
            response = self._retrying(method, url, headers or {}, auth, None, where)
            try:
                yield response
            finally:
                response.close()

    def fetch(self, method: str, url: str, *, where: str, limit: int,
              headers: Mapping[str, str] | None = None, auth: str | None = None,
              body: bytes | None = None) -> Reply:
        """A whole response of at most `limit` bytes; transient failures retried."""
        with self._sem(url):
            for attempt in range(self.retries + 1):
                response = self._retrying(method, url, headers or {}, auth, body, where)
                try:
                    data = self._read(response, limit, where, url)
                except (httpx.TransportError, httpx.StreamError) as exc:
                    if attempt >= self.retries:
                        raise ConnectError(f"connection lost reading {redact(url)}: "
                                           f"{type(exc).__name__}", where=where) from None
                    time.sleep(self._delay(attempt, None))
                    continue
                finally:
                    response.close()
                return Reply(method, url, response.status_code, response.headers, data, where)
        raise AssertionError("unreachable")

    def _read(self, response: httpx.Response, limit: int, where: str, url: str) -> bytes:
        if response.status_code >= 400:
            limit = min(limit, ERROR_BODY_LIMIT)
        chunks, total = [], 0
        for chunk in response.iter_bytes():
            total += len(chunk)
            if total > limit:
                if response.status_code >= 400:
                    break
                raise BadResponse(f"response from {redact(url)} exceeds {limit} bytes",
                                  where=where)
            chunks.append(chunk)
        return b"".join(chunks)

    def _retrying(self, method: str, url: str, headers: Mapping[str, str], auth: str | None,
                  body: bytes | None, where: str) -> httpx.Response:
        for attempt in range(self.retries + 1):
            last = attempt >= self.retries
            try:
                response = self._send(method, url, headers, auth, body, where)
            except httpx.TransportError as exc:
                if last or (isinstance(exc, httpx.ConnectError) and attempt >= CONNECT_RETRIES):
                    reason = str(exc).strip()[:200] or type(exc).__name__
                    raise ConnectError(f"cannot reach {redact(url)}: {reason}",
                                       where=where, retryable=True) from None
                time.sleep(self._delay(attempt, None))
                continue
            if response.status_code not in RETRY_STATUSES or last:
                return response
            delay = self._delay(attempt, response.headers)
            if delay > self.max_wait:
                return response  # the registry asks for a longer wait than we allow
            response.close()
            time.sleep(delay)
        raise AssertionError("unreachable")
