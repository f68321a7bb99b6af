"""A fault-injecting HTTP proxy on 127.0.0.1 in front of a registry.

Rules match `METHOD path` by regex and fire a limited number of times: a status (429 with
Retry-After, 503…), a connection reset (before or mid-body), a slow body, a redirect to
another server, or a corrupted body. Every request is recorded with its headers.
"""

from __future__ import annotations

import http.client
import re
import socket
import struct
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade",
       "proxy-authorization", "proxy-authenticate"}


@dataclass
class Rule:
    pattern: str
    action: str  # status | respond | reset | reset_mid | slow | redirect | corrupt
    times: int = 1
    params: dict[str, Any] = field(default_factory=dict)

    def matches(self, line: str) -> bool:
        return self.times != 0 and re.search(self.pattern, line) is not None


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    status: int = 0
    at: float = field(default_factory=time.monotonic)


class FaultProxy:
    def __init__(self, upstream: str, *, delay: float = 0.0) -> None:
        self.upstream = upstream.removeprefix("http://")
        self.delay = delay
        self.rules: list[Rule] = []
        self.seen: list[Seen] = []
        self.lock = threading.Lock()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True

            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                proxy.handle(self)

            do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = do_GET

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.httpd.handle_error = lambda *args: None  # type: ignore[method-assign]
        self.host = f"127.0.0.1:{self.httpd.server_address[1]}"
        self.url = f"http://{self.host}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def add(self, pattern: str, action: str, times: int = 1, **params: Any) -> Rule:
        rule = Rule(pattern, action, times, params)
        with self.lock:
            self.rules.append(rule)
        return rule

    def clear(self) -> None:
        with self.lock:
            self.rules.clear()
            self.seen.clear()

    def count(self, pattern: str = "") -> int:
        return sum(1 for s in self.seen if re.search(pattern, f"{s.method} {s.path}"))

    def _rule(self, line: str) -> Rule | None:
        with self.lock:
            for rule in self.rules:
                if rule.matches(line):
                    rule.times -= 1
                    return rule
        return None

    def handle(self, h: BaseHTTPRequestHandler) -> None:
        length = int(h.headers.get("Content-Length") or 0)
        body = h.rfile.read(length) if length else None
        seen = Seen(h.command, h.path, {k.lower(): v for k, v in h.headers.items()})
        with self.lock:
            self.seen.append(seen)
        if self.delay:
            time.sleep(self.delay)
        rule = self._rule(f"{h.command} {h.path}")
        action = rule.action if rule else None
        if action == "reset":
            self._reset(h)
            return
        if action == "status":
            status = rule.params.get("status", 503)
            payload = b'{"errors":[{"code":"TOOMANYREQUESTS","message":"slow down"}]}'
            seen.status = status
            self._send(h, status, {**rule.params.get("headers", {}),
                                   "Content-Type": "application/json"}, payload)
            return
        if action == "respond":
            seen.status = rule.params.get("status", 200)
            self._send(h, seen.status, {**rule.params.get("headers", {}),
                                        "Content-Type": rule.params["content_type"]},
                       rule.params["body"])
            return
        if action == "redirect":
            seen.status = 307
            self._send(h, 307, {"Location": rule.params["target"] + h.path}, b"")
            return
        conn = http.client.HTTPConnection(self.upstream, timeout=60)
        conn.putrequest(h.command, h.path, skip_host=True, skip_accept_encoding=True)
        for k, v in h.headers.items():  # repeated headers (several Accept lines) kept
            if k.lower() not in HOP:
                conn.putheader(k, v)
        conn.endheaders(body)
        resp = conn.getresponse()
        data = resp.read()
        conn.close()
        seen.status = resp.status
        out = {k: v for k, v in resp.getheaders() if k.lower() not in HOP
               and (k.lower() != "content-length" or h.command == "HEAD")}
        if action == "corrupt" and data:
            data = bytes([data[0] ^ 0x01]) + data[1:]
        if action == "reset_mid":
            h.send_response(resp.status)
            for k, v in out.items():
                h.send_header(k, v)
            h.send_header("Content-Length", str(len(data)))
            h.end_headers()
            h.wfile.write(data[: len(data) // 2])
            h.wfile.flush()
            time.sleep(0.2)  # let the client read what was sent before the RST discards it
            self._reset(h)
            return
        chunk_delay = rule.params.get("chunk_delay", 0.0) if action == "slow" else 0.0
        self._send(h, resp.status, out, data, chunk_delay=chunk_delay,
                   chunk=rule.params.get("chunk", 16384) if rule else 16384)

    @staticmethod
    def _send(h: BaseHTTPRequestHandler, status: int, headers: dict[str, str], data: bytes,
              *, chunk_delay: float = 0.0, chunk: int = 16384) -> None:
        h.send_response(status)
        for k, v in headers.items():
            h.send_header(k, v)
        if h.command != "HEAD":
            h.send_header("Content-Length", str(len(data)))
        h.end_headers()
        if h.command == "HEAD":
            return
        try:
            for i in range(0, len(data), chunk):
                h.wfile.write(data[i:i + chunk])
                if chunk_delay:
                    h.wfile.flush()
                    time.sleep(chunk_delay)
        except (BrokenPipeError, ConnectionResetError):
            h.close_connection = True

    @staticmethod
    def _reset(h: BaseHTTPRequestHandler) -> None:
        sock: socket.socket = h.connection
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        h.close_connection = True
        sock.close()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
