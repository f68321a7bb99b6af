"""Docker image references: `[host[:port]/]path[:tag][@digest]`, with Docker's defaults."""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass

from ocihist.errors import MalformedDocument, UsageError
from ocihist.model.digest import Digest

DOCKER_HUB = "docker.io"
DOCKER_HUB_API = "registry-1.docker.io"
_HUB_ALIASES = frozenset({"docker.io", "index.docker.io", "registry-1.docker.io"})
DEFAULT_TAG = "latest"

_COMPONENT = re.compile(r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*")
_TAG = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}")
_HOST = re.compile(r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
                   r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]+\])"
                   r"(?::[0-9]+)?")
NAME_MAX = 255


@dataclass(frozen=True, slots=True)
class Reference:
    """A parsed, normalised reference; `registry` is what users write (docker.io)."""

    registry: str
    repository: str
    tag: str | None = None
    digest: Digest | None = None

    @property
    def api_host(self) -> str:
        """The host:port the registry API is served on."""
        return DOCKER_HUB_API if self.registry == DOCKER_HUB else self.registry

    @property
    def hostname(self) -> str:
        """The API host without its port or IPv6 brackets."""
        host = self.api_host
        if host.startswith("["):
            return host[1:host.index("]")]
        return host.rsplit(":", 1)[0] if ":" in host else host

    @property
    def is_loopback(self) -> bool:
        return is_loopback_host(self.hostname)

    @property
    def name(self) -> str:
        """`registry/repository`, fully qualified."""
        return f"{self.registry}/{self.repository}"

    @property
    def identifier(self) -> str:
        """What to ask the manifests endpoint for: the digest if given, else the tag."""
        return str(self.digest) if self.digest else (self.tag or DEFAULT_TAG)

    def with_tag(self, tag: str) -> Reference:
        return Reference(self.registry, self.repository, tag, None)

    def with_digest(self, digest: Digest) -> Reference:
        return Reference(self.registry, self.repository, None, digest)

    def __str__(self) -> str:
        text = self.name
        if self.tag:
            text += f":{self.tag}"
        if self.digest:
            text += f"@{self.digest}"
        return text


def is_loopback_host(hostname: str) -> bool:
    if hostname.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(hostname).is_loopback
    except ValueError:
        return False


def parse_reference(text: str) -> Reference:
    """Parse `text` the way `docker pull` does; the tag defaults to `latest` without a digest."""
    original = text
    text = text.strip()
    if not text or any(c.isspace() for c in text):
        raise UsageError(f"invalid image reference {original!r}")
    digest = None
    if "@" in text:
        text, _, digest_text = text.partition("@")
        try:
            digest = Digest.parse(digest_text)
        except MalformedDocument as exc:
            raise UsageError(f"invalid image reference {original!r}: {exc.message}") from None
    tag = None
    slash = text.rfind("/")
    colon = text.rfind(":")
    if colon > slash:
        text, tag = text[:colon], text[colon + 1:]
        if not _TAG.fullmatch(tag):
            raise UsageError(f"invalid tag {tag!r} in reference {original!r}")
    registry, path = _split_domain(text)
    if not registry or not _HOST.fullmatch(registry):
        raise UsageError(f"invalid registry host {registry!r} in reference {original!r}")
    if registry in _HUB_ALIASES:
        registry = DOCKER_HUB
        if "/" not in path:
            path = f"library/{path}"
    components = path.split("/")
    if not path or not all(_COMPONENT.fullmatch(c) for c in components):
        hint = "repository names must be lowercase" if path != path.lower() else None
        raise UsageError(f"invalid repository name {path!r} in reference {original!r}", hint=hint)
    if len(registry) + 1 + len(path) > NAME_MAX:
        raise UsageError(f"repository name too long in reference {original!r}")
    if tag is None and digest is None:
        tag = DEFAULT_TAG
    return Reference(registry, path, tag, digest)


def _split_domain(text: str) -> tuple[str, str]:
    first, sep, rest = text.partition("/")
    if sep and ("." in first or ":" in first or first == "localhost" or first != first.lower()):
        return first, rest
    return DOCKER_HUB, text
