"""A fault-injecting proxy in front of the registry: retries, resets, redirects, bad bytes."""

from __future__ import annotations

import json
import socket
import time
from pathlib import Path

import httpx
import pytest

from ocihist.errors import BadResponse
from ocihist.pull import pull
from ocihist.registry.http import Http, redact

from .check import check_layout
from .conftest import Images, entries
from .faultproxy import FaultProxy
from .images import Layout
from .servers import PASSWORD, USER, Registry

FAST = {"backoff": 0.01, "retries": 4}


def _ref(proxy: FaultProxy, repo: str = "single") -> str:
    return f"{proxy.host}/test/{repo}:v1"


def test_429_retry_after_honoured(proxy: FaultProxy, tmp_path: Path) -> None:
    proxy.add(r"HEAD /v2/test/single/manifests/v1", "status", status=429,
              headers={"Retry-After": "1"})
    start = time.monotonic()
    result = pull([_ref(proxy)], tmp_path, **FAST)
    assert result.ok
    assert time.monotonic() - start >= 1.0
    assert proxy.count("HEAD") == 2


def test_rate_limit_reported_with_figures(proxy: FaultProxy, tmp_path: Path) -> None:
    proxy.add(r"HEAD /v2/", "status", times=50, status=429,
              headers={"Retry-After": "3600", "RateLimit-Limit": "100;w=21600",
                       "RateLimit-Remaining": "0;w=21600"})
    result = pull([_ref(proxy)], tmp_path, **FAST)
    (_, cause), = result.failed
    assert "rate limited" in cause
    assert "ratelimit-limit=100;w=21600" in cause.lower()
    assert proxy.count("HEAD") == 1  # asked to wait an hour: give up at once


def test_503_burst_and_connection_resets(proxy: FaultProxy, tmp_path: Path) -> None:
    proxy.add(r"GET /v2/test/multi/manifests/sha256", "status", times=3, status=503)
    proxy.add(r"GET /v2/test/multi/blobs/", "reset", times=2)
    proxy.add(r"GET /v2/test/multi/blobs/", "reset_mid", times=2)
    proxy.add(r"HEAD /v2/test/multi/manifests/v1", "status", times=1, status=502)
    result = pull([_ref(proxy, "multi")], tmp_path, **FAST)
    assert result.ok, result.to_json()
    check_layout(tmp_path)


def test_slow_bodies(proxy: FaultProxy, tmp_path: Path) -> None:
    proxy.add(r"GET /v2/test/single/blobs/", "slow", times=10, chunk_delay=0.02, chunk=32)
    result = pull([_ref(proxy)], tmp_path, layers=True, **FAST)
    assert result.ok
    check_layout(tmp_path, layers=True)


def _layer_pattern(images: Images, tag: str) -> str:
    lay = Layout(images.layout)
    manifest = json.loads(lay.get(lay.entry(tag)["digest"]))
    return "GET /v2/test/big/blobs/(" + "|".join(x["digest"] for x in manifest["layers"]) + ")"


def test_layer_resumed_with_range_after_reset(proxy: FaultProxy, images: Images,
                                              tmp_path: Path) -> None:
    proxy.add(_layer_pattern(images, "big"), "reset_mid", times=3)
    result = pull([_ref(proxy, "big")], tmp_path, layers=True, **FAST)
    assert result.ok, result.to_json()
    assert result.pulled[0].layers == 3
    ranged = [s for s in proxy.seen if "range" in s.headers]
    assert ranged and all(s.headers["range"].startswith("bytes=") for s in ranged)
    check_layout(tmp_path, layers=True)


def test_redirect_to_other_host_drops_authorization(htpasswd_registry: Registry,
                                                    plain_registry: Registry, images: Images,
                                                    tmp_path: Path) -> None:
    front, blobs = FaultProxy(htpasswd_registry.url), FaultProxy(plain_registry.url)
    try:
        front.add(r"GET /v2/test/single/blobs/", "redirect", times=10,
                  target=blobs.url.replace("/test/single", ""))
        result = pull([_ref(front)], tmp_path, layers=True, username=USER, password=PASSWORD,
                      **FAST)
        assert result.ok, result.to_json()
        assert blobs.seen and all("authorization" not in s.headers for s in blobs.seen)
        assert any("authorization" in s.headers for s in front.seen)
        check_layout(tmp_path, layers=True)
    finally:
        front.stop()
        blobs.stop()


def test_wrong_digest_config_not_stored(proxy: FaultProxy, images: Images,
                                        tmp_path: Path) -> None:
    proxy.add(r"GET /v2/test/single/blobs/", "corrupt", times=10)
    result = pull([_ref(proxy)], tmp_path, **FAST)
    assert not result.ok
    (failure,) = result.pulled[0].failures
    assert "digest" in failure
    blobs = list((tmp_path / "blobs" / "sha256").iterdir())
    assert [b.name for b in blobs] == [images.digests["test/single"][7:]]


def test_wrong_digest_manifest_refused(proxy: FaultProxy, tmp_path: Path) -> None:
    proxy.add(r"GET /v2/test/single/manifests/", "corrupt", times=10)
    result = pull([_ref(proxy)], tmp_path, **FAST)
    (_, cause), = result.failed
    assert "differs" in cause
    assert json.loads((tmp_path / "index.json").read_bytes())["manifests"] == []  # valid, empty
    assert not list((tmp_path / "blobs").glob("*/*")) if (tmp_path / "blobs").exists() else True


def test_not_found_and_refused(plain_registry: Registry, images: Images, tmp_path: Path) -> None:
    result = pull([f"{plain_registry.host}/test/nope:v1", f"{plain_registry.host}/test/single:zz"],
                  tmp_path, **FAST)
    assert [c for _, c in result.failed] and all("not found" in c for _, c in result.failed)
    assert all(c.count("\n") == 0 for _, c in result.failed)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    refused = pull([f"127.0.0.1:{port}/x:y"], tmp_path, backoff=0.01, retries=1)
    (ref, cause), = refused.failed
    assert ref == f"127.0.0.1:{port}/x:y" and "cannot reach" in cause
    assert check_layout(tmp_path) == 0


def test_refused_connection_is_retried_once(monkeypatch: pytest.MonkeyPatch,
                                            tmp_path: Path) -> None:
    """A registry that is not there fails after one retry, not after the full backoff."""
    from ocihist.registry import http

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    sleeps: list[float] = []
    monkeypatch.setattr(http.time, "sleep", sleeps.append)
    result = pull([f"127.0.0.1:{port}/x:y"], tmp_path)  # default retries=4, backoff=0.5
    (_, cause), = result.failed
    assert "cannot reach" in cause and "refused" in cause.lower()
    assert sleeps == [0.5]
    assert check_layout(tmp_path) == 0  # a valid, empty layout: never a broken one


def test_redirect_https_to_http_refused() -> None:
    http = Http(retries=0)
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        return httpx.Response(307, headers={"Location": "http://127.0.0.1:9/v2/x"})

    http._client = httpx.Client(transport=httpx.MockTransport(handler))
    with pytest.raises(BadResponse, match="refused a redirect"):
        http.fetch("GET", "https://127.0.0.1:1/v2/a", where="ref", limit=100, auth="Basic x")
    assert seen == ["https://127.0.0.1:1/v2/a"]


def test_redact_hides_query_and_userinfo() -> None:
    url = "https://user:pw@blob.example/path?X-Amz-Signature=abc&token=def"
    assert redact(url) == "https://blob.example/path?…"
    assert entries  # imported helper used elsewhere


def test_registry_refusing_head(proxy: FaultProxy, tmp_path: Path) -> None:
    proxy.add(r"HEAD /v2/test/single/manifests/", "status", status=405)
    result = pull([_ref(proxy)], tmp_path, **FAST)
    assert result.ok, result.to_json()
    assert check_layout(tmp_path) == 1
