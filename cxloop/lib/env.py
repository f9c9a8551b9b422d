"""Typed readers for environment variables that fail loudly on a bad value."""

import importlib.util
import os
import secrets
from pathlib import Path


class ConfigError(RuntimeError):
    """A configuration variable holds a value cxloop cannot use."""


def envstr(name: str, default: str) -> str:
    return os.environ.get(name, default)


def envbool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    lowered = raw.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ConfigError(f"{name} must be true or false, not {raw!r}")


def envint(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, not {raw!r}") from None


def envlist(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def default_data_dir(package_dir: Path) -> Path:
    """`var/` of the source checkout cxloop runs from (what `make run` serves), else ~/.local/share/cxloop.

    One rule for the Makefile, `cxloop` run by hand in a new shell, and the worker: they all find
    the same database without CXLOOP_DATA_DIR. An installed package has no checkout around it.
    """
    checkout = package_dir.parent
    if (checkout / "pyproject.toml").is_file() and (checkout / "manage.py").is_file():
        return checkout / "var"
    return Path.home() / ".local" / "share" / "cxloop"


def persistent_secret_key(data_dir: Path) -> str:
    """Return the secret key kept in the data directory, creating it on first run."""
    path = data_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    # O_EXCL: two processes starting at once must end up with the same key.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


RATE_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def envrate(name: str, default: str) -> tuple[int, int] | None:
    """A rate as (requests, seconds) from "60/m", "20/10m" or "1000/h"; "off" means no limit."""
    raw = (os.environ.get(name) or default).strip().lower()
    if raw == "off":
        return None
    count, _, period = raw.partition("/")
    number, unit = period[:-1], period[-1:]
    if (
        not count.isdigit()
        or int(count) < 1
        or unit not in RATE_UNITS
        or not (number or "1").isdigit()
    ):
        raise ConfigError(f"{name} must look like 60/m, 20/10m, 1000/h or off, not {raw!r}")
    seconds = int(number or "1") * RATE_UNITS[unit]
    if seconds < 1:
        raise ConfigError(f"{name} needs a period of at least one second, not {raw!r}")
    return int(count), seconds


def envcache(name: str, *, data_default: dict) -> dict:
    """A Django cache from a URL: redis://host:6379/0 (rediss:// with TLS), locmem:// or db:// (the default)."""
    raw = os.environ.get(name, "").strip()
    scheme = raw.partition("://")[0].lower()
    if raw == "" or scheme == "db":
        return data_default
    if scheme == "locmem":
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "cxloop"}
    if scheme in {"redis", "rediss", "unix"}:
        if importlib.util.find_spec("redis") is None:
            raise ConfigError(
                f"{name} names Redis, but the redis package is missing: pip install 'cxloop[redis]'"
            )
        # Short timeouts: a stuck Redis must not hold requests (the rate limiter then lets them through).
        options = {"socket_connect_timeout": 2, "socket_timeout": 2}
        return {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": raw,
            "OPTIONS": options,
        }
    raise ConfigError(
        f"{name} must start with redis://, rediss://, unix://, locmem:// or db://, not {raw!r}"
    )
