"""Challenge parsing and the credential lookup chain (no network)."""

from __future__ import annotations

import base64
import json
import os
import stat
from pathlib import Path

import pytest

from ocihist.errors import AuthError
from ocihist.model.reference import parse_reference
from ocihist.registry.auth import parse_challenges, pick_challenge
from ocihist.registry.credentials import Credentials, lookup


def test_bearer_challenge() -> None:
    header = ('Bearer realm="https://auth.docker.io/token",service="registry.docker.io",'
              'scope="repository:library/alpine:pull,push"')
    (c,) = parse_challenges(header)
    assert c.scheme == "bearer"
    assert c.params == {"realm": "https://auth.docker.io/token", "service": "registry.docker.io",
                        "scope": "repository:library/alpine:pull,push"}


def test_challenge_variants() -> None:
    assert pick_challenge('Bearer realm="http://x/t"').params == {"realm": "http://x/t"}
    assert pick_challenge('Basic realm="Registry Realm"').scheme == "basic"
    both = 'Basic realm="r", Bearer realm="http://t",service=s, error="invalid_token"'
    chosen = pick_challenge(both)
    assert chosen is not None and chosen.scheme == "bearer"
    assert chosen.params["service"] == "s" and chosen.params["error"] == "invalid_token"
    assert pick_challenge('Bearer realm="a\\"b"').params["realm"] == 'a"b'
    assert pick_challenge("Negotiate") is None
    assert pick_challenge(None) is None
    assert pick_challenge("") is None


def test_credentials_repr_hides_secrets() -> None:
    creds = Credentials("bob", "hunter2", "tok", "x")
    assert "hunter2" not in repr(creds) and "tok'" not in repr(creds)


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def test_docker_config_auths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path))
    (tmp_path / "config.json").write_text(json.dumps({"auths": {
        "https://index.docker.io/v1/": {"auth": _b64("hub:pw")},
        "http://reg.example:5000/v2/": {"auth": _b64("me:pw2")},
        "tok.example": {"identitytoken": "refresh-1", "auth": _b64("u:")},
    }}))
    hub = lookup(parse_reference("alpine"))
    assert hub is not None and (hub.username, hub.password) == ("hub", "pw")
    reg = lookup(parse_reference("reg.example:5000/a/b"))
    assert reg is not None and (reg.username, reg.password) == ("me", "pw2")
    tok = lookup(parse_reference("tok.example/x"))
    assert tok is not None and tok.identity_token == "refresh-1" and not tok.basic
    assert lookup(parse_reference("other.example/x")) is None
    flags = lookup(parse_reference("alpine"), username="f", password="p")
    assert flags is not None and flags.username == "f"


def test_containers_auth_json_wins_and_matches_repo(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    auth = tmp_path / "auth.json"
    auth.write_text(json.dumps({"auths": {
        "reg.example": {"auth": _b64("host:1")},
        "reg.example/team/app": {"auth": _b64("repo:2")},
    }}))
    monkeypatch.setenv("REGISTRY_AUTH_FILE", str(auth))
    assert lookup(parse_reference("reg.example/team/app:v1")).username == "repo"  # type: ignore[union-attr]
    assert lookup(parse_reference("reg.example/team/other")).username == "host"  # type: ignore[union-attr]
    monkeypatch.delenv("REGISTRY_AUTH_FILE")
    runtime = tmp_path / "run"
    (runtime / "containers").mkdir(parents=True)
    auth.rename(runtime / "containers" / "auth.json")
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(runtime))
    assert lookup(parse_reference("reg.example/x")).username == "host"  # type: ignore[union-attr]


def _helper(bindir: Path, name: str, script: str) -> None:
    path = bindir / f"docker-credential-{name}"
    path.write_text("#!/bin/sh\n" + script)
    path.chmod(path.stat().st_mode | stat.S_IEXEC)


def test_credential_helpers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bindir = tmp_path / "bin"
    bindir.mkdir()
    _helper(bindir, "store", 'read s; echo "{\\"Username\\":\\"st\\",\\"Secret\\":\\"$s\\"}"\n')
    _helper(bindir, "tok", 'echo \'{"Username":"<token>","Secret":"rt"}\'\n')
    _helper(bindir, "none", "echo 'credentials not found in native keychain'; exit 1\n")
    monkeypatch.setenv("PATH", f"{bindir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path))
    (tmp_path / "config.json").write_text(json.dumps({
        "credsStore": "store",
        "credHelpers": {"tok.example": "tok", "none.example": "none", "gone.example": "gone"}}))
    store = lookup(parse_reference("alpine"))
    assert store is not None and store.password == "https://index.docker.io/v1/"
    tok = lookup(parse_reference("tok.example/x"))
    assert tok is not None and tok.identity_token == "rt"
    assert lookup(parse_reference("none.example/x")) is None
    with pytest.raises(AuthError, match="not installed"):
        lookup(parse_reference("gone.example/x"))


def test_bad_config_is_an_auth_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path))
    (tmp_path / "config.json").write_text("{not json")
    with pytest.raises(AuthError):
        lookup(parse_reference("alpine"))


def test_scheme_policy() -> None:
    from ocihist.registry.session import NetworkOptions, Session

    def base(text: str, **options: object) -> str:
        session = Session(NetworkOptions(**options))  # type: ignore[arg-type]
        try:
            return session.client(parse_reference(text)).base
        finally:
            session.close()

    assert base("127.0.0.1:5000/x") == "http://127.0.0.1:5000/v2/"
    assert base("localhost:5000/x") == "http://localhost:5000/v2/"
    assert base("127.0.0.1:5000/x", ca_cert=None, insecure=False).startswith("http:")
    assert base("example.com/x") == "https://example.com/v2/"
    assert base("alpine") == "https://registry-1.docker.io/v2/"
    assert base("example.com/x", insecure=True) == "http://example.com/v2/"
