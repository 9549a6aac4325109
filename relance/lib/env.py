"""Strict readers for environment settings.

A bad value must stop start-up with a message naming the variable: a typo in
`RELANCE_DEBUG` silently read as False, or a malformed `DATABASE_URL` falling
back to SQLite, would hide the problem until data landed in the wrong place.
"""

from __future__ import annotations

import os
from urllib.parse import urlsplit


class SettingError(Exception):
    """Raised with a message that names the offending environment variable."""


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise SettingError(f"{name}={raw!r} is not a boolean: use 1/0, true/false, yes/no or on/off.")


def env_int(name: str, default: int, minimum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        raise SettingError(f"{name}={raw!r} is not a whole number.") from None
    if minimum is not None and value < minimum:
        raise SettingError(f"{name}={raw!r} must be at least {minimum}.")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_url(name: str, schemes: set[str], default: str = "") -> str:
    raw = os.environ.get(name, default).strip()
    if not raw:
        return ""
    parts = urlsplit(raw)
    if parts.scheme not in schemes or not (parts.netloc or parts.path):
        allowed = ", ".join(sorted(schemes))
        raise SettingError(
            f"{name}={raw!r} is not a valid URL; expected a scheme among: {allowed}."
        )
    return raw


def mailers_setting(url: str) -> dict[str, dict[str, object]]:
    """Django's MAILERS setting from `EMAIL_URL`: smtp://, smtp+tls:// (STARTTLS),
    smtp+ssl://, console: or locmem:. Empty: messages stay in the database
    outbox viewer (the demo default) and never leave the machine."""
    from urllib.parse import unquote

    locmem: dict[str, object] = {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}
    if not url:
        return {"default": locmem}
    parts = urlsplit(url)
    scheme = parts.scheme
    if scheme == "console":
        console: dict[str, object] = {"BACKEND": "django.core.mail.backends.console.EmailBackend"}
        return {"default": console}
    if scheme == "locmem":
        return {"default": locmem}
    if scheme not in {"smtp", "smtp+tls", "smtp+ssl"}:
        raise SettingError(
            f"EMAIL_URL={url!r}: unknown scheme {scheme!r}; use smtp://, smtp+tls://, smtp+ssl://,"
            " console: or locmem:."
        )
    try:
        port = parts.port
    except ValueError:
        raise SettingError(f"EMAIL_URL={url!r}: the port is not a number.") from None
    if not parts.hostname:
        raise SettingError(f"EMAIL_URL={url!r}: the host is missing.")
    default_port = 465 if scheme == "smtp+ssl" else 587 if scheme == "smtp+tls" else 25
    return {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": parts.hostname,
                "port": port or default_port,
                "username": unquote(parts.username or ""),
                "password": unquote(parts.password or ""),
                "use_tls": scheme == "smtp+tls",
                "use_ssl": scheme == "smtp+ssl",
                "timeout": 30,
            },
        }
    }
