"""Registry API for one registry: manifests, blobs, tags, referrers. Only verified bytes leave."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import urljoin

import httpx

from ocihist.errors import BadResponse, ConnectError, MalformedDocument, NotFound
from ocihist.model import mediatypes as mt
from ocihist.model.descriptor import Descriptor
from ocihist.model.digest import Digest
from ocihist.model.manifest import Index
from ocihist.model.parse import json_object, parse_manifest, schema1_payload, sniff_media_type
from ocihist.model.reference import Reference
from ocihist.registry.auth import Authenticator
from ocihist.registry.credentials import Credentials
from ocihist.registry.http import Http, Reply, redact


class Sink(Protocol):
    """Where a streamed blob goes (ocihist.layout.writer.PartialBlob)."""

    size: int | None
    offset: int

    def write(self, chunk: bytes) -> None: ...
    def restart(self) -> None: ...


MANIFEST_LIMIT = 4 * 1024 * 1024
PAGE_LIMIT = 1000
ACCEPT = ", ".join(mt.ACCEPT_MANIFESTS)


@dataclass(frozen=True, slots=True)
class Fetched:
    """A manifest as served: `digest` is of `raw`; `registry_digest` is what the registry names
    it by (they differ only for signed schema 1, whose digest covers the JWS payload)."""

    raw: bytes
    media_type: str
    digest: Digest
    registry_digest: Digest


def registry_digests(raw: bytes) -> tuple[Digest, Digest]:
    """(digest of the bytes, digest the registry uses) for a manifest body."""
    plain = Digest.of(raw)
    if b'"signatures"' in raw and b'"schemaVersion"' in raw:
        try:
            payload = schema1_payload(raw, json_object(raw, where="manifest"))
        except MalformedDocument:
            payload = None
        if payload is not None:
            return plain, Digest.of(payload)
    return plain, plain


class RegistryClient:
    """Talks to one registry; safe to share between threads."""

    def __init__(self, http: Http, registry: Reference, *,
                 credentials: Callable[[], Credentials | None], insecure: bool = False,
                 plain_http: bool | None = None) -> None:
        self.http = http
        if plain_http is None:
            plain_http = insecure or registry.is_loopback
        self.base = f"{'http' if plain_http else 'https'}://{registry.api_host}/v2/"
        self.auth = Authenticator(http, credentials, insecure=insecure, where=registry.name)
        self._ping_lock = threading.Lock()
        self._pinged = False

    @property
    def url(self) -> str:
        return self.base[:-len("/v2/")]

    def ping(self, where: str) -> None:
        """`GET /v2/` once: learns the auth challenge, proves this is a registry."""
        with self._ping_lock:
            if self._pinged:
                return
            reply = self.http.fetch("GET", self.base, where=where, limit=65536)
            if reply.status == 401:
                self.auth.learn(reply.headers.get("www-authenticate"))
            elif reply.status != 200:
                error = reply.error("registry check")
                if reply.status == 400 and self.base.startswith("http:"):
                    error.hint = "it may speak HTTPS only: pass --ca-cert to use TLS"
                raise error
            self._pinged = True

    def _call(self, method: str, path: str, ref: Reference, *, limit: int,
              accept: str | None = None, url: str | None = None) -> Reply:
        """One authenticated request; a 401 refreshes the token once."""
        self.ping(str(ref))
        scope = f"repository:{ref.repository}:pull"
        headers = {"Accept": accept} if accept else {}
        target = url or self.base + path
        for attempt in range(2):
            auth = self.auth.header(scope)
            reply = self.http.fetch(method, target, where=str(ref), limit=limit,
                                    headers=headers, auth=auth)
            if reply.status != 401 or attempt:
                return reply
            if self.auth.learn(reply.headers.get("www-authenticate")) is None:
                return reply
            self.auth.invalidate(scope)
        raise AssertionError("unreachable")

    def head_manifest(self, ref: Reference) -> tuple[Digest | None, str | None, int | None]:
        """(Docker-Content-Digest, media type, size) of `ref`; NotFound when absent."""
        reply = self._call("HEAD", f"{ref.repository}/manifests/{ref.identifier}", ref,
                           limit=0, accept=ACCEPT)
        if reply.status != 200:
            raise reply.error("manifest")
        header = reply.headers.get("docker-content-digest")
        digest = Digest.parse(header, where=str(ref)) if header else None
        length = reply.headers.get("content-length")
        return (digest, mt.base(reply.headers.get("content-type")),
                int(length) if length and length.isdigit() else None)

    def get_manifest(self, ref: Reference, identifier: str | None = None, *,
                     expected: Digest | None = None) -> Fetched:
        """GET a manifest by tag or digest; refuses bytes that do not match."""
        identifier = identifier or ref.identifier
        reply = self._call("GET", f"{ref.repository}/manifests/{identifier}", ref,
                           limit=MANIFEST_LIMIT, accept=ACCEPT)
        if reply.status != 200:
            raise reply.error(f"manifest {identifier}")
        plain, registry = registry_digests(reply.body)
        names = {plain, registry}
        header = reply.headers.get("docker-content-digest")
        if header and Digest.parse(header, where=str(ref)) not in names:
            raise BadResponse(f"manifest {identifier}: body digest {registry} differs from "
                              f"Docker-Content-Digest {header}", where=str(ref))
        if expected is not None and expected not in names:
            raise BadResponse(f"manifest {identifier}: body digest {registry} differs from the "
                              f"requested {expected}", where=str(ref))
        ctype = mt.base(reply.headers.get("content-type"))
        if ctype not in mt.ACCEPT_MANIFESTS:
            try:
                ctype = sniff_media_type(json_object(reply.body, where=str(ref)))
            except MalformedDocument as exc:
                raise BadResponse(f"manifest {identifier}: {exc.message}",
                                  where=str(ref)) from None
            if ctype is None:
                raise BadResponse(f"manifest {identifier} is not a manifest", where=str(ref))
        return Fetched(reply.body, ctype, plain, registry)

    def get_blob(self, ref: Reference, digest: Digest, size: int | None, *, limit: int) -> bytes:
        """A whole small blob, checked against its digest and size."""
        reply = self._call("GET", f"{ref.repository}/blobs/{digest}", ref, limit=limit)
        if reply.status != 200:
            raise reply.error(f"blob {digest.short}")
        got = Digest.of(reply.body, digest.algorithm)
        if got != digest or (size is not None and size != len(reply.body)):
            raise BadResponse(f"blob {digest}: got {len(reply.body)} bytes with digest {got}",
                              where=str(ref))
        return reply.body

    @contextmanager
    def open_blob(self, ref: Reference, digest: Digest, offset: int = 0
                  ) -> Iterator[httpx.Response]:
        """A streaming blob response from `offset` (206 when the range was honoured)."""
        self.ping(str(ref))
        scope = f"repository:{ref.repository}:pull"
        headers = {"Range": f"bytes={offset}-"} if offset else {}
        url = f"{self.base}{ref.repository}/blobs/{digest}"
        for attempt in range(2):
            with self.http.stream("GET", url, where=str(ref), headers=headers,
                                  auth=self.auth.header(scope)) as response:
                if response.status_code == 401 and not attempt and self.auth.learn(
                        response.headers.get("www-authenticate")) is not None:
                    self.auth.invalidate(scope)
                    continue
                if response.status_code not in (200, 206):
                    response.read()
                    raise Reply("GET", url, response.status_code, response.headers,
                                response.content, str(ref)).error(f"blob {digest.short}")
                yield response
                return

    def download(self, ref: Reference, digest: Digest, sink: Sink) -> None:
        """Stream a blob into `sink`, resuming with Range after a lost connection."""
        for attempt in range(self.http.retries + 1):
            if sink.size is not None and sink.offset >= sink.size:
                return
            try:
                with self.open_blob(ref, digest, sink.offset) as response:
                    if response.status_code == 206:
                        start = _range_start(response.headers.get("content-range"))
                        if start != sink.offset:
                            sink.restart()
                            continue
                    elif sink.offset:
                        sink.restart()  # the server ignored the Range: start over
                    for chunk in response.iter_bytes(1 << 20):
                        sink.write(chunk)
                return
            except (httpx.TransportError, httpx.StreamError) as exc:
                if attempt >= self.http.retries:
                    raise ConnectError(f"blob {digest.short}: connection lost after "
                                       f"{sink.offset} bytes ({type(exc).__name__})",
                                       where=str(ref), retryable=True) from None
                time.sleep(self.http.backoff * 2 ** attempt)

    def list_tags(self, ref: Reference) -> list[str]:
        """Every tag of the repository, following `Link` pagination."""
        tags: list[str] = []
        for reply in self._pages(ref, f"{self.base}{ref.repository}/tags/list", "tag list"):
            if reply.status != 200:
                raise reply.error("tag list")
            page = json_object(reply.body, where=f"{ref.name} tag list").get("tags") or []
            if not isinstance(page, list):
                raise BadResponse("tag list `tags` is not a list", where=str(ref))
            tags.extend(str(t) for t in page)
        return tags

    def referrers(self, ref: Reference, digest: Digest) -> tuple[Descriptor, ...] | None:
        """Every referrer of `digest` (all pages), or None when the registry lacks the API."""
        found: list[Descriptor] = []
        url = f"{self.base}{ref.repository}/referrers/{digest}"
        for reply in self._pages(ref, url, "referrers", accept=mt.OCI_INDEX):
            if reply.status in (404, 400, 405, 501) and not found:
                return None
            if reply.status != 200:
                raise reply.error("referrers")
            if mt.base(reply.headers.get("content-type")) != mt.OCI_INDEX:
                if found:
                    raise BadResponse("a referrers page is not an OCI index", where=str(ref))
                return None
            index = parse_manifest(reply.body, where=f"{ref.name} referrers of {digest.short}")
            if not isinstance(index, Index):
                raise BadResponse("the referrers response is not an index", where=str(ref))
            found.extend(index.manifests)
        return tuple(found)

    def _pages(self, ref: Reference, url: str, what: str, *,
               accept: str | None = None) -> Iterator[Reply]:
        """GET `url`, then each `rel="next"` page its Link header names, on this registry only."""
        next_url: str | None = url
        for _ in range(PAGE_LIMIT):
            if next_url is None:
                return
            reply = self._call("GET", "", ref, limit=MANIFEST_LIMIT, url=next_url,
                               accept=accept)
            yield reply
            next_url = _next_link(reply.headers.get("link"), next_url)
            if next_url is not None and not next_url.startswith(self.url + "/"):
                raise BadResponse(f"{what} Link leaves the registry: {redact(next_url)}",
                                  where=str(ref))
        raise BadResponse(f"{what} has more than {PAGE_LIMIT} pages", where=str(ref))


def _range_start(header: str | None) -> int | None:
    """The first byte of a `Content-Range: bytes START-END/TOTAL` header."""
    if not header or not header.startswith("bytes "):
        return None
    start = header[6:].split("-", 1)[0].strip()
    return int(start) if start.isdigit() else None


def _next_link(header: str | None, current: str) -> str | None:
    """The `rel="next"` target of a Link header, resolved against the current URL."""
    for part in (header or "").split(","):
        if 'rel="next"' in part or "rel=next" in part:
            start, end = part.find("<"), part.find(">")
            if 0 <= start < end:
                return urljoin(current, part[start + 1:end])
    return None


__all__ = ["Fetched", "NotFound", "RegistryClient", "registry_digests"]
