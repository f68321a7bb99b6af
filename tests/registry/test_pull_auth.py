"""htpasswd and token-auth registries; credentials never appear in messages."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from ocihist.pull import pull

from .check import check_layout
from .faultproxy import FaultProxy
from .servers import PASSWORD, REFRESH, USER, Registry, TokenServer


def test_htpasswd_with_flags(htpasswd_registry: Registry, tmp_path: Path) -> None:
    result = pull([f"{htpasswd_registry.host}/test/single:v1"], tmp_path,
                  username=USER, password=PASSWORD)
    assert result.ok, result.to_json()
    check_layout(tmp_path)


def test_htpasswd_from_docker_config(htpasswd_registry: Registry, tmp_path: Path,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    conf = tmp_path / "docker"
    conf.mkdir()
    auth = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
    (conf / "config.json").write_text(json.dumps({"auths": {htpasswd_registry.host: {
        "auth": auth}}}))
    monkeypatch.setenv("DOCKER_CONFIG", str(conf))
    assert pull([f"{htpasswd_registry.host}/test/single:v1"], tmp_path / "out").ok


def test_htpasswd_bad_password_is_one_clean_line(htpasswd_registry: Registry,
                                                 tmp_path: Path) -> None:
    result = pull([f"{htpasswd_registry.host}/test/single:v1"], tmp_path,
                  username=USER, password="wrong-password-123")
    assert not result.ok
    (_ref, cause) = result.failed[0]
    assert "wrong-password-123" not in cause and "\n" not in cause
    assert "denied" in cause or "401" in cause


def test_htpasswd_anonymous_refused(htpasswd_registry: Registry, tmp_path: Path) -> None:
    result = pull([f"{htpasswd_registry.host}/test/single:v1"], tmp_path)
    assert not result.ok
    assert "username and password" in result.failed[0][1]


@pytest.mark.parametrize("style", ["token", "access_token"])
def test_token_auth(token_registry: tuple[Registry, TokenServer], tmp_path: Path,
                    style: str, monkeypatch: pytest.MonkeyPatch) -> None:
    reg, tokens = token_registry
    monkeypatch.setattr(tokens, "style", style)
    before = len(tokens.requests)
    result = pull([f"{reg.host}/test/single:v1", f"{reg.host}/test/multi:v1"], tmp_path,
                  username=USER, password=PASSWORD)
    assert result.ok, result.to_json()
    # one token per repository scope, cached across requests
    assert len(tokens.requests) - before == 2
    assert result.token_requests == 2
    check_layout(tmp_path)


def test_token_identity_token_refresh_grant(token_registry: tuple[Registry, TokenServer],
                                            tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    reg, tokens = token_registry
    conf = tmp_path / "docker"
    conf.mkdir()
    (conf / "config.json").write_text(json.dumps({"auths": {reg.host: {
        "auth": base64.b64encode(b"ignored:").decode(), "identitytoken": REFRESH}}}))
    monkeypatch.setenv("DOCKER_CONFIG", str(conf))
    before = len(tokens.requests)
    assert pull([f"{reg.host}/test/single:v1"], tmp_path / "out").ok
    assert tokens.requests[before]["post"] is True
    assert tokens.requests[before]["query"]["grant_type"] == ["refresh_token"]


def test_token_anonymous(token_registry: tuple[Registry, TokenServer], tmp_path: Path,
                         monkeypatch: pytest.MonkeyPatch) -> None:
    reg, tokens = token_registry
    monkeypatch.setattr(tokens, "anonymous", False)
    denied = pull([f"{reg.host}/test/single:v1"], tmp_path)
    assert not denied.ok and "HTTP 401" in denied.failed[0][1]
    monkeypatch.setattr(tokens, "anonymous", True)
    assert pull([f"{reg.host}/test/single:v1"], tmp_path).ok


def test_token_bad_credentials(token_registry: tuple[Registry, TokenServer],
                               tmp_path: Path) -> None:
    reg, _ = token_registry
    result = pull([f"{reg.host}/test/single:v1"], tmp_path, username=USER, password="nope-42")
    assert not result.ok
    assert "refused the credentials" in result.failed[0][1]
    assert "nope-42" not in result.failed[0][1]


def test_token_refreshed_on_401(token_registry: tuple[Registry, TokenServer],
                                tmp_path: Path) -> None:
    reg, tokens = token_registry
    proxy = FaultProxy(reg.url)
    try:
        challenge = (f'Bearer realm="{tokens.realm}",service="test-registry",'
                     f'scope="repository:test/single:pull",error="invalid_token"')
        proxy.add(r"GET /v2/test/single/manifests/sha256", "status", status=401,
                  headers={"WWW-Authenticate": challenge})
        before = len(tokens.requests)
        result = pull([f"{proxy.host}/test/single:v1"], tmp_path, username=USER,
                      password=PASSWORD)
        assert result.ok, result.to_json()
        assert len(tokens.requests) - before == 2
    finally:
        proxy.stop()


def test_token_refreshed_on_expiry(token_registry: tuple[Registry, TokenServer], tmp_path: Path,
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    reg, tokens = token_registry
    monkeypatch.setattr(tokens, "expires_in", 5)  # inside the refresh margin: always stale
    before = len(tokens.requests)
    assert pull([f"{reg.host}/test/single:v1"], tmp_path, username=USER, password=PASSWORD).ok
    assert len(tokens.requests) - before >= 4  # one per registry request after the ping
