"""Digests: strict parsing, and hashing of documents without loading OpenSSL."""

from __future__ import annotations

import hashlib
import subprocess
import sys

import pytest

from ocihist.errors import MalformedDocument
from ocihist.model.digest import _BUILTIN_HASH_LIMIT, Digest

SIZES = (0, 3, 4096, _BUILTIN_HASH_LIMIT, _BUILTIN_HASH_LIMIT + 1)


@pytest.mark.parametrize("algorithm", ["sha256", "sha512"])
def test_of_agrees_with_hashlib_and_leaves_openssl_unloaded_for_documents(
        algorithm: str) -> None:
    """In a fresh interpreter: documents are hashed without loading OpenSSL (`_hashlib`);
    past the limit OpenSSL is loaded; every digest equals hashlib's."""
    probe = (
        "import sys\n"
        "from ocihist.model.digest import Digest\n"
        f"for size in {SIZES!r}:\n"
        "    data = bytes(range(256)) * (size // 256) + bytes(size % 256)\n"
        f"    hexpart = Digest.of(data, {algorithm!r}).hex\n"
    "    print(size, '_hashlib' in sys.modules, hexpart)\n")
    lines = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                           check=True).stdout.split("\n")[:-1]
    for line, size in zip(lines, SIZES, strict=True):
        printed_size, loaded, hexpart = line.split()
        data = bytes(range(256)) * (size // 256) + bytes(size % 256)
        assert int(printed_size) == size
        assert hexpart == hashlib.new(algorithm, data).hexdigest()
        assert loaded == ("False" if size <= _BUILTIN_HASH_LIMIT else "True")


@pytest.mark.parametrize("text", [
    "sha256:" + "a" * 63, "sha256:" + "A" * 64, "md5:" + "a" * 32, "sha256:../" + "a" * 61,
    "sha256" + "a" * 64, None])
def test_parse_refuses_what_is_not_a_digest(text: object) -> None:
    with pytest.raises(MalformedDocument):
        Digest.parse(text)
