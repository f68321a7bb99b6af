"""HTTPS registries: --ca-cert trusted, unknown CA refused, plain HTTP to a TLS port fails."""

from __future__ import annotations

from pathlib import Path

from ocihist.errors import RegistryError, TLSError
from ocihist.pull import pull

from .check import check_layout
from .servers import Registry, make_tls


def test_ca_cert(tls_registry: tuple[Registry, Path], tmp_path: Path) -> None:
    reg, ca = tls_registry
    result = pull([f"{reg.host}/test/single:v1"], tmp_path, ca_cert=str(ca))
    assert result.ok, result.to_json()
    assert check_layout(tmp_path) == 1
    entry_registry = result.pulled[0]
    assert entry_registry.digest.startswith("sha256:")
    assert (tmp_path / "index.json").read_text().count(f"https://{reg.host}") == 1


def test_unknown_ca_refused(tls_registry: tuple[Registry, Path], tmp_path: Path) -> None:
    reg, _ = tls_registry
    other_ca, _, _ = make_tls(tmp_path / "other")
    result = pull([f"{reg.host}/test/single:v1"], tmp_path / "o", ca_cert=str(other_ca),
                  retries=0)
    (error,) = result.errors
    assert isinstance(error, TLSError), error
    assert "TLS" in result.failed[0][1]


def test_plain_http_to_tls_port_fails(tls_registry: tuple[Registry, Path],
                                      tmp_path: Path) -> None:
    reg, _ = tls_registry
    result = pull([f"{reg.host}/test/single:v1"], tmp_path, retries=0)
    (error,) = result.errors
    assert isinstance(error, RegistryError)
    assert check_layout(tmp_path) == 0  # nothing pulled: a valid, empty layout
