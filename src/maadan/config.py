"""Settings: every setting is a row of (name, default, help), read from the environment once,
by `load_settings()`, never at import time."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

from maadan.errors import ConfigError


@dataclass(frozen=True)
class Setting:
    env: str
    default: str
    help: str


def _default_data_dir(env: Mapping[str, str]) -> Path:
    base = env.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "maadan"


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "MAADAN_DATA_DIR",
        "$XDG_DATA_HOME/maadan (~/.local/share/maadan)",
        "Folder for the embedded SQLite database and other local state.",
    ),
    Setting(
        "MAADAN_DATABASE_URL",
        "sqlite:///<MAADAN_DATA_DIR>/maadan.sqlite",
        "SQLAlchemy URL of the store. SQLite by default; "
        "postgresql+psycopg://user@host/db for PostgreSQL with PostGIS.",
    ),
    Setting(
        "MAADAN_READ_DATABASE_URL",
        "unset (every read goes to MAADAN_DATABASE_URL)",
        "PostgreSQL only: comma-separated URLs of streaming replicas (standbys) of MAADAN_DATABASE_URL. Public "
        "reads (pages, REST and OGC GETs) go to a replica that is up; writes, and the reads of whoever wrote "
        "until a replica has replayed their write (the maadan_lsn cookie or X-Maadan-Min-LSN header), go to "
        "the primary. Refused with SQLite (one file has no replicas).",
    ),
    Setting(
        "MAADAN_BOUNDARIES_DIR",
        "unset (bundled Natural Earth outlines)",
        "Folder of official jurisdiction boundary files named <CODE>.geojson (e.g. PK-BA.geojson); "
        "each one found replaces the bundled ~1 km outline for the cadastre's checks.",
    ),
    Setting("MAADAN_HOST", "127.0.0.1", "Address `maadan serve` listens on."),
    Setting("MAADAN_PORT", "8000", "Port `maadan serve` listens on."),
    Setting(
        "MAADAN_ENV",
        "dev",
        "dev or prod. In prod Maadan refuses to start without MAADAN_SECRET_KEY and marks cookies Secure.",
    ),
    Setting(
        "MAADAN_SECRET_KEY",
        "a random key per process in dev",
        "Secret for signing web sessions and CSRF tokens; required when MAADAN_ENV=prod.",
    ),
    Setting(
        "MAADAN_TILE_URL",
        "unset (no base map: the map shows Maadan's own layers only)",
        "Base-map tile URL template for the web map, e.g. https://tile.example.org/{z}/{x}/{y}.png.",
    ),
    Setting("MAADAN_MAX_BODY_BYTES", "5000000", "Largest request body the API accepts (bytes)."),
    Setting(
        "MAADAN_LOG_LEVEL",
        "info",
        "Level of `maadan serve`'s logs; at info every request is one JSON line (warning: errors only).",
    ),
    Setting(
        "MAADAN_TRUSTED_PROXIES",
        "unset (trust no proxy: the client is the TCP peer)",
        "Comma-separated addresses of reverse proxies in front of Maadan. Only when the TCP peer is one "
        "of them is X-Forwarded-For read, for the sign-in rate limit and the request log.",
    ),
    Setting(
        "MAADAN_REGISTER_KEY",
        "<MAADAN_DATA_DIR>/register-key.pem",
        "The authority's Ed25519 key that signs register checkpoints (PEM, mode 0600), created by "
        "`maadan audit keygen`; its public key is written beside it as <file>.pub. Only `maadan audit "
        "checkpoint` reads it: the web server never needs it.",
    ),
    Setting(
        "MAADAN_REGISTER_NAME",
        "maadan.local/register",
        "The register's name in its checkpoints and key (the C2SP origin), e.g. cadastre.mines.gov.pk/register: "
        "no spaces or '+'. Changing it starts a new register as far as verifiers are concerned.",
    ),
    Setting(
        "MAADAN_PUBLIC_BASE_URL",
        "unset (the address the server itself listens on)",
        "The address the public reaches Maadan at, e.g. https://cadastre.example.gov.pk (with a path "
        "prefix if it is served under one). Absolute links (OGC API) are built from it, never from "
        "the request's Host header. Set it behind a reverse proxy.",
    ),
    Setting(
        "MAADAN_CLIENT_RATE",
        "30",
        "Cost units of expensive requests a client (account, else address) may spend a minute, and "
        "at once: a Monte Carlo, a report, a screening or an economics run costs 5, a spatial check, "
        "an application or an area upload 1. Over it: 429 with Retry-After. 0: no limit.",
    ),
    Setting(
        "MAADAN_EXPENSIVE_CONCURRENCY",
        "half the CPUs (at least 1)",
        "Expensive requests of one kind (compute, spatial) a worker runs at once; more are answered "
        "503 with Retry-After, so the other half of the CPUs stays for every other page. 0: no limit.",
    ),
    Setting(
        "MAADAN_PASSWORD_HASHING",
        "standard",
        "Argon2id cost of new password hashes: standard (RFC 9106 low-memory: 3 passes over 64 MiB) or "
        "fast-insecure (1 pass over 8 KiB, for test suites only; refused when MAADAN_ENV=prod). Read when a "
        "password is hashed; a hash made with weaker parameters than standard is redone at the next sign-in.",
    ),
    Setting(
        "MAADAN_STALE_DAYS",
        "180",
        "Age in days after which an agreement whose status is not final is listed as stale (its newest "
        "source is older than this): `maadan agreements stale` and the curator's page /agreements/stale.",
    ),
    Setting(
        "MAADAN_TILE_WARM_ZOOM",
        "7",
        "Deepest zoom whose vector tiles each server process builds at startup, in the background, "
        "over the extent of the titles and public applications (the tiles a map's first view asks "
        "for), until they fill half the tile cache. -1: none (each tile is built on its first request).",
    ),
    Setting(
        "MAADAN_DOWNLOAD_MAX_AGE",
        "600",
        "Seconds a public download of the register (/register/downloads/...) is sent as kept after the "
        "register has moved on, before the next request builds it again; each says which register "
        "sequence it holds. 0: always current (every change builds it again at the next request).",
    ),
    Setting(
        "MAADAN_SQLITE_SYNCHRONOUS",
        "full",
        "How SQLite makes commits durable: full (every commit syncs the write-ahead log before a receipt "
        "is given) or extra (also syncs the folder). PostgreSQL: see docs/deploy.md (synchronous_commit).",
    ),
    Setting(
        "MAADAN_LOCK_WAIT_MS",
        "30000",
        "How long a write waits for another transaction's lock (SQLite's busy timeout, PostgreSQL's "
        "lock_timeout) before it gives up: nothing is written and the answer is 503 with Retry-After "
        "(the CLI exits 75), so the client may send it again.",
    ),
    Setting(
        "MAADAN_IDEMPOTENCY_HOURS",
        "24",
        "How long the answer to a write sent with an Idempotency-Key is kept: a retry with the same key "
        "within this time gets the same answer (the same application number and receipt time) and writes "
        "nothing; after it the key may be used again.",
    ),
    Setting(
        "MAADAN_METRICS_NETWORKS",
        "127.0.0.1/32,::1/128",
        "Comma-separated networks (CIDR) whose clients may read /metrics (Prometheus). The client is the TCP "
        "peer, or the X-Forwarded-For address when the peer is one of MAADAN_TRUSTED_PROXIES.",
    ),
    Setting(
        "MAADAN_METRICS_TOKEN",
        "unset",
        "A Bearer token (at least 32 characters) that may read /metrics from any address.",
    ),
    Setting("MAADAN_SMTP_HOST", "unset", "Mail server the e-mail dispatcher sends through (`maadan mail dispatch`); "
            "unset: e-mails wait in the outbox."),
    Setting("MAADAN_SMTP_PORT", "25 (465 with ssl, 587 with starttls)", "Port of the mail server."),
    Setting("MAADAN_SMTP_TLS", "none", "none, starttls or ssl."),
    Setting("MAADAN_SMTP_USER", "unset", "User name for the mail server, if it asks for one."),
    Setting("MAADAN_SMTP_PASSWORD", "unset", "Password for the mail server."),
    Setting("MAADAN_SMTP_FROM", "maadan@localhost", "The From address of Maadan's e-mails."),
    Setting("MAADAN_MAIL_DISPATCH_SECONDS", "30",
            "With MAADAN_SMTP_HOST set, `maadan serve` sends the outbox in the background every this many "
            "seconds: one worker at a time across all workers and hosts (a lease in the database). 0: off "
            "(run `maadan mail dispatch` from cron instead)."),
    Setting(
        "MAADAN_PG_BIN",
        "unset (PATH, then the newest /usr/lib/postgresql/*/bin)",
        "Folder of the PostgreSQL client programs `maadan db backup/restore` run (pg_dump, pg_restore); use "
        "the server's major version or newer.",
    ),
    Setting(
        "MAADAN_SQL_ECHO",
        "0",
        "Set to 1 to log every SQL statement (debugging).",
    ),
)


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str
    sql_echo: bool = False
    read_database_urls: tuple[str, ...] = ()
    host: str = "127.0.0.1"
    port: int = 8000
    env: str = "dev"
    secret_key: str = ""
    tile_url: str | None = None
    max_body_bytes: int = 5_000_000
    log_level: str = "info"
    trusted_proxies: frozenset[str] = frozenset()
    public_base_url: str | None = None
    client_rate: int = 30
    expensive_concurrency: int = 2
    tile_warm_zoom: int = 7
    download_max_age: int = 600  # seconds a kept download is sent after the register moved on
    password_hashing: str = "standard"
    stale_days: int = 180
    idempotency_hours: int = 24
    sqlite_synchronous: str = "full"
    lock_wait_ms: int = 30_000  # how long a statement waits for another transaction's lock (then 503)
    metrics_networks: tuple = ()
    metrics_token: str = ""
    register_key: Path | None = None  # None: <data_dir>/register-key.pem
    register_name: str = "maadan.local/register"
    pg_bin: Path | None = None
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_tls: str = "none"
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_from: str = "maadan@localhost"
    mail_dispatch_seconds: int = 30

    @property
    def register_key_path(self) -> Path:
        return self.register_key or self.data_dir / "register-key.pem"

    @property
    def production(self) -> bool:
        return self.env == "prod"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def sqlite_path(self) -> Path | None:
        """The database file for a file-backed SQLite URL, else None."""
        prefix = "sqlite:///"
        if not self.database_url.startswith(prefix):
            return None
        rest = self.database_url[len(prefix):].split("?", 1)[0]
        if not rest or rest == ":memory:":
            return None
        return Path(rest)


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """Build settings from the environment (or the mapping given)."""
    env = os.environ if env is None else env
    data_dir = Path(env.get("MAADAN_DATA_DIR") or _default_data_dir(env)).expanduser()
    url = env.get("MAADAN_DATABASE_URL") or f"sqlite:///{data_dir / 'maadan.sqlite'}"
    if not (url.startswith("sqlite") or url.startswith("postgresql")):
        raise ConfigError(
            f"MAADAN_DATABASE_URL must be a sqlite:/// or postgresql+psycopg:// URL, got {url.split(':', 1)[0]}://…"
        )
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    echo = (env.get("MAADAN_SQL_ECHO") or "0").strip().lower() in {"1", "true", "yes", "on"}
    mode = (env.get("MAADAN_ENV") or "dev").strip().lower()
    if mode not in ("dev", "prod"):
        raise ConfigError(f"MAADAN_ENV must be dev or prod, not {mode!r}")
    secret = env.get("MAADAN_SECRET_KEY") or ""
    if mode == "prod" and len(secret) < 32:
        raise ConfigError("MAADAN_SECRET_KEY must be set to at least 32 random characters when MAADAN_ENV=prod")
    if not secret:
        secret = secrets.token_urlsafe(32)  # dev: sessions last as long as the process
    return Settings(
        data_dir=data_dir, database_url=url, sql_echo=echo, read_database_urls=_read_urls(env, url),
        host=env.get("MAADAN_HOST") or "127.0.0.1",
        port=_int(env, "MAADAN_PORT", 8000, 1, 65535),
        env=mode, secret_key=secret, tile_url=env.get("MAADAN_TILE_URL") or None,
        max_body_bytes=_int(env, "MAADAN_MAX_BODY_BYTES", 5_000_000, 1_000, 1_000_000_000),
        stale_days=_int(env, "MAADAN_STALE_DAYS", 180, 0, 36_500),
        log_level=_log_level(env), trusted_proxies=_proxies(env), public_base_url=_base_url(env),
        client_rate=_int(env, "MAADAN_CLIENT_RATE", 30, 0, 1_000_000),
        expensive_concurrency=_int(env, "MAADAN_EXPENSIVE_CONCURRENCY", max(1, (os.cpu_count() or 2) // 2), 0, 10_000),
        tile_warm_zoom=_int(env, "MAADAN_TILE_WARM_ZOOM", 7, -1, 10),
        download_max_age=_int(env, "MAADAN_DOWNLOAD_MAX_AGE", 600, 0, 7 * 86_400),
        password_hashing=password_hashing(env),
        register_key=Path(env["MAADAN_REGISTER_KEY"]).expanduser() if env.get("MAADAN_REGISTER_KEY") else None,
        register_name=_register_name(env),
        idempotency_hours=_int(env, "MAADAN_IDEMPOTENCY_HOURS", 24, 1, 24 * 366),
        sqlite_synchronous=_choice(env, "MAADAN_SQLITE_SYNCHRONOUS", ("full", "extra")),
        lock_wait_ms=_int(env, "MAADAN_LOCK_WAIT_MS", 30_000, 1, 600_000),
        metrics_networks=_networks(env, "MAADAN_METRICS_NETWORKS", "127.0.0.1/32,::1/128"),
        metrics_token=_token(env, "MAADAN_METRICS_TOKEN"),
        pg_bin=Path(env["MAADAN_PG_BIN"]).expanduser() if env.get("MAADAN_PG_BIN") else None,
        **_smtp(env),
    )


def _read_urls(env: Mapping[str, str], primary: str) -> tuple[str, ...]:
    raw = [u.strip() for u in (env.get("MAADAN_READ_DATABASE_URL") or "").split(",") if u.strip()]
    if raw and primary.startswith("sqlite"):
        raise ConfigError("MAADAN_READ_DATABASE_URL is for PostgreSQL streaming replicas; the database is SQLite "
                          "(one file, no replicas): unset MAADAN_READ_DATABASE_URL")
    out = []
    for i, url in enumerate(raw, 1):
        scheme = url.split("://", 1)[0] if "://" in url else ""
        if scheme not in ("postgresql", "postgres", "postgresql+psycopg"):
            raise ConfigError(f"MAADAN_READ_DATABASE_URL: URL {i} must be postgresql+psycopg://…, "
                              f"not {scheme or url[:20]!r}")
        out.append("postgresql+psycopg://" + url.split("://", 1)[1])
    if len(out) > 16:
        raise ConfigError("MAADAN_READ_DATABASE_URL: at most 16 replicas")
    return tuple(out)


def _smtp(env: Mapping[str, str]) -> dict:
    tls = _choice(env, "MAADAN_SMTP_TLS", ("none", "starttls", "ssl"))
    default_port = {"none": 25, "starttls": 587, "ssl": 465}[tls]
    sender = (env.get("MAADAN_SMTP_FROM") or "maadan@localhost").strip()
    if any(c in sender for c in "\r\n") or "@" not in sender or len(sender) > 254:
        raise ConfigError(f"MAADAN_SMTP_FROM must be one e-mail address, not {sender[:80]!r}")
    return {"smtp_host": (env.get("MAADAN_SMTP_HOST") or "").strip() or None,
            "smtp_port": _int(env, "MAADAN_SMTP_PORT", default_port, 1, 65535), "smtp_tls": tls,
            "smtp_user": env.get("MAADAN_SMTP_USER") or None, "smtp_password": env.get("MAADAN_SMTP_PASSWORD") or None,
            "smtp_from": sender, "mail_dispatch_seconds": _int(env, "MAADAN_MAIL_DISPATCH_SECONDS", 30, 0, 86_400)}


def _register_name(env: Mapping[str, str]) -> str:
    name = (env.get("MAADAN_REGISTER_NAME") or "maadan.local/register").strip()
    if not name or any(c.isspace() or c == "+" for c in name) or len(name) > 200:
        raise ConfigError(f"MAADAN_REGISTER_NAME must be a name without spaces or '+' (e.g. "
                          f"cadastre.example.gov.pk/register), not {name[:60]!r}")
    return name


def _base_url(env: Mapping[str, str]) -> str | None:
    from urllib.parse import urlsplit

    raw = (env.get("MAADAN_PUBLIC_BASE_URL") or "").strip()
    if not raw:
        return None
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment \
            or parts.username or parts.password:
        raise ConfigError(f"MAADAN_PUBLIC_BASE_URL must be http(s)://host[:port][/path] with no query, "
                          f"fragment or credentials, not {raw[:100]!r}")
    try:
        parts.port  # noqa: B018 (raises on a bad port)
    except ValueError:
        raise ConfigError(f"MAADAN_PUBLIC_BASE_URL has a bad port: {raw[:100]!r}") from None
    return raw.rstrip("/")


PASSWORD_HASHING = ("standard", "fast-insecure")


def password_hashing(env: Mapping[str, str] | None = None) -> str:
    """MAADAN_PASSWORD_HASHING from `env` (default: the process environment), checked: fast-insecure
    is refused when MAADAN_ENV=prod."""
    env = os.environ if env is None else env
    value = (env.get("MAADAN_PASSWORD_HASHING") or "standard").strip().lower()
    if value not in PASSWORD_HASHING:
        raise ConfigError(f"MAADAN_PASSWORD_HASHING must be {' or '.join(PASSWORD_HASHING)}, not {value!r}")
    if value != "standard" and (env.get("MAADAN_ENV") or "").strip().lower() == "prod":
        raise ConfigError("MAADAN_PASSWORD_HASHING=fast-insecure is for test suites; it is refused when MAADAN_ENV=prod")
    return value


def _networks(env: Mapping[str, str], name: str, default: str) -> tuple:
    import ipaddress

    out = []
    for raw in (env.get(name) or default).split(","):
        if raw.strip():
            try:
                out.append(ipaddress.ip_network(raw.strip(), strict=False))
            except ValueError:
                raise ConfigError(f"{name}: {raw.strip()!r} is not a network such as 10.0.0.0/8") from None
    return tuple(out)


def _token(env: Mapping[str, str], name: str) -> str:
    value = (env.get(name) or "").strip()
    if value and len(value) < 32:
        raise ConfigError(f"{name} must be at least 32 characters when set")
    return value


def _choice(env: Mapping[str, str], name: str, allowed: tuple[str, ...]) -> str:
    value = (env.get(name) or allowed[0]).strip().lower()
    if value not in allowed:
        raise ConfigError(f"{name} must be {' or '.join(allowed)}, not {value!r}")
    return value


def _log_level(env: Mapping[str, str]) -> str:
    level = (env.get("MAADAN_LOG_LEVEL") or "info").strip().lower()
    if level not in ("debug", "info", "warning", "error"):
        raise ConfigError(f"MAADAN_LOG_LEVEL must be debug, info, warning or error, not {level!r}")
    return level


def _proxies(env: Mapping[str, str]) -> frozenset[str]:
    import ipaddress

    out = set()
    for raw in (env.get("MAADAN_TRUSTED_PROXIES") or "").split(","):
        if raw.strip():
            try:
                out.add(str(ipaddress.ip_address(raw.strip())))
            except ValueError:
                raise ConfigError(f"MAADAN_TRUSTED_PROXIES: {raw.strip()!r} is not an IP address") from None
    return frozenset(out)


def _int(env: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = env.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, not {raw!r}") from None
    if not low <= value <= high:
        raise ConfigError(f"{name} must be between {low} and {high}, not {value}")
    return value
