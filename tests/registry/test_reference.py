"""Docker reference grammar."""

import pytest

from ocihist.errors import UsageError
from ocihist.model.reference import parse_reference

HEX = "a" * 64


@pytest.mark.parametrize(("text", "expected", "api"), [
    ("alpine", "docker.io/library/alpine:latest", "registry-1.docker.io"),
    ("alpine:3.19", "docker.io/library/alpine:3.19", "registry-1.docker.io"),
    ("library/alpine", "docker.io/library/alpine:latest", "registry-1.docker.io"),
    ("docker.io/alpine", "docker.io/library/alpine:latest", "registry-1.docker.io"),
    ("index.docker.io/user/app:v1", "docker.io/user/app:v1", "registry-1.docker.io"),
    ("user/app", "docker.io/user/app:latest", "registry-1.docker.io"),
    ("ghcr.io/o/r/x:1.0", "ghcr.io/o/r/x:1.0", "ghcr.io"),
    ("localhost/foo", "localhost/foo:latest", "localhost"),
    ("localhost:5000/foo", "localhost:5000/foo:latest", "localhost:5000"),
    ("127.0.0.1:5000/a/b:t", "127.0.0.1:5000/a/b:t", "127.0.0.1:5000"),
    (f"alpine@sha256:{HEX}", f"docker.io/library/alpine@sha256:{HEX}", "registry-1.docker.io"),
    (f"host:1/x:t@sha256:{HEX}", f"host:1/x:t@sha256:{HEX}", "host:1"),
    ("[::1]:5000/x", "[::1]:5000/x:latest", "[::1]:5000"),
    ("a__b/c-d.e_f", "docker.io/a__b/c-d.e_f:latest", "registry-1.docker.io"),
])
def test_parse(text: str, expected: str, api: str) -> None:
    ref = parse_reference(text)
    assert str(ref) == expected
    assert ref.api_host == api


def test_fields() -> None:
    ref = parse_reference(f"127.0.0.1:5000/ns/app:v2@sha256:{HEX}")
    assert (ref.registry, ref.repository, ref.tag) == ("127.0.0.1:5000", "ns/app", "v2")
    assert ref.identifier == f"sha256:{HEX}"
    assert ref.hostname == "127.0.0.1" and ref.is_loopback
    assert parse_reference("[::1]:5000/x").is_loopback
    assert not parse_reference("example.com/x").is_loopback
    assert parse_reference("x").identifier == "latest"


@pytest.mark.parametrize("text", [
    "", "Alpine", "alpine:", "alpine:-bad", "a b", "alpine@sha256:abc", "alpine@md5:" + HEX,
    "/alpine", "alpine/", "a//b", "a--", "ex ample.com/x", "host:port/x", "x@",
    "alpine:" + "t" * 129, "a" * 300,
])
def test_invalid(text: str) -> None:
    with pytest.raises(UsageError):
        parse_reference(text)
