"""A pull session: one HTTP client, one RegistryClient per registry, credentials wiring."""

from __future__ import annotations

import threading
from dataclasses import dataclass

from ocihist.model.reference import Reference
from ocihist.registry.client import RegistryClient
from ocihist.registry.credentials import Credentials, lookup
from ocihist.registry.http import Http


@dataclass(frozen=True, slots=True)
class NetworkOptions:
    insecure: bool = False
    ca_cert: str | None = None
    timeout: float = 30.0
    retries: int = 4
    backoff: float = 0.5
    max_wait: float = 60.0
    per_host: int = 10
    username: str | None = None
    password: str | None = None


class Session:
    """Shares connections and tokens between every reference of one pull."""

    def __init__(self, options: NetworkOptions) -> None:
        self.options = options
        self.http = Http(ca_cert=options.ca_cert, timeout=options.timeout,
                         retries=options.retries, backoff=options.backoff,
                         max_wait=options.max_wait, per_host=options.per_host)
        self._clients: dict[str, RegistryClient] = {}
        self._lock = threading.Lock()

    def client(self, ref: Reference) -> RegistryClient:
        with self._lock:
            client = self._clients.get(ref.registry)
            if client is None:
                client = RegistryClient(self.http, ref, credentials=lambda: self._creds(ref),
                                        insecure=self.options.insecure,
                                        plain_http=self._plain(ref))
                self._clients[ref.registry] = client
            return client

    def _plain(self, ref: Reference) -> bool:
        """Plain HTTP with --insecure, or for loopback hosts unless a CA certificate is given."""
        return self.options.insecure or (ref.is_loopback and not self.options.ca_cert)

    def _creds(self, ref: Reference) -> Credentials | None:
        return lookup(ref, username=self.options.username, password=self.options.password)

    @property
    def token_requests(self) -> int:
        return sum(c.auth.token_requests for c in self._clients.values())

    def close(self) -> None:
        self.http.close()
