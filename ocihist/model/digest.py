"""Content digests, strictly parsed: the only way a digest becomes a file name."""

from __future__ import annotations

import re
from typing import Any, NamedTuple

from ocihist.errors import MalformedDocument

HEX_LENGTHS = {"sha256": 64, "sha512": 128}
_HEX = re.compile(r"[0-9a-f]+")


class Digest(NamedTuple):
    """An `algorithm:hex` content address with a known algorithm and exact length."""

    algorithm: str
    hex: str

    @classmethod
    def parse(cls, text: object, *, where: str | None = None) -> Digest:
        """Parse `text`, refusing anything that is not a well-formed digest."""
        if not isinstance(text, str) or ":" not in text:
            raise MalformedDocument(f"not a digest: {str(text)[:80]!r}", where=where)
        algorithm, _, hexpart = text.partition(":")
        expected = HEX_LENGTHS.get(algorithm)
        if expected is None:
            raise MalformedDocument(f"unsupported digest algorithm {algorithm[:20]!r}", where=where)
        if len(hexpart) != expected or not _HEX.fullmatch(hexpart):
            raise MalformedDocument(f"malformed {algorithm} digest {text[:90]!r}", where=where)
        return cls(algorithm, hexpart)

    @classmethod
    def from_hex(cls, hexpart: str, algorithm: str = "sha256") -> Digest | None:
        """The digest a file named `hexpart` claims to be, or None if the name is no digest."""
        if len(hexpart) == HEX_LENGTHS.get(algorithm) and _HEX.fullmatch(hexpart):
            return cls(algorithm, hexpart)
        return None

    @classmethod
    def of(cls, data: bytes, algorithm: str = "sha256") -> Digest:
        import hashlib  # (not at import time: OpenSSL costs start-up)

        return cls(algorithm, hashlib.new(algorithm, data).hexdigest())

    def hasher(self) -> Any:
        """A fresh hashlib object for this digest's algorithm."""
        import hashlib

        return hashlib.new(self.algorithm)

    @property
    def short(self) -> str:
        return f"{self.algorithm}:{self.hex[:12]}"

    def __str__(self) -> str:
        return f"{self.algorithm}:{self.hex}"
