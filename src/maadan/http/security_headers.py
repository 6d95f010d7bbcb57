"""Security headers on every response, in one place: the Content-Security-Policy (as a table of
directives, so a later need, e.g. `worker-src blob:` for a WebGL map, is one line), framing
refused, no MIME sniffing, a referrer policy, and HSTS when the request came over TLS (directly,
or through a trusted proxy's X-Forwarded-Proto).

Every script and style of the web app and the API docs is a file under /static, so the policy
allows no inline script or style. Two kinds of response carry their own, stricter policy and are
left alone: the self-contained report documents (`DOCUMENT_POLICY`: no script at all) and any
response that sets one itself."""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from maadan.config import Settings

BASE_POLICY: dict[str, tuple[str, ...]] = {
    "default-src": ("'self'",),
    "script-src": ("'self'",),
    "style-src": ("'self'",),
    "img-src": ("'self'", "data:"),  # the map's and the docs' icons are data: URIs in their CSS
    "font-src": ("'self'",),
    "connect-src": ("'self'",),
    "object-src": ("'none'",),
    "base-uri": ("'self'",),
    "form-action": ("'self'",),
    "frame-ancestors": ("'none'",),
}
# A report downloaded as one HTML file: inline CSS and SVG figures, and nothing that runs.
DOCUMENT_POLICY = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; "
                   "form-action 'none'; frame-ancestors 'none'")
HSTS = "max-age=31536000"


def tile_source(tile_url: str | None) -> str | None:
    """The CSP source for a base-map tile URL template (its origin; {s} subdomains as a wildcard)."""
    if not tile_url:
        return None
    parts = urlsplit(tile_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    host = parts.netloc.replace("{s}", "*")
    return f"{parts.scheme}://{host}" if "{" not in host else f"{parts.scheme}:"


def content_security_policy(settings: Settings | None) -> str:
    policy = {k: list(v) for k, v in BASE_POLICY.items()}
    tiles = tile_source(settings.tile_url if settings else None)
    if tiles:  # a configured base map: Leaflet loads its tiles as images, MapLibre fetches them
        policy["img-src"].append(tiles)
        policy["connect-src"].append(tiles)
    return "; ".join(f"{k} {' '.join(v)}" for k, v in policy.items())


class SecurityHeaders:
    """Adds the headers to every HTTP response that does not set them itself."""

    def __init__(self, app: ASGIApp, settings: Settings | None = None):
        self.app = app
        self.trusted = settings.trusted_proxies if settings else frozenset()
        self.headers = [
            (b"content-security-policy", content_security_policy(settings).encode()),
            (b"x-frame-options", b"DENY"),
            (b"x-content-type-options", b"nosniff"),
            (b"referrer-policy", b"same-origin"),
            (b"cross-origin-opener-policy", b"same-origin"),
            (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), payment=(), usb=()"),
        ]

    def over_tls(self, scope: Scope) -> bool:
        if scope.get("scheme") == "https":
            return True
        peer = (scope.get("client") or (None,))[0]
        if peer is None or peer not in self.trusted:
            return False
        forwarded = [v for k, v in scope.get("headers") or [] if k == b"x-forwarded-proto"]
        return bool(forwarded) and forwarded[-1].split(b",")[-1].strip().lower() == b"https"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = list(self.headers)
        if self.over_tls(scope):
            extra.append((b"strict-transport-security", HSTS.encode()))

        async def add(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers") or [])
                present = {k.lower() for k, _ in headers}
                headers += [(k, v) for k, v in extra if k not in present]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, add)
