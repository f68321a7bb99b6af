"""Registry authentication: `WWW-Authenticate` challenges, Basic, Bearer tokens cached per scope."""

from __future__ import annotations

import base64
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import urlencode, urlsplit

from ocihist.errors import AuthError, RegistryError
from ocihist.model.reference import is_loopback_host
from ocihist.registry.credentials import Credentials

if TYPE_CHECKING:
    from ocihist.registry.http import Http

_TOKEN = r"[!#$%&'*+.^_`|~0-9A-Za-z-]+"
_PARAM = re.compile(rf"\s*({_TOKEN})\s*=\s*(\"(?:[^\"\\]|\\.)*\"|{_TOKEN})\s*(?:,|$)")
_SCHEME = re.compile(rf"\s*({_TOKEN})(?:\s+|$)")
DEFAULT_EXPIRY = 60
REFRESH_MARGIN = 10
CLIENT_ID = "ocihist"


@dataclass(frozen=True, slots=True)
class Challenge:
    scheme: str  # lower case: "bearer", "basic"
    params: dict[str, str] = field(default_factory=dict)

    @property
    def realm(self) -> str | None:
        return self.params.get("realm")


def parse_challenges(header: str) -> list[Challenge]:
    """Parse a `WWW-Authenticate` value into its challenges (RFC 7235, leniently)."""
    result: list[Challenge] = []
    pos = 0
    while pos < len(header):
        scheme = _SCHEME.match(header, pos)
        if scheme is None:
            break
        params: dict[str, str] = {}
        pos = scheme.end()
        while (m := _PARAM.match(header, pos)) is not None:
            value = m.group(2)
            if value.startswith('"'):
                value = re.sub(r"\\(.)", r"\1", value[1:-1])
            params[m.group(1).lower()] = value
            pos = m.end()
        result.append(Challenge(scheme.group(1).lower(), params))
        while pos < len(header) and header[pos] in ", ":
            pos += 1
    return result


def pick_challenge(header: str | None) -> Challenge | None:
    """The challenge to answer: Bearer preferred over Basic; None if neither."""
    found = {c.scheme: c for c in parse_challenges(header or "")}
    return found.get("bearer") or found.get("basic")


def basic_header(creds: Credentials) -> str:
    raw = f"{creds.username}:{creds.password}".encode()
    return "Basic " + base64.b64encode(raw).decode()


@dataclass(slots=True)
class _Token:
    value: str
    expires: float


class Authenticator:
    """Answers one registry's challenges; thread-safe; tokens cached per scope."""

    def __init__(self, http: Http, credentials: Callable[[], Credentials | None], *,
                 insecure: bool = False, where: str = "") -> None:
        self._http = http
        self._get_credentials = credentials
        self._creds_loaded = False
        self._creds: Credentials | None = None
        self._insecure = insecure
        self._where = where
        self._lock = threading.Lock()
        self._challenge: Challenge | None = None
        self._tokens: dict[str, _Token] = {}
        self.token_requests = 0

    @property
    def credentials(self) -> Credentials | None:
        if not self._creds_loaded:
            self._creds = self._get_credentials()
            self._creds_loaded = True
        return self._creds

    def learn(self, header: str | None) -> Challenge | None:
        """Remember the challenge of a 401 (from the `/v2/` ping or any request)."""
        challenge = pick_challenge(header)
        if challenge is not None:
            with self._lock:
                self._challenge = challenge
        return challenge

    def header(self, scope: str) -> str | None:
        """The Authorization value for a request needing `scope`, or None (anonymous)."""
        with self._lock:
            challenge = self._challenge
            if challenge is None:
                return None
            if challenge.scheme == "basic":
                creds = self.credentials
                if creds is None or not creds.basic:
                    raise AuthError("the registry requires a username and password",
                                    where=self._where, status=401)
                return basic_header(creds)
            token = self._tokens.get(scope)
            if token is None or token.expires - REFRESH_MARGIN < time.monotonic():
                token = self._fetch_token(challenge, scope)
                self._tokens[scope] = token
            return f"Bearer {token.value}"

    def invalidate(self, scope: str) -> None:
        with self._lock:
            self._tokens.pop(scope, None)

    def _fetch_token(self, challenge: Challenge, scope: str) -> _Token:
        realm = challenge.realm
        if not realm:
            raise AuthError("Bearer challenge without a realm", where=self._where, status=401)
        parts = urlsplit(realm)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise AuthError("the token realm is not an http(s) URL", where=self._where)
        creds = self.credentials
        if parts.scheme == "http" and creds and not (
                self._insecure or is_loopback_host(parts.hostname)):
            raise AuthError("refusing to send credentials to a plain-HTTP token server",
                            where=self._where)
        query: dict[str, str] = {"scope": scope}
        if "service" in challenge.params:
            query["service"] = challenge.params["service"]
        self.token_requests += 1
        if creds is not None and creds.identity_token:
            form = {"grant_type": "refresh_token", "refresh_token": creds.identity_token,
                    "client_id": CLIENT_ID, **query}
            reply = self._http.fetch(
                "POST", realm, where=self._where, limit=1 << 20, body=urlencode(form).encode(),
                headers={"Content-Type": "application/x-www-form-urlencoded"})
        else:
            headers = {"Authorization": basic_header(creds)} if creds and creds.basic else {}
            sep = "&" if parts.query else "?"
            reply = self._http.fetch("GET", realm + sep + urlencode(query), where=self._where,
                                     limit=1 << 20, headers=headers)
        if reply.status in (401, 403):
            raise AuthError("the token server refused the credentials"
                            if creds else "the token server refused an anonymous token",
                            where=self._where, status=reply.status)
        if reply.status != 200:
            raise reply.error("token request")
        return self._parse_token(reply.body)

    def _parse_token(self, body: bytes) -> _Token:
        import orjson

        try:
            data = orjson.loads(body)
        except orjson.JSONDecodeError:
            raise RegistryError("the token server answered invalid JSON",
                                where=self._where) from None
        value = (data.get("token") or data.get("access_token")) if isinstance(data, dict) else None
        if not isinstance(value, str) or not value:
            raise AuthError("the token server's reply has no token", where=self._where)
        expires_in = data.get("expires_in")
        if not isinstance(expires_in, int) or isinstance(expires_in, bool) or expires_in <= 0:
            expires_in = DEFAULT_EXPIRY
        return _Token(value, time.monotonic() + expires_in)
