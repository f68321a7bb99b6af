"""Content digests, strictly parsed: the only way a digest becomes a file name."""

import re
import sys
from collections.abc import Callable
from functools import cache
from typing import Any, NamedTuple, Self

from ocihist.errors import MalformedDocument

HEX_LENGTHS = {"sha256": 64, "sha512": 128}
_HEX = re.compile(r"[0-9a-f]+")
# Loading OpenSSL (hashlib) costs about 2.5 ms of start-up, more than Python's own SHA-2 takes
# to hash the few KB of documents `show` reads; past this size, or once OpenSSL is loaded
# anyway, hashlib's faster code is used.
_BUILTIN_HASH_LIMIT = 256 << 10


class Digest(NamedTuple):
    """An `algorithm:hex` content address with a known algorithm and exact length."""

    algorithm: str
    hex: str

    @classmethod
    def parse(cls, text: object, *, where: str | None = None) -> Self:
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
    def from_hex(cls, hexpart: str, algorithm: str = "sha256") -> Self | None:
        """The digest a file named `hexpart` claims to be, or None if the name is no digest."""
        if len(hexpart) == HEX_LENGTHS.get(algorithm) and _HEX.fullmatch(hexpart):
            return cls(algorithm, hexpart)
        return None

    @classmethod
    def of(cls, data: bytes, algorithm: str = "sha256") -> Self:
        """The digest of bytes in memory (a document, or a small blob)."""
        if len(data) <= _BUILTIN_HASH_LIMIT and "_hashlib" not in sys.modules:
            return cls(algorithm, _builtin_hash(algorithm)(data).hexdigest())
        import hashlib

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


@cache
def _builtin_hash(algorithm: str) -> Callable[[bytes], Any]:
    """CPython's own SHA-2 constructor (module `_sha2` from 3.12, `_sha256`/`_sha512` before),
    or hashlib's where this interpreter lacks it."""
    import importlib

    for module in ("_sha2", f"_{algorithm}"):
        try:
            return getattr(importlib.import_module(module), algorithm)  # type: ignore[no-any-return]
        except (ImportError, AttributeError):
            continue
    import hashlib

    return getattr(hashlib, algorithm)  # type: ignore[no-any-return]
