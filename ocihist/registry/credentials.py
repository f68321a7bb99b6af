"""Where registry credentials come from: flags, docker config.json, helpers, containers auth.json.

Secrets are never logged: `Credentials.__repr__` hides them.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ocihist.errors import AuthError
from ocihist.model.reference import DOCKER_HUB, Reference

HUB_CONFIG_KEY = "https://index.docker.io/v1/"
_HUB_KEYS = frozenset({"docker.io", "index.docker.io", "registry-1.docker.io"})
TOKEN_USERNAME = "<token>"


@dataclass(frozen=True, slots=True)
class Credentials:
    """A username and password, or an OAuth2 refresh (identity) token."""

    username: str = ""
    password: str = field(default="", repr=False)
    identity_token: str = field(default="", repr=False)
    source: str = ""

    def __repr__(self) -> str:
        return f"Credentials(username={self.username!r}, source={self.source!r}, secret=<hidden>)"

    @property
    def basic(self) -> bool:
        return bool(self.username or self.password) and not self.identity_token


def _normal_key(key: str) -> str:
    """`https://host:5000/v2/` → `host:5000`; `host/ns/repo` keeps its path; hub → docker.io."""
    for prefix in ("https://", "http://"):
        if key.startswith(prefix):
            key = key[len(prefix):].split("/", 1)[0]
    host, sep, path = key.rstrip("/").partition("/")
    if host in _HUB_KEYS:
        host = DOCKER_HUB
    return host + sep + path


def _match(entries: dict[str, Any], ref: Reference) -> tuple[str, Any] | None:
    """The most specific entry for `ref`: `host/ns/repo`, then `host/ns`, then `host`."""
    normal: dict[str, tuple[str, Any]] = {}
    for key, value in entries.items():
        normal.setdefault(_normal_key(key), (key, value))
    parts = f"{ref.registry}/{ref.repository}".split("/")
    for end in range(len(parts), 0, -1):
        hit = normal.get("/".join(parts[:end]))
        if hit is not None:
            return hit
    return None


def _decode_auth(entry: dict[str, Any], source: str) -> Credentials | None:
    token = entry.get("identitytoken")
    auth = entry.get("auth")
    username, password = entry.get("username", ""), entry.get("password", "")
    if isinstance(auth, str) and auth:
        try:
            username, _, password = base64.b64decode(auth).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            raise AuthError(f"the auth entry in {source} is not valid base64") from None
    if isinstance(token, str) and token:
        return Credentials(username, "", token, source)
    if username or password:
        return Credentials(str(username), str(password), "", source)
    return None


def _read_json(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise AuthError(f"cannot read credentials file {path}: {type(exc).__name__}") from None
    return data if isinstance(data, dict) else None


def run_helper(name: str, server: str) -> Credentials | None:
    """Ask `docker-credential-NAME get` for `server`; None when it has nothing."""
    program = f"docker-credential-{name}"
    try:
        proc = subprocess.run([program, "get"], input=server.encode(), capture_output=True,
                              timeout=60, check=False)
    except FileNotFoundError:
        raise AuthError(f"credential helper {program} is not installed") from None
    except subprocess.TimeoutExpired:
        raise AuthError(f"credential helper {program} timed out") from None
    if proc.returncode != 0:
        return None  # "credentials not found in native keychain"
    try:
        reply = json.loads(proc.stdout)
        username, secret = str(reply.get("Username", "")), str(reply.get("Secret", ""))
    except (ValueError, AttributeError):
        raise AuthError(f"credential helper {program} answered garbage") from None
    if username == TOKEN_USERNAME:
        return Credentials("", "", secret, program)
    return Credentials(username, secret, "", program) if username or secret else None


def docker_config_dir() -> Path:
    env = os.environ.get("DOCKER_CONFIG")
    return Path(env) if env else Path.home() / ".docker"


def from_docker_config(ref: Reference, path: Path | None = None) -> Credentials | None:
    path = path or docker_config_dir() / "config.json"
    data = _read_json(path)
    if data is None:
        return None
    server = HUB_CONFIG_KEY if ref.registry == DOCKER_HUB else ref.registry
    helpers = data.get("credHelpers")
    if isinstance(helpers, dict):
        hit = _match(helpers, ref)
        if hit is not None and isinstance(hit[1], str):
            return run_helper(hit[1], server)
    creds = _from_auths(data, ref, path)
    if creds is not None:
        return creds
    store = data.get("credsStore")
    if isinstance(store, str) and store:
        return run_helper(store, server)
    return None


def containers_auth_paths() -> list[Path]:
    env = os.environ.get("REGISTRY_AUTH_FILE")
    if env:
        return [Path(env)]
    paths = []
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    if runtime:
        paths.append(Path(runtime) / "containers" / "auth.json")
    config = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    paths.append(Path(config) / "containers" / "auth.json")
    return paths


def from_containers_auth(ref: Reference) -> Credentials | None:
    for path in containers_auth_paths():
        data = _read_json(path)
        creds = _from_auths(data, ref, path) if data else None
        if creds is not None:
            return creds
    return None


def _from_auths(data: dict[str, Any], ref: Reference, path: Path) -> Credentials | None:
    """The `auths` entry of a docker or containers config file that matches `ref`."""
    auths = data.get("auths")
    if not isinstance(auths, dict):
        return None
    hit = _match(auths, ref)
    if hit is None or not isinstance(hit[1], dict):
        return None
    return _decode_auth(hit[1], str(path))


def lookup(ref: Reference, *, username: str | None = None,
           password: str | None = None) -> Credentials | None:
    """Credentials for `ref`: explicit flags first, then containers auth.json, then docker."""
    if username is not None or password is not None:
        return Credentials(username or "", password or "", "", "command line")
    return from_containers_auth(ref) or from_docker_config(ref)
