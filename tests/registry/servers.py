"""Real servers for the registry tests: Debian's docker-registry and a tiny token server.

Everything listens on 127.0.0.1 only.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import ipaddress
import json
import os
import re
import ssl
import subprocess
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import bcrypt
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.x509.oid import NameOID

USER, PASSWORD, REFRESH = "alice", "s3cret-pw", "refresh-token-xyz"
SERVICE, ISSUER = "test-registry", "test-issuer"


def clean_env() -> dict[str, str]:
    """The environment without REGISTRY_* (docker-registry reads them as overrides)."""
    return {k: v for k, v in os.environ.items() if not k.startswith("REGISTRY_")}


class Registry:
    """A docker-registry process on 127.0.0.1:<kernel-chosen port>."""

    def __init__(self, root: Path, *, auth: dict[str, Any] | None = None,
                 schema1: bool = False, tls: tuple[Path, Path] | None = None) -> None:
        root.mkdir(parents=True, exist_ok=True)
        config: dict[str, Any] = {
            "version": 0.1, "log": {"level": "info", "accesslog": {"disabled": True}},
            "storage": {"filesystem": {"rootdirectory": str(root / "data")},
                        "delete": {"enabled": True}},
            "http": {"addr": "127.0.0.1:0", "secret": "test-secret"},
        }
        if auth:
            config["auth"] = auth
        if schema1:
            config["compatibility"] = {"schema1": {"enabled": True}}
        if tls:
            config["http"]["tls"] = {"certificate": str(tls[0]), "key": str(tls[1])}
        cfg = root / "config.yml"
        cfg.write_text(json.dumps(config))  # JSON is YAML
        self.log = (root / "registry.log").open("w+b")
        self.proc = subprocess.Popen(["docker-registry", "serve", str(cfg)], env=clean_env(),
                                     stdout=self.log, stderr=self.log)
        try:
            self.host = f"127.0.0.1:{self._port()}"
            self.url = f"{'https' if tls else 'http'}://{self.host}"
            self._wait_ready()
        except BaseException:
            self.stop()
            raise

    def _port(self) -> int:
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            self.log.seek(0)
            found = re.search(rb"listening on 127\.0\.0\.1:(\d+)", self.log.read())
            if found:
                return int(found.group(1))
            if self.proc.poll() is not None:
                break
            time.sleep(0.02)
        self.log.seek(0)
        raise RuntimeError("docker-registry did not start: " + self.log.read().decode()[-2000:])

    def _wait_ready(self) -> None:
        for _ in range(200):
            try:
                urllib.request.urlopen(self.url + "/v2/", timeout=2,
                                       context=ssl._create_unverified_context())
                return
            except urllib.error.HTTPError as exc:
                if exc.code == 401:
                    return
            except OSError:
                pass
            time.sleep(0.02)
        raise RuntimeError("docker-registry not ready")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()


def write_htpasswd(path: Path) -> Path:
    hashed = bcrypt.hashpw(PASSWORD.encode(), bcrypt.gensalt(rounds=4)).decode()
    path.write_text(f"{USER}:{hashed}\n")
    return path


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def libtrust_kid(key: ec.EllipticCurvePublicKey) -> str:
    der = key.public_bytes(serialization.Encoding.DER,
                           serialization.PublicFormat.SubjectPublicKeyInfo)
    text = base64.b32encode(hashlib.sha256(der).digest()[:30]).decode().rstrip("=")
    return ":".join(text[i:i + 4] for i in range(0, len(text), 4))


@dataclass
class TokenServer:
    """Issues ES256 JWTs the registry verifies offline; counts requests."""

    root: Path
    style: str = "token"  # "token", "access_token" (only), or "both"
    anonymous: bool = False  # anonymous pull tokens allowed
    requests: list[dict[str, Any]] = field(default_factory=list)
    expires_in: int = 300

    def __post_init__(self) -> None:
        self.key = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "ocihist test token")])
        now = datetime.datetime.now(datetime.UTC)
        cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
                .public_key(self.key.public_key()).serial_number(x509.random_serial_number())
                .not_valid_before(now - datetime.timedelta(days=1))
                .not_valid_after(now + datetime.timedelta(days=30))
                .sign(self.key, hashes.SHA256()))
        self.cert = self.root / "token.pem"
        self.root.mkdir(parents=True, exist_ok=True)
        self.cert.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        self.kid = libtrust_kid(self.key.public_key())
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                query = parse_qs(urlsplit(self.path).query)
                server._answer(self, query, self.headers.get("Authorization"), None)

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                form = parse_qs(self.rfile.read(length).decode())
                server._answer(self, form, self.headers.get("Authorization"), form)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.realm = f"http://127.0.0.1:{self.httpd.server_address[1]}/token"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def auth_config(self) -> dict[str, Any]:
        return {"token": {"realm": self.realm, "service": SERVICE, "issuer": ISSUER,
                          "rootcertbundle": str(self.cert)}}

    def _user(self, authorization: str | None, form: dict[str, list[str]] | None) -> str | None:
        if form is not None:
            if form.get("grant_type") == ["refresh_token"] and form.get("refresh_token") == [
                    REFRESH]:
                return USER
            return None
        if authorization and authorization.startswith("Basic "):
            raw = base64.b64decode(authorization[6:]).decode()
            return USER if raw == f"{USER}:{PASSWORD}" else None
        return None

    def _answer(self, handler: BaseHTTPRequestHandler, query: dict[str, list[str]],
                authorization: str | None, form: dict[str, list[str]] | None) -> None:
        user = self._user(authorization, form)
        self.requests.append({"query": query, "user": user, "post": form is not None})
        if (authorization or form is not None) and user is None:
            handler.send_response(401)
            handler.end_headers()
            return
        access = []
        for scope in " ".join(query.get("scope", [])).split():
            kind, _, rest = scope.partition(":")
            name, _, actions = rest.rpartition(":")
            granted = [a for a in actions.split(",") if user or (self.anonymous and a == "pull")]
            access.append({"type": kind, "name": name, "actions": granted})
        token = self.sign({"iss": ISSUER, "sub": user or "", "aud": SERVICE,
                           "exp": int(time.time()) + self.expires_in,
                           "nbf": int(time.time()) - 10, "iat": int(time.time()),
                           "jti": os.urandom(8).hex(), "access": access})
        reply: dict[str, Any] = {"expires_in": self.expires_in}
        if self.style in ("token", "both"):
            reply["token"] = token
        if self.style in ("access_token", "both"):
            reply["access_token"] = token
        body = json.dumps(reply).encode()
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    def sign(self, claims: dict[str, Any]) -> str:
        header = {"typ": "JWT", "alg": "ES256", "kid": self.kid}
        signing = f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(claims).encode())}"
        r, s = decode_dss_signature(self.key.sign(signing.encode(), ec.ECDSA(hashes.SHA256())))
        return f"{signing}.{_b64(r.to_bytes(32, 'big') + s.to_bytes(32, 'big'))}"

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def make_tls(root: Path) -> tuple[Path, Path, Path]:
    """A test CA and a server certificate for 127.0.0.1: (ca.pem, cert.pem, key.pem)."""
    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "ocihist test CA")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name)
          .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
          .not_valid_before(now - datetime.timedelta(days=1))
          .not_valid_after(now + datetime.timedelta(days=30))
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
            .issuer_name(ca_name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=30))
            .add_extension(x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
            .sign(ca_key, hashes.SHA256()))
    root.mkdir(parents=True, exist_ok=True)
    paths = root / "ca.pem", root / "cert.pem", root / "key.pem"
    paths[0].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths[1].write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    paths[2].write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return paths
