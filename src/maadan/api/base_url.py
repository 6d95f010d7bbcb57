"""Where the public reaches the app, for absolute links: MAADAN_PUBLIC_BASE_URL when set, else the
address the server itself listens on (the ASGI scope's `server`). Never the request's Host header,
which any client can set (`Host: evil.example` would otherwise put evil.example in every link)."""

from __future__ import annotations

from starlette.requests import Request


def public_base_url(request: Request) -> str:
    """The app's root URL without a trailing slash, e.g. https://cadastre.example.gov.pk."""
    settings = getattr(request.app.state, "settings", None)
    if settings is not None and settings.public_base_url:
        return settings.public_base_url
    scheme = request.scope.get("scheme", "http")
    host, port = request.scope.get("server") or ("127.0.0.1", None)
    if ":" in host:  # an IPv6 address
        host = f"[{host}]"
    default = {"http": 80, "https": 443}.get(scheme)
    netloc = host if port in (None, default) else f"{host}:{port}"
    return f"{scheme}://{netloc}{request.scope.get('root_path', '')}".rstrip("/")


def absolute(request: Request, path: str) -> str:
    """`path` (starting with /) under the public base URL."""
    return public_base_url(request) + path
