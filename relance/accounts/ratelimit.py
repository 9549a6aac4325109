"""Counting attempts per identity and per network address, in the database.

Used to slow down password guessing on the login form and to stop the
password-reset form from being used to flood someone's mailbox. Attempts are
rows of `LoginFailure`, so every web process, on every host, sees the same
counts (a per-process cache would let an attacker multiply their tries by the
number of workers).

The client's address is REMOTE_ADDR and nothing else. X-Forwarded-For is
written by the client unless a proxy overwrites it, so trusting it would let
anyone pick a fresh address for each try. Behind a reverse proxy, the proxy
(or a middleware the operator controls) must put the real client address in
REMOTE_ADDR; otherwise every visitor shares the proxy's address and the
per-address limit pauses logins for everyone at once.

Known race: two attempts arriving at the same instant may both pass the check
before either is recorded, so a determined attacker gets a handful of extra
tries per window. That is accepted: the limit is about orders of magnitude,
and serialising every login through a lock would cost more than it saves.
"""

from __future__ import annotations

import hashlib
import ipaddress
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from relance.accounts.models import LoginFailure

# Namespaces other than logins start with "#", a character Django never
# accepts in a username, so they cannot collide with a login row.
_FOREIGN = "#"


def client_ip(request) -> str | None:
    """The client's address as counted by the limiters, or None when unknown.

    IPv6 clients usually own a whole /64, and changing the last 64 bits is
    free: they are counted per /64 network."""
    raw = (request.META.get("REMOTE_ADDR") or "") if request is not None else ""
    try:
        address = ipaddress.ip_address(raw.strip())
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False).network_address)
    return str(address)


@dataclass(frozen=True)
class Limiter:
    """At most `limit` attempts for one identity, and `limit` from one address,
    within a sliding `window`. Settings are read at each use so tests (and an
    operator's override) take effect without a restart."""

    namespace: str  # "" for logins; "#<name>:" for anything else
    limit_setting: str
    default_limit: int
    window_setting: str
    default_window_seconds: int
    # Hash the identity (an e-mail address) so the table never holds a list
    # of addresses somebody typed into a public form.
    hash_identity: bool = False

    @property
    def limit(self) -> int:
        return max(1, int(getattr(settings, self.limit_setting, self.default_limit)))

    @property
    def window(self) -> timedelta:
        seconds = getattr(settings, self.window_setting, self.default_window_seconds)
        return timedelta(seconds=int(seconds))

    def key(self, identity: str) -> str:
        # Case-folded: "Marc" and "marc" are one target for a guesser.
        ident = (identity or "").strip().casefold()
        if self.hash_identity:
            ident = hashlib.sha256(ident.encode()).hexdigest()[:40]
        elif not self.namespace and ident.startswith(_FOREIGN):
            ident = "~" + ident  # keep typed usernames out of other namespaces
        return (self.namespace + ident)[:150]

    def _rows(self):
        rows = LoginFailure.objects.all()
        if self.namespace:
            return rows.filter(username__startswith=self.namespace)
        return rows.exclude(username__startswith=_FOREIGN)

    def blocked_until(
        self, identity: str, ip: str | None, *, now: datetime | None = None
    ) -> datetime | None:
        """When the next attempt will be allowed, or None if it is allowed now.

        Blocked while `limit` attempts lie inside the window; the block lifts
        when the limit-th most recent one leaves it. Refused attempts are not
        recorded, so waiting out the window always works."""
        now = now or timezone.now()
        recent = self._rows().filter(at__gt=now - self.window)
        scopes = [recent.filter(username=self.key(identity))]
        if ip:
            scopes.append(recent.filter(ip=ip))
        until = None
        for scope in scopes:
            nth = list(
                scope.order_by("-at").values_list("at", flat=True)[self.limit - 1 : self.limit]
            )
            if nth:
                candidate = nth[0] + self.window
                until = candidate if until is None else max(until, candidate)
        return until

    def hit(self, identity: str, ip: str | None, *, now: datetime | None = None) -> None:
        """Record one attempt, and purge this namespace's expired rows while
        we are writing anyway (cheap: `at` is indexed), so the table stays
        small without a scheduled job."""
        now = now or timezone.now()
        LoginFailure.objects.create(username=self.key(identity), ip=ip, at=now)
        self._rows().filter(at__lte=now - self.window).delete()

    def clear(self, identity: str) -> None:
        """Forget the identity's attempts (not the address's: signing in to
        one's own account must not reset the count of an address that is
        guessing other people's passwords)."""
        self._rows().filter(username=self.key(identity)).delete()


def minutes_until(moment: datetime, *, now: datetime | None = None) -> int:
    """Whole minutes to wait, rounded up, at least 1 (for messages)."""
    seconds = (moment - (now or timezone.now())).total_seconds()
    return max(1, math.ceil(seconds / 60))


def seconds_until(moment: datetime, *, now: datetime | None = None) -> int:
    """For the Retry-After header."""
    return max(1, math.ceil((moment - (now or timezone.now())).total_seconds()))


LOGIN_LIMITER = Limiter(
    namespace="",
    limit_setting="LOGIN_FAILURE_LIMIT",
    default_limit=5,
    window_setting="LOGIN_FAILURE_WINDOW_SECONDS",
    default_window_seconds=15 * 60,
)

# Reset e-mails per address and per network: enough for someone who mistyped
# or lost the first e-mail, too few to flood a mailbox.
PASSWORD_RESET_LIMITER = Limiter(
    namespace="#reset:",
    limit_setting="PASSWORD_RESET_LIMIT",
    default_limit=5,
    window_setting="PASSWORD_RESET_WINDOW_SECONDS",
    default_window_seconds=3600,
    hash_identity=True,
)
