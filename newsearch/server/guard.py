"""An ASGI layer in front of the app: request size caps, Host check, security headers."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Collection, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

# The page loads only its own script and style and talks only to its own API: an
# injected tag that escaping somehow missed could still neither run nor load anything.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = [
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
]
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1", "[::1]")


def _host_name(value: str) -> str:
    if value.startswith("["):  # [::1]:8765
        return value[: value.find("]") + 1]
    return value.rsplit(":", 1)[0] if value.count(":") == 1 else value


class Guard:
    """Rejects requests over ``max_bytes`` (body or URL) and with a Host not in
    ``allowed_hosts`` (None: any), and adds the security headers to every answer.

    The Host check stops DNS rebinding: a web page on another site cannot make the
    browser of someone running the server on 127.0.0.1 read the index through a name
    that resolves to 127.0.0.1.
    """

    def __init__(
        self, app: ASGIApp, *, max_bytes: int, allowed_hosts: Collection[str] | None
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.allowed_hosts = set(allowed_hosts) if allowed_hosts is not None else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        refusal = self._refusal(scope)
        if refusal is not None:
            await _answer(send, *refusal)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *SECURITY_HEADERS]
            await send(message)

        await self.app(scope, receive, send_with_headers)

    def _refusal(self, scope: Scope) -> tuple[int, str, str] | None:
        headers = dict(scope.get("headers", []))
        if self.allowed_hosts is not None:
            host = _host_name(headers.get(b"host", b"").decode("latin-1")).lower()
            if host not in self.allowed_hosts:
                return 400, "bad_host", f"Host {host!r} is not served here"
        length = headers.get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.max_bytes):
            return 413, "too_large", f"request bodies are limited to {self.max_bytes} bytes"
        if b"chunked" in headers.get(b"transfer-encoding", b"").lower():
            return 411, "length_required", "a request body needs a Content-Length"
        if len(scope.get("raw_path") or b"") + len(scope.get("query_string", b"")) > self.max_bytes:
            return 414, "too_long", f"request URLs are limited to {self.max_bytes} bytes"
        return None


async def _answer(send: Send, status: int, code: str, message: str) -> None:
    body = json.dumps({"status": status, "error": code, "message": message}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                *SECURITY_HEADERS,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
