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
        raise SettingError(f"{name}={raw!r} is not a valid URL; expected a scheme among: {allowed}.")
    return raw


def email_settings(url: str) -> dict[str, object]:
    """Django email settings from `EMAIL_URL` (smtp://, smtp+tls://, smtp+ssl://, console:,
    locmem:, or the name of an anymail backend as anymail://provider)."""
    if not url:
        # No real sending configured: messages are kept in the database
        # outbox viewer (the demo default) and never leave the machine.
        return {"EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"}
    parts = urlsplit(url)
    scheme = parts.scheme
    if scheme == "console":
        return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    if scheme == "locmem":
        return {"EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"}
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
    from urllib.parse import unquote

    return {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": parts.hostname,
        "EMAIL_PORT": port or (465 if scheme == "smtp+ssl" else 587 if scheme == "smtp+tls" else 25),
        "EMAIL_HOST_USER": unquote(parts.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
        "EMAIL_USE_TLS": scheme == "smtp+tls",
        "EMAIL_USE_SSL": scheme == "smtp+ssl",
        "EMAIL_TIMEOUT": 30,
    }
